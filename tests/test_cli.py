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

from aimscheck.cli import COMMANDS, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main

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


def test_the_help_lists_each_command_with_a_whole_sentence() -> None:
    listing = run("--help").output.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listing] == sorted(COMMANDS)
    for line in listing:
        name, said = line.split(maxsplit=1)
        assert said == COMMANDS[name]  # whole: click would cut a docstring with "..."
        assert said.endswith(".") and "..." not in said
    # The subcommands of `evidence` too.
    subcommands = run("evidence", "--help").output.split("Commands:\n", 1)[1]
    assert subcommands.count(".\n") == 2 and "..." not in subcommands


def test_a_misspelt_command_or_option_gets_a_suggestion_in_the_usual_layout() -> None:
    result = run("chek", ".")
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == ""
    assert result.stderr == (
        "aimscheck: error:\n"
        "No such command 'chek'. Did you mean 'check'?\n"
        "  hint: 'aimscheck --help' lists the commands\n"
    )
    result = run("check", ".", "--fial-on", "major")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("aimscheck: error:\nNo such option '--fial-on'.")
    assert "'--fail-on'" in result.stderr
    assert result.stderr.endswith("  hint: see 'aimscheck check --help'\n")
    # A bad value too: one layout for every error, whoever finds it.
    result = run("check", ".", "--fail-on", "critical")
    assert result.stderr.startswith("aimscheck: error:\nInvalid value for '--fail-on'")
    assert run().exit_code == EXIT_ERROR  # a bare `aimscheck` shows the help, as before


def test_a_misspelt_evidence_subcommand_is_not_taken_for_an_export_path() -> None:
    result = run("evidence", "hsah", "files")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == (
        "aimscheck: error:\n"
        "No such command 'hsah'. Did you mean 'hash'?\n"
        "  hint: 'aimscheck evidence --help' lists the commands\n"
    )


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


def many_bad(count: int) -> list[dict[str, Any]]:
    return [{"id": f"s{n:03}", "name": f"System {n}", "in_scope": True} for n in range(count)]


def test_on_a_terminal_the_findings_are_capped_and_the_files_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aimscheck.terminal.stdout_is_terminal", lambda: True)
    result = custom_check(tmp_path, many_bad(60), "--json", tmp_path / "all.json")
    assert result.exit_code == EXIT_FINDINGS
    lines = result.stdout.splitlines()
    assert sum(" has no owner" in line for line in lines) == 50
    assert (
        f"… and 10 more findings, not listed: every finding is in {tmp_path / 'all.json'}; "
        "--max-findings 0 lists them here"
    ) in lines
    assert lines[-1] == "FAILED at --fail-on minor: 60 finding(s)"
    every = custom_check(tmp_path, many_bad(60), "--max-findings", "0")
    assert sum(" has no owner" in line for line in every.stdout.splitlines()) == 60


def test_off_a_terminal_every_finding_is_listed_unless_capped(tmp_path: Path) -> None:
    result = custom_check(tmp_path, many_bad(60))
    assert sum(" has no owner" in line for line in result.stdout.splitlines()) == 60
    assert "more findings" not in result.stdout
    capped = custom_check(tmp_path, many_bad(60), "--max-findings", "3")
    assert sum(" has no owner" in line for line in capped.stdout.splitlines()) == 3
    assert "… and 57 more findings, not listed: --max-findings 0 lists" in capped.stdout
    bad = custom_check(tmp_path, [BAD], "--max-findings", "-1")
    assert bad.exit_code == EXIT_ERROR
    assert "--max-findings" in bad.stderr


def test_quiet_prints_nothing_but_an_explicit_format_wins(tmp_path: Path) -> None:
    quiet = custom_check(tmp_path, [GOOD, BAD], "--quiet")
    assert (quiet.exit_code, quiet.stdout) == (EXIT_FINDINGS, "")
    asked = custom_check(tmp_path, [GOOD, BAD], "--quiet", "--format", "json")
    assert asked.exit_code == EXIT_FINDINGS
    assert json.loads(asked.stdout)["results"][0]["subject"]["id"] == "s2"
    text = custom_check(tmp_path, [GOOD, BAD], "-q", "--format", "text")
    assert "AI system s2 has no owner" in text.stdout


def test_the_markdown_summary_links_to_the_html_report_of_the_run(tmp_path: Path) -> None:
    (tmp_path / "out" / "md").mkdir(parents=True)
    summary, page = tmp_path / "out" / "md" / "summary.md", tmp_path / "out" / "readiness.html"
    custom_check(tmp_path, [GOOD, BAD], "--markdown", summary, "--html", page)
    assert "[readiness.html](../readiness.html)" in summary.read_text()
    alone = custom_check(tmp_path, [GOOD, BAD], "--format", "markdown")
    assert "📄 Full report" not in alone.stdout  # no HTML report written: no link


@pytest.mark.parametrize(
    "args",
    [
        ["rules"],
        ["fmt", "--diff", "{tmp}"],
        ["check", "fixtures/gaps", "--as-of", "2026-11-20"],
    ],
)
def test_output_into_a_pipe_its_reader_closed_ends_quietly_with_the_sigpipe_status(
    args: list[str], tmp_path: Path
) -> None:
    import os

    from aimscheck.cli import EXIT_CLOSED_PIPE

    (tmp_path / "org.aims").write_text(
        'rule "ORG-4.3-01" {\ntitle "t"\nclause "4.3"\nseverity minor\nphase monitoring\n'
        "require true\n}\n"
    )
    args = [a.replace("{tmp}", str(tmp_path / "org.aims")) for a in args]
    read, write = os.pipe()
    os.close(read)  # `aimscheck … | head` once head has what it wanted
    try:
        done = subprocess.run(
            [sys.executable, "-m", "aimscheck", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            cwd=Path(__file__).parent.parent,
        )
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == EXIT_CLOSED_PIPE
