"""The JSON report: documented shape and key order, every non-pass result, stable ordering."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from reportdata import (
    AUDIT,
    COUNTS,
    FINDINGS_BY_SEVERITY,
    RESULTS,
    RULES,
    VERIFICATION,
    make_report,
)
from reportschema import assert_valid_report, problems, shipped

from aimscheck.export.contract import VocabularyExtension
from aimscheck.reporters.json import FORMAT, render, to_dict
from aimscheck.reporters.readiness import assess
from aimscheck.results import Outcome, Report, Result, RuleInfo, Severity, Subject
from aimscheck.source import Location

ROOT = Path(__file__).parent.parent
RESULT_KEYS = [
    "rule",
    "title",
    "outcome",
    "severity",
    "clauses",
    "controls",
    "phase",
    "subject",
    "location",
    "message",
    "evidence",
    "failures",
]


@pytest.fixture(scope="module")
def text() -> str:
    return render(make_report())


@pytest.fixture(scope="module")
def doc(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data


def test_top_level_shape(doc: dict[str, Any]) -> None:
    assert list(doc) == [
        "format",
        "tool",
        "pack",
        "as_of",
        "export",
        "summary",
        "rules",
        "results",
        "waivers",
        "adjustments",
        "vocabulary",
        "config",
        "evidence_inventory",
    ]
    assert doc["format"] == FORMAT == "aimscheck-report/2"
    assert doc["tool"] == {"name": "aimscheck", "version": "0.1.0"}
    assert doc["pack"] == {"version": "iso42001-2023.1"}
    assert doc["as_of"] == "2026-03-01"
    assert doc["export"] == {"path": "fixtures/acme-gaps", "digest": "sha256:9f2c4e1d"}


def test_serialisation_details(text: str) -> None:
    assert text.endswith("}\n")
    assert text.startswith('{\n  "format": "aimscheck-report/2",\n')
    assert "Jürgen Müller" in text  # ensure_ascii=False
    assert "\\u00fc" not in text


def test_summary(doc: dict[str, Any]) -> None:
    summary = doc["summary"]
    assert list(summary) == [
        "counts",
        "by_severity",
        "verdict",
        "fail_on",
        "failed",
        "readiness",
        "baseline",
    ]
    assert summary["baseline"] is None
    assert summary["counts"] == COUNTS
    assert list(summary["counts"]) == [o.value for o in Outcome]
    assert summary["by_severity"] == FINDINGS_BY_SEVERITY
    assert list(summary["by_severity"]) == ["major", "minor", "observation"]
    assert summary["verdict"] == "not assessable"
    assert summary["fail_on"] == "minor"
    assert summary["failed"] is True
    assert summary["readiness"] == assess(make_report()).to_dict()


def test_fail_on_never_and_a_clean_run() -> None:
    never = to_dict(make_report(fail_on=None))["summary"]
    assert never["fail_on"] == "never"  # type: ignore[index]
    assert never["failed"] is False  # type: ignore[index]
    clean = [r for r in RESULTS if not r.outcome.is_finding]
    summary: Any = to_dict(make_report(results=tuple(clean), fail_on=Severity.OBSERVATION))
    assert summary["summary"]["failed"] is False
    assert summary["summary"]["verdict"] == "ready for stage 1"
    assert summary["summary"]["by_severity"] == {"major": 0, "minor": 0, "observation": 0}


def test_rules_sorted_with_metadata_and_counts(doc: dict[str, Any]) -> None:
    rules = doc["rules"]
    assert [r["id"] for r in rules] == sorted(r.id for r in RULES)
    impact = next(r for r in rules if r["id"] == "AIMS-A.5.2-01")
    assert impact == {
        "id": "AIMS-A.5.2-01",
        "title": "Every in-scope AI system has an approved impact assessment",
        "severity": "major",
        "clauses": [],
        "controls": ["A.5.2", "A.5.3"],
        "phase": "risk_assessment",
        "tags": ["impact", "pre-audit"],
        "counts": {
            "pass": 1,
            "nonconformity": 1,
            "missing_evidence": 1,
            "observation": 0,
            "not_applicable": 0,
            "waived": 0,
            "error": 0,
        },
    }
    untouched = next(r for r in rules if r["id"] == "AIMS-10.2-01")
    assert set(untouched["counts"].values()) == {0}
    totals = {o.value: sum(r["counts"][o.value] for r in rules) for o in Outcome}
    assert totals == COUNTS


def test_results_hold_every_outcome_but_pass(doc: dict[str, Any]) -> None:
    results = doc["results"]
    assert len(results) == sum(COUNTS.values()) - COUNTS["pass"]
    assert "pass" not in {r["outcome"] for r in results}
    keys = [
        (r["rule"], "" if r["subject"] is None else "/".join(r["subject"].values()))
        for r in results
    ]
    assert keys == sorted(keys)


def test_result_shape(doc: dict[str, Any]) -> None:
    fraud = next(
        r
        for r in doc["results"]
        if r["subject"] == {"collection": "ai_systems", "id": "fraud-detection"}
    )
    assert list(fraud) == RESULT_KEYS
    assert fraud["location"] == {"file": "fixtures/acme-gaps/ai_systems.yaml", "line": 30}
    assert fraud["outcome"] == "missing_evidence"
    assert fraud["evidence"][1] == {
        "ref": "EV-5",
        "status": "expired",
        "message": "expired on 2025-12-31",
        "record": "evidence/EV-5",
        "path": "evidence/ia-4-signoff.pdf",
    }


def test_raw_outcome_only_on_waived(doc: dict[str, Any]) -> None:
    for result in doc["results"]:
        if result["outcome"] == "waived":
            assert list(result) == [*RESULT_KEYS, "raw_outcome"]
            assert result["raw_outcome"] == "nonconformity"
            assert result["rule"] == VERIFICATION.id
            assert result["message"].startswith("until 2026-06-30: ")
        else:
            assert "raw_outcome" not in result


def test_whole_export_result_has_null_subject_and_location(doc: dict[str, Any]) -> None:
    error = next(r for r in doc["results"] if r["rule"] == AUDIT.id)
    assert error["subject"] is None
    assert error["location"] is None
    assert error["outcome"] == "error"
    assert error["clauses"] == ["9.2.1", "9.2.2"]


def test_output_does_not_depend_on_input_order(text: str) -> None:
    results, rules = list(RESULTS), list(RULES)
    random.Random(3).shuffle(results)
    random.Random(3).shuffle(rules)
    assert render(make_report(rules=tuple(rules), results=tuple(results))) == text


def test_rule_only_seen_in_results_is_still_listed() -> None:
    lone = next(r for r in RESULTS if r.rule is AUDIT)
    data: Any = to_dict(make_report(rules=(), results=(lone,)))
    assert [r["id"] for r in data["rules"]] == [AUDIT.id]
    assert data["rules"][0]["counts"]["error"] == 1


def test_empty_report() -> None:
    data: Any = json.loads(render(make_report(rules=(), results=())))
    assert data["rules"] == [] and data["results"] == []
    assert data["summary"]["counts"] == {o.value: 0 for o in Outcome}


def test_waived_without_raw_outcome_is_null() -> None:
    odd = Result(VERIFICATION, Outcome.WAIVED, None, None, "until 2026-01-01: x")
    data: Any = to_dict(make_report(results=(odd,)))
    assert data["results"][0]["raw_outcome"] is None


def test_values_added_to_vocabularies_are_listed_with_their_reasons(doc: dict[str, Any]) -> None:
    assert doc["vocabulary"] == []
    added = VocabularyExtension(
        ("ai_systems", "risk_tier"), ("very_high",), "POL-7", Location("aimscheck.yaml", 4)
    )
    assert to_dict(make_report(vocabulary=(added,)))["vocabulary"] == [
        {
            "field": "ai_systems.risk_tier",
            "values": ["very_high"],
            "reason": "POL-7",
            "location": {"file": "aimscheck.yaml", "line": 4},
        }
    ]


def test_an_observation_is_never_called_a_nonconformity(doc: dict[str, Any]) -> None:
    (observed,) = [r for r in doc["results"] if r["rule"] == "AIMS-7.2-01"]
    assert (observed["outcome"], observed["severity"]) == ("observation", "observation")
    assert observed["subject"] == {"collection": "people", "id": "P-3"}
    assert observed["location"] == {"file": "fixtures/acme-gaps/people.yaml", "line": 9}
    competence = next(r for r in doc["rules"] if r["id"] == "AIMS-7.2-01")
    assert (competence["counts"]["observation"], competence["counts"]["nonconformity"]) == (1, 0)
    assert doc["summary"]["counts"]["observation"] == 1
    assert doc["summary"]["by_severity"]["observation"] == 1
    # Below the default threshold (minor), and the rule conforms for readiness.
    assert doc["summary"]["readiness"]["clauses"]["7"]["passing"] == 1
    only = to_dict(make_report(results=tuple(r for r in RESULTS if r.rule.id == "AIMS-7.2-01")))
    assert only["summary"]["failed"] is False  # type: ignore[index]
    gated = make_report(
        results=tuple(r for r in RESULTS if r.rule.id == "AIMS-7.2-01"),
        fail_on=Severity.OBSERVATION,
    )
    assert to_dict(gated)["summary"]["failed"] is True  # type: ignore[index]


def test_systemic_failures_are_in_the_readiness_summary() -> None:
    rule = RuleInfo("AIMS-7.5.3-01", "t", Severity.MINOR, "deployment", ("7.5.3",), ())
    minors = tuple(
        Result(rule, Outcome.NONCONFORMITY, Subject("documents", f"D-{i:02}")) for i in range(12)
    )
    summary: Any = to_dict(make_report(rules=(rule,), results=minors))["summary"]
    assert summary["verdict"] == "not ready for stage 1"
    assert summary["readiness"]["systemic_after"] == 5
    assert summary["readiness"]["systemic"] == [
        {
            "requirement": "7.5.3",
            "kind": "clause",
            "minor_findings": 12,
            "rules": ["AIMS-7.5.3-01"],
        }
    ]
    off: Any = to_dict(make_report(rules=(rule,), results=minors, systemic_after=None))
    assert off["summary"]["verdict"] == "ready for stage 1"
    assert off["summary"]["readiness"]["systemic"] == []


# --- The report schema (aimscheck/schemas/report.schema.json) ---------------------------------


def test_the_schema_ships_with_the_package_and_knows_every_outcome_and_grade() -> None:
    schema = shipped()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["format"]["enum"] == ["aimscheck-report/1", FORMAT]
    defs = schema["$defs"]
    assert defs["outcome"]["enum"] == [o.value for o in Outcome]
    assert defs["severity"]["enum"] == [s.value for s in Severity]
    assert defs["report2"]["required"] == list(to_dict(make_report()))


def variants() -> dict[str, Report]:
    from test_reporters_sarif import rich_report

    minor = RuleInfo("AIMS-7.5.3-01", "t", Severity.MINOR, "monitoring", ("7.5.3",), ())
    minors = tuple(
        Result(minor, Outcome.NONCONFORMITY, Subject("documents", f"D-{i}")) for i in range(5)
    )
    added = VocabularyExtension(("datasets", "kind"), ("lidar",), "our sensors", Location("c", 3))
    return {
        "sample": make_report(),
        "waivers, baseline and re-grading": rich_report(),
        "empty": make_report(rules=(), results=()),
        "fail-on never": make_report(fail_on=None),
        "systemic": make_report(rules=(minor,), results=minors),
        "systemic never": make_report(rules=(minor,), results=minors, systemic_after=None),
        "vocabulary": make_report(vocabulary=(added,)),
    }


@pytest.mark.parametrize("name", list(variants()))
def test_every_kind_of_report_matches_the_schema(name: str) -> None:
    assert_valid_report(render(variants()[name]))


def test_a_real_report_with_its_evidence_inventory_matches_the_schema() -> None:
    from aimscheck.check import CheckOptions, run_check

    report = run_check(CheckOptions(ROOT / "fixtures" / "gaps", as_of=dt.date(2026, 11, 20)))
    data = to_dict(report)
    assert data["evidence_inventory"] and data["results"]
    assert_valid_report(data)


GOLDENS = sorted((ROOT / "tests" / "fixture_reports").glob("*.json"))


@pytest.mark.parametrize("path", GOLDENS, ids=[p.stem for p in GOLDENS])
def test_the_fixture_goldens_match_the_schema(path: Path) -> None:
    golden = json.loads(path.read_text("utf-8"))
    # The goldens leave out what changes with every release (regen.py): put it back.
    assert "tool" not in golden and "pack" not in golden
    tool = {"name": "aimscheck", "version": "0.1.0"}
    assert_valid_report({**golden, "tool": tool, "pack": {"version": "iso42001-0.1.0"}})


def format_1(report: dict[str, Any]) -> dict[str, Any]:
    """A format-2 report as format 1 wrote it: observations were nonconformities, no failures,
    no systemic failures in readiness."""
    old = json.loads(json.dumps(report))
    old["format"] = "aimscheck-report/1"
    for counts in [old["summary"]["counts"], *(rule["counts"] for rule in old["rules"])]:
        counts["nonconformity"] += counts.pop("observation")
    for result in old["results"]:
        del result["failures"]
        if result["outcome"] == "observation":
            result["outcome"] = "nonconformity"
    del old["summary"]["readiness"]["systemic"], old["summary"]["readiness"]["systemic_after"]
    return old


def test_a_report_of_format_1_matches_its_own_part_of_the_schema(tmp_path: Path) -> None:
    from aimscheck.baseline import load_baseline

    old = format_1(to_dict(make_report()))
    assert_valid_report(old)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    assert ("AIMS-7.2-01", "people/P-3") in load_baseline(path).keys  # still read as a baseline
    old["results"][0]["outcome"] = "observation"  # no such outcome in format 1
    assert problems(old) == [
        'results/0/outcome: "observation" is not one of "pass", "nonconformity" or 4 other '
        "candidates"
    ]


def test_the_schema_rejects_what_a_consumer_would_trip_over(doc: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(doc))
    del broken["results"][0]["failures"]
    broken["summary"]["verdict"] = "ready"
    broken["as_of"] = "2026-02-30"
    assert sorted(problems(broken)) == [
        'as_of: "2026-02-30" is not a "date"',
        'results/0: "failures" is a required property',
        'summary/verdict: "ready" is not one of "ready for stage 1", "not ready for stage 1" '
        'or "not assessable"',
    ]


def test_fields_added_later_are_allowed_by_the_shipped_schema_not_by_the_tests(
    doc: dict[str, Any],
) -> None:
    added = {**doc, "results": [{**doc["results"][0], "confidence": "high"}, *doc["results"][1:]]}
    assert not list(jsonschema.Draft202012Validator(shipped()).iter_errors(added))
    assert problems(added) == [
        "results/0: Additional properties are not allowed ('confidence' was unexpected)"
    ]
