"""Readiness per framework, read from a check's results (aimscheck/frameworks/view.py)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from aimscheck.check import CheckOptions, run_check
from aimscheck.frameworks import load
from aimscheck.frameworks.ids import NIST_AI_RMF_SUBCATEGORIES
from aimscheck.frameworks.view import STATUSES, FrameworkView, RequirementView
from aimscheck.results import Report

FIXTURES = Path(__file__).parent.parent / "fixtures"
AS_OF = dt.date(2026, 11, 20)

# What a provider of a credit-scoring system (Annex III 5(b)), a deployer of a hiring system
# (4(a)) and a deployer of a customer chatbot state; fraud-detection states nothing.
FACTS = {
    "credit-scoring": (
        "eu_ai_act:\n  roles: [provider]\n  risk_class: high_risk\n  high_risk_basis: annex_iii\n"
        '  annex_iii_point: "5(b)"\n  placed_on_market_at: 2025-03-17\n'
    ),
    "document-ocr": (
        "eu_ai_act:\n  roles: [deployer]\n  risk_class: high_risk\n  high_risk_basis: annex_iii\n"
        '  annex_iii_point: "4(a)"\n  public_service_deployer: false\n  transparency_cases: []\n'
        "  workplace_use: true\n"
    ),
    "service-chatbot": (
        "eu_ai_act:\n  roles: [deployer]\n  risk_class: limited_risk\n"
        "  transparency_cases: [interacts_with_people]\n"
    ),
}


def stated(tmp_path: Path) -> Path:
    """fixtures/conforming with the AI Act facts of FACTS added to its systems."""
    root = tmp_path / "gov"
    shutil.copytree(FIXTURES / "conforming", root)
    for system, block in FACTS.items():
        path = root / "ai_systems" / f"{system}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")
    return root


def check(path: Path, *frameworks: str, rules: tuple[Path, ...] = ()) -> Report:
    options = CheckOptions(path=path, as_of=AS_OF, frameworks=frameworks, rules=rules)
    return run_check(options)


def rows(report: Report, name: str) -> dict[str, RequirementView]:
    view: FrameworkView = next(v for v in report.frameworks if v.framework.name == name)
    return {row.requirement.id: row for row in view.rows}


def reached(row: RequirementView, state: str = "applies") -> list[str]:
    return [r.system.id for r in row.reached(state)]


@pytest.fixture(scope="module")
def conforming() -> Report:
    return check(FIXTURES / "conforming", "eu-ai-act", "nist-ai-rmf")


def test_no_view_is_built_unless_asked_for() -> None:
    assert check(FIXTURES / "conforming").frameworks == ()


def test_the_views_change_no_result(conforming: Report) -> None:
    assert conforming.failing() == []
    assert conforming.results == check(FIXTURES / "conforming").results


def test_every_ai_act_obligation_is_listed_with_a_status(conforming: Report) -> None:
    listed = rows(conforming, "eu-ai-act")
    assert list(listed) == [r.id for r in load("eu-ai-act").requirements]
    assert {row.status for row in listed.values()} <= set(STATUSES)


def test_without_ai_act_facts_nothing_is_claimed_either_way(conforming: Report) -> None:
    listed = rows(conforming, "eu-ai-act")
    # gpai_model left out is a "no" (docs/export.md): Art. 53 and 55 reach no system.
    for ref in ("53", "55"):
        assert (listed.pop(ref).status, listed.pop(ref, None)) == ("not_applicable", None)
    # Any operator is bound by Art. 5: only the class is missing.
    assert listed.pop("5").explanation == (
        "whether it applies is not stated (eu_ai_act.risk_class missing for 4 systems)"
    )
    for row in listed.values():
        assert (row.status, row.reason) == ("cannot_show", "not_stated"), row.label
        assert row.explanation == (
            "whether it applies is not stated (eu_ai_act.roles missing for 4 systems)"
        )
        assert row.findings == ()
        assert row.unchecked == ""  # whether the pack would reach a system is not known


def test_every_nist_subcategory_is_shown_or_partly_shown_on_the_conforming_export(
    conforming: Report,
) -> None:
    listed = rows(conforming, "nist-ai-rmf")
    assert tuple(listed) == NIST_AI_RMF_SUBCATEGORIES
    assert {row.status for row in listed.values()} == {"shown", "partly_shown"}
    # GOVERN 2.1 maps fully to clause 5.3 and control A.3.2, whose rules hold.
    assert listed["GOVERN 2.1"].status == "shown"
    assert listed["GOVERN 1.7"].status == "partly_shown"
    assert listed["GOVERN 1.7"].explanation == (
        "the rules that back it hold, but cover only part of it"
    )
    assert listed["MAP 1.5"].backing and all(b.via == ("6.1.1",) for b in listed["MAP 1.5"].backing)


def test_provider_and_deployer_obligations_reach_their_own_systems(tmp_path: Path) -> None:
    listed = rows(check(stated(tmp_path), "eu-ai-act"), "eu-ai-act")
    assert reached(listed["9"]) == ["credit-scoring"]
    assert reached(listed["73"]) == ["credit-scoring"]
    assert reached(listed["26(6)"]) == ["document-ocr"]
    assert reached(listed["4"]) == ["credit-scoring", "document-ocr", "service-chatbot"]
    assert reached(listed["4"], "not_stated") == ["fraud-detection"]
    assert listed["4"].unstated_note == "not stated for 1 system: fraud-detection"
    assert listed["9"].status == "partly_shown"
    assert listed["9"].starts == dt.date(2027, 12, 2) and listed["9"].in_force is False
    assert listed["4"].in_force is True


def test_obligations_iso_42001_cannot_show_name_the_reason(tmp_path: Path) -> None:
    listed = rows(check(stated(tmp_path), "eu-ai-act"), "eu-ai-act")
    registration = listed["49(1)"]
    assert (registration.status, registration.reason) == ("cannot_show", "no_rule")
    assert registration.explanation == (
        "ISO/IEC 42001 has no requirement for it; a rule tagged eu-ai-act:49(1) can show it"
    )
    # A deployer of a 4(a) system that is no public body owes no assessment under Art. 27;
    # the only system left is fraud-detection, which states nothing.
    assessment = listed["27"]
    assert reached(assessment, "outside") == ["credit-scoring", "document-ocr", "service-chatbot"]
    assert (assessment.status, assessment.reason) == ("cannot_show", "not_stated")


def test_a_gap_points_at_the_record_to_fix(tmp_path: Path) -> None:
    root = stated(tmp_path)
    path = root / "ai_systems" / "document-ocr.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("event_logging: {enabled: true,", "event_logging: {enabled: false,")
    )
    listed = rows(check(root, "eu-ai-act"), "eu-ai-act")
    logs = listed["26(6)"]
    assert logs.status == "gaps"
    assert logs.explanation == "1 open finding in the rules that back it"
    [finding] = logs.findings
    assert finding.rule.id == "AIMS-A.6.2.8-01"
    assert str(finding.subject) == "ai_systems/document-ocr"
    assert finding.location is not None and finding.location.file.endswith("document-ocr.yaml")
    # The provider's logging obligation does not reach the deployer's system.
    assert listed["12"].status == "partly_shown"


def test_a_rule_tagged_with_an_obligation_backs_it_fully(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "workers.aims").write_text(
        """rule "EUX-26.7-01" {
  title       "Workers are told before a high-risk system is used at work"
  description "Minor: a test rule for the framework view."
  fix         "Record the briefing."
  clause      "7.4"
  severity    minor
  phase       deployment
  tags        "eu-ai-act:26(7)"

  for sys in ai_systems where in_scope(sys)
  require sys.name is set
  because "System {sys.id} has no name"
}
""",
        encoding="utf-8",
    )
    listed = rows(check(stated(tmp_path), "eu-ai-act", rules=(pack,)), "eu-ai-act")
    workers = listed["26(7)"]
    assert [(b.rule, b.strength, b.via) for b in workers.backing] == [
        ("EUX-26.7-01", "full", ("eu-ai-act:26(7)",))
    ]
    assert workers.status == "shown"
    # Its results about systems the obligation does not reach are not counted for it.
    assert dict(workers.backing[0].outcomes) == {"pass": 1}


def test_application_dates_are_parameters(tmp_path: Path) -> None:
    from aimscheck.export.loader import load_export
    from aimscheck.frameworks import build_views

    report = check(stated(tmp_path))
    export = load_export(stated(tmp_path / "again"))
    [view] = build_views(
        ("eu-ai-act",),
        export,
        report.rules,
        report.results,
        AS_OF,
        {"high_risk_annex_iii": dt.date(2026, 8, 2)},
    )
    art9 = next(r for r in view.rows if r.requirement.id == "9")
    assert (art9.starts, art9.in_force) == (dt.date(2026, 8, 2), True)


# A small copy of an independent consultant's provider export: a provider and deployer of a
# credit-scoring system (Annex III 5(b)) beside a limited-risk chatbot whose roles are left out.
# Its AI-Act-only facts fail the pack: logs kept 30 days, an assessment that is not one of
# fundamental rights, a serious incident never reported. The chatbot's incident and its
# corrective action are overdue or unreported too, and the AI committee lacks competence records.
SCENARIO = """\
schema_version: "1"
organization: {name: Veltrana Kredit}
people:
  - {id: p-brandt, name: Brandt}
  - {id: p-mayer, name: Mayer}
  - {id: p-schulz, name: Schulz}
  - {id: p-sato, name: Sato}
  - {id: p-feld, name: Feld}
roles:
  - {id: role-committee, name: AI governance committee member, holder_refs: [p-feld]}
competence_records:
  - {id: cr-schulz, person_ref: p-schulz, competence: oversight training, assessed_at: 2026-03-01}
models:
  - {id: m-score, name: VeltraScore v3}
ai_systems:
  - id: sys-credit-scoring
    name: VeltraScore credit scoring
    in_scope: true
    lifecycle_stage: operation
    owner_ref: p-brandt
    model_refs: [m-score]
    eu_ai_act:
      roles: [provider, deployer]
      risk_class: high_risk
      high_risk_basis: annex_iii
      annex_iii_point: "5(b)"
      transparency_cases: []
      public_service_deployer: false
      placed_on_market_at: 2024-03-04
      registered_at: 2026-10-15
    human_oversight:
      mode: human_in_the_loop
      overseer_refs: [p-mayer, p-schulz]
    event_logging: {enabled: true, retention_days: 30}
    deployed_at: 2024-03-04
  - id: sys-service-chatbot
    name: Vela customer assistant
    in_scope: true
    lifecycle_stage: operation
    owner_ref: p-sato
    eu_ai_act:
      risk_class: limited_risk
      transparency_cases: [interacts_with_people]
    deployed_at: 2026-02-02
impact_assessments:
  - id: ia-credit-2026
    ai_system_ref: sys-credit-scoring
    status: approved
    fundamental_rights: false
    performed_at: 2026-06-22
    approved_by_ref: p-feld
    approved_at: 2026-06-26
incidents:
  - id: INC-2026-003
    ai_system_ref: sys-credit-scoring
    occurred_at: 2026-05-18
    severity: high
    status: closed
    corrective_action_refs: [CA-2026-05]
    eu_ai_act: {serious: true, category: other, aware_at: 2026-05-20}
  - id: INC-2026-007
    ai_system_ref: sys-service-chatbot
    occurred_at: 2026-08-29
    severity: low
    status: open
    corrective_action_refs: [CA-2026-09]
corrective_actions:
  - {id: CA-2026-05, action: Rescore the applicants, status: open, due: 2026-12-31}
  - {id: CA-2026-09, action: Correct the answer, status: open, due: 2026-01-31}
"""
PACK = Path(__file__).parent.parent / "rules" / "eu-ai-act"
CHATBOT = {
    "ai_systems/sys-service-chatbot",
    "incidents/INC-2026-007",
    "corrective_actions/CA-2026-09",
}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("provider") / "aims.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def subjects(row: RequirementView) -> set[str]:
    return {str(f.subject) for f in row.findings}


def test_findings_about_records_of_unreached_systems_do_not_count(scenario: Path) -> None:
    report = check(scenario, "eu-ai-act")
    # The chatbot's incident and its corrective action have open findings of their own ...
    failing = {str(r.subject) for r in report.failing()}
    assert {"incidents/INC-2026-007", "corrective_actions/CA-2026-09"} <= failing
    listed = rows(report, "eu-ai-act")
    # ... which are no gap in the high-risk system's obligations.
    for ref in ("17", "20", "73"):
        assert listed[ref].status == "gaps", ref
        assert not subjects(listed[ref]) & CHATBOT, ref
    assert subjects(listed["73"]) == {"incidents/INC-2026-003"}
    # Art. 17 is the whole organisation's: results about no record count for it, not for Art. 20.
    assert any(f.subject is None for f in listed["17"].findings)
    assert all(f.subject is not None for f in listed["20"].findings)
    # A record the system names is about it (its model).
    assert "models/m-score" in subjects(listed["15"])


def test_human_oversight_counts_the_systems_overseers_not_other_roles(scenario: Path) -> None:
    listed = rows(check(scenario, "eu-ai-act"), "eu-ai-act")
    # The AI committee's missing competence is a gap in AI literacy (the whole organisation's) ...
    assert "roles/role-committee" in subjects(listed["4"])
    # ... not in the oversight of the credit-scoring system, where the overseer's record counts.
    oversight = subjects(listed["26(2)"])
    assert "roles/role-committee" not in oversight
    assert "competence_records/cr-schulz" in oversight


def test_rows_the_pack_checks_say_it_was_not_run(scenario: Path) -> None:
    listed = rows(check(scenario, "eu-ai-act"), "eu-ai-act")
    assert listed["19"].unchecked == (
        "run with the eu-ai-act pack to check that logs are kept at least six months "
        "(event_logging.retention_days)"
    )
    assert listed["27"].unchecked == (
        "run with the eu-ai-act pack to check that an assessment with fundamental_rights true "
        "was made before first use"
    )
    assert listed["73"].unchecked.startswith("run with the eu-ai-act pack to check the reporting")
    # No ISO rule reads the retention, the assessment's kind or the report: the pack's gaps
    # are not among the findings.
    for ref in ("19", "26(6)", "27", "73"):
        assert not any(f.rule.id.startswith("EUAIA") for f in listed[ref].findings), ref
    assert listed["9"].unchecked == ""  # nothing the pack checks


def test_with_the_pack_its_results_count_through_the_tags(scenario: Path) -> None:
    listed = rows(check(scenario, "eu-ai-act", rules=(PACK,)), "eu-ai-act")
    for ref, rule, subject in (
        ("19", "EUAIA-19.1-01", "ai_systems/sys-credit-scoring"),
        ("26(6)", "EUAIA-26.6-01", "ai_systems/sys-credit-scoring"),
        ("27", "EUAIA-27.1-01", "ai_systems/sys-credit-scoring"),
        ("73", "EUAIA-73.2-01", "incidents/INC-2026-003"),
    ):
        row = listed[ref]
        assert (row.status, row.unchecked) == ("gaps", ""), ref
        assert (rule, subject) in {(f.rule.id, str(f.subject)) for f in row.findings}, ref


def test_a_class_that_rules_a_system_out_needs_no_roles(scenario: Path) -> None:
    listed = rows(check(scenario, "eu-ai-act"), "eu-ai-act")
    for ref in ("9", "12", "17", "19", "20", "26(6)", "73"):
        assert reached(listed[ref], "not_stated") == [], ref
        assert reached(listed[ref], "outside") == ["sys-service-chatbot"], ref
    # Art. 4 reaches every class: there the chatbot's role is missing.
    assert reached(listed["4"], "not_stated") == ["sys-service-chatbot"]


def test_workers_representatives_are_not_assumed_of_a_high_risk_system(scenario: Path) -> None:
    workers = rows(check(scenario, "eu-ai-act"), "eu-ai-act")["26(7)"]
    assert (workers.status, workers.reason) == ("cannot_show", "not_stated")
    assert workers.explanation == (
        "whether it applies is not stated (eu_ai_act.workplace_use missing for 1 system)"
    )


def test_article_5_reads_the_classes_recorded(scenario: Path, tmp_path: Path) -> None:
    prohibited = rows(check(scenario, "eu-ai-act"), "eu-ai-act")["5"]
    assert (prohibited.status, prohibited.explanation) == (
        "shown",
        "no prohibited practice recorded: every system has another risk_class",
    )
    path = tmp_path / "aims.yaml"
    path.write_text(SCENARIO.replace("risk_class: limited_risk", "risk_class: prohibited"))
    prohibited = rows(check(path, "eu-ai-act"), "eu-ai-act")["5"]
    assert (prohibited.status, prohibited.explanation) == (
        "gaps",
        "recorded as a prohibited practice (risk_class: prohibited): sys-service-chatbot",
    )


def test_obligations_the_export_cannot_carry_say_what_is_missing(scenario: Path) -> None:
    listed = rows(check(scenario, "eu-ai-act"), "eu-ai-act")
    for ref in ("16", "43", "47", "48"):
        assert (listed[ref].status, listed[ref].reason) == ("cannot_show", "not_in_export"), ref
        assert reached(listed[ref]) == ["sys-credit-scoring"], ref
    assert listed["47"].explanation == (
        "the export cannot carry it yet: the EU declaration of conformity (docs/frameworks.md)"
    )
    # No public body: the registration of a deployer's use does not reach it; the right to an
    # explanation does (Annex III, not point 2).
    assert (listed["49(3)"].status, listed["49(3)"].reason) == ("not_applicable", "not_reached")
    assert reached(listed["86"]) == ["sys-credit-scoring"]
    assert listed["86"].status in ("partly_shown", "gaps")


def test_a_public_authority_deployer_must_register_its_use(tmp_path: Path) -> None:
    path = tmp_path / "aims.yaml"
    path.write_text(SCENARIO.replace("public_service_deployer: false", "public_authority: true"))
    register = rows(check(path, "eu-ai-act"), "eu-ai-act")["49(3)"]
    assert reached(register) == ["sys-credit-scoring"]
    assert (register.status, register.reason) == ("cannot_show", "not_in_export")


def test_a_system_whose_route_applies_later_is_named_not_yet_in_force(tmp_path: Path) -> None:
    path = tmp_path / "aims.yaml"
    product = "risk_class: high_risk\n      roles: [provider]\n      high_risk_basis: annex_i"
    path.write_text(SCENARIO.replace("risk_class: limited_risk", product), encoding="utf-8")
    art9 = rows(check(path, "eu-ai-act"), "eu-ai-act")["9"]
    assert reached(art9) == ["sys-credit-scoring", "sys-service-chatbot"]
    assert art9.in_force_note == (
        "not yet in force (applies from 2027-12-02); sys-service-chatbot from 2028-08-02"
    )
    options = CheckOptions(path=path, as_of=dt.date(2028, 1, 10), frameworks=("eu-ai-act",))
    art9 = rows(run_check(options), "eu-ai-act")["9"]
    assert art9.in_force
    assert art9.in_force_note == "not yet in force for sys-service-chatbot from 2028-08-02"
