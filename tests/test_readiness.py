"""Readiness: which rules pass, and the shares per clause group, Annex A group and phase."""

from __future__ import annotations

import json

import pytest
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

from aimscheck.reporters.readiness import (
    GroupReadiness,
    RuleStatus,
    assess,
    group_label,
    group_sort_key,
    rule_statuses,
)
from aimscheck.results import PHASES, Outcome, Result, RuleInfo, Severity, Subject

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
        COMPETENCE.id: RuleStatus.FAIL,  # an observation still fails the rule
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
    assert (overall.passing, overall.assessed, overall.not_applicable) == (3, 9, 1)
    assert overall.share == pytest.approx(1 / 3)
    assert overall.percent == 33


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
    assert group_label("6") == "Clause 6 Planning"
    assert group_label("10") == "Clause 10 Improvement"
    assert group_label("A.5") == "A.5 Assessing impacts of AI systems"
    assert group_label("A.10") == "A.10 Third-party and customer relationships"
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
    assert list(data) == ["verdict", "open_majors", "overall", "clauses", "annex_a", "phases"]
    assert json.loads(json.dumps(data)) == data
    assert list(data["clauses"]) == list(CLAUSES)  # type: ignore[call-overload]
    assert data["overall"] == {
        "label": "All rules",
        "passing": 3,
        "assessed": 9,
        "not_applicable": 1,
        "share": 0.3333,
        "percent": 33,
    }
    assert data["annex_a"]["A.7"]["share"] is None  # type: ignore[index]
