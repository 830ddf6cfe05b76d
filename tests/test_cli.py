"""The command line: exit codes, reports written, and one clear message for every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from lxml import etree

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main

XSD = Path(__file__).parent / "data" / "junit-10.xsd"
AS_OF = ["--as-of", "2026-11-20"]

RULE = """\
rule "ORG-4.3-01" {
  title "Every in-scope AI system names an owner"
  clause "4.3"
  severity minor
  phase scope_definition
  for sys in ai_systems where sys.in_scope
  require sys.owner_ref -> people is set
  because "AI system {sys.id} has no owner"
}
"""


def export(tmp_path: Path, systems: list[dict[str, Any]]) -> Path:
    root = tmp_path / "repo"
    (root / "ai_systems").mkdir(parents=True, exist_ok=True)
    (root / "aims.yaml").write_text(
        yaml.safe_dump(
            {
                "schema_version": "1",
                "organization": {"name": "Org"},
                "people": [{"id": "p1", "name": "Ada"}],
            }
        )
    )
    for system in systems:
        (root / "ai_systems" / f"{system['id']}.yaml").write_text(yaml.safe_dump(system))
    return root


def rules(tmp_path: Path, text: str = RULE) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "org.aims").write_text(text)
    return folder


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def custom_check(tmp_path: Path, systems: list[dict[str, Any]], *extra: str | Path) -> Result:
    return run(
        "check",
        export(tmp_path, systems),
        "--no-default-rules",
        "--rules",
        rules(tmp_path),
        *AS_OF,
        *extra,
    )


GOOD = {"id": "s1", "name": "Scoring", "in_scope": True, "owner_ref": "p1"}
BAD = {"id": "s2", "name": "Chatbot", "in_scope": True}


def test_version_and_help() -> None:
    assert run("--version").output.startswith("aimscheck, version ")
    result = run("--help")
    assert result.exit_code == EXIT_OK
    assert "check" in result.output


def test_conforming_export_exits_0_and_writes_valid_junit(tmp_path: Path) -> None:
    junit = tmp_path / "out.xml"
    result = custom_check(tmp_path, [GOOD], "--junit", junit)
    assert result.exit_code == EXIT_OK, result.output
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(etree.parse(str(junit))), schema.error_log


def test_finding_exits_1_and_names_file_and_line(tmp_path: Path) -> None:
    result = custom_check(tmp_path, [GOOD, BAD])
    assert result.exit_code == EXIT_FINDINGS
    assert "ai_systems/s2.yaml:1" in result.output
    assert "AI system s2 has no owner" in result.output


def test_fail_on_threshold(tmp_path: Path) -> None:
    # The rule is graded minor.
    assert custom_check(tmp_path, [BAD], "--fail-on", "major").exit_code == EXIT_OK
    assert custom_check(tmp_path, [BAD], "--fail-on", "minor").exit_code == EXIT_FINDINGS
    assert custom_check(tmp_path, [BAD], "--fail-on", "observation").exit_code == EXIT_FINDINGS
    assert custom_check(tmp_path, [BAD], "--fail-on", "never").exit_code == EXIT_OK


def test_json_report_follows_the_contract(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    custom_check(tmp_path, [GOOD, BAD], "--json", out)
    report = json.loads(out.read_text())
    assert report["format"] == "aimscheck-report/2"
    assert report["as_of"] == "2026-11-20"
    assert report["export"]["digest"].startswith("sha256:")
    assert [r["id"] for r in report["rules"]] == ["ORG-4.3-01"]
    (finding,) = report["results"]
    assert finding["outcome"] == "nonconformity"
    assert finding["subject"] == {"collection": "ai_systems", "id": "s2"}
    assert finding["location"]["file"].endswith("ai_systems/s2.yaml")
    assert finding["location"]["line"] == 1


def test_broken_rule_file_exits_2_with_file_line_col(tmp_path: Path) -> None:
    folder = rules(tmp_path, RULE.replace("require", "requre"))
    result = run("check", export(tmp_path, [GOOD]), "--no-default-rules", "--rules", folder, *AS_OF)
    assert result.exit_code == EXIT_ERROR
    assert "org.aims:7:3: unknown keyword 'requre' in a rule" in result.output
    assert "did you mean 'require'?" in result.output
    assert "Traceback" not in result.output


def test_malformed_export_exits_2_with_file_and_line(tmp_path: Path) -> None:
    root = export(tmp_path, [GOOD])
    (root / "ai_systems" / "s3.yaml").write_text("id: s3\nname: [unclosed\n")
    result = run("check", root, *AS_OF)
    assert result.exit_code == EXIT_ERROR
    assert "s3.yaml:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "no/such/folder", *AS_OF], "no/such/folder"),
        (["check", ".", "--as-of", "31/01/2026"], "is not a date"),
        (["check", ".", "--fail-on", "critical"], "critical"),
        (["check", ".", "--no-default-rules", *AS_OF], "no rules to run"),
    ],
)
def test_bad_options_exit_2(args: list[str], needle: str) -> None:
    result = run(*args)
    assert result.exit_code == EXIT_ERROR
    assert needle in result.output


def test_report_into_missing_folder_exits_2(tmp_path: Path) -> None:
    result = custom_check(tmp_path, [GOOD], "--junit", tmp_path / "nope" / "r.xml")
    assert result.exit_code == EXIT_ERROR
    assert "nope" in result.output


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_bytes(b"\xff\xfe not utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "aimscheck", "check", str(bad), *AS_OF],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == EXIT_ERROR
    assert "Traceback" not in proc.stderr
    assert "broken.yaml" in proc.stderr


def test_a_real_process_exits_with_its_code_once_everything_is_written(tmp_path: Path) -> None:
    # As the program, `check` ends the process at once (no freeing of the export object by
    # object): its output, its reports and its exit code must be what an in-process run gives.
    gaps = Path(__file__).resolve().parents[1] / "fixtures" / "gaps"
    junit = tmp_path / "report.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "aimscheck", "check", str(gaps), *AS_OF, "--junit", str(junit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    in_process = CliRunner().invoke(main, ["check", str(gaps), *AS_OF])
    assert proc.returncode == in_process.exit_code == EXIT_FINDINGS
    assert proc.stdout == in_process.stdout
    assert proc.stdout.rstrip().endswith("finding(s)")
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.parse(str(junit)))


URI_RULE = """\
rule "ORG-9.3-01" {
  title "The management review minutes are on record"
  clause "9.3.3"
  severity minor
  phase monitoring
  for r in management_reviews
  require r.held_at is set
  evidence r.minutes_ref
}
"""


def test_uri_proof_counts_missing_only_when_asked(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "aims.yaml").write_text(
        yaml.safe_dump(
            {
                "schema_version": "1",
                "organization": {"name": "Org"},
                "evidence": [
                    {"id": "EV-1", "kind": "minutes", "uri": "https://dms.example/minutes/7"}
                ],
                "management_reviews": [
                    {"id": "MR-1", "held_at": "2026-10-01", "minutes_ref": "EV-1"}
                ],
            }
        )
    )
    folder = rules(tmp_path, URI_RULE)
    base = ["check", root, "--no-default-rules", "--rules", folder, *AS_OF]
    assert run(*base).exit_code == EXIT_OK
    flagged = run(*base, "--uri-counts-missing")
    assert flagged.exit_code == EXIT_FINDINGS
    assert "unverifiable" in flagged.output or "another system" in flagged.output


def test_where_on_a_section_decides_whether_it_is_checked(tmp_path: Path) -> None:
    rule = """\
rule "ORG-4.3-09" {
  title "A pilot scope states its statement"
  clause "4.3"
  severity minor
  phase scope_definition
  for s in scope where s.is_pilot == true
  require s.statement == "never"
}
"""
    root = export(tmp_path, [GOOD])
    folder = rules(tmp_path, rule)
    base = ["check", root, "--no-default-rules", "--rules", folder, *AS_OF]
    assert run(*base).exit_code == EXIT_OK  # no scope section, not a pilot: nothing to check


def test_limit_option_is_applied_to_the_check(tmp_path: Path) -> None:
    root = export(tmp_path, [GOOD])
    ok = run("check", root, "--no-default-rules", "--rules", rules(tmp_path), *AS_OF)
    assert ok.exit_code == EXIT_OK
    tight = run(
        "check",
        root,
        "--no-default-rules",
        "--rules",
        rules(tmp_path),
        *AS_OF,
        "--limit",
        "max_files=1",
    )
    assert tight.exit_code == EXIT_ERROR
    assert "max_files" in tight.output
    bad = run("check", root, *AS_OF, "--limit", "max_size=3")
    assert bad.exit_code == EXIT_ERROR
    assert "unknown limit 'max_size' in --limit" in bad.output
