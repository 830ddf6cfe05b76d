"""Directed limits: a metric's lower/upper limits and threshold text, an objective's target.

docs/export.md ("Metrics and their limits", "Objectives and their targets") defines them; this
module is the one place that reads them. A limit without a direction (a bare number) is no
bound here: whether a value is on the right side of it cannot be said.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# The schema's `limit_text` (aimscheck/schemas/aims-export.schema.json) accepts the same texts;
# tests/test_thresholds.py checks that the two agree. `%` is a unit label, not a scale.
_TEXT = re.compile(r"\s*(>=|<=|>|<|≥|≤)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*%?\s*")
_OPERATORS = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", ">": ">", "<": "<"}
_DIRECTIONS = {"at_least": True, "at_most": False}  # target_direction: is the target a floor?


@dataclass(frozen=True, slots=True)
class Bound:
    """One side a value must stay on: `>= 0.85` is Bound(0.85, lower=True, strict=False)."""

    value: float
    lower: bool  # true: values below it are outside; false: values above it
    strict: bool  # `>` or `<`: the value itself is outside too

    def holds(self, x: float) -> bool:
        """Whether `x` is on the right side of the bound."""
        if self.lower:
            return x > self.value if self.strict else x >= self.value
        return x < self.value if self.strict else x <= self.value

    def __str__(self) -> str:
        op = (">" if self.lower else "<") + ("" if self.strict else "=")
        return f"{op} {self.value:g}"


def parse(text: str) -> Bound | None:
    """The bound a text such as `">= 0.85"`, `"≤ 5%"` or `"> 3"` states; None for any other."""
    found = _TEXT.fullmatch(text)
    if found is None:
        return None
    op = _OPERATORS[found.group(1)]
    return Bound(float(found.group(2)), lower=op.startswith(">"), strict=len(op) == 1)


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def metric_bounds(metric: Mapping[str, object]) -> tuple[Bound, ...]:
    """Every directed limit of a metric: `lower_limit`, `upper_limit` and a `threshold` text."""
    bounds = []
    low, high = _number(metric.get("lower_limit")), _number(metric.get("upper_limit"))
    if low is not None:
        bounds.append(Bound(low, lower=True, strict=False))
    if high is not None:
        bounds.append(Bound(high, lower=False, strict=False))
    threshold = metric.get("threshold")
    if isinstance(threshold, str) and (bound := parse(threshold)) is not None:
        bounds.append(bound)
    return tuple(bounds)


def target_bound(objective: Mapping[str, object]) -> Bound | None:
    """The directed target of an objective; None when it has no direction, or two that differ.

    A target text carries its own direction (`">= 95%"`); a number takes `target_direction`
    (`at_least`, `at_most`). A text whose direction contradicts `target_direction` is not
    guessed at.
    """
    target, direction = objective.get("target"), objective.get("target_direction")
    lower = _DIRECTIONS.get(direction) if isinstance(direction, str) else None
    if isinstance(target, str):
        bound = parse(target)
        if bound is None or (lower is not None and lower != bound.lower):
            return None
        return bound
    number = _number(target)
    if number is None or lower is None:
        return None
    return Bound(number, lower=lower, strict=False)
