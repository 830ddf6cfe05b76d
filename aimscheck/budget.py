"""The evaluation budget: work counted in steps, so that no rule can run for hours."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from aimscheck.errors import EvaluationError
from aimscheck.limits import how_to_raise


class BudgetSpent(EvaluationError):
    """A rule used up its evaluation budget (or the run's): its evaluation stops there."""


class Budget:
    """Evaluation work left, in steps: a variable bound (a loop's item, a `let`, a subject), an
    item a built-in walks, or a thousand characters of text a built-in copies.

    Each rule may spend its own budget, and all rules together the run's, so that one runaway
    rule (a quantifier inside a quantifier inside a quantifier...) cannot starve the others.
    """

    __slots__ = ("granted", "left", "rule_steps", "run_left")

    def __init__(self, rule_steps: int, run_steps: int) -> None:
        self.rule_steps = rule_steps
        self.run_left = run_steps
        self.granted = self.left = min(rule_steps, run_steps)

    def start_rule(self) -> None:
        self.granted = self.left = max(0, min(self.rule_steps, self.run_left))

    def end_rule(self) -> None:
        self.run_left -= self.granted - max(self.left, 0)

    def spend(self, steps: int, advice: str = "") -> None:
        self.left -= steps
        if self.left < 0:
            self.exhausted(advice)

    def exhausted(self, advice: str = "") -> None:
        """Raise BudgetSpent, with `advice` on what spent it (by default: nested quantifiers)."""
        if self.granted < self.rule_steps:
            name, what = "max_run_steps", "all rules together"
        else:
            name, what = "max_rule_steps", "one rule"
        raise BudgetSpent(
            f"evaluation stopped after {self.granted:,} steps, the budget of {what} ({name}): "
            + (advice or _NESTED)
            + f", or {how_to_raise(name)}"
        )


_NESTED = (
    "a quantifier over a collection inside another one compares every record with every "
    "other; join on a field instead (exists b in risks where b.id == a.risk_ref)"
)


class Frame(list[Any]):
    """A rule's variable slots. Every write binds a variable: one step of the budget.

    Loops bind their variable once per item, so the compiled closures are metered without
    knowing it, and a rule that would run for hours stops with an error instead.
    """

    __slots__ = ("budget",)

    def __init__(self, size: int, budget: Budget) -> None:
        super().__init__([None] * size)
        self.budget = budget

    def __setitem__(self, index: Any, value: Any) -> None:
        budget = self.budget
        budget.left -= 1
        if budget.left < 0:
            budget.exhausted()
        list.__setitem__(self, index, value)


_METER: ContextVar[Budget | None] = ContextVar("aimscheck_budget", default=None)


@contextlib.contextmanager
def metered(budget: Budget) -> Iterator[Budget]:
    """Inside the block, `charge()` spends from `budget` (the engine wraps each rule)."""
    token = _METER.set(budget)
    try:
        yield budget
    finally:
        _METER.reset(token)


def charge(steps: int, advice: str = "") -> None:
    """Spend from the budget of the rule being evaluated, if any: for code that has no Context
    at hand (regular expressions, text arithmetic). `advice` says what to do should it run out."""
    budget = _METER.get()
    if budget is not None and steps:
        budget.spend(steps, advice)
