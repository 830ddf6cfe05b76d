"""`aimscheck check` wired as a CI would: config, thresholds, waivers, baseline, every report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from junitparser import JUnitXml
from lxml import etree

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main

FIXTURES = Path(__file__).parent.parent / "fixtures"
XSD = Path(__file__).parent / "data" / "junit-10.xsd"
SARIF = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
AS_OF = ["--as-of", "2026-11-20"]


@pytest.fixture
def gov(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the gaps governance repo, the working folder its parent (as in a CI job)."""
    shutil.copytree(FIXTURES / "gaps", tmp_path / "gov")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "gov"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def configure(gov: Path, settings: dict[str, Any]) -> Path:
    path = gov / "aimscheck.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return path


def findings(path: Path, severity: str | None = None) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["results"]
    return [
        r
        for r in results
        if r["outcome"] in ("nonconformity", "missing_evidence", "observation")
        and (severity is None or r["severity"] == severity)
    ]


def subject(result: dict[str, Any]) -> str | None:
    found = result["subject"]
    if found is None:
        return None
    return found["collection"] if found["id"] is None else f"{found['collection']}/{found['id']}"


def waiver_for(result: dict[str, Any], expires: str) -> dict[str, Any]:
    out = {"rule": result["rule"], "justification": "Accepted by the AIMS owner until the fix"}
    if subject(result) is not None:
        out["subject"] = subject(result)
    return {**out, "approver": "Dana Vance (CRO)", "expires": expires}


def test_exit_codes_follow_the_threshold_from_config_or_option(gov: Path) -> None:
    assert run("gov", *AS_OF, "-q").exit_code == EXIT_FINDINGS  # default minor
    configure(gov, {"version": 1, "fail_on": "never"})
    assert run("gov", *AS_OF, "-q").exit_code == EXIT_OK  # the config's threshold
    assert run("gov", *AS_OF, "-q", "--fail-on", "major").exit_code == EXIT_FINDINGS  # option wins
    assert run("gov", *AS_OF, "-q", "--no-config").exit_code == EXIT_FINDINGS
    assert run(str(FIXTURES / "conforming"), *AS_OF, "-q").exit_code == EXIT_OK


def test_waivers_valid_expired_and_unmatched(gov: Path) -> None:
    assert run("gov", *AS_OF, "--json", "before.json", "-q").exit_code == EXIT_FINDINGS
    majors = findings(Path("before.json"), "major")
    assert majors
    waivers = [waiver_for(r, "2026-12-31") for r in majors]
    waivers.append(
        {
            "rule": "AIMS-A.5.2-01",
            "subject": "ai_systems/no-such-system",
            "justification": "A typo",
            "approver": "Dana Vance",
            "expires": "2027-01-31",
        }
    )
    configure(gov, {"fail_on": "major", "waivers": waivers})
    result = run("gov", *AS_OF, "--json", "waived.json")
    assert result.exit_code == EXIT_OK, result.output  # every major waived
    assert f"  active: {majors[0]['rule']}" in result.output
    assert "  matches nothing: AIMS-A.5.2-01 ai_systems/no-such-system" in result.output
    doc = json.loads(Path("waived.json").read_text(encoding="utf-8"))
    waived = [r for r in doc["results"] if r["outcome"] == "waived"]
    assert len(waived) == len(majors)
    assert {r["raw_outcome"] for r in waived} <= {"nonconformity", "missing_evidence"}
    assert waived[0]["waiver"]["expires"] == "2026-12-31" and not waived[0]["waiver"]["expired"]
    assert [w["state"] for w in doc["waivers"]][-1] == "unmatched"
    # The last day covered is 2026-12-31 (UTC); the next day the majors fail again.
    assert run("gov", "--as-of", "2026-12-31", "-q").exit_code == EXIT_OK
    later = run("gov", "--as-of", "2027-01-01")
    assert later.exit_code == EXIT_FINDINGS
    assert "waiver expired on 2026-12-31" in later.output
    assert f"  expired: {majors[0]['rule']}" in later.output


def test_a_baseline_fails_only_on_new_findings(gov: Path) -> None:
    assert run("gov", *AS_OF, "--json", "baseline.json", "-q").exit_code == EXIT_FINDINGS
    known = len(findings(Path("baseline.json")))
    result = run("gov", *AS_OF, "--baseline", "baseline.json")
    assert result.exit_code == EXIT_OK, result.output
    assert f"baseline baseline.json: {known} known findings remain, 0 new, 0 fixed" in result.output
    # A new gap: a person with a role but no competence record breaks a fresh rule.
    people = gov / "people.yaml"
    people.write_text(people.read_text("utf-8") + "- {id: p-new, name: New Starter}\n", "utf-8")
    roles = gov / "roles.yaml"
    text = roles.read_text(encoding="utf-8")
    roles.write_text(text.replace("holder_refs: [", "holder_refs: [p-new, ", 1), "utf-8")
    result = run("gov", *AS_OF, "--baseline", "baseline.json", "--json", "after.json")
    assert result.exit_code == EXIT_FINDINGS, result.output
    assert "FAILED at --fail-on minor: " in result.output and " new finding(s) (" in result.output
    doc = json.loads(Path("after.json").read_text(encoding="utf-8"))
    assert doc["summary"]["baseline"]["new"] >= 1
    assert {r["baseline"] for r in findings(Path("after.json"))} == {"known", "new"}


def test_every_report_from_the_config_each_valid_for_its_consumer(gov: Path) -> None:
    import jsonschema

    (gov / "reports").mkdir()  # inside the repo: docs/security.md, reports named there
    outputs = {f: f"reports/aimscheck.{f}" for f in ("junit", "json", "sarif", "markdown", "html")}
    configure(gov, {"outputs": outputs})
    result = run("gov", *AS_OF, "-q")
    assert result.exit_code == EXIT_FINDINGS and result.output == ""
    reports = gov / "reports"
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(
        etree.parse(str(reports / "aimscheck.junit"))
    )
    sarif = json.loads((reports / "aimscheck.sarif").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(json.loads(SARIF.read_text(encoding="utf-8"))).validate(sarif)
    assert json.loads((reports / "aimscheck.json").read_text("utf-8"))["config"].endswith(
        "aimscheck.yaml"
    )
    assert (reports / "aimscheck.markdown").read_text("utf-8").startswith("## ❌ aimscheck")
    assert "<!DOCTYPE html>" in (reports / "aimscheck.html").read_text("utf-8")
    # An option wins over the config's entry for its format only.
    assert run("gov", *AS_OF, "-q", "--json", "mine.json").exit_code == EXIT_FINDINGS
    assert Path("mine.json").is_file()


def junit_names(path: Path) -> list[str]:
    return [case.name for suite in JUnitXml.fromfile(str(path)) for case in suite]


def test_junit_names_are_unique_and_stable_across_runs(gov: Path) -> None:
    configure(
        gov,
        {
            "waivers": [
                {
                    "rule": "AIMS-A.7.5-01",
                    "subject": "datasets/ds-clickstream",
                    "justification": "Licence under negotiation",
                    "approver": "Dana Vance",
                    "expires": "2027-01-31",
                }
            ]
        },
    )
    assert run("gov", *AS_OF, "-q", "--junit", "one.xml").exit_code == EXIT_FINDINGS
    assert run("gov", *AS_OF, "-q", "--junit", "two.xml").exit_code == EXIT_FINDINGS
    first, second = junit_names(Path("one.xml")), junit_names(Path("two.xml"))
    assert first == second
    assert len(first) == len(set(first)) > 100
    suites = JUnitXml.fromfile("one.xml")
    waived = [
        case
        for suite in suites
        for case in suite
        if case.name == "AIMS-A.7.5-01 datasets/ds-clickstream"
    ]
    (skipped,) = waived[0].result
    assert skipped.type == "waived"
    assert skipped.message == "until 2027-01-31: Licence under negotiation"


def test_config_errors_name_file_and_line(gov: Path) -> None:
    (gov / "aimscheck.yaml").write_text("version: 1\nrules:\n  disabled:\n    - rule: X\n")
    result = run("gov", *AS_OF)
    assert result.exit_code == EXIT_ERROR
    assert "gov/aimscheck.yaml:4: $.rules.disabled[0]: missing required field 'reason'" in (
        result.output
    )
    assert "Traceback" not in result.output


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of `path` that contains `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_rule_settings_flow_into_the_rules(gov: Path) -> None:
    config = configure(
        gov,
        {
            "rules": {
                "parameters": {"AIMS-A.5.2-01": {"max_age": "3650 days"}},
                "severity": [
                    {"rule": "AIMS-4.1-05", "severity": "major", "reason": "Our CB is strict"}
                ],
                "disabled": [{"rule": "AIMS-9.3-01", "reason": "Reviewed at group level"}],
            }
        },
    )
    result = run("gov", *AS_OF, "--json", "out.json")
    doc = json.loads(Path("out.json").read_text(encoding="utf-8"))
    rules = {r["id"]: r for r in doc["rules"]}
    assert "AIMS-9.3-01" not in rules
    assert rules["AIMS-4.1-05"]["severity"] == "major"
    assert doc["adjustments"][0] == {
        "rule": "AIMS-4.1-05",
        "title": rules["AIMS-4.1-05"]["title"],
        "change": "severity",
        "from": "observation",
        "to": "major",
        "reason": "Our CB is strict",
        "location": {"file": "gov/aimscheck.yaml", "line": line_of(config, "AIMS-4.1-05")},
    }
    assert doc["adjustments"][1]["change"] == "disabled"
    line = line_of(config, "AIMS-9.3-01")
    assert f"configuration: AIMS-9.3-01 disabled (gov/aimscheck.yaml:{line}): Rev" in result.output
    impact = [r for r in doc["results"] if r["rule"] == "AIMS-A.5.2-01"]
    assert all("3650 days" in r["message"] for r in impact if r["outcome"] == "nonconformity")


@pytest.mark.parametrize(
    ("rules", "line", "needle"),
    [
        ({"parameters": {"AIMS-A.5.2-01": {"max_age": True}}}, 4, "takes a duration"),
        ({"parameters": {"AIMS-A.5.2-01": {"max_agee": 3}}}, 4, "has no parameter 'max_agee'"),
        ({"parameters": {"AIMS-A.5.2-99": {"max_age": 3}}}, 4, "which is not loaded"),
        ({"disabled": [{"rule": "AIMS-A.5.2-10", "reason": "x"}]}, 3, "did you mean"),
    ],
)
def test_wrong_rule_settings_name_the_config_line(
    gov: Path, rules: dict[str, Any], line: int, needle: str
) -> None:
    configure(gov, {"rules": rules})
    result = run("gov", *AS_OF)
    assert result.exit_code == EXIT_ERROR
    assert f"gov/aimscheck.yaml:{line}: " in result.output and needle in result.output


def test_a_failed_run_leaves_no_report_a_ci_could_read(gov: Path) -> None:
    Path("report.xml").write_text("<testsuites/>")  # yesterday's green report
    (gov / "people.yaml").write_text("- id: [broken\n")
    result = run("gov", *AS_OF, "--junit", "report.xml", "--html", "report.html")
    assert result.exit_code == EXIT_ERROR
    assert not Path("report.xml").exists() and not Path("report.html").exists()
    assert not list(Path().glob(".report*.tmp"))


def test_a_broken_config_also_removes_earlier_reports(gov: Path) -> None:
    Path("report.json").write_text("{}")
    (gov / "aimscheck.yaml").write_text("fail_on: sometimes\n")
    result = run("gov", *AS_OF, "--json", "report.json")
    assert result.exit_code == EXIT_ERROR and "gov/aimscheck.yaml:1: $.fail_on" in result.output
    assert not Path("report.json").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--json", "gov/aims.yaml"], "would overwrite a file this run reads"),
        (["--json", "gov/risks/new.json"], "would overwrite a file this run reads"),
        (["--json", "b.json", "--baseline", "b.json"], "would overwrite a file this run reads"),
        (["--html", "nowhere/report.html"], "the folder nowhere does not exist"),
        (["--config", "gov/aimscheck.yaml", "--no-config"], "contradict"),
        (["--baseline", "missing.json"], "baseline not found: missing.json"),
    ],
)
def test_bad_outputs_and_inputs_exit_2(gov: Path, args: list[str], needle: str) -> None:
    Path("b.json").write_text("{}")
    before = (gov / "aims.yaml").read_bytes()
    result = run("gov", *AS_OF, *args)
    assert result.exit_code == EXIT_ERROR
    assert needle in result.output
    assert (gov / "aims.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("fmt", "start"), [("sarif", "{\n"), ("markdown", "## "), ("html", "<!DOCTYPE html>")]
)
def test_new_formats_on_standard_output(gov: Path, fmt: str, start: str) -> None:
    assert run("gov", *AS_OF, "--format", fmt).output.startswith(start)


def test_no_progress_outside_a_terminal_and_quiet_prints_nothing(gov: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["check", "gov", *AS_OF], catch_exceptions=False)
    assert result.stderr == "" and "verdict:" in result.stdout
    quiet = runner.invoke(main, ["check", "gov", *AS_OF, "-q"], catch_exceptions=False)
    assert quiet.stdout == "" and quiet.stderr == ""
    broken = runner.invoke(main, ["check", "nowhere", *AS_OF, "-q"], catch_exceptions=False)
    assert broken.exit_code == EXIT_ERROR and "export not found" in broken.stderr
