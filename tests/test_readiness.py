"""Readiness: which rules pass, and the shares per clause group, Annex A group and phase."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result as ClickResult
from reportdata import (
    AUDIT,
    COMPETENCE,
    CORRECTIVE,
    DATA_QUALITY,
    IMPACT,
    OPEN_MAJORS,
    POLICY,
    RESULTS,
    RISK,
    RULES,
    SCOPE,
    SUPPLIERS,
    VERIFICATION,
    make_report,
)

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, main
from aimscheck.reporters.readiness import (
    GroupReadiness,
    RuleStatus,
    assess,
    group_label,
    group_sort_key,
    rule_statuses,
    verdict_reasons,
)
from aimscheck.results import PHASES, Baseline, Outcome, Result, RuleInfo, Severity, Subject

CLAUSES = ("4", "5", "6", "7", "8", "9", "10")
ANNEX = ("A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "A.8", "A.9", "A.10")


def by_key(groups: tuple[GroupReadiness, ...]) -> dict[str, GroupReadiness]:
    return {g.key: g for g in groups}


def test_rule_status_of_every_kind() -> None:
    statuses = {rule_id: status for rule_id, (_, status) in rule_statuses(make_report()).items()}
    assert statuses == {
        SCOPE.id: RuleStatus.PASS,
        POLICY.id: RuleStatus.FAIL,  # missing evidence fails
        RISK.id: RuleStatus.FAIL,  # one nonconformity among passes fails
        COMPETENCE.id: RuleStatus.PASS,  # an observation is not a nonconformity
        AUDIT.id: RuleStatus.FAIL,  # an error fails
        CORRECTIVE.id: RuleStatus.PASS,  # no subject in scope: vacuously passing
        IMPACT.id: RuleStatus.FAIL,
        VERIFICATION.id: RuleStatus.PASS,  # waived + pass
        DATA_QUALITY.id: RuleStatus.NOT_APPLICABLE,  # wholly not applicable
        SUPPLIERS.id: RuleStatus.FAIL,
    }


def test_rule_statuses_are_ordered_by_rule_id() -> None:
    assert list(rule_statuses(make_report())) == sorted(r.id for r in RULES)


def test_partly_not_applicable_rule_is_assessed() -> None:
    results = (
        Result(DATA_QUALITY, Outcome.NOT_APPLICABLE, Subject("ai_systems", "a")),
        Result(DATA_QUALITY, Outcome.PASS, Subject("ai_systems", "b")),
    )
    report = make_report(rules=(DATA_QUALITY,), results=results)
    assert rule_statuses(report)[DATA_QUALITY.id][1] is RuleStatus.PASS
    assert assess(report).overall.assessed == 1


def test_overall_share_leaves_wholly_not_applicable_rules_out() -> None:
    overall = assess(make_report()).overall
    assert (overall.passing, overall.assessed, overall.not_applicable) == (4, 9, 1)
    assert overall.share == pytest.approx(4 / 9)
    assert overall.percent == 44


def test_groups_listed_in_natural_order_even_when_empty() -> None:
    readiness = assess(make_report())
    assert tuple(g.key for g in readiness.clauses) == CLAUSES
    assert tuple(g.key for g in readiness.annex_a) == ANNEX
    assert tuple(g.key for g in readiness.phases) == PHASES
    eight = by_key(readiness.clauses)["8"]
    assert (eight.assessed, eight.share, eight.percent) == (0, None, None)


def test_clause_and_annex_shares() -> None:
    readiness = assess(make_report())
    clauses = by_key(readiness.clauses)
    annex = by_key(readiness.annex_a)
    assert (clauses["4"].passing, clauses["4"].assessed) == (1, 1)
    assert (clauses["10"].passing, clauses["10"].assessed) == (1, 1)
    assert (clauses["6"].passing, clauses["6"].assessed) == (0, 1)
    # AIMS-9.2-01 cites 9.2.1 and 9.2.2: one rule, counted once in clause 9.
    assert clauses["9"].assessed == 1
    assert (annex["A.6"].passing, annex["A.6"].assessed) == (1, 1)
    assert (annex["A.7"].assessed, annex["A.7"].not_applicable) == (0, 1)
    assert annex["A.7"].share is None


def test_rule_counts_in_every_group_it_cites() -> None:
    # AIMS-5.2-01 cites clause 5.2 and control A.2.2: it weighs on both.
    readiness = assess(make_report())
    assert by_key(readiness.clauses)["5"].assessed == 1
    assert by_key(readiness.annex_a)["A.2"].assessed == 1


def test_phase_shares() -> None:
    phases = by_key(assess(make_report()).phases)
    assert (phases["scope_definition"].passing, phases["scope_definition"].assessed) == (1, 2)
    assert (phases["control_design"].passing, phases["control_design"].assessed) == (1, 1)
    assert phases["control_design"].not_applicable == 1
    assert phases["risk_assessment"].percent == 0
    assert phases["certification_preparation"].percent == 100
    assert phases["scope_definition"].label == "scope_definition"


def test_labels() -> None:
    assert group_label("6") == "Clause 6 Planning for risks and objectives"
    assert group_label("10") == "Clause 10 Fixing and improving"
    assert group_label("A.5") == "A.5 Effects of AI on people and society"
    assert group_label("A.10") == "A.10 Suppliers, partners and customers"
    assert group_label("12") == "Clause 12"
    assert group_label("other") == "other"


def test_natural_sort() -> None:
    keys = ["A.10", "other", "10", "A.2", "4", "9", "A.9"]
    assert sorted(keys, key=group_sort_key) == ["4", "9", "10", "A.2", "A.9", "A.10", "other"]


def test_unknown_groups_and_phases_follow_the_known_ones() -> None:
    odd = RuleInfo("X-1", "odd", Severity.MINOR, "retirement", ("11.1",), ("A.11.1",))
    readiness = assess(make_report(rules=(*RULES, odd)))
    assert readiness.clauses[-1].key == "11"
    assert readiness.annex_a[-1].key == "A.11"
    assert readiness.phases[-1].key == "retirement"
    assert readiness.overall.assessed == 10


def test_result_of_a_rule_missing_from_report_rules_still_counts() -> None:
    report = make_report(rules=(), results=(Result(SCOPE, Outcome.NONCONFORMITY),))
    readiness = assess(report)
    assert (readiness.overall.passing, readiness.overall.assessed) == (0, 1)


def test_percent_rounds_down() -> None:
    assert GroupReadiness("x", "x", 199, 200, 0).percent == 99
    assert GroupReadiness("x", "x", 1, 3, 0).percent == 33
    assert GroupReadiness("x", "x", 2, 3, 0).percent == 66


def test_verdict_follows_the_report() -> None:
    readiness = assess(make_report())
    assert readiness.verdict == "not assessable"
    assert readiness.open_majors == OPEN_MAJORS
    no_error = tuple(r for r in RESULTS if r.outcome is not Outcome.ERROR)
    assert assess(make_report(results=no_error)).verdict == "not ready for stage 1"
    no_major = tuple(r for r in no_error if r.severity is not Severity.MAJOR)
    assert assess(make_report(results=no_major)).verdict == "ready for stage 1"


def test_empty_report() -> None:
    readiness = assess(make_report(rules=(), results=()))
    assert readiness.overall.assessed == 0
    assert readiness.overall.share is None
    assert readiness.verdict == "ready for stage 1"


def test_to_dict_is_json_ready_and_keyed_by_group() -> None:
    data = assess(make_report()).to_dict()
    assert list(data) == [
        "verdict",
        "open_majors",
        "systemic_after",
        "systemic",
        "overall",
        "clauses",
        "annex_a",
        "phases",
    ]
    assert json.loads(json.dumps(data)) == data
    assert list(data["clauses"]) == list(CLAUSES)  # type: ignore[call-overload]
    assert (data["systemic_after"], data["systemic"]) == (5, [])
    assert data["overall"] == {
        "label": "All rules",
        "passing": 4,
        "assessed": 9,
        "not_applicable": 1,
        "share": 0.4444,
        "percent": 44,
    }
    assert data["annex_a"]["A.7"]["share"] is None  # type: ignore[index]


# --- systemic failures: many minor findings on one requirement ---------------------------------

DOCS = RuleInfo("AIMS-7.5.3-01", "t", Severity.MINOR, "deployment", ("7.5.3",), ())
LOGS = RuleInfo("AIMS-A.6.2.8-01", "t", Severity.MINOR, "deployment", ("7.5.3",), ("A.6.2.8",))


def minors(rule: RuleInfo, count: int, outcome: Outcome = Outcome.NONCONFORMITY) -> list[Result]:
    return [Result(rule, outcome, Subject("documents", f"{rule.id}-{i}")) for i in range(count)]


def test_a_requirement_with_five_minor_findings_is_systemic() -> None:
    results = (*minors(DOCS, 3), *minors(LOGS, 2, Outcome.MISSING_EVIDENCE))
    report = make_report(rules=(DOCS, LOGS), results=results)
    (found,) = report.systemic  # 7.5.3 has 5 (both rules cite it); A.6.2.8 only 2
    assert found.sentence() == "clause 7.5.3: 5 minor findings"
    assert found.to_dict() == {
        "requirement": "7.5.3",
        "kind": "clause",
        "minor_findings": 5,
        "rules": ["AIMS-7.5.3-01", "AIMS-A.6.2.8-01"],
    }
    readiness = assess(report)
    assert readiness.verdict == "not ready for stage 1"
    assert readiness.open_majors == 0
    assert readiness.to_dict()["systemic"] == [found.to_dict()]
    assert verdict_reasons(report) == ["1 systemic failure (clause 7.5.3: 5 minor findings)"]


def test_four_minor_findings_are_not_systemic() -> None:
    report = make_report(rules=(DOCS,), results=tuple(minors(DOCS, 4)))
    assert report.systemic == ()
    assert report.verdict == "ready for stage 1"


def test_observations_majors_and_waived_findings_do_not_make_a_pattern() -> None:
    observed = dataclasses.replace(DOCS, severity=Severity.OBSERVATION)
    major = dataclasses.replace(DOCS, id="AIMS-7.5.3-02", severity=Severity.MAJOR)
    results = (
        *minors(observed, 9, Outcome.OBSERVATION),
        *minors(DOCS, 4, Outcome.WAIVED),
        *minors(DOCS, 4),
        *minors(major, 1),
    )
    report = make_report(rules=(observed, major), results=results)
    assert report.systemic == ()
    assert verdict_reasons(report) == ["1 open major"]


def test_known_findings_still_count_towards_a_pattern() -> None:
    results = tuple(minors(DOCS, 5))
    baseline = Baseline("old.json", frozenset(r.key() for r in results))
    assert len(make_report(rules=(DOCS,), results=results, baseline=baseline).systemic) == 1


def test_the_threshold_is_a_parameter_and_can_be_turned_off() -> None:
    results = tuple(minors(DOCS, 12))
    assert make_report(results=results, systemic_after=13).systemic == ()
    assert make_report(results=results, systemic_after=12).systemic[0].findings == 12
    off = make_report(results=results, systemic_after=None)
    assert (off.systemic, off.verdict) == ((), "ready for stage 1")
    assert assess(off).to_dict()["systemic_after"] is None


def test_systemic_requirements_most_findings_first_then_in_natural_order() -> None:
    a10 = RuleInfo("AIMS-A.10.3-09", "t", Severity.MINOR, "deployment", (), ("A.10.3",))
    a2 = RuleInfo("AIMS-A.2.2-09", "t", Severity.MINOR, "deployment", (), ("A.2.2",))
    ten = RuleInfo("AIMS-10.2-09", "t", Severity.MINOR, "deployment", ("10.2",), ())
    results = (*minors(a10, 5), *minors(a2, 5), *minors(ten, 5), *minors(DOCS, 6))
    report = make_report(results=results)
    assert [s.requirement for s in report.systemic] == ["7.5.3", "10.2", "A.2.2", "A.10.3"]
    assert verdict_reasons(report) == [
        "4 systemic failures (clause 7.5.3: 6 minor findings; clause 10.2: 5 minor findings; "
        "control A.2.2: 5 minor findings; 1 more)"
    ]


# --- the threshold from aimscheck.yaml and the command line ------------------------------------

OWNER_RULE = """\
rule "ORG-7.5.3-01" {
  title "Every in-scope AI system names an owner"
  clause "7.5.3"
  severity minor
  phase deployment
  for sys in ai_systems where sys.in_scope
  require sys.owner_ref -> people is set
  because "AI system {sys.id} has no owner"
}
"""


def six_ownerless(tmp_path: Path, config: str | None = None) -> Path:
    root = tmp_path / "gov"
    root.mkdir()
    systems = "".join(f"  - {{id: s{i}, name: S{i}, in_scope: true}}\n" for i in range(6))
    (root / "aims.yaml").write_text(
        f'schema_version: "1"\norganization: {{name: Org}}\nai_systems:\n{systems}',
        encoding="utf-8",
    )
    (root / "org.aims").write_text(OWNER_RULE, encoding="utf-8")
    if config is not None:
        (root / "aimscheck.yaml").write_text(config, encoding="utf-8")
    return root


def check(root: Path, *args: str) -> ClickResult:
    command = ["check", str(root), "--no-default-rules", "--rules", str(root / "org.aims")]
    return CliRunner().invoke(main, [*command, "--as-of", "2026-11-20", *args])


SYSTEMIC = "verdict: not ready for stage 1 — 1 systemic failure (clause 7.5.3: 6 minor findings)"


def test_six_minors_on_one_clause_are_not_ready_by_default(tmp_path: Path) -> None:
    done = check(six_ownerless(tmp_path))
    assert done.exit_code == EXIT_FINDINGS
    assert SYSTEMIC in done.output.splitlines()
    assert (
        "  systemic failures (5 or more open minor findings on one requirement): "
        "clause 7.5.3: 6 minor findings"
    ) in done.output.splitlines()


@pytest.mark.parametrize(
    ("config", "args", "verdict"),
    [
        ("readiness: {systemic_after: 7}\n", (), "verdict: ready for stage 1"),
        ("readiness: {systemic_after: never}\n", (), "verdict: ready for stage 1"),
        ("readiness: {systemic_after: 7}\n", ("--systemic-after", "6"), SYSTEMIC),
        ("readiness: {systemic_after: 6}\n", ("--systemic-after", "never"), "verdict: ready"),
        (None, ("--systemic-after", "7"), "verdict: ready for stage 1 — no open major, no"),
    ],
)
def test_the_threshold_comes_from_the_option_then_the_configuration(
    tmp_path: Path, config: str | None, args: tuple[str, ...], verdict: str
) -> None:
    root = six_ownerless(tmp_path, None if config is None else f"version: 1\n{config}")
    done = check(root, *args)
    assert done.exit_code == EXIT_FINDINGS, done.output  # six minors fail the gate at minor
    assert any(line.startswith(verdict) for line in done.output.splitlines()), done.output


@pytest.mark.parametrize("value", ["1", "0", "many", "-3"])
def test_a_bad_threshold_option_is_a_usage_error(tmp_path: Path, value: str) -> None:
    done = check(six_ownerless(tmp_path), "--systemic-after", value)
    assert done.exit_code == EXIT_ERROR
    assert (
        f"--systemic-after must be a whole number of 2 or more, or never (got '{value}')"
    ) in done.output


@pytest.mark.parametrize(
    ("value", "shown"), [("1", "1"), ("often", '"often"'), ("true", "true"), ("[5]", "a list")]
)
def test_a_bad_threshold_setting_is_an_error_at_its_line(
    tmp_path: Path, value: str, shown: str
) -> None:
    root = six_ownerless(tmp_path, f"version: 1\nreadiness:\n  systemic_after: {value}\n")
    done = check(root)
    assert done.exit_code == EXIT_ERROR
    if value in ("true", "[5]"):  # the schema's own message: a whole number or text
        assert f"{root}/aimscheck.yaml:3" in done.output
        assert "$.readiness.systemic_after: expected a whole number or text" in done.output
    else:
        assert (
            f"{root}/aimscheck.yaml:3: $.readiness.systemic_after: must be a whole number of 2 or "
            f"more, or never (got {shown})"
        ) in done.output
