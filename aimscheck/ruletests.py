"""Rule tests: each case's export checked and run, its outcomes compared to the expected."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimscheck.errors import AimscheckError, ErrorGroup, RuleTestError, raise_all
from aimscheck.ruletestfile import (  # re-exported: callers read cases through this module
    Case,
    find_test_files,
    load_cases,
    read_cases,
)
from aimscheck.source import Location
from aimscheck.testexport import Origin

if TYPE_CHECKING:
    from aimscheck.export.contract import VocabularyExtension

Vocabulary = tuple["VocabularyExtension", ...]  # the configuration's additions
WHOLE_EXPORT = "export"  # the subject key of a result about the whole export

__all__ = ["Case", "CaseResult", "find_test_files", "load_cases", "read_cases"]


@dataclass(frozen=True)
class CaseResult:
    """What running a case found; `diff` lists every subject whose outcome differs."""

    case: Case
    actual: dict[str, str]
    diff: tuple[str, ...] = field(default=())
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.diff and not self.error


def _load(case: Case, root: Path, ruleset: Any, vocabulary: Vocabulary, strict: bool) -> Any:
    from aimscheck.export.contract import Extensions
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.export.schema import validate_export

    export = load_export(root)
    # The pack's own fields and the configuration's vocabulary are allowed, as in a run.
    added = Extensions(vocabulary=vocabulary, fields=ruleset.declared_fields)
    raise_all(list(validate_export(export, strict=strict, extensions=added)))
    coerce_dates(export, ruleset.custom_date_fields)
    return export


def _inline(
    case: Case, root: Path, ruleset: Any, vocabulary: Vocabulary
) -> tuple[Any, Callable[[str], str]]:
    """A case's inline export written in `root`, read and validated as a user's, and how to
    tell its temporary file as the test file in a message. Its problems are raised at the
    lines of the test file. Validation is strict: a field no schema defines and no pack
    declares (a misspelt collection, `incident:`) is read by no rule, so the case would test
    nothing: it is an error with a did-you-mean."""
    from aimscheck.testexport import written

    data = written(root, case.export, case.files, case.origin or Origin(case.file))
    try:
        return _load(case, root, ruleset, vocabulary, strict=True), data.text
    except AimscheckError as exc:
        raise_all(_unknown_fields(data.errors(exc)))
        raise


_STRICT = "--strict allows only the fields the export schema defines or a rule pack declares"
_OWN = (
    "a rule test's export holds only the fields the export schema defines or a rule pack declares"
)
_GUESS = re.compile(r"^(\$\S*?)\.[^.\s]+: unknown field '[^']*' \(did you mean '([^']+)'\?\)")
_MISSING = re.compile(r"^(\$\S*): missing required field '([^']+)'$")


def _unknown_fields(errors: list[AimscheckError]) -> list[AimscheckError]:
    """A misspelt field of a test's export (`nam:` for `name:`) told once, as unknown with its
    did-you-mean: not again as the required field it leaves missing; in the test's words."""
    guessed = {m.groups() for e in errors if (m := _GUESS.match(e.message))}
    out: list[AimscheckError] = []
    for error in errors:
        missing = _MISSING.match(error.message)
        if missing and missing.groups() in guessed:
            continue
        if _STRICT in error.message:
            error = type(error)(
                error.message.replace(_STRICT, _OWN), error.location, hint=error.hint
            )
        out.append(error)
    return out


def _plain_files(case: Case) -> bool:
    """Whether the case's `files:` can surely be written (none is the export file, or a
    folder of another): otherwise writing them says which cannot, at its line."""
    from aimscheck.testexport import EXPORT_FILE

    names = [str(name).replace("\\", "/").strip("/") for name in case.files]
    folders = {"/".join(n.split("/")[:i]) for n in names for i in range(1, n.count("/") + 1)}
    return all(n and n != EXPORT_FILE and n not in folders for n in names)


def _sound(case: Case, ruleset: Any, vocabulary: Vocabulary) -> bool:
    """Whether the inline export is valid, checked in memory: writing and reading it back
    (what locates a problem at its line of the test file) is paid only when it is not. Its
    values are as the export loader reads them (dates as ISO text)."""
    from aimscheck.export.contract import Extensions
    from aimscheck.export.model import Export
    from aimscheck.export.schema import validate_export
    from aimscheck.testexport import plain

    export = Export(case.file.parent, case.file, plain(case.export))
    added = Extensions(vocabulary=vocabulary, fields=ruleset.declared_fields)
    try:
        return not validate_export(export, strict=True, extensions=added)
    except Exception:  # unsure: the written export says what is wrong
        return False


def data_problems(case: Case, ruleset: Any, vocabulary: Vocabulary = ()) -> list[AimscheckError]:
    """What is wrong in a case's inline export (types, closed vocabularies, impossible dates,
    dangling references, unknown fields), each at its line of the test file; [] for a case
    whose export is a folder of the user's (read only when the case runs)."""
    if case.export_path is not None or (_plain_files(case) and _sound(case, ruleset, vocabulary)):
        return []
    with tempfile.TemporaryDirectory(prefix="aimscheck-test-") as tmp:
        try:
            _inline(case, Path(tmp), ruleset, vocabulary)
        except ErrorGroup as group:
            return list(group.errors)
        except AimscheckError as exc:
            return [exc]
    return []


def run_case(case: Case, ruleset: Any, vocabulary: Vocabulary = ()) -> CaseResult:
    """Load the case's export like a user's (inline ones via a temporary folder), run the rule.

    A case whose export is not valid raises its problems, each at the line of the test file
    the value came from (RuleTestError, exit 2): such a case tests nothing."""
    from aimscheck.engine import Evaluator

    rule = ruleset.get(case.rule)
    if rule is None:
        return CaseResult(case, {}, error=_unknown_rule(case, ruleset).message)
    if case.export_path is not None:
        export = _load(case, case.export_path, ruleset, vocabulary, strict=False)
        results = list(Evaluator(export, case.as_of).evaluate(rule))
    else:
        with tempfile.TemporaryDirectory(prefix="aimscheck-test-") as tmp:
            export, shown = _inline(case, Path(tmp), ruleset, vocabulary)
            results = [
                dataclasses.replace(r, message=shown(r.message))
                for r in Evaluator(export, case.as_of).evaluate(rule)
            ]
    return _compare(case, rule, results)


def _compare(case: Case, rule: Any, results: list[Any]) -> CaseResult:
    from aimscheck.testexpect import differences, requirements, resolve

    by_subject = {(WHOLE_EXPORT if r.subject is None else str(r.subject)): r for r in results}
    actual = {subject: r.outcome.value for subject, r in by_subject.items()}
    messages = {subject: r.message for subject, r in by_subject.items() if r.message}
    diff = [
        f"{subject}: expected {case.expect.get(subject, '(no result)')}, "
        f"got {actual.get(subject, '(no result)')}"
        + (f' ("{messages[subject]}")' if subject in messages else "")
        for subject in sorted(set(actual) | set(case.expect))
        if actual.get(subject) != case.expect.get(subject)
    ]
    for subject, expected in sorted(case.details.items()):
        result = by_subject.get(subject)
        if result is None or actual[subject] != expected.outcome:
            continue  # the outcome differs: said above
        numbers = None
        if expected.failed is not None:
            numbers, _ = resolve(expected.failed, requirements(rule))
        diff.extend(differences(subject, expected, result, numbers))
    return CaseResult(case, actual, tuple(diff))


def _unknown_rule(case: Case, ruleset: Any) -> RuleTestError:
    from aimscheck.terminal import visible  # errors are lines: a newline shown

    close = difflib.get_close_matches(case.rule, [r.info.id for r in ruleset.rules], n=1)
    return RuleTestError(
        f"case '{case.name}' names rule {visible(case.rule)}, which no loaded rule has",
        Location(str(case.file), case.rule_line or case.line),
        hint=f"did you mean {close[0]}?" if close else "check the rule id in the .aims files",
    )


def check_cases(cases: Sequence[Case], ruleset: Any) -> list[AimscheckError]:
    """What makes cases unrunnable: a rule no loaded rule has, a `failed:` naming no
    requirement of the rule; each at its line of the test file."""
    from aimscheck.testexpect import requirements, resolve

    errors: list[AimscheckError] = []
    for case in cases:
        rule = ruleset.get(case.rule)
        if rule is None:
            errors.append(_unknown_rule(case, ruleset))
            continue
        for subject, expected in case.details.items():
            if expected.failed is None:
                continue
            _, why = resolve(expected.failed, requirements(rule))
            if why is not None:
                written = "; ".join(f"{i}: {t}" for i, t in enumerate(requirements(rule), 1))
                errors.append(
                    RuleTestError(
                        f"{subject}: {why}",
                        Location(str(case.file), expected.failed_line),
                        hint=f"the requirements of {case.rule}: {written}" if written else "",
                    )
                )
    return errors


def case_problems(
    cases: Sequence[Case], ruleset: Any, vocabulary: Vocabulary = ()
) -> list[AimscheckError]:
    """Everything statically wrong in cases, without running a rule: `check_cases` and each
    inline export's `data_problems`. What `lint` reports and `test` refuses to run with."""
    errors = check_cases(cases, ruleset)
    for case in cases:
        errors += data_problems(case, ruleset, vocabulary)
    return errors


def test_file_problems(
    paths: Iterable[Path],
    ruleset: Any,
    load: Callable[[Path], list[Case]] | None = None,
    vocabulary: Vocabulary = (),
) -> tuple[set[str], list[AimscheckError]]:
    """For `lint`: the rule ids the test files name, and every problem of those files (as
    `aimscheck test` says them, each once). `load` reads a file's cases instead (an editor's
    buffer): it gives all of a file's cases or raises its problems."""
    tested: set[str] = set()
    errors: list[AimscheckError] = []
    for path in paths:
        if load is None:
            cases, found = read_cases(path)
        else:
            try:
                cases, found = load(path), []
            except ErrorGroup as group:
                cases, found = [], list(group.errors)
            except AimscheckError as exc:
                cases, found = [], [exc]
        tested |= {case.rule for case in cases}
        errors += found + case_problems(cases, ruleset, vocabulary)
    return tested, _once(errors)


def _once(errors: list[AimscheckError]) -> list[AimscheckError]:
    """Each problem once: a mistake in the file's `base:` is in every case's export."""
    return list({(*e.sort_key(), e.message): e for e in errors}.values())


def run_tests(
    paths: Sequence[Path],
    ruleset: Any,
    own_files: Iterable[str] | None = None,
    vocabulary: Vocabulary = (),
) -> tuple[list[CaseResult], list[str]]:
    """Run every case of the test files; also return the ids of rules no case names.

    Every static problem of every file (what `lint` reports) is raised before any case
    runs. `own_files`: only rules defined in these rule files are reported as untested
    (the built-in pack loaded beside a custom one is not the user's to test). `vocabulary`:
    the configuration's additions to closed vocabularies, which cases' exports may use.
    """
    cases: list[Case] = []
    errors: list[AimscheckError] = []
    for path in find_test_files(paths):
        found, problems = read_cases(path)
        cases += found
        errors += problems
    errors += case_problems(cases, ruleset, vocabulary)
    raise_all(_once(errors))
    results = []
    tested = {case.rule for case in cases}
    for case in cases:
        try:
            results.append(run_case(case, ruleset, vocabulary))
        except ErrorGroup as group:  # every case's problems, in one run
            errors.extend(group.errors)
        except AimscheckError as exc:
            errors.append(exc)
    raise_all(_once(errors))
    own = None if own_files is None else {str(Path(p).resolve()) for p in own_files}
    untested = [
        r.info.id
        for r in ruleset.rules
        if r.info.id not in tested
        and (
            own is None
            or (r.info.location is not None and str(Path(r.info.location.file).resolve()) in own)
        )
    ]
    return results, untested


def junit_report(results: Sequence[CaseResult]) -> str:
    """The rule test results as one JUnit XML document (one testcase per case)."""
    from junit_xml import TestCase, TestSuite, to_xml_report_string

    cases = []
    for result in results:
        tc = TestCase(result.case.name, classname=f"aimscheck.tests.{result.case.rule}")
        if result.error:
            tc.add_error_info(message=result.error)
        elif result.diff:
            tc.add_failure_info(message="unexpected outcomes", output="\n".join(result.diff))
        cases.append(tc)
    raw = str(to_xml_report_string([TestSuite("aimscheck rule tests", cases)]))
    import xml.etree.ElementTree as ET

    root = ET.fromstring(raw)
    for element in root.iter():  # junit-10.xsd (Jenkins xUnit) refuses these attributes
        for name in ("disabled", "assertions", "file", "line"):
            element.attrib.pop(name, None)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
