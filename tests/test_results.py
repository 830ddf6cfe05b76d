"""The result records: the engine's fast makers, and grading (an observation is its own outcome)."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from click.testing import Result as Result_

from aimscheck.cli import EXIT_FINDINGS, EXIT_OK, main
from aimscheck.results import (
    EvidenceCheck,
    Outcome,
    Result,
    RuleInfo,
    Severity,
    Subject,
    graded,
    passed,
    subject_of,
)
from aimscheck.source import Location

AS_OF = ["--as-of", "2026-11-20"]

INFO = RuleInfo("AIMS-4.3-01", "t", Severity.MINOR, "scope_definition", ("4.3",), ())
WHERE = Location("aims.yaml", 12)


def test_passed_is_the_passing_result_the_dataclass_makes() -> None:
    proof = (EvidenceCheck("EV-1", "ok"),)
    made = passed(INFO, subject_of("ai_systems", "credit"), WHERE, proof)
    expected = Result(INFO, Outcome.PASS, Subject("ai_systems", "credit"), WHERE, "", proof)
    assert made == expected
    assert hash(made.subject) == hash(expected.subject)
    # Every field is set: a field added to Result must be added to the maker as well.
    assert {f.name: getattr(made, f.name) for f in dataclasses.fields(Result)} == {
        f.name: getattr(expected, f.name) for f in dataclasses.fields(Result)
    }


def test_subject_of_keeps_the_text_reports_group_by() -> None:
    for ident, text in (("credit", "ai_systems/credit"), (None, "ai_systems")):
        made = subject_of("ai_systems", ident)
        assert made == Subject("ai_systems", ident)
        assert str(made) == made.text == text
        assert {f.name: getattr(made, f.name) for f in dataclasses.fields(Subject)} == {
            "collection": "ai_systems",
            "id": ident,
            "text": text,
        }


# --- grading per ISO/IEC 17021-1: an observation is never a nonconformity -----------------------


def test_a_rule_graded_observation_concludes_an_observation() -> None:
    for raw in (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE):
        assert graded(Severity.OBSERVATION, raw) is Outcome.OBSERVATION
        assert graded(Severity.MINOR, raw) is raw
        assert graded(Severity.MAJOR, raw) is raw
    assert Outcome.OBSERVATION.is_finding


RULES = """\
rule "ORG-7.2-01" {
  title "Every in-scope AI system names an owner"
  clause "7.2"
  severity observation
  phase deployment
  for sys in ai_systems where sys.in_scope
  require sys.owner_ref -> people is set
  because "AI system {sys.id} has no owner"
}

rule "ORG-7.5-01" {
  title "Every in-scope AI system has its proof on file"
  clause "7.5.3"
  severity observation
  phase deployment
  for sys in ai_systems where sys.in_scope
  evidence sys.evidence_refs because "AI system {sys.id} has no proof on file"
}
"""


def governance(tmp_path: Path, config: str | None = None) -> Path:
    """An export with one owned system and one without owner or proof, and two rules graded
    observation (one `require`, one `evidence`)."""
    root = tmp_path / "gov"
    root.mkdir()
    (root / "aims.yaml").write_text(
        'schema_version: "1"\norganization: {name: Org}\npeople: [{id: p1, name: Ada}]\n'
        "ai_systems:\n"
        "  - {id: s1, name: Scoring, in_scope: true, owner_ref: p1}\n"
        "  - {id: s2, name: Chatbot, in_scope: true}\n",
        encoding="utf-8",
    )
    (root / "org.aims").write_text(RULES, encoding="utf-8")
    if config is not None:
        (root / "aimscheck.yaml").write_text(config, encoding="utf-8")
    return root


def check(root: Path, *args: str) -> Result_:
    command = ["check", str(root), "--no-default-rules", "--rules", str(root / "org.aims")]
    return CliRunner().invoke(main, [*command, *AS_OF, *args])


def test_every_format_calls_an_observation_an_observation(tmp_path: Path) -> None:
    root = governance(tmp_path)
    out = {name: tmp_path / f"report.{name}" for name in ("json", "junit", "sarif", "md", "html")}
    done = check(
        root,
        "--json", str(out["json"]),
        "--junit", str(out["junit"]),
        "--sarif", str(out["sarif"]),
        "--markdown", str(out["md"]),
        "--html", str(out["html"]),
    )  # fmt: skip
    assert done.exit_code == EXIT_OK, done.output  # observations do not fail at minor
    # Each finding line, after its file:line (the record's line, the engine's concern).
    assert [
        line.split("  ", 1)[1]
        for line in done.output.splitlines()
        if line.startswith(f"{root}/aims.yaml:") and "ai_systems/s2" in line
    ] == [
        "[OBSERVATION] ORG-7.2-01 observation  ai_systems/s2: AI system s2 has no owner",
        "[OBSERVATION] ORG-7.5-01 observation  ai_systems/s2: AI system s2 has no proof on file",
    ]
    assert "subjects with findings: 2 (most: ai_systems/s2 2)" in done.output.splitlines()
    assert "outcomes: 1 pass, 0 nonconformity, 0 missing_evidence, 3 observation" in done.output
    report = json.loads(out["json"].read_text(encoding="utf-8"))
    assert report["format"] == "aimscheck-report/2"
    assert [(r["rule"], r["subject"]["id"], r["outcome"]) for r in report["results"]] == [
        ("ORG-7.2-01", "s2", "observation"),
        ("ORG-7.5-01", "s1", "observation"),
        ("ORG-7.5-01", "s2", "observation"),
    ]
    assert report["summary"]["counts"]["nonconformity"] == 0
    junit = ET.fromstring(out["junit"].read_text(encoding="utf-8"))
    assert junit.attrib["failures"] == "0" and junit.attrib["errors"] == "0"
    assert [s.attrib["type"] for s in junit.iter("skipped")] == ["observation"] * 3
    sarif = json.loads(out["sarif"].read_text(encoding="utf-8"))
    assert {r["level"] for r in sarif["runs"][0]["results"]} == {"note"}
    markdown = out["md"].read_text(encoding="utf-8")
    assert "- 🔵 **AI system `s2`**: 2 observations" in markdown.splitlines()
    html = out["html"].read_text(encoding="utf-8")
    assert "AI system s2: 2 observations" in html
    assert html.count('<span class="kind">Opportunity for improvement</span>') == 3
    for text in (
        json.dumps(report["results"]),
        out["junit"].read_text(encoding="utf-8"),
        json.dumps(sarif["runs"][0]["results"]),
        markdown.split("### Findings by subject")[1].split("###")[0],
        html.split('id="gaps"')[1].split("</section>")[0],
    ):
        assert "nonconformit" not in text.lower()


def test_observations_fail_the_run_only_at_fail_on_observation(tmp_path: Path) -> None:
    root = governance(tmp_path)
    junit = tmp_path / "junit.xml"
    for fail_on, code, failures in (("minor", EXIT_OK, "0"), ("observation", EXIT_FINDINGS, "3")):
        done = check(root, "--fail-on", fail_on, "--junit", str(junit))
        assert done.exit_code == code, done.output
        # The JUnit agrees with the exit code: red testcases only when the job fails.
        assert ET.fromstring(junit.read_text(encoding="utf-8")).attrib["failures"] == failures
    assert check(root).output.endswith("passed at --fail-on minor\n")
    assert check(root, "--fail-on", "observation").output.endswith(
        "FAILED at --fail-on observation: 3 finding(s)\n"
    )


def test_a_regraded_rule_changes_its_outcome(tmp_path: Path) -> None:
    config = (
        "version: 1\nrules:\n  severity:\n"
        "    - {rule: ORG-7.2-01, severity: minor, reason: Our CB grades it minor}\n"
    )
    root = governance(tmp_path, config)
    done = check(root)
    assert done.exit_code == EXIT_FINDINGS
    assert "[MINOR] ORG-7.2-01 nonconformity  ai_systems/s2: AI system s2 has no owner" in (
        done.output
    )
    assert "[OBSERVATION] ORG-7.5-01 observation  ai_systems/s2" in done.output
