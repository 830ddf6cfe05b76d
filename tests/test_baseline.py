"""Baselines: read from an earlier JSON report, matched by rule and subject, never by message."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from reportdata import AUDIT, IMPACT, RESULTS, RISK, SUPPLIERS, make_report
from reportschema import assert_valid_report

from aimscheck.baseline import BaselineCounts, compare, fixed, load_baseline
from aimscheck.errors import UsageError
from aimscheck.reporters.json import render
from aimscheck.results import Baseline, Outcome, Report, Result, Subject


def saved(tmp_path: Path, report: Report | None = None) -> Path:
    path = tmp_path / "previous.json"
    text = render(report or make_report())
    assert_valid_report(text)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_json_report_is_a_baseline_of_its_findings(tmp_path: Path) -> None:
    baseline = load_baseline(saved(tmp_path))
    assert baseline.keys == {
        ("AIMS-5.2-01", "policies/POL-1"),
        ("AIMS-6.1.3-02", "risks/R-7"),
        ("AIMS-7.2-01", "people/P-3"),
        ("AIMS-A.5.2-01", "ai_systems/credit-scoring"),
        ("AIMS-A.5.2-01", "ai_systems/fraud-detection"),
        ("AIMS-A.10.3-01", "suppliers/S-2"),
    }  # neither the error, the waived nor the not-applicable results
    assert baseline.path.endswith("previous.json")


def with_baseline(baseline: Baseline, results: tuple[Result, ...] = RESULTS) -> Report:
    return make_report(results=results, baseline=baseline)


def test_known_findings_do_not_fail_the_run_new_ones_and_errors_do(tmp_path: Path) -> None:
    baseline = load_baseline(saved(tmp_path))
    report = with_baseline(baseline)
    assert [r.rule.id for r in report.failing()] == [AUDIT.id]  # an error is never known
    assert compare(report) == BaselineCounts(known=6, new=0, fixed=0)
    new = Result(SUPPLIERS, Outcome.NONCONFORMITY, Subject("suppliers", "S-9"))
    report = with_baseline(baseline, (*RESULTS, new))
    assert [r.key() for r in report.failing()] == [(AUDIT.id, ""), new.key()]
    assert compare(report) == BaselineCounts(known=6, new=1, fixed=0)


def test_matched_by_rule_and_subject_not_by_message(tmp_path: Path) -> None:
    baseline = load_baseline(saved(tmp_path))
    reworded = tuple(
        dataclasses.replace(r, message="a different message", outcome=Outcome.MISSING_EVIDENCE)
        if r.rule is RISK and r.outcome is Outcome.NONCONFORMITY
        else r
        for r in RESULTS
    )
    report = with_baseline(baseline, reworded)
    assert all(r.rule is not RISK for r in report.failing())


def test_fixed_findings_are_counted(tmp_path: Path) -> None:
    baseline = load_baseline(saved(tmp_path))
    passing = tuple(
        dataclasses.replace(r, outcome=Outcome.PASS, message="")
        if r.rule is IMPACT and r.outcome.is_finding
        else r
        for r in RESULTS
    )
    assert compare(with_baseline(baseline, passing)) == BaselineCounts(known=4, new=0, fixed=2)
    assert compare(make_report()) is None


def test_a_finding_waived_since_is_not_fixed(tmp_path: Path) -> None:
    baseline = load_baseline(saved(tmp_path))
    waived = tuple(
        dataclasses.replace(r, outcome=Outcome.WAIVED, raw_outcome=r.outcome)
        if r.rule is RISK and r.outcome.is_finding
        else r
        for r in RESULTS
    )
    assert compare(with_baseline(baseline, waived)) == BaselineCounts(known=5, new=0, fixed=0)


def test_a_rule_not_evaluated_fixed_nothing(tmp_path: Path) -> None:
    baseline = load_baseline(saved(tmp_path))
    assert fixed(with_baseline(baseline)) == []
    # The rule could not be evaluated this time: its findings are unknown, not fixed.
    error = Result(IMPACT, Outcome.ERROR, None, None, "cannot compare date with text")
    broken = (*(r for r in RESULTS if r.rule is not IMPACT), error)
    report = with_baseline(baseline, broken)
    assert fixed(report) == []
    assert compare(report) == BaselineCounts(known=4, new=0, fixed=0)
    # The rule was disabled or removed: it looked at nothing, so it fixed nothing.
    gone = make_report(
        rules=tuple(r for r in make_report().rules if r is not IMPACT),
        results=tuple(r for r in RESULTS if r.rule is not IMPACT),
        baseline=baseline,
    )
    assert fixed(gone) == []
    # Evaluated, and the findings are gone: fixed, sorted by rule and subject.
    passing = tuple(
        dataclasses.replace(r, outcome=Outcome.PASS, message="")
        if r.rule is IMPACT and r.outcome.is_finding
        else r
        for r in RESULTS
    )
    assert fixed(with_baseline(baseline, passing)) == [
        (IMPACT.id, "ai_systems/credit-scoring"),
        (IMPACT.id, "ai_systems/fraud-detection"),
    ]


def test_counts_read_as_a_sentence() -> None:
    assert BaselineCounts(12, 2, 3).sentence() == "12 known findings remain, 2 new, 3 fixed"
    assert BaselineCounts(1, 0, 0).sentence() == "1 known finding remains, 0 new, 0 fixed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "baseline not found"),
        ("{not json", "the baseline is not JSON"),
        ('{"results": [],\n}', "the baseline is not JSON: a comma before the closing '}'"),
        ('{"results": []}', "is not an aimscheck JSON report"),
        ('{"format": "aimscheck-report/3", "results": []}', "in format aimscheck-report/3"),
        ('{"format": "aimscheck-report/1"}', "has no 'results' list"),
        ('{"format": "aimscheck-report/1", "results": [{"outcome": "x"}]}', "results[0]"),
        (
            '{"format": "aimscheck-report/1", "results": '
            '[{"rule": "R", "outcome": "nonconformity", "subject": "x"}]}',
            "subject must be null or {collection, id}",
        ),
    ],
)
def test_a_bad_baseline_is_a_usage_error(tmp_path: Path, text: str | None, expected: str) -> None:
    path = tmp_path / "previous.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_baseline(path)
    assert expected in caught.value.message


def test_the_json_report_marks_known_and_new_findings(tmp_path: Path) -> None:
    baseline = Baseline("previous.json", frozenset({(RISK.id, "risks/R-7")}))
    doc: dict[str, Any] = json.loads(render(with_baseline(baseline)))
    assert doc["summary"]["baseline"] == {"path": "previous.json", "known": 1, "new": 5, "fixed": 0}
    marks = {(r["rule"], r["outcome"]): r.get("baseline") for r in doc["results"]}
    assert marks[(RISK.id, "nonconformity")] == "known"
    assert marks[(AUDIT.id, "error")] == "new"
    assert all("baseline" not in r for r in doc["results"] if r["outcome"] == "not_applicable")
