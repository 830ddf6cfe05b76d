"""`aimscheck explain`: which part of a rule failed for a subject, and with what values."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from click.testing import CliRunner

from aimscheck.cli import EXIT_ERROR, EXIT_OK
from aimscheck.commands import explain

RULES = """\
rule "ORG-5.3-01" {
  title    "Every in-scope AI system has an owner and an approved assessment"
  clause   "5.3"
  severity major
  phase    risk_assessment
  param    max_age = 365 days

  for sys in ai_systems where sys.in_scope
  require sys.owner_ref -> people is set
  because "AI system {sys.id} has no owner"
  require exists ia in impact_assessments
          where ia.ai_system_ref == sys.id and ia.status == "approved"
            and age(ia.approved_at) <= max_age
  because "AI system {sys.id} has no approved assessment"
}

rule "ORG-9.3-01" {
  title    "A management review is on file, with minutes"
  clause   "9.3"
  severity minor
  phase    monitoring
  let review = latest(management_reviews, "held_at")
  require review is set
  evidence review.minutes_ref
  because "The minutes of review {review.id} are missing"
}

rule "ORG-9.3-02" {
  title    "The latest management review is recent, attended and minuted"
  clause   "9.3"
  severity minor
  phase    monitoring
  let review = latest(management_reviews, "held_at")
  require review is set and age(review.held_at) <= 30 days
  because "Review {review.id} is more than 30 days old"
  require review.attendee_refs is not empty
  because "Nobody attended review {review.id}"
  evidence review.minutes_ref
  because "The minutes of review {review.id} are missing"
  require review.minutes_ref is set
  because "Review {review.id} names no minutes"
}

rule "ORG-8.2-01" {
  title    "An AI system with a current assessment has an owner"
  clause   "8.2"
  severity minor
  phase    risk_assessment

  for sys in ai_systems where sys.in_scope
  only if exists ia in impact_assessments
          where ia.ai_system_ref == sys.id and age(ia.approved_at) <= 365 days
  because "AI system {sys.id} has no current assessment to judge its owner against"
  require sys.owner_ref is set
  because "AI system {sys.id} has no owner"
}
"""


def export(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    data = {
        "schema_version": "1",
        "organization": {"name": "Org"},
        "people": [{"id": "p1", "name": "Ada"}],
        "ai_systems": [
            {"id": "scoring", "name": "Scoring", "in_scope": True, "owner_ref": "p1"},
            {"id": "chatbot", "name": "Chatbot", "in_scope": True},
            {"id": "legacy", "name": "Legacy", "in_scope": False},
        ],
        "impact_assessments": [
            {"id": "ia-1", "ai_system_ref": "scoring", "status": "draft"},
            {
                "id": "ia-2",
                "ai_system_ref": "scoring",
                "status": "approved",
                "approved_at": "2024-01-10",
            },
            {
                "id": "ia-3",
                "ai_system_ref": "chatbot",
                "status": "approved",
                "approved_at": "2026-06-01",
            },
        ],
        "management_reviews": [{"id": "mr-1", "held_at": "2026-10-01", "minutes_ref": "ev-1"}],
        "evidence": [{"id": "ev-1", "kind": "minutes", "path": "files/minutes.md"}],
    }
    (root / "aims.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    (tmp_path / "rules.aims").write_text(RULES)
    return root


def run(tmp_path: Path, *args: str) -> tuple[int, str]:
    group = click.Group()
    group.add_command(explain.command)
    result = CliRunner().invoke(
        group,
        [
            "explain",
            *args,
            str(export(tmp_path)),
            "--no-default-rules",
            "--rules",
            str(tmp_path / "rules.aims"),
            "--as-of",
            "2026-11-20",
        ],
    )
    return result.exit_code, result.output


def test_the_failing_requirement_and_the_closest_records_are_shown(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-5.3-01", "--subject", "scoring")
    assert code == EXIT_OK
    assert "ai_systems/scoring: nonconformity" in out
    assert "AI system scoring has no approved assessment" in out
    assert "✓ require sys.owner_ref -> people is set" in out
    assert "✗ require exists ia in impact_assessments where ia.ai_system_ref == sys.id" in out
    assert "no item meets every condition; the closest 2:" in out
    # ia-2 is the nearest miss: right system, approved, but too old
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if 'ia = {id: "ia-2"' in line)
    assert lines[at + 1].strip() == "✓ ia.ai_system_ref == sys.id"
    assert lines[at + 2].strip() == '✓ ia.status == "approved"'
    assert lines[at + 3].strip() == "✗ age(ia.approved_at) <= max_age"
    assert "age(ia.approved_at) = 1045 days" in out
    assert "max_age = 365 days" in out


def test_without_subject_the_first_failing_one_is_explained(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-5.3-01")
    assert code == EXIT_OK
    assert "nonconformity     ai_systems/scoring\n  nonconformity     ai_systems/chatbot" in out
    assert "ai_systems/scoring: nonconformity" in out and "ai_systems/chatbot:" not in out


def test_a_broken_path_shows_where_it_broke_off(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-5.3-01", "--subject", "chatbot")
    assert code == EXIT_OK
    assert "✗ require sys.owner_ref -> people is set" in out
    assert "sys.owner_ref -> people = (missing)" in out
    assert "sys.owner_ref = (missing)" in out  # where the path broke off


def test_a_subject_outside_the_rule_says_why(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-5.3-01", "--subject", "legacy")
    assert code == EXIT_OK
    assert "ai_systems/legacy is not a subject: the rule's 'for … where' is false" in out
    assert "sys.in_scope = false" in out


def test_evidence_checks_are_listed_with_their_status(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-9.3-01")
    assert code == EXIT_OK
    assert "the export: missing_evidence" in out
    assert 'let review = latest(management_reviews, "held_at")' in out
    assert "✗ evidence review.minutes_ref" in out
    assert "ev-1: file_not_found" in out


def test_unknown_rule_and_subject_exit_2_with_a_suggestion(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-5.3-1")
    assert code == EXIT_ERROR and "no rule with id ORG-5.3-1" in out
    assert "did you mean ORG-5.3-01?" in out
    code, out = run(tmp_path, "ORG-5.3-01", "--subject", "scorng")
    assert code == EXIT_ERROR and "no ai_systems record has the id 'scorng'" in out
    assert "did you mean 'scoring'?" in out


def test_the_trace_is_metered_like_the_evaluation(tmp_path: Path) -> None:
    """A rule that walks every record for every record: its trace stops at the budget too."""
    runaway = (
        'rule "ORG-RUN-01" {\n  title "t"\n  clause "5.3"\n  severity minor\n'
        '  phase monitoring\n  for sys in ai_systems where sys.id == "scoring"\n'
        "  require exists a in impact_assessments where exists b in impact_assessments\n"
        "          where exists d in ai_systems where len(a.id) + len(b.id) > len(d.id) + 9\n}\n"
    )
    export(tmp_path)
    (tmp_path / "rules.aims").write_text(runaway)
    group = click.Group()
    group.add_command(explain.command)
    args = [str(tmp_path / "repo"), "--no-default-rules", "--rules", str(tmp_path / "rules.aims")]
    env = {"AIMSCHECK_MAX_RULE_STEPS": "30", "AIMSCHECK_STEPS_PER_RECORD": "1"}
    result = CliRunner().invoke(
        group, ["explain", "ORG-RUN-01", *args, "--as-of", "2026-11-20"], env=env
    )
    assert result.exit_code == EXIT_OK, result.output
    assert "ai_systems/scoring: error" in result.output
    assert "\nthe trace stops here: evaluation stopped after 39 steps" in result.output


def test_an_only_if_that_does_not_hold_is_shown_with_its_parts(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-8.2-01", "--subject", "scoring")
    assert code == EXIT_OK
    assert "ai_systems/scoring: not_applicable" in out
    assert "  AI system scoring has no current assessment to judge its owner against" in out
    assert "✗ only if exists ia in impact_assessments where ia.ai_system_ref == sys.id" in out
    assert "age(ia.approved_at) = 1045 days" in out  # ia-2, the closest record, is too old
    assert "(the condition does not hold: the subject is not_applicable, and later lines" in out
    assert "require sys.owner_ref is set" not in out  # not judged


def test_without_subject_a_finding_is_explained_before_a_subject_not_judged(
    tmp_path: Path,
) -> None:
    code, out = run(tmp_path, "ORG-8.2-01")
    assert code == EXIT_OK
    assert "not_applicable    ai_systems/scoring\n  nonconformity     ai_systems/chatbot" in out
    assert "ai_systems/chatbot: nonconformity" in out
    assert "✓ only if exists ia in impact_assessments" in out
    assert "✗ require sys.owner_ref is set" in out


def test_every_failing_line_is_shown_with_the_line_to_fix(tmp_path: Path) -> None:
    code, out = run(tmp_path, "ORG-9.3-02")
    assert code == EXIT_OK
    text = (tmp_path / "repo" / "aims.yaml").read_text().splitlines()

    def line_of(prefix: str) -> str:
        number = next(i for i, line in enumerate(text, 1) if line.strip().startswith(prefix))
        return f"line to fix: {tmp_path / 'repo' / 'aims.yaml'}:{number}"

    held, reviewed = line_of("held_at:"), line_of("- id: mr-1")
    assert (
        "the export: nonconformity" in out
        and "  Review mr-1 is more than 30 days old; Nobody attended review mr-1; "
        "The minutes of review mr-1 are missing"
        in out
    )
    steps = out[out.index("✗ require review is set") :]
    assert steps.index(held) < steps.index("✗ require review.attendee_refs is not empty")
    assert steps.index(reviewed) > steps.index("✗ require review.attendee_refs is not empty")
    assert "    ev-1: file_not_found: files/minutes.md does not exist" in steps
    assert steps.count("line to fix:") == 3
    assert "✓ require review.minutes_ref is set" in steps  # a line that holds is judged too
    assert "(every require and evidence line is judged: the finding lists these 3)" in out


def test_a_shared_definition_is_shown_by_its_name_then_its_text(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "defs.aims").write_text(
        "define assessed(s) = exists ia in impact_assessments\n"
        '    where ia.ai_system_ref == s.id and ia.status == "approved"\n'
        "      and ia.approved_at >= 2026-01-01\n"
    )
    (pack / "rules.aims").write_text(
        RULES.split("rule ")[0]
        + """rule "ORG-DEF-01" {
  title    "In-scope systems were assessed this year"
  clause   "6.1.4"
  severity minor
  phase    risk_assessment
  for ia in ai_systems where ia.in_scope
  require assessed(ia)
  because "AI system {ia.id} was not assessed this year"
}
"""
    )
    group = click.Group()
    group.add_command(explain.command)
    root = export(tmp_path)
    args = ["--no-default-rules", "--rules", str(pack), "--as-of", "2026-11-20"]
    result = CliRunner().invoke(group, ["explain", "ORG-DEF-01", str(root), *args])
    assert result.exit_code == EXIT_OK, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    # the rule's `ia` is not the body's own `ia`: chatbot's assessment of 2026 counts
    assert "pass              ai_systems/chatbot" in lines
    assert "nonconformity     ai_systems/scoring" in lines
    at = lines.index("✗ require assessed(ia)")
    assert lines[at + 1 : at + 3] == [
        "assessed(ia) = false",
        "defined as exists ia in impact_assessments where ia.ai_system_ref == s.id and "
        'ia.status == "approved…',
    ]


CONFIGURED = """\
version: 1
rules:
  default_pack: false
  parameters:
    ORG-5.3-01: {max_age: 1100 days}
  severity:
    - {rule: ORG-5.3-01, severity: minor, reason: Graded minor until the new policy is out}
  disabled:
    - {rule: ORG-9.3-02, reason: Reviews are quarterly}
waivers:
  - rule: ORG-5.3-01
    subject: ai_systems/chatbot
    justification: Owner to be named at the January board
    approver: Ada
    expires: 2027-01-31
"""


def test_the_configuration_beside_the_export_grades_waives_and_disables_as_check_does(
    tmp_path: Path,
) -> None:
    (export(tmp_path) / "aimscheck.yaml").write_text(CONFIGURED)
    config = f"{tmp_path}/repo/aimscheck.yaml"
    code, out = run(tmp_path, "ORG-5.3-01")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[2:10] == [
        f"  graded minor, not major, by the configuration ({config}:7):",
        "    Graded minor until the new policy is out",
        "",
        "outcomes:",
        "  pass              ai_systems/scoring",  # max_age: 1100 days takes ia-2 (1045 days)
        "  waived            ai_systems/chatbot",
        "",
        f"ai_systems/chatbot: waived  ({tmp_path}/repo/aims.yaml:12)",
    ]
    assert lines[10:14] == [
        "  AI system chatbot has no owner",
        f"  waived (nonconformity without the waiver) ({config}:11):",
        "    Owner to be named at the January board",
        "    approved by Ada, until 2027-01-31",
    ]
    code, out = run(tmp_path, "ORG-9.3-02")
    assert code == EXIT_OK
    assert out.splitlines()[2:4] == [
        f"  disabled by the configuration ({config}:9): Reviews are quarterly",
        "  check does not run it; what it would find is shown below",
    ]
