"""Built-in functions as rules call them: limits of metrics, targets of objectives, lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from aimscheck.dsl.ruleset import compile_files
from aimscheck.engine import Evaluator
from aimscheck.export.model import Export

AS_OF = dt.date(2026, 11, 20)


def messages(
    tmp_path: Path, collection: str, records: list[dict[str, Any]], text: str
) -> list[str]:
    """The message `text` gives for each record, by closures and by generated code alike."""
    (tmp_path / "t.aims").write_text(
        f'rule "T-1" {{\n  title "t"\n  clause "9.1"\n  severity minor\n  phase monitoring\n'
        f'  for x in {collection}\n  require false\n  because "{text}"\n}}\n'
    )
    ruleset = compile_files([tmp_path / "t.aims"])
    export = Export(tmp_path, tmp_path / "aims.yaml", {collection: records})
    found = [
        [r.message for r in Evaluator(export, AS_OF, generate=generate).run(ruleset)]
        for generate in (False, True)
    ]
    assert found[0] == found[1]
    return found[0]


METRICS = [
    {"id": "auc", "lower_limit": 0.8, "results": [{"at": AS_OF, "value": 0.79}]},
    {"id": "err", "threshold": "<= 0.05", "results": [{"at": AS_OF, "value": 0.05}]},
    {
        "id": "gap",
        "threshold": "< 0.1",
        "upper_limit": 0.2,
        "results": [{"at": AS_OF, "value": 0.1}],
    },
    {"id": "bare", "threshold": 0.8, "results": [{"at": AS_OF, "value": 0.1}]},
    {"id": "none", "results": []},
]


def test_breaches_is_true_outside_a_limit_false_inside_and_missing_without_a_direction(
    tmp_path: Path,
) -> None:
    text = '{x.id}: {breaches(x, latest(x.results, \\"at\\").value)} {limits_known(x)} {limits(x)}'
    assert messages(tmp_path, "metrics", METRICS, text) == [
        "auc: true true >= 0.8",
        "err: false true <= 0.05",  # exactly at an upper limit written <= is inside it
        "gap: true true <= 0.2, < 0.1",  # `< 0.1` excludes 0.1 itself, whatever the other says
        "bare: (missing) false (none)",  # a bare number gives no direction
        "none: (missing) false (none)",
    ]


def test_breaches_of_a_value_that_is_not_a_number_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "t.aims").write_text(
        'rule "T-1" {\n  title "t"\n  clause "9.1"\n  severity minor\n  phase monitoring\n'
        "  for x in metrics\n  require breaches(x, x.name) == false\n}\n"
    )
    export = Export(
        tmp_path,
        tmp_path / "aims.yaml",
        {"metrics": [{"id": "m", "name": "AUC", "lower_limit": 1}]},
    )
    (result,) = Evaluator(export, AS_OF).run(compile_files([tmp_path / "t.aims"]))
    assert result.outcome.value == "error"
    assert "breaches() needs a number as its value, got text" in result.message


@pytest.mark.parametrize(
    ("objective", "met"),
    [
        ({"target": ">= 95%", "measurements": [{"at": AS_OF, "value": 95}]}, "true"),
        ({"target": ">= 95%", "measurements": [{"at": AS_OF, "value": 94.9}]}, "false"),
        (
            {
                "target": 2,
                "target_direction": "at_most",
                "measurements": [{"at": AS_OF, "value": 3}],
            },
            "false",
        ),
        ({"target": 95, "measurements": [{"at": AS_OF, "value": 99}]}, "(missing)"),
        ({"target": ">= 95%", "measurements": []}, "(missing)"),
    ],
)
def test_target_met_judges_the_value_against_a_directed_target(
    tmp_path: Path, objective: dict[str, Any], met: str
) -> None:
    text = '{target_met(x, latest(x.measurements, \\"at\\").value)}'
    assert messages(tmp_path, "objectives", [{"id": "o", **objective}], text) == [met]


def test_concat_joins_lists_and_single_values_in_order_and_skips_missing_ones(
    tmp_path: Path,
) -> None:
    records = [{"id": "c", "evidence_refs": ["EV-1", "EV-2"], "reassessment_refs": ["R-1"]}]
    text = "{concat(x.evidence_refs, x.affected_system_refs, x.id, x.at, x.reassessment_refs)}"
    assert messages(tmp_path, "changes", records, text) == ["EV-1, EV-2, c, R-1"]


def test_flatten_takes_the_items_of_each_list_one_level_down(tmp_path: Path) -> None:
    results = [{"evidence_refs": ["EV-1"]}, {"value": 1}, {"evidence_refs": ["EV-2", "EV-3"]}]
    text = '{flatten(pluck(x.results, \\"evidence_refs\\"))}'
    records = [{"id": "m", "results": results}]
    assert messages(tmp_path, "metrics", records, text) == ["EV-1, EV-2, EV-3"]


def test_join_writes_the_items_as_one_text_and_is_missing_for_an_empty_list(
    tmp_path: Path,
) -> None:
    records = [
        {"id": "c", "evidence_refs": ["EV-1", "EV-2"], "affected_system_refs": []},
        {"id": "d", "evidence_refs": ["EV-3"]},
    ]
    text = (
        '{concat(\\"proof \\" + join(\\" and \\", x.evidence_refs), '
        '\\"systems \\" + join(\\", \\", x.affected_system_refs))}'
    )
    assert messages(tmp_path, "changes", records, text) == ["proof EV-1 and EV-2", "proof EV-3"]


def test_months_between_and_age_count_calendar_months(tmp_path: Path) -> None:
    """As of 2026-11-20: months_between and `age(x) <= N months` agree with `x + N months`."""
    records = [
        {
            "id": "leap",
            "assessed_at": dt.date(2024, 2, 29),
            "next_review_due": dt.date(2025, 2, 28),
        },
        {
            "id": "year",
            "assessed_at": dt.date(2025, 11, 20),
            "next_review_due": dt.date(2026, 11, 19),
        },
        {"id": "eom", "assessed_at": dt.date(2026, 1, 31), "next_review_due": dt.date(2026, 2, 28)},
        {
            "id": "back",
            "assessed_at": dt.date(2026, 3, 15),
            "next_review_due": dt.date(2026, 1, 16),
        },
        {"id": "none"},
    ]
    text = (
        "{x.id}: {months_between(x.assessed_at, x.next_review_due)}"
        " {age(x.assessed_at) <= 12 months} {age(x.assessed_at)} {x.assessed_at + 1 month}"
    )
    assert messages(tmp_path, "risks", records, text) == [
        "leap: 12 false 995 days 2024-03-29",
        "year: 11 true 365 days 2025-12-20",
        "eom: 1 true 293 days 2026-02-28",
        "back: -1 true 250 days 2026-04-15",
        "none: (missing) false (missing) (missing)",
    ]
