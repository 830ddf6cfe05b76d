"""Rule tests: YAML files beside the rules, giving small exports and expected outcomes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from aimscheck.errors import AimscheckError, ErrorGroup, RuleTestError, raise_all
from aimscheck.export.yamlparse import BoundedLoader
from aimscheck.inputfile import Refused
from aimscheck.limits import how_to_raise
from aimscheck.results import Outcome
from aimscheck.source import Location
from aimscheck.testexpect import Expectation
from aimscheck.testexport import Origin
from aimscheck.yamlfile import bound_nodes, libyaml_too_deep, read_small_text, too_deep

TEST_SUFFIX = ".tests.yaml"
OUTCOMES = tuple(o.value for o in Outcome)
WHOLE_EXPORT = "export"  # the subject key of a result about the whole export
FILE_KEYS = ("as_of", "base", "files", "export_path", "cases")
CASE_KEYS = ("name", "rule", "as_of", "export", "export_path", "files", "expect", "description")
# An inline export needs these to be valid; a case that leaves them out gets them.
_DEFAULTS = {"schema_version": "1", "organization": {"name": "Test organization"}}


@dataclass(frozen=True)
class Case:
    """One test case: a rule, an export, the as-of date and the expected outcome per subject.

    The export is inline (`export`, merged over the file's `base`) or, when `export_path` is
    set, the export folder or file at that path (read as it is, never changed).
    """

    file: Path
    line: int
    name: str
    rule: str
    export: dict[str, Any]
    files: dict[str, str]
    as_of: dt.date
    expect: dict[str, str]
    export_path: Path | None = None
    # Subjects whose expectation also asserts a message, the failed requirements or the
    # evidence reason codes (testexpect.py); the outcome stays in `expect`.
    details: dict[str, Expectation] = field(default_factory=dict)
    rule_line: int = 0  # of the case's `rule:` (for an unknown rule)
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.name}"


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


class _Unreadable(yaml.constructor.ConstructorError):
    """A value whose explicit tag does not fit it (`!!int abc`), at its line."""


class _Loader(BoundedLoader):
    """The safe loader (numbers bounded), but an impossible date (2026-02-30) stays text:
    reported, not raised; a value its explicit tag does not fit is an error at its line."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, LookupError, AttributeError, OverflowError):
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            shown = str(node.value)[:40] if isinstance(node.value, str) else "this value"
            problem = f"{shown!r} cannot be read as {tag}: write the value without a tag"
            raise _Unreadable(None, None, problem, node.start_mark) from None


def _timestamp(loader: Any, node: Any) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class _File:
    """One test file read with the place of every node, so each problem names its line."""

    def __init__(self, path: Path, text: str | None = None) -> None:
        self.path = path
        try:
            text = read_small_text(path, "test file") if text is None else text
        except Refused as exc:
            raise RuleTestError(exc.message, Location(str(path), 1), hint=exc.hint) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleTestError(f"cannot read test file: {exc}", Location(str(path), 1)) from None
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            # Bounded before anything walks it: an alias bomb would be expanded by every step
            # that copies the case's export, and nesting thousands deep would crash them.
            if node is not None and (bound := bound_nodes(text, node, "test file")) is not None:
                message, line, column, hint = bound
                raise RuleTestError(message, Location(str(path), line, column), hint=hint)
            self.node: Node | None = node
            self.data: Any = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = Location(
                str(path), mark.line + 1 if mark else 1, mark.column + 1 if mark else 0
            )
            if libyaml_too_deep(exc):
                hint = how_to_raise("max_depth")
                raise RuleTestError(too_deep("test file"), where, hint=hint) from None
            if isinstance(exc, _Unreadable):
                raise RuleTestError(str(exc.problem), where) from None
            raise RuleTestError(f"not valid YAML: {exc.problem}", where) from None
        finally:
            loader.dispose()

    def at(self, node: Node | None) -> Location:
        if node is None:
            return Location(str(self.path), 1)
        return Location(str(self.path), node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, message: str, node: Node | None, hint: str = "") -> RuleTestError:
        return RuleTestError(message, self.at(node), hint=hint)


def _child(node: Node | None, key: str) -> Node | None:
    """The value node of `key` in a mapping node (for its line)."""
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                found: Node = v
                return found
    return None


def _key_node(node: Node | None, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for k, _ in node.value:
            if getattr(k, "value", None) == key:
                found: Node = k
                return found
    return None


def _check_keys(f: _File, data: dict[str, Any], node: Node | None, allowed: Sequence[str]) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            raise f.fail(
                f"unknown key '{key}'",
                _key_node(node, str(key)) or node,
                f"did you mean '{close[0]}'?" if close else f"use {', '.join(allowed)}",
            )


def _date(f: _File, value: Any, node: Node | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise f.fail(f"as_of {value!r} is not a date", node, "write it as YYYY-MM-DD") from None


def _mapping(f: _File, value: Any, node: Node | None, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise f.fail(f"{what} must be a mapping", node)
    return value


def _files(f: _File, value: Any, node: Node | None) -> dict[str, Any]:
    """`files:` of a test file or case: written into the case's temporary export folder, so a
    name that would lead out of it (absolute, `..`) is refused at its line, never written."""
    from aimscheck.evidence import refused_path

    files = _mapping(f, value, node, "files")
    for name in files:
        reason = refused_path(str(name))
        if reason is not None:
            raise f.fail(
                f"the file name {str(name)!r} {reason}: a case's files are written inside its "
                "own export folder",
                _key_node(node, name) or node,
                "give a path relative to the export folder, such as files/proof.pdf",
            )
    return files


def load_cases(path: Path, text: str | None = None) -> list[Case]:
    """Every case of a test file (of `text` instead of the file's, when given: an editor's
    unsaved buffer); a malformed file raises RuleTestError at the faulty line."""
    f = _File(path, text)
    doc, root = f.data, f.node
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise f.fail("a rule test file is a mapping with a 'cases' list", root)
    _check_keys(f, doc, root, FILE_KEYS)
    base = _mapping(f, doc.get("base"), _child(root, "base"), "base")
    files = _files(f, doc.get("files"), _child(root, "files"))
    default_as_of = (
        _date(f, doc["as_of"], _child(root, "as_of")) if doc.get("as_of") is not None else None
    )
    default_path = doc.get("export_path")
    items = _child(root, "cases")
    nodes = items.value if isinstance(items, SequenceNode) else []
    cases: list[Case] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(doc["cases"]):
        node = nodes[index] if index < len(nodes) else items
        if not isinstance(raw, dict):
            raise f.fail("each case is a mapping with name, rule and expect", node)
        _check_keys(f, raw, node, CASE_KEYS)
        missing = [k for k in ("name", "rule", "expect") if k not in raw]
        if missing:
            raise f.fail(f"case lacks {', '.join(missing)}", node)
        as_of_node = _child(node, "as_of")
        as_of = _date(f, raw["as_of"], as_of_node) if "as_of" in raw else default_as_of
        if as_of is None:
            raise f.fail("every case needs an as_of date (in the case or the file)", node)
        expect_node = _child(node, "expect")
        expect: dict[str, str] = {}
        details: dict[str, Expectation] = {}
        for k, v in _mapping(f, raw["expect"], expect_node, "expect").items():
            expect[str(k)] = str(v)
            if isinstance(v, dict):
                details[str(k)] = _expectation(f, v, _child(expect_node, str(k)))
                expect[str(k)] = details[str(k)].outcome
        for subject, outcome in expect.items():
            if outcome not in OUTCOMES:
                close = difflib.get_close_matches(outcome, OUTCOMES, n=1, cutoff=0.6)
                raise f.fail(
                    f"unknown outcome '{outcome}' for {subject}",
                    _child(expect_node, subject) or expect_node,
                    f"did you mean '{close[0]}'?" if close else f"use {', '.join(OUTCOMES)}",
                )
        key = (str(raw["rule"]), str(raw["name"]))
        if key in seen:
            raise f.fail(f"two cases of {key[0]} are named '{key[1]}'", node, "rename one")
        seen.add(key)
        export_path = raw.get("export_path", None if "export" in raw else default_path)
        if export_path is not None and "export" in raw:
            raise f.fail("a case has either 'export' or 'export_path', not both", node)
        folder: Path | None = None
        if export_path is not None:
            folder = (path.parent / str(export_path)).resolve()
            if not folder.exists():
                raise f.fail(
                    f"export_path {export_path} not found (looked for {folder})",
                    _child(node, "export_path") or _child(root, "export_path"),
                    "export_path is relative to the test file",
                )
        inline = _mapping(f, raw.get("export"), _child(node, "export"), "export")
        case_files = _files(f, raw.get("files"), _child(node, "files"))
        origin = Origin(
            path,
            node,
            _child(node, "export"),
            _child(root, "base"),
            {
                **_file_keys(_child(root, "files")),
                **_file_keys(_child(node, "files")),
            },
        )
        cases.append(
            Case(
                path,
                node.start_mark.line + 1 if node is not None else 1,
                key[1],
                key[0],
                {**_DEFAULTS, **base, **inline},
                {**files, **case_files},
                as_of,
                expect,
                folder,
                details,
                f.at(_child(node, "rule") or node).line,
                origin,
            )
        )
    return cases


def _file_keys(node: Node | None) -> dict[str, Node]:
    """The key node of each `files:` entry, by its name (for a problem with the file)."""
    if not isinstance(node, MappingNode):
        return {}
    return {str(k.value): k for k, _ in node.value}


def _expectation(f: _File, value: dict[Any, Any], node: Node | None) -> Expectation:
    """A subject's expectation given as a mapping: outcome, message, failed, reasons."""
    from aimscheck.dsl.regex import RegexError, compile_regex
    from aimscheck.evidence import REASONS
    from aimscheck.testexpect import EXPECT_KEYS, parse

    fields, why = parse(value)
    if why is not None:
        bad = next((k for k in value if k not in EXPECT_KEYS), None)
        raise f.fail(why, _key_node(node, str(bad)) or node)
    message = fields.get("message")
    pattern = fields.get("message_matches")
    for key, text in (("message", message), ("message_matches", pattern)):
        if text is not None and not isinstance(text, str):
            raise f.fail(f"{key} must be text", _child(node, key) or node, "quote it")
    if pattern is not None:
        try:
            compile_regex(pattern)
        except RegexError as exc:
            at = _child(node, "message_matches") or node
            raise f.fail(f"message_matches is not a pattern RE2 can read: {exc}", at) from None
    failed = fields.get("failed")
    if failed is not None:
        failed = failed if isinstance(failed, list) else [failed]
        for item in failed:
            if isinstance(item, bool) or not isinstance(item, int | str) or item == "":
                raise f.fail(
                    f"failed: {item!r} names no requirement",
                    _child(node, "failed") or node,
                    "number the rule's require and evidence lines from 1 (failed: [2]), or "
                    'quote the condition of the line (failed: ["owner_ref is set"])',
                )
    reasons = fields.get("reasons")
    if reasons is not None:
        reasons = reasons if isinstance(reasons, list) else [reasons]
        codes = [c for c in REASONS if c != "ok"]
        for code in reasons:
            if code not in codes:
                close = difflib.get_close_matches(str(code), codes, n=1, cutoff=0.6)
                raise f.fail(
                    f"unknown evidence reason code {str(code)!r}",
                    _child(node, "reasons") or node,
                    f"did you mean '{close[0]}'?" if close else f"use {', '.join(codes)}",
                )
    return Expectation(
        str(fields["outcome"]),
        message,
        pattern,
        None if failed is None else tuple(failed),
        None if reasons is None else tuple(map(str, reasons)),
        f.at(_child(node, "failed") or node).line,
    )


def find_test_files(paths: Iterable[Path]) -> list[Path]:
    """The `*.tests.yaml` files of the given folders (recursively) and files."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(path.rglob(f"*{TEST_SUFFIX}")))
        elif path.name.endswith(TEST_SUFFIX):
            out.append(path)
        elif path.suffix == ".aims":
            beside = path.with_name(path.stem + TEST_SUFFIX)
            if beside.is_file():
                out.append(beside)
    return list(dict.fromkeys(out))


def _load(case: Case, root: Path, ruleset: Any) -> Any:
    from aimscheck.errors import raise_all
    from aimscheck.export.contract import Extensions
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.export.schema import validate_export

    export = load_export(root)
    added = Extensions(fields=ruleset.declared_fields)  # the pack's own fields are allowed
    raise_all(list(validate_export(export, extensions=added)))
    coerce_dates(export, ruleset.custom_date_fields)
    return export


def run_case(case: Case, ruleset: Any) -> CaseResult:
    """Load the case's export like a user's (inline ones via a temporary folder), run the rule.

    A case whose export is not valid raises its problems, each at the line of the test file
    the value came from (RuleTestError, exit 2): such a case tests nothing."""
    from aimscheck.engine import Evaluator
    from aimscheck.testexport import written

    rule = ruleset.get(case.rule)
    if rule is None:
        return CaseResult(case, {}, error=_unknown_rule(case, ruleset).message)
    if case.export_path is not None:
        export = _load(case, case.export_path, ruleset)
        results = list(Evaluator(export, case.as_of).evaluate(rule))
    else:
        with tempfile.TemporaryDirectory(prefix="aimscheck-test-") as tmp:
            root = Path(tmp)
            origin = case.origin or Origin(case.file)
            data = written(root, case.export, case.files, origin)
            try:
                export = _load(case, root, ruleset)
            except AimscheckError as exc:
                raise_all(data.errors(exc))
                raise
            results = [
                dataclasses.replace(r, message=data.text(r.message))
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


def run_tests(
    paths: Sequence[Path], ruleset: Any, own_files: Iterable[str] | None = None
) -> tuple[list[CaseResult], list[str]]:
    """Run every case of the test files; also return the ids of rules no case names.

    `own_files`: only rules defined in these rule files are reported as untested (the
    built-in pack loaded beside a custom one is not the user's to test).
    """
    cases = [case for path in find_test_files(paths) for case in load_cases(path)]
    raise_all(check_cases(cases, ruleset))
    results = []
    errors: list[AimscheckError] = []
    tested = {case.rule for case in cases}
    for case in cases:
        try:
            results.append(run_case(case, ruleset))
        except ErrorGroup as group:  # every case's problems, in one run
            errors.extend(group.errors)
        except AimscheckError as exc:
            errors.append(exc)
    # A mistake in the file's `base:` is in every case's export: it is told once.
    once = {(*e.sort_key(), e.message): e for e in errors}
    raise_all(list(once.values()))
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
