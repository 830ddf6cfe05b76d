"""The not-assessed view: data gaps told apart from rules not applicable by decision."""

from __future__ import annotations

from aimscheck.notassessed import SOA_EXCLUSION, WHEN_NOT_MET, build, decided_reason, render
from aimscheck.results import Outcome, Report, Result, RuleInfo, Severity, Subject
from aimscheck.source import Location


def rule(ident: str, controls: tuple[str, ...] = ()) -> RuleInfo:
    return RuleInfo(ident, f"title of {ident}", Severity.MINOR, "monitoring", ("9.1",), controls)


def na(info: RuleInfo, message: str, subject: Subject | None = None) -> Result:
    return Result(info, Outcome.NOT_APPLICABLE, subject, Location("x/aims.yaml", 3), message)


def report(*results: Result) -> Report:
    return Report("2026-11-20", "x", "", tuple({r.rule for r in results}), results)


def test_only_the_engine_s_own_messages_for_a_whole_rule_are_decisions() -> None:
    excluded = rule("R-1", ("A.10.4",))
    assert decided_reason(na(excluded, f"{SOA_EXCLUSION}A.10.4: none)")) == "soa_exclusion"
    assert decided_reason(na(rule("R-2"), WHEN_NOT_MET)) == "when"
    # An `only if` of a rule without `for`, even one naming a control, is a data gap.
    assert decided_reason(na(excluded, "The organization records no ai_roles")) is None
    # A per-record result is never a decision about the whole rule.
    subject = Subject("metrics", "M-1")
    assert decided_reason(na(rule("R-3"), WHEN_NOT_MET, subject)) is None


def test_passes_and_findings_are_not_listed_and_the_rule_filter_applies() -> None:
    gap = na(rule("R-1"), "Metric M-1 gives no direction", Subject("metrics", "M-1"))
    other = na(rule("R-2"), "Metric M-2 gives no direction", Subject("metrics", "M-2"))
    finding = Result(rule("R-1"), Outcome.NONCONFORMITY, Subject("metrics", "M-3"), None, "bad")
    view = build(report(gap, other, finding), rules={"R-1"})
    assert [(n.rule.id, [r.subject for r in n.records]) for n in view.not_assessed] == [
        ("R-1", ["metrics/M-1"])
    ]
    assert render(view, "text").splitlines()[2:5] == [
        "R-1  title of R-1",
        "  metrics/M-1  x/aims.yaml:3",
        "    Metric M-1 gives no direction",
    ]
