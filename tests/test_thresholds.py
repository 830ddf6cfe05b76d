"""Directed limits: which texts state a bound, and which results breach a metric's limits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aimscheck.thresholds import Bound, metric_bounds, parse, target_bound

SCHEMA = Path(__file__).resolve().parents[1] / "aimscheck" / "schemas" / "aims-export.schema.json"


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        (">= 0.85", Bound(0.85, lower=True, strict=False)),
        ("<= 0.05", Bound(0.05, lower=False, strict=False)),
        ("> 0.85", Bound(0.85, lower=True, strict=True)),
        ("< 3", Bound(3.0, lower=False, strict=True)),
        ("≥ 95%", Bound(95.0, lower=True, strict=False)),  # % is a unit label, not /100
        ("≤5 %", Bound(5.0, lower=False, strict=False)),
        ("  >= -1.5 ", Bound(-1.5, lower=True, strict=False)),
        (">=.5", Bound(0.5, lower=True, strict=False)),
    ],
)
def test_a_text_with_an_operator_states_a_bound(text: str, bound: Bound) -> None:
    assert parse(text) == bound


@pytest.mark.parametrize("text", ["0.85", "95%", "=> 0.8", ">= ", "at least 0.8", ">= 0.8 or so"])
def test_a_text_without_a_direction_states_no_bound(text: str) -> None:
    assert parse(text) is None


@pytest.mark.parametrize(
    "text", ["0.85", ">= 0.85", "<= 0.05", "> 1", "< 1", "≥ 95%", "≤5 %", "95%", "=> 1", ">=.5"]
)
def test_the_schema_accepts_exactly_the_texts_that_state_a_bound(text: str) -> None:
    pattern = json.loads(SCHEMA.read_text())["$defs"]["limit_text"]["pattern"]
    assert (re.search(pattern, text) is not None) == (parse(text) is not None)


def test_a_bound_holds_on_its_side_and_a_strict_one_excludes_its_value() -> None:
    at_least, above = parse(">= 0.85"), parse("> 0.85")
    at_most, below = parse("<= 0.05"), parse("< 0.05")
    assert at_least and above and at_most and below
    assert [at_least.holds(x) for x in (0.84, 0.85, 0.9)] == [False, True, True]
    assert [above.holds(x) for x in (0.85, 0.86)] == [False, True]
    assert [at_most.holds(x) for x in (0.04, 0.05, 0.06)] == [True, True, False]
    assert [below.holds(x) for x in (0.05, 0.04)] == [False, True]


def test_a_metric_has_every_directed_limit_and_no_bare_threshold() -> None:
    assert metric_bounds({"lower_limit": 0.7, "upper_limit": 0.9, "threshold": "<= 0.95"}) == (
        Bound(0.7, lower=True, strict=False),
        Bound(0.9, lower=False, strict=False),
        Bound(0.95, lower=False, strict=False),
    )
    assert metric_bounds({"threshold": 0.8}) == ()
    assert metric_bounds({"lower_limit": True}) == ()  # a boolean is no number
    assert metric_bounds({}) == ()


@pytest.mark.parametrize(
    ("objective", "bound"),
    [
        ({"target": ">= 95%"}, Bound(95.0, lower=True, strict=False)),
        ({"target": ">= 95%", "target_direction": "at_least"}, Bound(95, True, False)),
        ({"target": 2, "target_direction": "at_most"}, Bound(2.0, lower=False, strict=False)),
        ({"target": 95, "target_direction": "at_least"}, Bound(95.0, lower=True, strict=False)),
        ({"target": 95}, None),  # a number with no direction
        ({"target_direction": "at_least"}, None),
        ({"target": "<= 2", "target_direction": "at_least"}, None),  # two directions that differ
    ],
)
def test_an_objective_target_has_a_direction_from_its_text_or_target_direction(
    objective: dict[str, object], bound: Bound | None
) -> None:
    assert target_bound(objective) == bound
