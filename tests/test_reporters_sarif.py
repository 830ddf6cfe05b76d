"""SARIF 2.1.0: valid against the official schema, one result per finding at its YAML line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from reportdata import AUDIT, IMPACT, RESULTS, RISK, RULES, VERIFICATION, make_report

from aimscheck.check import CheckOptions, run_check
from aimscheck.errors import UsageError
from aimscheck.reporters.sarif import DOCS_URL, FINGERPRINT, artifact_uri, render
from aimscheck.results import Baseline, Outcome, Report, RuleAdjustment, Severity, Waiver
from aimscheck.source import Location
from aimscheck.waivers import apply_waivers

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    return jsonschema.Draft7Validator(schema)


def rich_report() -> Report:
    """The sample report with a waiver in force, an expired one, a baseline and a re-grading."""
    waivers = [
        Waiver(
            IMPACT.id,
            "ai_systems/credit-scoring",
            "Vendor assessment due in Q2",
            "Dana Vance",
            dt.date(2026, 6, 30),
            Location("aimscheck.yaml", 12),
        ),
        Waiver(RISK.id, "risks/R-7", "Old", "Dana Vance", dt.date(2026, 1, 31)),
    ]
    plain = tuple(r for r in RESULTS if r.outcome is not Outcome.WAIVED)
    results, statuses = apply_waivers(plain, waivers, dt.date(2026, 3, 1))
    return make_report(
        results=tuple(results),
        waivers=statuses,
        baseline=Baseline("previous.json", frozenset({("AIMS-A.10.3-01", "suppliers/S-2")})),
        adjustments=(
            RuleAdjustment(
                IMPACT.id, IMPACT.title, "severity", "CB grades it major", "minor", "major"
            ),
        ),
    )


@pytest.fixture(scope="module")
def log() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(rich_report()))
    return data


def test_valid_against_the_official_schema(log: dict[str, Any], validator: Any) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_a_real_check_is_valid_too(validator: Any) -> None:
    report = run_check(CheckOptions(ROOT / "fixtures" / "gaps", as_of=dt.date(2026, 11, 20)))
    log = json.loads(render(report))
    assert not list(validator.iter_errors(log))
    results = log["runs"][0]["results"]
    assert len(results) == sum(1 for r in report.results if r.outcome.is_finding)
    for result in results:
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "SRCROOT"
        assert (ROOT / artifact["uri"]).is_file(), artifact  # a real file of this repository
        assert location["physicalLocation"]["region"]["startLine"] >= 1


def test_envelope(log: dict[str, Any]) -> None:
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("aimscheck", "0.1.0")
    assert run["invocations"][0]["properties"]["verdict"] == "not assessable"


def test_one_result_per_finding_and_waived_result(log: dict[str, Any]) -> None:
    results = log["runs"][0]["results"]
    report = rich_report()
    expected = sorted(
        r.key() for r in report.results if r.outcome.is_finding or r.outcome is Outcome.WAIVED
    )
    assert sorted((r["ruleId"], r["properties"]["subject"] or "") for r in results) == expected
    assert all(r["properties"]["outcome"] not in ("pass", "not_applicable") for r in results)


def by_key(log: dict[str, Any], rule: str, subject: str | None) -> dict[str, Any]:
    (found,) = [
        r
        for r in log["runs"][0]["results"]
        if r["ruleId"] == rule and r["properties"]["subject"] == subject
    ]
    return found


def test_levels_follow_severity_and_errors_are_errors(log: dict[str, Any]) -> None:
    assert by_key(log, "AIMS-7.2-01", "people/P-3")["level"] == "note"  # observation
    assert by_key(log, "AIMS-A.10.3-01", "suppliers/S-2")["level"] == "warning"  # minor
    assert by_key(log, "AIMS-5.2-01", "policies/POL-1")["level"] == "error"  # major
    error = by_key(log, AUDIT.id, None)
    assert error["level"] == "error" and "locations" not in error
    assert error["message"]["text"].startswith("rule could not be evaluated: ")


def test_location_is_the_yaml_record(log: dict[str, Any]) -> None:
    result = by_key(log, "AIMS-A.5.2-01", "ai_systems/fraud-detection")
    physical = result["locations"][0]["physicalLocation"]
    assert physical == {  # relative to the repository holding the export (this one)
        "artifactLocation": {"uri": "fixtures/acme-gaps/ai_systems.yaml", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 30},
    }
    assert "- evidence EV-5 (evidence/ia-4-signoff.pdf): expired" in result["message"]["text"]


def test_waived_results_are_suppressed_with_the_justification(log: dict[str, Any]) -> None:
    waived = by_key(log, IMPACT.id, "ai_systems/credit-scoring")
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "justification": "Vendor assessment due in Q2 (approved by Dana Vance, until "
            "2026-06-30)",
        }
    ]
    assert waived["properties"]["rawOutcome"] == "nonconformity"
    expired = by_key(log, RISK.id, "risks/R-7")
    assert "suppressions" not in expired
    assert expired["message"]["text"].endswith("(waiver expired on 2026-01-31)")


def test_baseline_state(log: dict[str, Any]) -> None:
    assert by_key(log, "AIMS-A.10.3-01", "suppliers/S-2")["baselineState"] == "unchanged"
    assert by_key(log, "AIMS-5.2-01", "policies/POL-1")["baselineState"] == "new"
    assert "baselineState" not in by_key(log, IMPACT.id, "ai_systems/credit-scoring")


def test_rules_carry_help_and_index_correctly(log: dict[str, Any]) -> None:
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r.id for r in RULES)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    impact = next(r for r in rules if r["id"] == IMPACT.id)
    assert impact["shortDescription"]["text"] == IMPACT.title
    assert "How to fix: Approve an impact assessment" in impact["help"]["text"]
    assert "ISO/IEC 42001 A.5.2, A.5.3; phase risk assessment." in impact["help"]["text"]
    assert "Graded major (the pack says minor) by the configuration" in impact["help"]["text"]
    assert impact["help"]["markdown"].startswith(f"**{IMPACT.title}**")
    assert impact["defaultConfiguration"] == {"level": "error"}
    assert impact["properties"]["tags"][:3] == ["iso42001", "A.5.2", "A.5.3"]
    verification = next(r for r in rules if r["id"] == VERIFICATION.id)
    assert verification["properties"]["problem.severity"] == "warning"


def test_fingerprints_are_rule_and_subject_not_message() -> None:
    first = json.loads(render(make_report()))["runs"][0]["results"]
    reworded = tuple(dataclasses.replace(r, message=r.message + "!") for r in RESULTS)
    second = json.loads(render(make_report(results=reworded)))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]
    keys = [r["partialFingerprints"][FINGERPRINT] for r in first]
    assert len(keys) == len(set(keys))
    assert "AIMS-6.1.3-02|risks/R-7" in keys
    assert "AIMS-9.2-01|" in keys  # a whole-export result: the rule id alone


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("fixtures/gaps/risks.yaml", "fixtures/gaps/risks.yaml"),
        ("gov docs/ai systems/a b.yaml", "gov%20docs/ai%20systems/a%20b.yaml"),
        ("gov\\risks.yaml", "gov/risks.yaml"),
        ("/srv/gov/aims.yaml", "file:///srv/gov/aims.yaml"),
        ("C:\\gov\\aims.yaml", "file:///C:/gov/aims.yaml"),
        ("gov/r#1.yaml", "gov/r%231.yaml"),
    ],
)
def test_artifact_uris(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_an_empty_report_is_valid(validator: Any) -> None:
    log = json.loads(render(make_report(results=(), rules=())))
    assert not list(validator.iter_errors(log))
    assert log["runs"][0]["results"] == []


def test_severity_levels_cover_every_severity() -> None:
    from aimscheck.reporters.sarif import LEVELS

    assert set(LEVELS) == set(Severity)


def test_an_observation_is_a_note_never_a_nonconformity(validator: Any) -> None:
    observed = next(r for r in RESULTS if r.outcome is Outcome.OBSERVATION)
    for fail_on in (Severity.MINOR, Severity.OBSERVATION):
        log = json.loads(render(make_report(results=(observed,), fail_on=fail_on)))
        assert not list(validator.iter_errors(log))
        (result,) = log["runs"][0]["results"]
        assert result == {
            "ruleId": "AIMS-7.2-01",
            "ruleIndex": 4,
            "kind": "fail",  # a `note` needs kind fail: another kind must have level none
            "level": "note",
            "message": {
                "text": "Jürgen Müller (P-3) holds role aims_owner without a current competence "
                "record"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": "fixtures/acme-gaps/people.yaml",
                            "uriBaseId": "SRCROOT",
                        },
                        "region": {"startLine": 9},
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT: "AIMS-7.2-01|people/P-3"},
            "properties": {
                "outcome": "observation",
                "severity": "observation",
                "subject": "people/P-3",
            },
        }
        assert "nonconformity" not in json.dumps(log["runs"][0]["results"])
    waived = apply_waivers(
        (observed,),
        [Waiver("AIMS-7.2-01", None, "Training booked", "Dana Vance", dt.date(2026, 6, 30))],
        dt.date(2026, 3, 1),
    )[0]
    log = json.loads(render(make_report(results=tuple(waived))))
    assert not list(validator.iter_errors(log))
    (result,) = log["runs"][0]["results"]
    assert result["message"]["text"].endswith("[observation, waived]")
    assert result["properties"]["rawOutcome"] == "observation"


def test_the_verdict_and_its_reasons_are_invocation_properties(log: dict[str, Any]) -> None:
    properties = log["runs"][0]["invocations"][0]["properties"]
    assert (properties["verdict"], properties["verdictReasons"]) == (
        "not assessable",
        ["1 rule error", "3 open majors"],
    )


# --- Paths for code scanning: relative to the repository, wherever the run is made from --------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A governance repository (a git work tree) with the export in governance/."""
    shutil.copytree(ROOT / "fixtures" / "gaps", tmp_path / "repo" / "governance")
    (tmp_path / "repo" / ".git").mkdir()
    return tmp_path / "repo"


def sarif_run(where: Path, export: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from click.testing import CliRunner

    from aimscheck.cli import main

    monkeypatch.chdir(where)
    target = where / "out.sarif"
    args = ["check", export, "--as-of", "2026-11-20", "--sarif", str(target), "-q"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 1, done.output
    data: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return data


def artifacts(log: dict[str, Any]) -> list[dict[str, str]]:
    return [
        location["physicalLocation"]["artifactLocation"]
        for result in log["runs"][0]["results"]
        for location in result.get("locations", [])
    ]


def assert_repository_relative(log: dict[str, Any], repo: Path, validator: Any) -> None:
    assert not list(validator.iter_errors(log))
    run = log["runs"][0]
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base == repo.resolve().as_uri() + "/"
    assert run["automationDetails"] == {"id": "aimscheck/iso42001/governance/"}
    found = artifacts(log)
    assert len(found) > 30
    for artifact in found:
        assert artifact["uriBaseId"] == "SRCROOT", artifact
        uri = artifact["uri"]
        assert uri.startswith("governance/") and "../" not in uri and ":" not in uri, uri
        assert (repo / uri).is_file(), uri


def test_a_run_from_a_subfolder_of_the_export_is_relative_to_the_repository(
    repo: Path, monkeypatch: pytest.MonkeyPatch, validator: Any
) -> None:
    log = sarif_run(repo / "governance" / "ai_systems", "..", monkeypatch)
    assert_repository_relative(log, repo, validator)


def test_a_run_from_outside_the_repository_is_relative_to_it_too(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validator: Any
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = sarif_run(elsewhere, str(repo / "governance"), monkeypatch)
    assert_repository_relative(outside, repo, validator)
    inside = sarif_run(repo, "governance", monkeypatch)
    # The same alerts at the same paths, so code scanning tracks them from run to run.
    assert outside["runs"][0]["results"] == inside["runs"][0]["results"]


def test_an_export_in_no_repository_is_its_own_root(tmp_path: Path, validator: Any) -> None:
    shutil.copytree(ROOT / "fixtures" / "gaps", tmp_path / "gov")
    log = json.loads(render(run_check(CheckOptions(tmp_path / "gov", as_of=dt.date(2026, 11, 20)))))
    assert not list(validator.iter_errors(log))
    run = log["runs"][0]
    assert (
        run["originalUriBaseIds"]["SRCROOT"]["uri"] == (tmp_path / "gov").resolve().as_uri() + "/"
    )
    assert run["automationDetails"] == {"id": "aimscheck/iso42001/"}
    assert {a["uri"] for a in artifacts(log)} >= {
        "corrective_actions.yaml",
        "ai_systems/hr-cv-screening.yaml",
    }


def test_a_file_outside_the_repository_is_an_absolute_uri_without_a_base(
    tmp_path: Path, validator: Any
) -> None:
    outside = tmp_path / "proofs" / "a b.yaml"
    finding = next(r for r in RESULTS if r.outcome is Outcome.NONCONFORMITY)
    result = dataclasses.replace(finding, location=Location(str(outside), 4))
    report = make_report(export_path=str(tmp_path / "gov"), results=(result,))
    log = json.loads(render(report))
    assert not list(validator.iter_errors(log))
    assert artifacts(log) == [{"uri": outside.as_uri()}]
    assert artifacts(log)[0]["uri"].endswith("/proofs/a%20b.yaml")


def test_rules_link_to_their_entry_in_the_rules_catalogue(validator: Any) -> None:
    from aimscheck.docgen import anchor

    report = run_check(CheckOptions(ROOT / "fixtures" / "gaps", as_of=dt.date(2026, 11, 20)))
    log = json.loads(render(report))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    catalogue = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    headings = {
        line.removeprefix("## ") for line in catalogue.splitlines() if line.startswith("## ")
    }
    assert len(rules) == len(report.rules) > 100
    for rule in rules:
        assert rule["id"] in headings, rule["id"]
        assert rule["helpUri"] == f"{DOCS_URL}/rules.md#{anchor(rule['id'])}"
    integrity = next(r for r in rules if r["id"] == "AIMS-7.5.3-INTEGRITY")
    assert integrity["helpUri"].endswith("#aims-753-integrity")
    # An organization's own rule has no entry in the catalogue, so no link.
    own = dataclasses.replace(RISK, location=Location("rules/org/risks.aims", 3))
    (rule,) = json.loads(render(make_report(rules=(own,), results=())))["runs"][0]["tool"][
        "driver"
    ]["rules"]
    assert "helpUri" not in rule


def test_the_docs_address_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIMSCHECK_DOCS_URL", "https://git.example.com/gov/aimscheck/-/blob/v1/docs/"
    )
    report = make_report(rules=(dataclasses.replace(RISK, location=None),), results=())
    (rule,) = json.loads(render(report))["runs"][0]["tool"]["driver"]["rules"]
    assert rule["helpUri"] == (
        "https://git.example.com/gov/aimscheck/-/blob/v1/docs/rules.md#aims-613-02"
    )
    monkeypatch.setenv("AIMSCHECK_DOCS_URL", "docs/rules")
    with pytest.raises(UsageError) as caught:
        render(report)
    assert caught.value.message == "AIMSCHECK_DOCS_URL is not a web address: 'docs/rules'"
