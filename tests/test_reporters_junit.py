"""JUnit XML: valid against junit-10.xsd, stable unique names, the right element per outcome."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped
from lxml import etree
from reportdata import (
    AUDIT,
    DATA_QUALITY,
    IMPACT,
    RESULTS,
    RISK,
    RULES,
    SCOPE,
    make_report,
)

from aimscheck.errors import UsageError
from aimscheck.output import write_atomic
from aimscheck.reporters import REPORTERS, render
from aimscheck.reporters.junit import case_name
from aimscheck.reporters.junit import render as render_junit
from aimscheck.results import Baseline, Outcome, Report, Result, RuleInfo, Severity, Subject
from aimscheck.source import Location

XSD = Path(__file__).parent / "data" / "junit-10.xsd"

SUITES = [
    "Clause 4 The organisation and its AIMS scope",
    "Clause 5 Top management's commitment",
    "Clause 6 Planning for risks and objectives",
    "Clause 7 Resources, competence and documents",
    "Clause 9 Measuring and reviewing the AIMS",
    "Clause 10 Fixing and improving",
    "A.5 Effects of AI on people and society",
    "A.6 AI systems from design to operation",
    "A.7 The data behind AI systems",
    "A.10 Suppliers, partners and customers",
]
NAMES = {
    "AIMS-4.3-01",
    "AIMS-5.2-01 policies/POL-1",
    "AIMS-6.1.3-02 risks/R-7",
    "AIMS-6.1.3-02 passed subjects",
    "AIMS-7.2-01 people/P-3",
    "AIMS-7.2-01 passed subjects",
    "AIMS-9.2-01",
    "AIMS-10.2-01 passed subjects",
    "AIMS-A.5.2-01 ai_systems/credit-scoring",
    "AIMS-A.5.2-01 ai_systems/fraud-detection",
    "AIMS-A.5.2-01 passed subjects",
    "AIMS-A.6.2.4-01 ai_systems/credit-scoring",
    "AIMS-A.6.2.4-01 passed subjects",
    "AIMS-A.7.4-01 ai_systems/chatbot",
    "AIMS-A.7.4-01 ai_systems/credit-scoring",
    "AIMS-A.10.3-01 suppliers/S-2",
    "AIMS-A.10.3-01 passed subjects",
}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def xml() -> str:
    return render_junit(make_report())


@pytest.fixture(scope="module")
def root(xml: str) -> ET.Element:
    return ET.fromstring(xml)


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.attrib["name"]: c for c in root.iter("testcase")}


def parse(xml: str) -> JUnitXml:
    # As a consumer reads the file: bytes, so that the encoding declaration is honoured.
    return JUnitXml.fromstring(xml.encode("utf-8"))


def assert_valid(schema: etree.XMLSchema, xml: str) -> None:
    document = etree.fromstring(xml.encode("utf-8"))
    assert schema.validate(document), schema.error_log


def test_validates_against_junit_10_xsd(schema: etree.XMLSchema, xml: str) -> None:
    assert_valid(schema, xml)


def test_one_document_with_declaration(xml: str) -> None:
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    assert xml.count("<?xml") == 1
    assert xml.count("<testsuites") == 1
    assert xml.endswith("</testsuites>\n")


def test_no_attributes_the_strict_xsd_rejects(root: ET.Element) -> None:
    for element in root.iter():
        assert not {"disabled", "skips", "file", "line", "assertions"} & set(element.attrib)


def test_root_and_suites_in_natural_order(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    assert root.attrib["name"] == "aimscheck"
    assert [s.attrib["name"] for s in root.findall("testsuite")] == SUITES


def test_suite_properties(root: ET.Element) -> None:
    for suite in root.findall("testsuite"):
        props = {p.attrib["name"]: p.attrib["value"] for p in suite.iter("property")}
        assert props == {
            "pack_version": "iso42001-2023.1",
            "as_of": "2026-03-01",
            "export_digest": "sha256:9f2c4e1d",
            "tool_version": "0.1.0",
        }


def test_names_are_exactly_rule_and_subject(root: ET.Element) -> None:
    names = [c.attrib["name"] for c in root.iter("testcase")]
    assert len(names) == len(set(names))
    assert set(names) == NAMES


def test_classnames_split_at_the_last_dot_into_group_and_requirement(root: ET.Element) -> None:
    by_name = cases(root)
    assert by_name["AIMS-A.5.2-01 ai_systems/credit-scoring"].attrib["classname"] == (
        "iso42001.A_5.A_5_2"
    )
    assert by_name["AIMS-6.1.3-02 risks/R-7"].attrib["classname"] == "iso42001.clause_6.6_1_3"
    assert by_name["AIMS-9.2-01"].attrib["classname"] == "iso42001.clause_9.9_2_1"
    # A rule citing a clause and a control reports under its clause (RuleInfo.group).
    assert by_name["AIMS-5.2-01 policies/POL-1"].attrib["classname"] == "iso42001.clause_5.5_2"
    assert by_name["AIMS-A.10.3-01 passed subjects"].attrib["classname"] == ("iso42001.A_10.A_10_3")
    # Jenkins: package = before the last dot, class = after it; GitLab groups by the package.
    for case in root.iter("testcase"):
        package, _, leaf = case.attrib["classname"].rpartition(".")
        assert package.count(".") == 1 and package.startswith("iso42001."), package
        assert leaf and "." not in leaf


def outcome_element(case: ET.Element) -> tuple[str, dict[str, str]] | None:
    for tag in ("failure", "error", "skipped"):
        found = case.find(tag)
        if found is not None:
            return tag, dict(found.attrib)
    return None


def test_each_outcome_gets_its_element_and_type(root: ET.Element) -> None:
    by_name = cases(root)

    def kind(name: str) -> tuple[str, str] | None:
        found = outcome_element(by_name[name])
        return None if found is None else (found[0], found[1]["type"])

    assert kind("AIMS-6.1.3-02 risks/R-7") == ("failure", "nonconformity.major")
    # Below --fail-on minor: the observation does not fail the run, so it is not red either.
    assert kind("AIMS-7.2-01 people/P-3") == ("skipped", "observation")
    assert kind("AIMS-A.10.3-01 suppliers/S-2") == ("failure", "nonconformity.minor")
    assert kind("AIMS-A.5.2-01 ai_systems/fraud-detection") == (
        "failure",
        "missing-evidence.major",
    )
    assert kind("AIMS-5.2-01 policies/POL-1") == ("failure", "missing-evidence.major")
    assert kind("AIMS-9.2-01") == ("error", "evaluation-error")
    assert kind("AIMS-A.7.4-01 ai_systems/chatbot") == ("skipped", "not-applicable")
    assert kind("AIMS-A.6.2.4-01 ai_systems/credit-scoring") == ("skipped", "waived")
    for name in NAMES:
        if name.endswith("passed subjects") or name == "AIMS-4.3-01":
            assert kind(name) is None, name


def test_messages_are_the_result_messages(root: ET.Element) -> None:
    by_name = cases(root)
    failure = by_name["AIMS-6.1.3-02 risks/R-7"].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == (
        "Risk R-7 scores 16 above the threshold 12 but has no treatment"
    )
    waived = by_name["AIMS-A.6.2.4-01 ai_systems/credit-scoring"].find("skipped")
    assert waived is not None
    assert waived.attrib["message"] == (
        "until 2026-06-30: revalidation is scheduled after the Q2 retraining"
    )
    assert "raw outcome: nonconformity" in (waived.text or "")
    na = by_name["AIMS-A.7.4-01 ai_systems/chatbot"].find("skipped")
    assert na is not None
    assert na.attrib["message"] == "A.7.4 is excluded in the SoA: no training data is used"
    error = by_name["AIMS-9.2-01"].find("error")
    assert error is not None
    assert error.attrib["message"] == "cannot compare date with string 'last spring'"


def test_failure_body_says_where_why_and_how_to_fix(root: ET.Element) -> None:
    failure = cases(root)["AIMS-A.5.2-01 ai_systems/fraud-detection"].find("failure")
    assert failure is not None
    body = (failure.text or "").splitlines()
    assert body == [
        f"rule: {IMPACT.id} {IMPACT.title}",
        "severity: major",
        "outcome: missing_evidence",
        "subject: ai_systems/fraud-detection",
        "location: fixtures/acme-gaps/ai_systems.yaml:30",
        "controls: A.5.2, A.5.3",
        "evidence looked for:",
        "  - EV-4 (evidence/ia-4.pdf) ok",
        "  - EV-5 (evidence/ia-4-signoff.pdf) expired: expired on 2025-12-31",
        f"fix: {IMPACT.fix}",
    ]


def test_whole_export_failure_body(root: ET.Element) -> None:
    error = cases(root)["AIMS-9.2-01"].find("error")
    assert error is not None
    text = error.text or ""
    assert "subject: the whole export" in text
    assert "clauses: 9.2.1, 9.2.2" in text
    assert "location:" not in text


def test_passed_subjects_are_listed_in_system_out(root: ET.Element) -> None:
    by_name = cases(root)
    out = by_name["AIMS-6.1.3-02 passed subjects"].findtext("system-out")
    assert out == f"{RISK.id} {RISK.title}\n2 subject(s) passed:\n  risks/R-1\n  risks/R-2"
    assert "nothing to check" in (
        by_name["AIMS-10.2-01 passed subjects"].findtext("system-out") or ""
    )
    assert "whole export" in (by_name["AIMS-4.3-01"].findtext("system-out") or "")


def test_wholly_failing_rule_has_no_passed_case() -> None:
    report = make_report(
        rules=(RISK,), results=(Result(RISK, Outcome.NONCONFORMITY, Subject("risks", "R-1")),)
    )
    names = [c.attrib["name"] for c in ET.fromstring(render_junit(report)).iter("testcase")]
    assert names == ["AIMS-6.1.3-02 risks/R-1"]


def test_counts_seen_by_junitparser(xml: str) -> None:
    parsed = parse(xml)
    totals = Counter[str]()
    keys = []
    for suite in parsed:
        kinds = Counter[str]()
        for case in suite:
            keys.append((case.classname, case.name))
            for result in case.result:
                kinds[type(result).__name__] += 1
            kinds["tests"] += 1
        assert suite.tests == kinds["tests"], suite.name
        assert suite.failures == kinds[Failure.__name__], suite.name
        assert suite.errors == kinds[Error.__name__], suite.name
        assert suite.skipped == kinds[Skipped.__name__], suite.name
        totals.update(kinds)
    assert len(keys) == len(set(keys))  # GitLab's identity: classname + name
    assert (totals["tests"], totals["Failure"], totals["Error"], totals["Skipped"]) == (17, 5, 1, 4)
    assert (parsed.tests, parsed.failures, parsed.errors) == (17, 5, 1)


def test_written_file_reads_back(tmp_path: Path, xml: str, schema: etree.XMLSchema) -> None:
    target = tmp_path / "aimscheck-junit.xml"
    write_atomic(target, xml)
    assert schema.validate(etree.parse(str(target)))
    parsed = JUnitXml.fromfile(str(target))
    assert parsed.tests == 17
    assert any(case.name == "AIMS-7.2-01 people/P-3" for s in parsed for case in s)


def test_names_do_not_depend_on_messages(root: ET.Element) -> None:
    reworded = tuple(dataclasses.replace(r, message=r.message + " (reworded)") for r in RESULTS)
    again = ET.fromstring(render_junit(make_report(results=reworded)))
    assert set(cases(again)) == set(cases(root))


def test_output_does_not_depend_on_input_order(xml: str) -> None:
    shuffled_results = list(RESULTS)
    shuffled_rules = list(RULES)
    random.Random(7).shuffle(shuffled_results)
    random.Random(7).shuffle(shuffled_rules)
    report = make_report(rules=tuple(shuffled_rules), results=tuple(shuffled_results))
    assert render_junit(report) == xml


def test_hostile_text_is_escaped_or_replaced(schema: etree.XMLSchema) -> None:
    nasty = 'bad <tag> & "quotes" \x01 bell\x07 \ufffe end \ud800'
    rule = RuleInfo("AIMS-A.5.2-01", "t <&>", Severity.MAJOR, "risk_assessment", (), ("A.5.2",))
    result = Result(
        rule,
        Outcome.NONCONFORMITY,
        Subject("ai_systems", "x<&>\x01"),
        Location("a&b.yaml", 3),
        nasty,
        evidence=(),
    )
    xml = render_junit(make_report(rules=(rule,), results=(result,)))
    assert_valid(schema, xml)
    assert "\x01" not in xml and "\x07" not in xml
    case = next(ET.fromstring(xml).iter("testcase"))
    assert case.attrib["name"] == "AIMS-A.5.2-01 ai_systems/x<&>\ufffd"
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["message"] == 'bad <tag> & "quotes" \ufffd bell\ufffd \ufffd end \ufffd'
    assert "location: a&b.yaml:3" in (failure.text or "")


def test_multiline_message_survives_in_the_attribute(schema: etree.XMLSchema) -> None:
    result = Result(RISK, Outcome.NONCONFORMITY, Subject("risks", "R-1"), None, "line 1\nline 2")
    xml = render_junit(make_report(rules=(RISK,), results=(result,)))
    assert_valid(schema, xml)
    failure = next(ET.fromstring(xml).iter("failure"))
    assert failure.attrib["message"] == "line 1\nline 2"


def test_duplicate_results_keep_distinct_names(schema: etree.XMLSchema) -> None:
    twice = Result(RISK, Outcome.NONCONFORMITY, Subject("risks", "R-1"), None, "m")
    xml = render_junit(make_report(rules=(RISK,), results=(twice, twice)))
    assert_valid(schema, xml)
    names = [c.attrib["name"] for c in ET.fromstring(xml).iter("testcase")]
    assert names == ["AIMS-6.1.3-02 risks/R-1", "AIMS-6.1.3-02 risks/R-1 (2)"]


def test_rule_without_references_goes_to_a_last_other_suite(schema: etree.XMLSchema) -> None:
    bare = RuleInfo("ZZ-1", "bare", Severity.MINOR, "monitoring", (), ())
    xml = render_junit(make_report(rules=(bare, SCOPE), results=()))
    assert_valid(schema, xml)
    root = ET.fromstring(xml)
    assert [s.attrib["name"] for s in root.findall("testsuite")] == [SUITES[0], "other"]
    assert cases(root)["ZZ-1 passed subjects"].attrib["classname"] == "iso42001.other.ZZ-1"


def test_empty_report_is_valid(schema: etree.XMLSchema) -> None:
    xml = render_junit(make_report(rules=(), results=()))
    assert_valid(schema, xml)
    assert ET.fromstring(xml).findall("testsuite") == []


def test_all_not_applicable_rule_is_all_skipped() -> None:
    report = make_report(
        rules=(DATA_QUALITY,), results=tuple(r for r in RESULTS if r.rule is DATA_QUALITY)
    )
    suite = parse(render_junit(report))
    only = next(iter(suite))
    assert (only.tests, only.skipped, only.failures) == (2, 2, 0)


def test_error_only_run_counts_as_error_not_failure() -> None:
    report = make_report(rules=(AUDIT,), results=tuple(r for r in RESULTS if r.rule is AUDIT))
    parsed = parse(render_junit(report))
    assert (parsed.errors, parsed.failures) == (1, 0)


# The registry lives in aimscheck/reporters/__init__.py; its laziness matters most for junit_xml.


def test_registry_names_and_dispatch() -> None:
    assert list(REPORTERS) == ["text", "json", "junit", "sarif", "markdown", "html"]
    report: Report = make_report()
    assert render("junit", report) == render_junit(report)


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        render("xml", make_report())
    assert "'xml'" in caught.value.message
    assert caught.value.hint == "choose one of: html, json, junit, markdown, sarif, text"
    assert caught.value.code == "AIMS-E005"


def test_importing_the_registry_loads_no_format() -> None:
    code = (
        "import sys, aimscheck.reporters\n"
        "loaded = [m for m in ('junit_xml', 'aimscheck.reporters.junit',"
        " 'aimscheck.reporters.json', 'aimscheck.reporters.text', 'aimscheck.reporters.sarif',"
        " 'aimscheck.reporters.markdown', 'aimscheck.reporters.html') if m in sys.modules]\n"
        "print(','.join(loaded))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    assert done.stdout.strip() == ""


# --- JUnit agrees with the exit code: red only for what fails the run -------------------------


def red(xml: str) -> set[str]:
    """The testcases a CI view shows red: those with a <failure> or an <error>."""
    return {
        c.attrib["name"]
        for c in ET.fromstring(xml).iter("testcase")
        if c.find("failure") is not None or c.find("error") is not None
    }


@pytest.mark.parametrize("fail_on", [Severity.MAJOR, Severity.MINOR, Severity.OBSERVATION, None])
def test_red_testcases_are_exactly_the_failing_results(
    schema: etree.XMLSchema, fail_on: Severity | None
) -> None:
    report = make_report(fail_on=fail_on)
    xml = render_junit(report)
    assert_valid(schema, xml)
    assert red(xml) == {case_name(r) for r in report.failing()}
    # The job fails (exit 1) exactly when some testcase is red.
    assert bool(red(xml)) is bool(report.failing())


def test_an_observation_fails_only_at_fail_on_observation(schema: etree.XMLSchema) -> None:
    name = "AIMS-7.2-01 people/P-3"
    gated = render_junit(make_report(fail_on=Severity.OBSERVATION))
    assert_valid(schema, gated)
    failure = cases(ET.fromstring(gated))[name].find("failure")
    assert failure is not None
    assert failure.attrib == {
        "type": "observation",
        "message": "Jürgen Müller (P-3) holds role aims_owner without a current competence record",
    }
    assert (failure.text or "").splitlines() == [
        "rule: AIMS-7.2-01 AIMS role holders have a current competence record",
        "severity: observation",
        "outcome: observation",
        "subject: people/P-3",
        "location: fixtures/acme-gaps/people.yaml:9",
        "clauses: 7.2",
    ]
    skipped = cases(ET.fromstring(render_junit(make_report())))[name].find("skipped")
    assert skipped is not None
    assert skipped.attrib == {
        "type": "observation",
        "message": "Jürgen Müller (P-3) holds role aims_owner without a current competence "
        "record (does not fail the run: below --fail-on minor)",
    }
    assert (skipped.text or "").splitlines()[-1] == (
        "gate: it does not fail the run (below --fail-on minor)"
    )
    for xml in (gated, render_junit(make_report())):
        assert "nonconformity" not in ET.tostring(cases(ET.fromstring(xml))[name], "unicode")


def test_findings_below_the_threshold_or_in_the_baseline_are_skipped() -> None:
    minor = cases(ET.fromstring(render_junit(make_report(fail_on=Severity.MAJOR))))
    skipped = minor["AIMS-A.10.3-01 suppliers/S-2"].find("skipped")
    assert skipped is not None
    assert skipped.attrib == {
        "type": "nonconformity.minor",
        "message": "Supplier S-2 (ModelHub) has no assessment "
        "(does not fail the run: below --fail-on major)",
    }
    known = Baseline("old.json", frozenset({("AIMS-6.1.3-02", "risks/R-7")}))
    baseline = cases(ET.fromstring(render_junit(make_report(baseline=known))))
    skipped = baseline["AIMS-6.1.3-02 risks/R-7"].find("skipped")
    assert skipped is not None
    assert skipped.attrib["type"] == "nonconformity.major"
    assert skipped.attrib["message"].endswith("(does not fail the run: known in the baseline)")
    never = cases(ET.fromstring(render_junit(make_report(fail_on=None))))
    error = never["AIMS-9.2-01"].find("skipped")
    assert error is not None
    assert error.attrib["type"] == "evaluation-error"
    assert error.attrib["message"].endswith("(does not fail the run: --fail-on never)")


# --- Test history: names that survive re-grading, and fixed findings that pass ---------------


def test_regrading_a_rule_keeps_every_name_and_changes_the_type(root: ET.Element) -> None:
    minor = dataclasses.replace(RISK, severity=Severity.MINOR)
    regraded = tuple(dataclasses.replace(r, rule=minor) if r.rule is RISK else r for r in RESULTS)
    rules = tuple(minor if r is RISK else r for r in RULES)
    again = cases(ET.fromstring(render_junit(make_report(rules=rules, results=regraded))))
    assert set(again) == set(cases(root))
    before = outcome_element(cases(root)["AIMS-6.1.3-02 risks/R-7"])
    after = outcome_element(again["AIMS-6.1.3-02 risks/R-7"])
    assert before is not None and after is not None
    assert (before[1]["type"], after[1]["type"]) == ("nonconformity.major", "nonconformity.minor")


def test_findings_fixed_since_the_baseline_pass_under_their_own_names(
    schema: etree.XMLSchema,
) -> None:
    baseline = Baseline(
        "previous.json",
        frozenset(
            {
                ("AIMS-6.1.3-02", "risks/R-7"),  # still there: known, skipped
                ("AIMS-6.1.3-02", "risks/R-1"),  # passes now
                ("AIMS-6.1.3-02", "risks/R-9"),  # no longer checked (record removed)
                ("AIMS-4.3-01", ""),  # a whole-export finding that passes now
                ("AIMS-99-01", "risks/R-1"),  # a rule no longer run: no case
                ("AIMS-9.2-01", "audits/A-1"),  # its rule is in error: not known to be fixed
            }
        ),
    )
    xml = render_junit(make_report(baseline=baseline))
    assert_valid(schema, xml)
    by_name = cases(ET.fromstring(xml))
    assert set(by_name) == NAMES | {"AIMS-6.1.3-02 risks/R-1", "AIMS-6.1.3-02 risks/R-9"}
    fixed = by_name["AIMS-6.1.3-02 risks/R-1"]
    assert outcome_element(fixed) is None
    assert fixed.attrib["classname"] == "iso42001.clause_6.6_1_3"
    assert (fixed.findtext("system-out") or "").splitlines() == [
        f"{RISK.id} {RISK.title}",
        "subject: risks/R-1",
        "fixed: the baseline previous.json holds this finding; it no longer occurs",
        "location: fixtures/acme-gaps/risks.yaml:2",
    ]
    gone = by_name["AIMS-6.1.3-02 risks/R-9"]
    assert outcome_element(gone) is None
    assert (gone.findtext("system-out") or "").endswith(
        "the subject is no longer checked by this rule (removed or out of scope)"
    )
    whole = by_name["AIMS-4.3-01"]
    assert outcome_element(whole) is None
    assert (whole.findtext("system-out") or "").splitlines()[-1] == (
        "fixed: the baseline previous.json holds this finding; it no longer occurs"
    )
    known = outcome_element(by_name["AIMS-6.1.3-02 risks/R-7"])
    assert known is not None and known[0] == "skipped"
    parsed = parse(xml)
    assert parsed.tests == len(NAMES) + 2
    assert (parsed.failures, parsed.errors) == (4, 1)  # R-7 is known: skipped, not red


def junit_outcomes(path: Path) -> dict[tuple[str, str], str]:
    """What a CI's test history records per test (classname, name): passed, failed, skipped..."""
    out = {}
    for suite in JUnitXml.fromfile(str(path)):
        for case in suite:
            kinds = [type(r).__name__.lower() for r in case.result]
            out[(case.classname, case.name)] = kinds[0] if kinds else "passed"
    return out


def test_two_consecutive_ci_runs_show_the_fixed_finding_going_from_failed_to_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schema: etree.XMLSchema
) -> None:
    from click.testing import CliRunner

    from aimscheck.cli import main

    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "gaps", tmp_path / "gov")
    monkeypatch.chdir(tmp_path)
    common = ["check", "gov", "--as-of", "2026-11-20", "--fail-on", "observation"]
    first = CliRunner().invoke(main, [*common, "--json", "1.json", "--junit", "1.xml"])
    assert first.exit_code == 1, first.output
    # The fix: the climate-change decision gets its rationale.
    aims = tmp_path / "gov" / "aims.yaml"
    text = aims.read_text(encoding="utf-8")
    fixed = text.replace(
        "  climate_change_relevant: false\n",
        "  climate_change_relevant: false\n"
        "  climate_change_rationale: Our AI systems run on rented cloud capacity only.\n",
    )
    assert fixed != text
    aims.write_text(fixed, encoding="utf-8")
    second = CliRunner().invoke(
        main, [*common, "--baseline", "1.json", "--junit", "2.xml", "--json", "2.json"]
    )
    assert second.exit_code == 0, second.output  # every other finding is known
    for name in ("1.xml", "2.xml"):
        assert schema.validate(etree.parse(str(tmp_path / name))), name
    before, after = junit_outcomes(tmp_path / "1.xml"), junit_outcomes(tmp_path / "2.xml")
    test = ("iso42001.clause_4.4_1", "AIMS-4.1-05 context")
    assert (before[test], after[test]) == ("failure", "passed")
    # Every test of the first run is still there under the same name; none went missing.
    assert set(before) <= set(after)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert changed[test] == ("failure", "passed")
    assert {b for b, _ in changed.values()} <= {"failure", "error"}
    assert {a for t, (_, a) in changed.items() if t != test} <= {"skipped"}  # known findings
    counts = json.loads((tmp_path / "2.json").read_text(encoding="utf-8"))["summary"]["baseline"]
    assert counts["fixed"] == 1


def test_the_readme_example_is_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from aimscheck.check import CheckOptions, run_check

    repo = Path(__file__).parent.parent
    readme = (repo / "README.md").read_text(encoding="utf-8")
    marker = readme.index("<!-- junit-example: fixtures/gaps, as of 2026-11-20")
    start = readme.index("```xml\n", marker) + len("```xml\n")
    example = readme[start : readme.index("```", start)]
    assert example.startswith("<testcase ") and example.endswith("</testcase>\n")
    monkeypatch.chdir(repo)  # locations as the README run shows them: relative to the repo
    report = run_check(CheckOptions(Path("fixtures/gaps"), as_of=dt.date(2026, 11, 20)))
    flat = "\n".join(line.removeprefix("    ") for line in render_junit(report).splitlines())
    assert example in flat
