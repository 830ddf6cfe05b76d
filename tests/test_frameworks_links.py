"""Which AI systems each record concerns (frameworks/links.py), and which results count for an
obligation because of it (docs/frameworks.md, "Which results count")."""

from __future__ import annotations

import datetime as dt

import pytest

from aimscheck.export.loader import load_export
from aimscheck.export.model import Export
from aimscheck.frameworks import load
from aimscheck.frameworks.applicability import system_facts
from aimscheck.frameworks.links import links_of
from aimscheck.frameworks.view import RequirementView, build_view
from aimscheck.results import Outcome, Result, RuleInfo, Severity, Subject

EXPORT = """\
schema_version: "1"
organization: {name: Org}
people:
  - {id: p-owner, name: Owner}
  - {id: p-overseer, name: Overseer}
competence_records:
  - {id: cr-overseer, person_ref: p-overseer, competence: oversight}
  - {id: cr-owner, person_ref: p-owner, competence: governance}
models:
  - {id: m-score, name: Score}
  - {id: m-unused, name: Unused}
evidence:
  - {id: ev-report, kind: record, title: Incident report, uri: "https://example.org/r"}
  - {id: ev-about, kind: record, title: About it, uri: "https://example.org/a", about_refs: [bot]}
ai_systems:
  - id: credit
    name: Credit
    in_scope: true
    owner_ref: p-owner
    model_refs: [m-score]
    eu_ai_act: {roles: [provider, deployer], risk_class: high_risk, high_risk_basis: annex_iii,
                annex_iii_point: "5(b)"}
    human_oversight: {overseer_refs: [p-overseer]}
  - id: bot
    name: Bot
    in_scope: true
    owner_ref: p-owner
    eu_ai_act: {roles: [provider], risk_class: limited_risk, transparency_cases: []}
incidents:
  - {id: inc-bot, ai_system_ref: bot, corrective_action_refs: [ca-bot], evidence_refs: [ev-report]}
  - {id: inc-credit, ai_system_ref: credit, corrective_action_refs: [ca-credit]}
corrective_actions:
  - {id: ca-bot, action: Fix the answer}
  - {id: ca-credit, action: Rescore}
  - {id: ca-improve, action: An AI literacy programme, owner_ref: p-owner}
"""


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    path = tmp_path_factory.mktemp("links") / "aims.yaml"
    path.write_text(EXPORT, encoding="utf-8")
    return load_export(path)


def test_records_are_linked_to_the_systems_they_concern(export: Export) -> None:
    systems = links_of(export).systems
    # A record that names the system, and what that record names in turn.
    assert systems["incidents/inc-bot"] == {"bot"}
    assert systems["corrective_actions/ca-bot"] == {"bot"}
    assert systems["evidence/ev-report"] == {"bot"}
    assert systems["evidence/ev-about"] == {"bot"}
    # A record the system names.
    assert systems["models/m-score"] == {"credit"}
    # Nothing links these: they are the organisation's.
    for key in ("corrective_actions/ca-improve", "models/m-unused", "people/p-owner"):
        assert key not in systems, key


def test_a_persons_competence_records_are_about_them(export: Export) -> None:
    people = links_of(export).people
    assert people["p-overseer"] == {"competence_records/cr-overseer"}
    assert "competence_records/cr-owner" not in links_of(export).systems


RULES = {
    "R-10.2": RuleInfo("R-10.2", "Actions", Severity.MINOR, "monitoring", ("10.2",), ()),
    "R-A.8.4": RuleInfo("R-A.8.4", "Incidents", Severity.MINOR, "monitoring", (), ("A.8.4",)),
    "R-7.2": RuleInfo("R-7.2", "Competence", Severity.MINOR, "deployment", ("7.2",), ()),
}


def fail(rule: str, subject: str | None) -> Result:
    about = None if subject is None else Subject(*subject.split("/", 1))
    return Result(RULES[rule], Outcome.NONCONFORMITY, about)


def passes(rule: str, subject: str) -> Result:
    return Result(RULES[rule], Outcome.PASS, Subject(*subject.split("/", 1)))


def view(export: Export, results: list[Result]) -> dict[str, RequirementView]:
    built = build_view(
        load("eu-ai-act"),
        RULES.values(),
        results,
        system_facts(export),
        dt.date(2026, 11, 20),
        links=links_of(export),
    )
    return {row.requirement.id: row for row in built.rows}


def subjects(row: RequirementView) -> list[str]:
    return [str(f.subject) for f in row.findings]


def test_only_results_about_what_an_obligation_reaches_count(export: Export) -> None:
    listed = view(
        export,
        [
            fail("R-A.8.4", "incidents/inc-bot"),  # the limited-risk bot's incident
            fail("R-10.2", "corrective_actions/ca-bot"),  # and its corrective action
            fail("R-10.2", "corrective_actions/ca-improve"),  # concerns no system
            passes("R-A.8.4", "incidents/inc-credit"),
            passes("R-10.2", "corrective_actions/ca-credit"),
        ],
    )
    # Art. 73 and 20 are the credit system's: nothing about the bot or the organisation counts.
    assert (listed["73"].status, subjects(listed["73"])) == ("partly_shown", [])
    assert (listed["20"].status, subjects(listed["20"])) == ("partly_shown", [])
    assert dict(listed["20"].backing[0].outcomes) == {"pass": 1}
    # Art. 17 is the whole organisation's: the improvement action counts, the bot's does not.
    assert subjects(listed["17"]) == ["corrective_actions/ca-improve"]


def test_a_rule_whose_results_are_all_out_of_reach_shows_nothing(export: Export) -> None:
    listed = view(export, [fail("R-A.8.4", "incidents/inc-bot")])
    assert (listed["73"].status, listed["73"].reason) == ("cannot_show", "no_result_in_reach")
    assert listed["73"].explanation == (
        "no result of the rules that back it is about the systems it reaches"
    )


def test_oversight_counts_the_overseers_not_other_people(export: Export) -> None:
    listed = view(
        export,
        [
            fail("R-7.2", "competence_records/cr-overseer"),
            fail("R-7.2", "competence_records/cr-owner"),
            fail("R-7.2", "people/p-owner"),
            fail("R-7.2", None),
        ],
    )
    assert subjects(listed["26(2)"]) == ["competence_records/cr-overseer"]
    # AI literacy is the whole organisation's: every one of them counts.
    assert sorted(subjects(listed["4"])) == [
        "None",
        "competence_records/cr-overseer",
        "competence_records/cr-owner",
        "people/p-owner",
    ]
