"""The terminal summary: header, verdict and counts first, then the findings worst first."""

from __future__ import annotations

import pytest
from reportdata import RESULTS, RISK, make_report

from aimscheck.export.contract import VocabularyExtension
from aimscheck.reporters.text import render
from aimscheck.results import Outcome, Result, RuleInfo, Severity, Subject
from aimscheck.source import Location


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return render(make_report()).splitlines()


def test_header(lines: list[str]) -> None:
    assert lines[:4] == [
        "aimscheck 0.1.0",
        "export: fixtures/acme-gaps (sha256:9f2c4e1d)",
        "as of: 2026-03-01",
        "rules evaluated: 10",
    ]


def test_counts_by_outcome_and_severity(lines: list[str]) -> None:
    start = lines.index("") + 4  # after the header, the verdict and the gate
    assert lines[start : start + 3] == [
        "outcomes: 7 pass, 3 nonconformity, 2 missing_evidence, 1 observation, 2 not_applicable, "
        "1 waived, 1 error",
        "findings: 5 major, 1 minor, 1 observation",
        "subjects with findings: 7 (one finding each)",
    ]


def test_subjects_with_several_findings_are_named() -> None:
    many = tuple(
        Result(RISK, Outcome.NONCONFORMITY, Subject("risks", ident), None, f"m{n}")
        for ident, times in (("R-1", 3), ("R-2", 1), ("R-3", 2))
        for n in range(times)
    )
    lines = render(make_report(results=many)).splitlines()
    assert "subjects with findings: 3 (most: risks/R-1 3, risks/R-3 2)" in lines
    # Every result keeps its own line: CI logs are searched for rule and subject.
    assert sum(1 for line in lines if "AIMS-6.1.3-02 nonconformity  risks/R-1:" in line) == 3


def test_readiness_is_compact(lines: list[str]) -> None:
    # The observation-only rule (AIMS-7.2-01) passes: an observation is not a nonconformity.
    start = lines.index("readiness: 44% of rules passing (4/9), 1 not applicable")
    assert lines[start + 1].startswith("  phases: scope_definition 50% (1/2), risk_assessment 0%")
    assert lines[start + 2] == (
        "  clauses: 4 100% (1/1), 5 0% (0/1), 6 0% (0/1), 7 100% (1/1), 9 0% (0/1), 10 100% (1/1)"
    )
    # Groups without an assessed rule (A.3, A.7 wholly not applicable) are left out.
    assert (
        lines[start + 3] == "  annex A: A.2 0% (0/1), A.5 0% (0/1), A.6 100% (1/1), A.10 0% (0/1)"
    )


def test_findings_worst_first_then_by_file_and_line(lines: list[str]) -> None:
    start = lines.index("findings, worst first:") + 1
    end = lines.index("", start)
    assert lines[start:end] == [
        "fixtures/acme-gaps  [MAJOR] AIMS-9.2-01 error  "
        "cannot compare date with string 'last spring'",
        "fixtures/acme-gaps/ai_systems.yaml:12  [MAJOR] AIMS-A.5.2-01 nonconformity  "
        "ai_systems/credit-scoring: AI system credit-scoring (Credit scoring) has no approved "
        "impact assessment",
        "fixtures/acme-gaps/ai_systems.yaml:30  [MAJOR] AIMS-A.5.2-01 missing_evidence  "
        "ai_systems/fraud-detection: The impact assessment IA-4 of fraud-detection has expired "
        "evidence",
        "    evidence EV-5 (evidence/ia-4-signoff.pdf) expired: expired on 2025-12-31",
        "fixtures/acme-gaps/policies.yaml:4  [MAJOR] AIMS-5.2-01 missing_evidence  "
        "policies/POL-1: Approval minutes DOC-9 for policy POL-1 cannot be found",
        "    evidence DOC-9 (evidence/pol-1-minutes.pdf) file_not_found: no such file",
        "fixtures/acme-gaps/risks.yaml:40  [MAJOR] AIMS-6.1.3-02 nonconformity  "
        "risks/R-7: Risk R-7 scores 16 above the threshold 12 but has no treatment",
        "fixtures/acme-gaps/suppliers.yaml:8  [MINOR] AIMS-A.10.3-01 nonconformity  "
        "suppliers/S-2: Supplier S-2 (ModelHub) has no assessment",
        "fixtures/acme-gaps/people.yaml:9  [OBSERVATION] AIMS-7.2-01 observation  "
        "people/P-3: Jürgen Müller (P-3) holds role aims_owner without a current competence "
        "record",
    ]


def test_line_numbers_sort_numerically() -> None:
    tenth = Result(RISK, Outcome.NONCONFORMITY, Subject("risks", "A"), Location("f.yaml", 10))
    ninth = Result(RISK, Outcome.NONCONFORMITY, Subject("risks", "B"), Location("f.yaml", 9))
    text = render(make_report(results=(tenth, ninth)))
    assert text.index("f.yaml:9 ") < text.index("f.yaml:10 ")


def test_waived_and_not_applicable_are_counted_not_listed(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert "AIMS-A.7.4-01" not in text
    assert "AIMS-A.6.2.4-01" not in text
    assert "EV-4" not in text  # evidence that holds is not a problem


def test_verdict_and_gate_first_then_again_after_the_findings(lines: list[str]) -> None:
    verdict = [
        "verdict: not assessable — 1 rule error, 4 open majors",
        "FAILED at --fail-on minor: 6 finding(s)",
    ]
    # Right under the header, before a screen of findings; and last, where a log ends.
    assert lines[4:8] == ["", *verdict, ""]
    assert lines[-3:] == ["", *verdict]
    assert lines.index("findings, worst first:") < len(lines) - 3


def many_findings(count: int) -> tuple[Result, ...]:
    return tuple(
        Result(RISK, Outcome.NONCONFORMITY, Subject("risks", f"R-{n}"), Location("r.yaml", n))
        for n in range(1, count + 1)
    )


def test_a_capped_listing_says_how_many_more_and_where_they_all_are() -> None:
    report = make_report(results=many_findings(120))
    lines = render(report, 50, ["out/aims.json", "out/aims.sarif"]).splitlines()
    listed = [line for line in lines if "AIMS-6.1.3-02 nonconformity" in line]
    assert [line.split()[0] for line in listed] == [f"r.yaml:{n}" for n in range(1, 51)]
    more = lines[lines.index(listed[-1]) + 1]
    assert more == (
        "… and 70 more findings, not listed: every finding is in out/aims.json, out/aims.sarif; "
        "--max-findings 0 lists them here"
    )
    # Without a report file, the line says how to see them all.
    alone = render(report, 119).splitlines()
    assert (
        "… and 1 more finding, not listed: --max-findings 0 lists them all, or --html FILE "
        "writes them all to a report"
    ) in alone
    # No limit, or a limit the findings fit in: every finding, and no such line.
    for whole in (render(report), render(report, 120)):
        assert sum("AIMS-6.1.3-02 nonconformity" in line for line in whole.splitlines()) == 120
        assert "more finding" not in whole


def test_not_ready_verdict() -> None:
    no_error = tuple(r for r in RESULTS if r.outcome is not Outcome.ERROR)
    lines = render(make_report(results=no_error, fail_on=Severity.MAJOR)).splitlines()
    assert (
        lines[5:7]
        == lines[-2:]
        == [
            "verdict: not ready for stage 1 — 4 open majors",
            "FAILED at --fail-on major: 4 finding(s)",
        ]
    )


def test_clean_run() -> None:
    clean = tuple(r for r in RESULTS if not r.outcome.is_finding)
    text = render(make_report(results=clean))
    assert "findings, worst first:" not in text
    lines = text.splitlines()
    assert lines[5:7] == [
        "verdict: ready for stage 1 — no open major, no systemic failure",
        "passed at --fail-on minor",
    ]
    assert lines.count("passed at --fail-on minor") == 1  # said once: no listing to close
    off = render(make_report(results=clean, systemic_after=None)).splitlines()
    assert off[5:7] == ["verdict: ready for stage 1 — no open major", "passed at --fail-on minor"]


def test_observation_only_passes_at_minor() -> None:
    only = tuple(r for r in RESULTS if r.outcome.is_finding and r.severity is Severity.OBSERVATION)
    text = render(make_report(results=only))
    assert (
        "fixtures/acme-gaps/people.yaml:9  [OBSERVATION] AIMS-7.2-01 observation  people/P-3: "
        "Jürgen Müller (P-3) holds role aims_owner without a current competence record"
    ) in text.splitlines()
    assert "nonconformity" not in text.replace("0 nonconformity", "")
    assert text.endswith(
        "verdict: ready for stage 1 — no open major, no systemic failure\n"
        "passed at --fail-on minor\n"
    )
    gated = render(make_report(results=only, fail_on=Severity.OBSERVATION))
    assert gated.endswith("FAILED at --fail-on observation: 1 finding(s)\n")


def minors(count: int, clause: str = "7.5.3") -> tuple[Result, ...]:
    """`count` minor nonconformities of one rule citing `clause`, on different records."""
    rule = RuleInfo("AIMS-X-01", "t", Severity.MINOR, "deployment", (clause,), ())
    return tuple(
        Result(rule, Outcome.NONCONFORMITY, Subject("documents", f"D-{i}"), None, "m")
        for i in range(count)
    )


def test_many_minors_on_one_clause_are_a_systemic_failure() -> None:
    lines = render(make_report(rules=(), results=minors(12))).splitlines()
    assert (
        "  systemic failures (5 or more open minor findings on one requirement): "
        "clause 7.5.3: 12 minor findings"
    ) in lines
    assert lines[-2:] == [
        "verdict: not ready for stage 1 — 1 systemic failure (clause 7.5.3: 12 minor findings)",
        "FAILED at --fail-on minor: 12 finding(s)",
    ]


def test_the_systemic_threshold_can_be_raised_or_turned_off() -> None:
    raised = render(make_report(rules=(), results=minors(12), systemic_after=13))
    assert "systemic" not in raised.replace("no systemic failure", "")
    assert "verdict: ready for stage 1 — no open major, no systemic failure" in raised
    off = render(make_report(rules=(), results=minors(12), systemic_after=None))
    assert "systemic" not in off
    assert "verdict: ready for stage 1 — no open major" in off.splitlines()


def test_fail_on_never() -> None:
    assert render(make_report(fail_on=None)).endswith("passed at --fail-on never\n")


def test_plain_text_only() -> None:
    assert "\x1b" not in render(make_report())


def test_empty_report() -> None:
    text = render(make_report(rules=(), results=(), tool_version="", export_digest=""))
    assert text.startswith("aimscheck (unknown version)\nexport: fixtures/acme-gaps\n")
    assert "readiness: no rule assessed" in text


def test_values_added_to_vocabularies_are_shown_with_their_reasons() -> None:
    added = VocabularyExtension(
        ("ai_systems", "risk_tier"),
        ("very_high", "extreme"),
        "Risk policy POL-7 grades systems on five tiers",
        Location("aimscheck.yaml", 4),
    )
    lines = render(make_report(vocabulary=(added,))).splitlines()
    assert lines[4:6] == [
        'configuration: ai_systems.risk_tier also accepts "very_high", "extreme" '
        "(aimscheck.yaml:4): Risk policy POL-7 grades systems on five tiers",
        "",
    ]
