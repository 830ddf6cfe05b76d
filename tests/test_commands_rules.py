"""`aimscheck rules --not-assessed PATH`: the records the rules could not judge, and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from aimscheck.cli import EXIT_ERROR, EXIT_OK, main

FIXTURES = Path(__file__).parent.parent / "fixtures"
AS_OF = ["--as-of", "2026-11-20"]

PACK = """\
rule "ORG-9.1-01" {
  title       "Metrics stay inside their directed limits"
  description "Minor: a metric outside its limit is a monitoring lapse."
  fix         "Follow the breach up."
  clause      "9.1"
  severity    minor
  phase       monitoring

  for m in metrics
  only if limits_known(m)
  because "Metric {m.id} ({m.name}) gives no direction for its limit"
  require breaches(m, latest(m.results, "at").value) != true
  because "Metric {m.id} breaches its limit"
}

rule "ORG-5.2-01" {
  title       "The organization's AI roles are known and it provides AI"
  description "Minor: the policy depends on the roles the organization plays."
  fix         "Record organization.ai_roles."
  clause      "5.2"
  severity    minor
  phase       scope_definition

  only if organization.ai_roles is not empty
  because "The organization records no ai_roles"
  require "provider" in organization.ai_roles
  because "The organization provides no AI"
}

rule "ORG-4.3-01" {
  title       "A pilot scope names its systems"
  description "Minor: a pilot without systems has no boundary."
  fix         "List the systems in scope.ai_system_refs."
  clause      "4.3"
  severity    minor
  phase       scope_definition

  when scope.is_pilot == true
  require scope.ai_system_refs is not empty
  because "The pilot names no AI system"
}

rule "ORG-A.10.4-01" {
  title       "Customers are told how to use the AI they receive"
  description "Minor: customers need the information to use the system."
  fix         "Give customers the user information."
  control     "A.10.4"
  severity    minor
  phase       deployment

  require false
  because "never met"
}
"""

EXPORT = {
    "schema_version": "1",
    "organization": {"name": "Test Org"},
    "scope": {"statement": "All of it", "is_pilot": False},
    "soa": [
        {"control": "A.10.4", "applicable": False, "justification": "We supply no AI to anyone."}
    ],
    "metrics": [
        {"id": "M-1", "name": "Accuracy", "threshold": 0.8,
         "results": [{"at": "2026-11-01", "value": 0.7}]},
        {"id": "M-2", "name": "Recall", "lower_limit": 0.5,
         "results": [{"at": "2026-11-01", "value": 0.7}]},
        {"id": "M-3", "name": "Drift\n::error file=x::boom", "threshold": 3, "results": []},
    ],
}  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An export with three kinds of not-applicable results, and a pack that produces them."""
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "aims.yaml").write_text(yaml.safe_dump(EXPORT, sort_keys=False))
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "org.aims").write_text(PACK)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "repo"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["rules", *args], catch_exceptions=False)


def test_lists_each_record_a_rule_could_not_judge_apart_from_rules_not_applicable_by_decision(
    repo: Path,
) -> None:
    result = run("--not-assessed", "repo", "--no-default-rules", "--rules", "pack", *AS_OF)
    assert result.exit_code == EXIT_OK
    assert result.stdout == (
        "Not assessed on repo as of 2026-11-20: what the data lacks\n"
        "\n"
        "ORG-5.2-01  The organization's AI roles are known and it provides AI\n"
        "  export  repo/aims.yaml:2\n"
        "    The organization records no ai_roles\n"
        "\n"
        "ORG-9.1-01  Metrics stay inside their directed limits\n"
        "  metrics/M-1  repo/aims.yaml:12\n"
        "    Metric M-1 (Accuracy) gives no direction for its limit\n"
        "  metrics/M-3  repo/aims.yaml:24\n"
        "    Metric M-3 (Drift\\n::error file=x::boom) gives no direction for its limit\n"
        "\n"
        "2 rule(s) could not judge 3 record(s) for want of data.\n"
        "\n"
        "Not applicable by decision, not for want of data:\n"
        "  ORG-A.10.4-01: excluded in the Statement of Applicability (A.10.4: We supply no AI to "
        "anyone.)\n"
        "  ORG-4.3-01: the rule's 'when' condition does not hold for this export\n"
    )


def test_the_rule_filters_narrow_the_view_and_json_is_for_machines(repo: Path) -> None:
    result = run(
        "--not-assessed", "repo", "--no-default-rules", "--rules", "pack", "--clause", "9",
        "--format", "json", *AS_OF,
    )  # fmt: skip
    assert result.exit_code == EXIT_OK
    assert json.loads(result.stdout) == {
        "format": "aimscheck-not-assessed/1",
        "export": "repo",
        "as_of": "2026-11-20",
        "not_assessed": [
            {
                "rule": "ORG-9.1-01",
                "title": "Metrics stay inside their directed limits",
                "clauses": ["9.1"],
                "controls": [],
                "records": [
                    {
                        "subject": "metrics/M-1",
                        "location": {"file": "repo/aims.yaml", "line": 12},
                        "message": "Metric M-1 (Accuracy) gives no direction for its limit",
                    },
                    {
                        "subject": "metrics/M-3",
                        "location": {"file": "repo/aims.yaml", "line": 24},
                        "message": "Metric M-3 (Drift\n::error file=x::boom) gives no direction "
                        "for its limit",
                    },
                ],
            }
        ],
        "not_applicable_by_decision": [],
    }


def test_markdown_is_a_table_of_the_records_not_assessed(repo: Path) -> None:
    result = run(
        "--not-assessed", "repo", "--no-default-rules", "--rules", "pack", "--control", "A.10",
        "--format", "markdown", *AS_OF,
    )  # fmt: skip
    assert result.stdout == (
        "# Not assessed on repo as of 2026-11-20\n"
        "\n"
        "0 rule(s) could not judge 0 record(s) for want of data.\n"
        "\n"
        "## Not applicable by decision, not for want of data\n"
        "\n"
        "- ORG-A.10.4-01: excluded in the Statement of Applicability (A.10.4: We supply no AI "
        "to anyone.)\n"
    )


def test_a_conforming_fixture_lacks_only_the_first_approvals_it_does_not_record() -> None:
    result = run("--not-assessed", str(FIXTURES / "staldhelm"), "--format", "json", *AS_OF)
    view = json.loads(result.stdout)
    assert [
        (item["rule"], record["subject"])
        for item in view["not_assessed"]
        for record in item["records"]
    ] == [
        ("AIMS-A.6.2.5-02", "ai_systems/rad-triage-cxr"),
        ("AIMS-A.6.2.5-02", "ai_systems/sepsis-ews"),
    ]
    assert view["not_assessed"][0]["records"][0]["message"].endswith(
        "the first approval of its deployment on 2025-09-15 is not recorded: "
        "deployment_approval.first_approved_at"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coverage"], "--coverage and --not-assessed are two views: give one"),
        (["--config", "x.yaml", "--no-config"], "--config and --no-config contradict each other"),
    ],
)
def test_contradicting_options_are_refused(repo: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["rules", "--not-assessed", "repo", *args])
    assert result.exit_code == EXIT_ERROR
    assert message in result.stderr


def test_an_export_that_is_not_there_is_an_error_not_a_traceback(repo: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "--not-assessed", "nowhere", *AS_OF])
    assert result.exit_code == EXIT_ERROR
    assert "Traceback" not in result.output
    assert "nowhere" in result.stderr
