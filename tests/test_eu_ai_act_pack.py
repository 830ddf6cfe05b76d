"""The opt-in EU AI Act pack (rules/eu-ai-act) on the provider and deployer fixtures, and its
selection by name from aimscheck.yaml (rules.builtin_packs)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aimscheck.check import CheckOptions, run_check
from aimscheck.cli import main
from aimscheck.config import load_config
from aimscheck.dsl.ruleset import RuleSet, compile_files
from aimscheck.errors import AimscheckError
from aimscheck.frameworks.view import RequirementView
from aimscheck.reporters import render
from aimscheck.reporters.readiness import assess, verdict_reasons
from aimscheck.resources import rules_root
from aimscheck.results import Outcome, Report
from aimscheck.ruletests import Case, find_test_files, load_cases, run_case

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PACK = ROOT / "rules" / "eu-ai-act"
AS_OF = dt.date(2026, 11, 20)
OPEN = (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE, Outcome.OBSERVATION, Outcome.ERROR)

CASES: list[Case] = [case for path in find_test_files([PACK]) for case in load_cases(path)]

# The AI-Act-only gaps each fixture's PLANTED.md lists: rule, subject, file:line.
PLANTED = {
    "euaia-provider": {
        ("EUAIA-49.1-01", "ai_systems/credit-scoring", "ai_systems/credit-scoring.yaml:12"),
        ("EUAIA-19.1-01", "ai_systems/credit-scoring", "ai_systems/credit-scoring.yaml:29"),
        ("EUAIA-73.2-01", "incidents/inc-2026-009", "incidents.yaml:27"),
    },
    "euaia-deployer": {
        ("EUAIA-26.6-01", "ai_systems/credit-scoring", "ai_systems/credit-scoring.yaml:29"),
        ("EUAIA-26.2-01", "ai_systems/credit-scoring", "ai_systems/credit-scoring.yaml:19"),
        ("EUAIA-27.1-01", "ai_systems/credit-scoring", "ai_systems/credit-scoring.yaml:1"),
    },
}


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return compile_files(sorted(PACK.glob("*.aims")))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, ruleset: RuleSet) -> None:
    result = run_case(case, ruleset)
    assert not result.error, result.error
    assert not result.diff, "\n".join(result.diff)


def test_every_rule_has_a_pass_a_failure_and_a_not_applicable_case(ruleset: RuleSet) -> None:
    seen: dict[str, set[str]] = {r.info.id: set() for r in ruleset.rules}
    for case in CASES:
        for outcome in case.expect.values():
            seen[case.rule].add(
                "failure" if outcome in ("nonconformity", "missing_evidence") else outcome
            )
    assert {
        rule: kinds
        for rule, kinds in seen.items()
        if not {"pass", "failure", "not_applicable"} <= kinds
    } == {}
    # Every finding or not-applicable result a case expects asserts its exact message (or a
    # pattern), and every finding the requirements that failed.
    for case in CASES:
        for subject, outcome in case.expect.items():
            if outcome == "pass":
                continue
            detail = case.details.get(subject)
            assert detail is not None and (detail.message or detail.pattern), (case.id, subject)
            assert outcome == "not_applicable" or detail.failed, (case.id, subject)


def check(name: str, *, pack: bool, frameworks: tuple[str, ...] = ()) -> Report:
    options = CheckOptions(
        path=FIXTURES / name, as_of=AS_OF, rules=(PACK,) if pack else (), frameworks=frameworks
    )
    return run_check(options)


def findings(report: Report, name: str) -> set[tuple[str, str, str]]:
    out = set()
    for r in report.results:
        if r.outcome in OPEN:
            assert r.location is not None and r.subject is not None
            where = Path(r.location.file).resolve().relative_to(FIXTURES / name)
            out.add((r.rule.id, r.subject.text, f"{where.as_posix()}:{r.location.line}"))
    return out


def rows(report: Report) -> dict[str, RequirementView]:
    (view,) = report.frameworks
    return {row.requirement.id: row for row in view.rows}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_the_fixture_is_ready_for_iso_42001(name: str) -> None:
    assert findings(check(name, pack=False), name) == set()


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_the_pack_finds_exactly_the_planted_ai_act_gaps_at_their_lines(name: str) -> None:
    assert findings(check(name, pack=True), name) == PLANTED[name]


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_ai_act_gaps_fail_the_gate_not_the_iso_verdict(name: str) -> None:
    # An AI Act gap is no ISO nonconformity: the export stays ready for stage 1, its ISO
    # readiness whole, while the run fails on the pack's findings.
    report = check(name, pack=True)
    readiness = assess(report)
    assert (report.verdict, report.open_majors, verdict_reasons(report)) == (
        "ready for stage 1",
        0,
        [],
    )
    assert readiness.overall.passing == readiness.overall.assessed
    assert all(g.passing == g.assessed for g in (*readiness.clauses, *readiness.phases))
    iso = sum(1 for rule in report.rules if rule.iso)
    assert readiness.overall.assessed + readiness.overall.not_applicable == iso
    (pack,) = readiness.frameworks
    assert (pack.key, pack.label, pack.assessed - pack.passing) == (
        "eu-ai-act",
        "EU AI Act pack",
        3,
    )
    assert len(report.failing()) == 3
    result = CliRunner().invoke(
        main, ["check", str(FIXTURES / name), "--as-of", "2026-11-20", "--rules", str(PACK)]
    )
    assert result.exit_code == 1
    assert "verdict: ready for stage 1 — no open major, no systemic failure" in result.output
    assert "EU AI Act pack (no ISO clause, not in the verdict): 72% (8/11)" in result.output


def test_no_pack_rule_cites_an_iso_id(ruleset: RuleSet) -> None:
    assert [r.info.id for r in ruleset.rules if r.info.clauses or r.info.controls] == []
    assert {r.info.group for r in ruleset.rules} == {"eu-ai-act"}


def test_the_nist_view_does_not_count_ai_act_gaps_under_govern_1_1() -> None:
    report = check("euaia-provider", pack=True, frameworks=("nist-ai-rmf",))
    view = rows(report)
    assert view["GOVERN 1.1"].status != "gaps"
    assert view["GOVERN 1.1"].findings == ()
    backing = {b.rule for row in view.values() for b in row.backing}
    assert not {rule for rule in backing if rule.startswith("EUAIA-")}


def test_reports_place_ai_act_findings_under_the_pack_not_a_clause() -> None:
    report = check("euaia-deployer", pack=True)
    data = json.loads(render("json", report))
    readiness = data["summary"]["readiness"]
    assert readiness["verdict"] == "ready for stage 1"
    assert readiness["frameworks"]["eu-ai-act"]["passing"] == 8
    assert readiness["clauses"]["4"]["passing"] == readiness["clauses"]["4"]["assessed"]
    junit = render("junit", report)
    assert '<testsuite name="EU AI Act pack" errors="0" failures="3"' in junit
    assert 'classname="eu-ai-act.26_6"' in junit and 'classname="eu-ai-act.4"' in junit
    assert "basis: eu-ai-act:26(6) (not in the certification verdict)" in junit
    markdown = render("markdown", report)
    assert "certification verdict: ready for stage 1" in markdown
    assert "| EU AI Act pack | `███████░░░` 72% | 8/11 |" in markdown
    html = render("html", report)
    assert "EUAIA-26.6-01 · EU AI Act pack eu-ai-act:26(6)</div>" in html
    assert "fail the pipeline gate, not the audit" in html


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_md_names_every_gap_and_its_line(name: str) -> None:
    text = (FIXTURES / name / "PLANTED.md").read_text(encoding="utf-8")
    for rule, subject, line in PLANTED[name]:
        assert f"| {rule} | {subject} | `{line}`" in text


def test_provider_view_names_covered_unshowable_and_ai_act_only_obligations() -> None:
    view = rows(check("euaia-provider", pack=True, frameworks=("eu-ai-act",)))
    # AI-Act-only gaps, each with the record and line to fix.
    for article, rule, line in (
        ("19", "EUAIA-19.1-01", 29),
        ("49(1)", "EUAIA-49.1-01", 12),
        ("73", "EUAIA-73.2-01", 27),
    ):
        assert view[article].status == "gaps"
        assert [
            (f.rule.id, f.location.line if f.location else 0) for f in view[article].findings
        ] == [(rule, line)]
    # Covered: the pack's rule in full, the ISO evidence in part.
    assert view["13"].status == "shown"
    for article in ("9", "10", "11", "12", "14", "15", "17", "18", "20", "72"):
        assert view[article].status == "partly_shown", article
    # What the evidence cannot show either way.
    assert (view["43"].status, view["43"].reason) == ("cannot_show", "not_in_export")
    # Deployer obligations reach no high-risk system of this provider.
    assert (view["26(6)"].status, view["26(6)"].reason) == ("not_applicable", "not_reached")
    assert [r.system.id for r in view["49(1)"].reached("applies")] == ["credit-scoring"]


def test_deployer_view_names_covered_unshowable_and_ai_act_only_obligations() -> None:
    view = rows(check("euaia-deployer", pack=True, frameworks=("eu-ai-act",)))
    for article, rule, line in (
        ("26(2)", "EUAIA-26.2-01", 19),
        ("26(6)", "EUAIA-26.6-01", 29),
        ("27", "EUAIA-27.1-01", 1),
    ):
        assert view[article].status == "gaps"
        assert [
            (f.rule.id, f.location.line if f.location else 0) for f in view[article].findings
        ] == [(rule, line)]
    assert view["26(1)"].status == "shown"
    for article in ("4", "26(4)", "26(5)", "26(11)"):
        assert view[article].status == "partly_shown", article
    assert (view["26(7)"].status, view["26(7)"].reason) == ("cannot_show", "not_stated")
    assert (view["49(1)"].status, view["49(1)"].reason) == ("not_applicable", "not_reached")


def test_without_the_pack_the_ai_act_only_obligations_cannot_be_shown() -> None:
    view = rows(check("euaia-deployer", pack=False, frameworks=("eu-ai-act",)))
    # The ISO evidence alone shows no gap; Art. 26(6) rests on A.6.2.8 only, partly.
    assert all(row.status != "gaps" for row in view.values())
    assert view["26(6)"].status == "partly_shown"
    assert view["26(1)"].status == "partly_shown"


def test_builtin_packs_selects_the_shipped_pack_by_name(tmp_path: Path) -> None:
    root = tmp_path / "gov"
    shutil.copytree(FIXTURES / "euaia-deployer", root)
    (root / "aimscheck.yaml").write_text("version: 1\nrules:\n  builtin_packs: [eu-ai-act]\n")
    config = load_config(root / "aimscheck.yaml")
    assert config.packs == (rules_root() / "eu-ai-act",)
    result = CliRunner().invoke(main, ["check", str(root), "--as-of", "2026-11-20"])
    assert result.exit_code == 1
    assert "EUAIA-26.6-01 nonconformity  ai_systems/credit-scoring" in result.output


def test_an_unknown_builtin_pack_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "aimscheck.yaml"
    path.write_text("version: 1\nrules:\n  builtin_packs: [eu-ai-akt]\n")
    with pytest.raises(AimscheckError) as caught:
        load_config(path)
    assert "builtin_packs[0]: must be one of: eu-ai-act" in str(caught.value)
    assert caught.value.location is not None and caught.value.location.line == 3


def test_the_pack_ships_in_the_package_data() -> None:
    # setup.cfg ships rules/*/*.aims and *.tests.yaml under aimscheck.rules.
    cfg = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert "aimscheck.rules = */*.aims, */*.tests.yaml" in cfg
    assert sorted(p.name for p in PACK.glob("*.aims")) == [
        "definitions.aims",
        "fria.aims",
        "incidents.aims",
        "instructions.aims",
        "literacy.aims",
        "logs.aims",
        "oversight.aims",
        "registration.aims",
    ]


def test_every_rule_names_its_article_by_a_framework_tag() -> None:
    from aimscheck.check import load_ruleset
    from aimscheck.frameworks import load

    ids = {f"eu-ai-act:{r.id}" for r in load("eu-ai-act").requirements}
    ruleset = load_ruleset([PACK], default_rules=False)
    for info in ruleset.infos:
        tags = [t for t in info.tags if t.startswith("eu-ai-act:")]
        assert len(tags) == 1 and tags[0] in ids, info.id


def test_the_application_date_is_a_parameter_the_configuration_overrides(tmp_path: Path) -> None:
    # A fundamental-rights assessment made on 2026-09-01 for a system in use since 2025-03-17 is in
    # time under the Digital Omnibus's date (2027-12-02), late under the Act as published.
    root = tmp_path / "gov"
    shutil.copytree(FIXTURES / "euaia-deployer", root)
    assessments = root / "impact_assessments.yaml"
    fria = (
        "\n- id: fria-credit-scoring\n  ai_system_ref: credit-scoring\n  status: approved\n"
        "  fundamental_rights: true\n  performed_at: 2026-09-01\n"
    )
    assessments.write_text(assessments.read_text(encoding="utf-8") + fria, encoding="utf-8")
    runner = CliRunner()
    args = ["check", str(root), "--as-of", "2026-11-20", "--rules", str(PACK)]
    assert "EUAIA-27.1-01" not in runner.invoke(main, args).output
    (root / "aimscheck.yaml").write_text(
        "version: 1\nrules:\n  parameters:\n    EUAIA-27.1-01: {applies_from: 2026-08-02}\n"
    )
    output = runner.invoke(main, args).output
    assert (
        "EUAIA-27.1-01 nonconformity  ai_systems/credit-scoring: High-risk AI system credit-scoring"
        " (Credit Decisioning Score (CDS)) was first used on 2025-03-17, and its fundamental-rights"
        " impact assessment was performed later (impact_assessments performed_at), after"
        " 2026-08-02, when Art. 27(1) applies"
    ) in output


def _late_fria(tmp_path: Path) -> Path:
    """The deployer's repo with a fundamental-rights assessment made on 2026-09-01 for a system
    in use since 2025-03-17: in time by the shipped Annex III date, late by 2026-08-02."""
    root = tmp_path / "gov"
    shutil.copytree(FIXTURES / "euaia-deployer", root)
    assessments = root / "impact_assessments.yaml"
    fria = (
        "\n- id: fria-credit-scoring\n  ai_system_ref: credit-scoring\n  status: approved\n"
        "  fundamental_rights: true\n  performed_at: 2026-09-01\n"
    )
    assessments.write_text(assessments.read_text(encoding="utf-8") + fria, encoding="utf-8")
    return root


LATE = (
    "EUAIA-27.1-01 nonconformity  ai_systems/credit-scoring: High-risk AI system credit-scoring"
    " (Credit Decisioning Score (CDS)) was first used on 2025-03-17, and its fundamental-rights"
    " impact assessment was performed later (impact_assessments performed_at), after"
    " 2026-08-02, when Art. 27(1) applies"
)


def test_a_configured_annex_iii_date_moves_the_view_and_the_pack_rule(tmp_path: Path) -> None:
    root = _late_fria(tmp_path)
    args = ["check", str(root), "--as-of", "2026-11-20", "--format", "json"]
    base = "version: 1\nrules:\n  builtin_packs: [eu-ai-act]\nframeworks:\n  views: [eu-ai-act]\n"
    config = root / "aimscheck.yaml"
    config.write_text(base)
    before = json.loads(CliRunner().invoke(main, args).output)
    config.write_text(base + "  dates:\n    eu-ai-act: {high_risk_annex_iii: 2026-08-02}\n")
    after = json.loads(CliRunner().invoke(main, args).output)

    def art27(report: dict[str, Any]) -> tuple[str, list[str]]:
        (view,) = report["frameworks"]
        (row,) = (r for r in view["requirements"] if r["id"] == "27")
        # The added assessment is a bare record (ISO findings on it are beside the point).
        return row["applies_from"], [f["rule"] for f in row["findings"] if "EUAIA" in f["rule"]]

    assert art27(before) == ("2027-12-02", [])
    assert art27(after) == ("2026-08-02", ["EUAIA-27.1-01"])
    text = CliRunner().invoke(main, ["check", str(root), "--as-of", "2026-11-20"]).output
    assert LATE in text


def test_a_rule_parameter_set_in_the_configuration_wins_over_the_date(tmp_path: Path) -> None:
    root = _late_fria(tmp_path)
    (root / "aimscheck.yaml").write_text(
        "version: 1\nrules:\n  builtin_packs: [eu-ai-act]\n"
        "  parameters:\n    EUAIA-27.1-01: {applies_from: 2027-12-02}\n"
        "frameworks:\n  dates:\n    eu-ai-act: {high_risk_annex_iii: 2026-08-02}\n"
    )
    output = CliRunner().invoke(main, ["check", str(root), "--as-of", "2026-11-20"]).output
    assert "EUAIA-27.1-01 nonconformity" not in output
    # The other rules of the pack follow the date: Art. 26(6) says when it applies.
    assert "(Art. 26(6), from 2026-08-02; 2028-08-02 for Annex I products)" in output


def test_the_pack_dates_are_the_crosswalk_dates() -> None:
    # The rules' written defaults agree with eu-ai-act.yaml: bound to its dates, nothing moves.
    from aimscheck.check import load_ruleset
    from aimscheck.frameworks import load
    from aimscheck.frameworks.dates import pack_bindings

    ruleset = load_ruleset([PACK], default_rules=False)
    shipped = {key: date.date for key, date in load("eu-ai-act").dates.items()}
    assert pack_bindings(ruleset, shipped, {}) == {}
    moved = pack_bindings(ruleset, {"prohibitions": dt.date(2025, 3, 1)}, {})
    assert moved == {"EUAIA-4-01": {"applies_from": dt.date(2025, 3, 1)}}


def test_framework_adds_to_the_views_the_configuration_selects(tmp_path: Path) -> None:
    root = tmp_path / "gov"
    shutil.copytree(FIXTURES / "euaia-deployer", root)
    (root / "aimscheck.yaml").write_text("version: 1\nframeworks:\n  views: [eu-ai-act]\n")
    args = ["check", str(root), "--as-of", "2026-11-20", "--format", "json"]

    def names(*more: str) -> list[str]:
        return [
            v["name"]
            for v in json.loads(CliRunner().invoke(main, [*args, *more]).output)["frameworks"]
        ]

    assert names() == ["eu-ai-act"]
    assert names("--framework", "nist-ai-rmf") == ["eu-ai-act", "nist-ai-rmf"]
    assert names("--framework", "eu-ai-act") == ["eu-ai-act"]
