"""What a run's generated rules share: closed walks and join tables, by the records they walk.

Rule packs ask the same questions of the same collections: 25 rules filter the controls each
with its own threshold, or build a table of the evidence each with its own age limit. Walked
rule by rule, every record is fetched from memory once per rule; walked together
(`dsl/fusion.py`), once per run. Generated code registers here each closed walk (a `filter`
or `count` that reads no variable of its rule) and each join table it may need; the first
time one is needed, every pending member of its group is computed in one walk and kept in the
run's memo, by a key that identical questions share.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from aimscheck.budget import Budget
    from aimscheck.dsl import nodes as n
    from aimscheck.dsl.compiler import Fn
    from aimscheck.dsl.quantifiers import Join, Plan
    from aimscheck.dsl.ruleset import CompiledRule


@dataclass(frozen=True, eq=False)
class Walk:
    """A closed `filter` or `count`: its value depends on the export, the date and the rule's
    parameters only. `group`: the records it walks (members of a group walk the same)."""

    key: object
    group: object
    rule: CompiledRule
    e: n.Quantifier
    plan: Plan


@dataclass(frozen=True, eq=False)
class Table:
    """A hoisted join's table (`codegen._Module.hoisted`): key → answer, built in one walk
    of `join.collection` over the records that meet `rest`."""

    key: object
    group: object
    rule: CompiledRule
    e: n.Quantifier
    plan: Plan
    join: Join
    rest: tuple[n.Expr, ...]


Member = Walk | Table


class Walked(NamedTuple):
    """A walk's value in the run's memo, with the steps computing it took (charged to each
    rule that reads it) and the error it met (raised to each). `short`: it was given fewer
    steps than a rule may have; out of them, it is computed again by the rule that reads it."""

    value: object
    spent: int
    error: Exception | None
    short: bool


class Shared:
    """The members not computed yet, by group, each key once (identical questions)."""

    def __init__(self, budget: Budget) -> None:
        self.pending: dict[object, dict[object, Member]] = {}
        self.alone: dict[Walk, Fn] = {}  # a function computing a walk by itself, once written
        self.budget = budget  # the run's: what a rule may spend at most
        # Steps members may take before a rule reads them, all together: a member no rule
        # reads (its rule's `when` does not hold) is work for nothing, bounded so by the run's
        # budget (past it, members are computed alone, when read).
        self.spare = budget.run_left

    def most(self) -> int:
        """The most steps a rule may spend now."""
        return min(self.budget.rule_steps, self.budget.run_left)

    def add(self, member: Member) -> None:
        self.pending.setdefault(member.group, {}).setdefault(member.key, member)

    def take(self, group: object, done: Container[object]) -> list[Member]:
        """The group's pending members whose key is not `done`; no longer pending: they are
        computed now."""
        return [m for key, m in self.pending.pop(group, {}).items() if key not in done]
