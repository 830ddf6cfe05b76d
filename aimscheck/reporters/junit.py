"""JUnit XML for CI (GitLab, Jenkins xUnit, Azure DevOps), valid against junit-10.xsd."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from junit_xml import TestCase, TestSuite

from aimscheck.baseline import fixed
from aimscheck.reporters.readiness import group_label, group_sort_key
from aimscheck.results import Outcome, Report, Result, RuleInfo

PACK = "iso42001"  # the classname prefix; becomes per-pack once packs other than ISO 42001 exist
SUITES_NAME = "aimscheck"

# junit-10.xsd (Jenkins xUnit) rejects these; junit-xml emits `disabled` on every suite.
_FORBIDDEN_ATTRIBUTES = {
    "testsuites": ("disabled",),
    "testsuite": ("disabled", "assertions"),
    "testcase": ("file", "line", "status", "assertions", "timestamp", "class", "log", "url"),
}
# Characters XML 1.0 cannot carry even escaped. junit-xml strips some after serialising, but
# non-ASCII ones (U+FFFE, lone surrogates) reach its output as `&#...;` references no parser
# accepts, so they are replaced before junit-xml sees the text.
# Written as the few ranges XML refuses rather than the many it allows: the same set, compiled
# ten times faster (7 ms of every run otherwise).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What a classname part may hold: a dot would be read as a package separator by Jenkins.
_NOT_CLASS = re.compile(r"[^A-Za-z0-9_-]+")
# The type of a finding's <failure> (<error> for a rule error); severity is added to the first two.
_FINDING_TYPES = {
    Outcome.NONCONFORMITY: "nonconformity",
    Outcome.MISSING_EVIDENCE: "missing-evidence",
    Outcome.OBSERVATION: "observation",
    Outcome.ERROR: "evaluation-error",
}


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def case_name(result: Result) -> str:
    """Stable across runs and configurations: rule id and subject, never the message or the
    severity (a re-graded rule keeps its test history; the grade is in the failure's type)."""
    if result.subject is None:
        return result.rule.id
    return f"{result.rule.id} {result.subject}"


def _segment(text: str) -> str:
    return _NOT_CLASS.sub("_", text)


def classname(rule: RuleInfo) -> str:
    """`iso42001.clause_6.6_1_3`, `iso42001.A_5.A_5_2`: pack and group, then the first clause or
    control of that group with its dots made underscores.

    Jenkins splits a classname at its last dot into package and class, so the only dots are the
    two between these three parts: package `iso42001.clause_6`, class `6_1_3`. A rule citing only
    a framework tag reports under it, `eu-ai-act.26_6`; a rule citing nothing as
    `iso42001.other.<rule id>`.
    """
    group = rule.group
    if not rule.iso and group != "other":
        # A rule citing no ISO id, under its framework tag: `eu-ai-act.26_6` (package, class).
        ref = next(t.partition(":")[2] for t in rule.tags if t.startswith(f"{group}:"))
        return f"{group}.{_segment(ref).strip('_')}"
    package = f"clause_{group}" if group[:1].isdigit() else _segment(group)
    refs = rule.clauses if rule.clauses else rule.controls
    leaf = refs[0] if refs else rule.id
    return f"{PACK}.{package}.{_segment(leaf)}"


def _body(result: Result, known: bool = False, why: str = "") -> str:
    rule = result.rule
    lines = [
        f"rule: {rule.id} {rule.title}",
        f"severity: {result.severity.value}",
        f"outcome: {result.outcome.value}",
        f"subject: {result.subject if result.subject is not None else 'the whole export'}",
    ]
    if result.location is not None:
        lines.append(f"location: {result.location.file}:{result.location.line}")
    if rule.clauses:
        lines.append(f"clauses: {', '.join(rule.clauses)}")
    if rule.controls:
        lines.append(f"controls: {', '.join(rule.controls)}")
    if not rule.iso and rule.group != "other":  # its basis is a framework tag, not an ISO id
        basis = ", ".join(t for t in rule.tags if t.startswith(f"{rule.group}:"))
        lines.append(f"basis: {basis} (not in the certification verdict)")
    if result.raw_outcome is not None:
        lines.append(f"raw outcome: {result.raw_outcome.value}")
    waiver = result.waiver
    if waiver is not None:
        state = "waiver expired on" if result.waiver_expired else "waived until"
        where = f" ({waiver.location})" if waiver.location else ""
        lines.append(f"{state} {waiver.expires}{where}, approved by {waiver.approver}")
        lines.append(f"justification: {waiver.justification}")
        if result.outcome is Outcome.WAIVED and result.message:
            lines.append(f"finding: {result.message}")
    if known:
        lines.append("baseline: known finding (it does not fail the run)")
    elif why:
        lines.append(f"gate: it does not fail the run ({why})")
    if result.evidence:
        lines.append("evidence looked for:")
        for check in result.evidence:
            path = f" ({check.path})" if check.path else ""
            detail = f": {check.message}" if check.message else ""
            lines.append(f"  - {check.ref}{path} {check.status}{detail}")
    if rule.fix and result.outcome in _FINDING_TYPES and result.outcome is not Outcome.ERROR:
        lines.append(f"fix: {rule.fix}")
    return _clean("\n".join(lines))


def _new_case(name: str, rule: RuleInfo, stdout: str | None = None) -> TestCase:
    out = None if stdout is None else _clean(stdout)
    return TestCase(_clean(name), classname=_clean(classname(rule)), stdout=out)


def _passed_case(rule: RuleInfo, passed: list[Result], fixed: str | None) -> TestCase:
    """One passing testcase for all of a rule's passing subjects (or for a rule with none).

    `fixed`: the baseline, when it held this whole-export rule's finding (fixed since then).
    """
    head = f"{rule.id} {rule.title}"
    if passed and all(r.subject is None for r in passed):
        # A whole-export rule keeps the same name whether it passes or fails.
        note = f"\n{_fixed_note(fixed)}" if fixed is not None else ""
        return _new_case(rule.id, rule, f"{head}\npassed for the whole export{note}")
    subjects = [r.subject.text for r in passed if r.subject is not None]
    if subjects:
        text = f"{len(subjects)} subject(s) passed:\n" + "\n".join(f"  {s}" for s in subjects)
    else:
        text = "no subject in scope: nothing to check"
    return _new_case(f"{rule.id} passed subjects", rule, f"{head}\n{text}")


def _fixed_note(baseline: str) -> str:
    return f"fixed: the baseline {baseline} holds this finding; it no longer occurs"


def _fixed_case(rule: RuleInfo, subject: str, now: Result | None, baseline: str) -> TestCase:
    """A finding of the baseline that no longer occurs: a passing case under the finding's own
    name, so that a CI's test history shows that test going from failed to passed."""
    shown = subject or "the whole export"
    lines = [f"{rule.id} {rule.title}", f"subject: {shown}", _fixed_note(baseline)]
    if now is None:
        lines.append("the subject is no longer checked by this rule (removed or out of scope)")
    elif now.location is not None:
        lines.append(f"location: {now.location.file}:{now.location.line}")
    name = f"{rule.id} {subject}" if subject else rule.id
    return _new_case(name, rule, "\n".join(lines))


def skipped_message(result: Result) -> str:
    """A waived result's `<skipped message>`: `until 2027-01-31: justification`."""
    waiver = result.waiver
    if waiver is None:  # a result waived by a caller that kept no waiver record
        return result.message or result.rule.title
    return f"until {waiver.expires}: {waiver.justification}"


def finding_type(result: Result) -> str:
    """`nonconformity.major`, `missing-evidence.minor`, `observation`, `evaluation-error`."""
    kind = _FINDING_TYPES[result.outcome]
    if result.outcome in (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE):
        return f"{kind}.{result.severity.value}"
    return kind


def not_gating(report: Report) -> str:
    """Why a finding below the threshold does not fail the run: `below --fail-on major`."""
    if report.fail_on is None:
        return "--fail-on never"
    return f"below --fail-on {report.fail_on.value}"


def _case(
    result: Result, known: bool = False, why: str | None = None
) -> tuple[TestCase, str | None]:
    """The testcase for a result that did not pass, and the skipped@type it needs, if any.

    A finding is a `<failure>` (an `<error>` for a rule error) only when it fails the run; one
    that does not (`why`: below the threshold, or known in the baseline) is `<skipped>` with the
    same type, so that no test is red in a CI view while the job, by its exit code, is green.
    """
    case = _new_case(case_name(result), result.rule)
    message = _clean(result.message or result.rule.title)
    if result.waiver_expired and result.waiver is not None:
        message += _clean(f" (waiver expired on {result.waiver.expires})")
    outcome = result.outcome
    body = _body(result, known, why or "")
    if outcome in _FINDING_TYPES:
        kind = finding_type(result)
        if why is not None:
            reason = "known in the baseline" if known else why
            case.add_skipped_info(_clean(f"{message} (does not fail the run: {reason})"), body)
            return case, kind
        if outcome is Outcome.ERROR:
            case.add_error_info(message, body, kind)
        else:
            case.add_failure_info(message, body, kind)
    elif outcome is Outcome.NOT_APPLICABLE:
        case.add_skipped_info(message, body)
        return case, "not-applicable"
    elif outcome is Outcome.WAIVED:
        case.add_skipped_info(_clean(skipped_message(result)), body)
        return case, "waived"
    return case, None


def _rule_cases(
    rule: RuleInfo,
    results: list[Result],
    report: Report,
    gating: set[int],
    fixed: list[str],
) -> list[tuple[TestCase, str | None]]:
    """`gating`: the `id()` of every result that fails the run; `fixed`: the subjects of the
    rule's baseline findings that no longer occur, in order ("" for a whole-export finding)."""
    passed = [r for r in results if r.outcome is Outcome.PASS]
    baseline = report.baseline
    known = baseline.holds if baseline is not None else (lambda _: False)
    why = not_gating(report)
    cases = [
        _case(r, known(r), None if id(r) in gating else why)
        for r in results
        if r.outcome is not Outcome.PASS
    ]
    whole_fixed: str | None = None
    if fixed and baseline is not None:
        now = {_subject_text(r): r for r in passed}
        for subject in fixed:
            if subject == "" and subject in now:  # its passing case already has the name
                whole_fixed = baseline.path
            else:
                cases.append((_fixed_case(rule, subject, now.get(subject), baseline.path), None))
    if passed or not results:
        cases.append((_passed_case(rule, passed, whole_fixed), None))
    return cases


def _fixed(report: Report) -> dict[str, list[str]]:
    """Per rule, the subjects of the baseline's findings fixed since (baseline.fixed) that have
    no case of their own yet: each gets one, and it passes."""
    out: dict[str, list[str]] = {}
    has_case = {r.key() for r in report.results if r.outcome is not Outcome.PASS}
    for rule_id, subject in fixed(report):
        if (rule_id, subject) not in has_case:  # a not-applicable result keeps its skipped case
            out.setdefault(rule_id, []).append(subject)
    return out


def _subject_text(result: Result) -> str:
    return "" if result.subject is None else result.subject.text


def _dedupe(cases: list[tuple[TestCase, str | None]]) -> None:
    # GitLab keeps only the first of two same-named tests; a duplicate result must not vanish.
    seen: dict[str, int] = {}
    for case, _ in cases:
        count = seen.get(case.name, 0) + 1
        seen[case.name] = count
        if count > 1:
            case.name = f"{case.name} ({count})"


def _suites(report: Report) -> tuple[list[TestSuite], list[str | None]]:
    """Suites in natural group order, and the skipped@type of each testcase in document order."""
    rules = {rule.id: rule for rule in report.rules}
    by_rule: dict[str, list[Result]] = {rule_id: [] for rule_id in rules}
    for result in report.results:
        rules.setdefault(result.rule.id, result.rule)
        by_rule.setdefault(result.rule.id, []).append(result)
    for results in by_rule.values():  # each rule's in subject order (stable, as Result.key)
        results.sort(key=_subject_text)
    ordered = sorted(rules.values(), key=lambda r: (group_sort_key(r.group), r.id))
    properties = {
        "pack_version": _clean(report.pack_version),
        "as_of": _clean(report.as_of),
        "export_digest": _clean(report.export_digest),
        "tool_version": _clean(report.tool_version),
    }
    suites: list[TestSuite] = []
    all_cases: list[tuple[TestCase, str | None]] = []
    gating = {id(r) for r in report.failing()}
    fixed_now = _fixed(report)
    for group, members in groupby(ordered, key=lambda r: r.group):
        cases = [
            case
            for rule in members
            for case in _rule_cases(
                rule, by_rule[rule.id], report, gating, fixed_now.get(rule.id, [])
            )
        ]
        all_cases += cases
        suites.append(
            TestSuite(_clean(group_label(group)), [c for c, _ in cases], properties=properties)
        )
    _dedupe(all_cases)
    return suites, [skip for _, skip in all_cases]


def _document(suites: list[TestSuite]) -> ET.Element:
    """`<testsuites>` with its totals, as junit-xml's `to_xml_report_string` builds it, kept as a
    tree: that function writes it out and scans the text for characters XML cannot carry
    (every text here is cleaned already), and the tree would only be parsed back."""
    root = ET.Element("testsuites")
    totals: dict[str, float] = {"disabled": 0, "errors": 0, "failures": 0, "tests": 0}
    time = 0.0
    for suite in suites:
        element = suite.build_xml_doc()
        for key in totals:
            totals[key] += int(element.get(key, 0))
        time += float(element.get("time", 0))
        root.append(element)
    for key, value in totals.items():
        root.set(key, str(int(value)))
    root.set("time", str(time))
    return root


def render(report: Report) -> str:
    """One JUnit XML document: a suite per clause or Annex A group, a testcase per check."""
    suites, skip_types = _suites(report)
    root = _document(suites)
    # junit-xml cannot name <testsuites>, types every <skipped> "skipped" and adds attributes
    # the strict xsd rejects: fix all three on its tree before it is written.
    root.set("name", SUITES_NAME)
    for tag, names in _FORBIDDEN_ATTRIBUTES.items():
        for element in root.iter(tag):
            for name in names:
                element.attrib.pop(name, None)
            # Name first: the attribute a reader looks for (ElementTree keeps insertion order).
            element.attrib = {"name": element.attrib.pop("name"), **element.attrib}
    testcases = list(root.iter("testcase"))
    for testcase, skip_type in zip(testcases, skip_types, strict=True):
        skipped = testcase.find("skipped")
        if skipped is not None and skip_type is not None:
            skipped.set("type", skip_type)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
