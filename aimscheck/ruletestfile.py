"""Reads rule test files: their cases, inline exports and expectations, each problem at its line."""

from __future__ import annotations

import datetime as dt
import difflib
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
from aimscheck.yamlfile import (
    bound_nodes,
    libyaml_too_deep,
    read_small_text,
    too_deep,
    yaml_problem,
)

TEST_SUFFIX = ".tests.yaml"
OUTCOMES = tuple(o.value for o in Outcome)
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
            raise yaml_problem(exc, text, str(path), "test file", RuleTestError) from None
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


def _check_keys(
    f: _File, data: dict[str, Any], node: Node | None, allowed: Sequence[str]
) -> list[AimscheckError]:
    """An error at each key of `data` that is not one of `allowed`."""
    errors: list[AimscheckError] = []
    for key in data:
        if key not in allowed:
            close = _close(str(key), allowed)
            errors.append(
                f.fail(
                    f"unknown key '{key}'",
                    _key_node(node, str(key)) or node,
                    f"did you mean '{close[0]}'?" if close else f"use {', '.join(allowed)}",
                )
            )
    return errors


def _close(word: str, allowed: Sequence[str]) -> list[str]:
    return difflib.get_close_matches(word, allowed, n=1, cutoff=0.6)


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
    unsaved buffer); a malformed file raises every problem, each at its line."""
    cases, errors = read_cases(path, text)
    raise_all(errors)
    return cases


def read_cases(path: Path, text: str | None = None) -> tuple[list[Case], list[AimscheckError]]:
    """The cases of a test file that can be read, and every problem of the file, each at its
    line: one mistake in a case hides none of the others, in it or in the other cases."""
    try:
        f = _File(path, text)
    except AimscheckError as exc:
        return [], [exc]
    doc, root = f.data, f.node
    if not isinstance(doc, dict):
        return [], [f.fail("a rule test file is a mapping with a 'cases' list", root)]
    errors = _check_keys(f, doc, root, FILE_KEYS)
    if not isinstance(doc.get("cases"), list):
        at = _child(root, "cases") or root
        errors.append(f.fail("a rule test file is a mapping with a 'cases' list", at))
        return [], errors
    base: dict[str, Any] = {}
    files: dict[str, Any] = {}
    default_as_of: dt.date | None = None
    try:
        base = _mapping(f, doc.get("base"), _child(root, "base"), "base")
    except AimscheckError as exc:
        errors.append(exc)
    try:
        files = _files(f, doc.get("files"), _child(root, "files"))
    except AimscheckError as exc:
        errors.append(exc)
    broken_date = False
    if doc.get("as_of") is not None:
        try:
            default_as_of = _date(f, doc["as_of"], _child(root, "as_of"))
        except AimscheckError as exc:
            errors.append(exc)
            broken_date = True  # said once, not again for every case it leaves without a date
    items = _child(root, "cases")
    nodes = items.value if isinstance(items, SequenceNode) else []
    cases: list[Case] = []
    seen: set[tuple[str, str]] = set()
    shared = _Shared(base, files, default_as_of, broken_date, doc.get("export_path"))
    for index, raw in enumerate(doc["cases"]):
        node = nodes[index] if index < len(nodes) else items
        case, found = _case(f, raw, node, shared, seen)
        errors += found
        if case is not None:
            cases.append(case)
    return cases, errors


@dataclass(frozen=True)
class _Shared:
    """What a test file gives every case: base export, files, as_of, export_path."""

    base: dict[str, Any]
    files: dict[str, Any]
    as_of: dt.date | None
    as_of_broken: bool
    export_path: Any


def _case(
    f: _File, raw: Any, node: Node | None, shared: _Shared, seen: set[tuple[str, str]]
) -> tuple[Case | None, list[AimscheckError]]:
    """One case and its problems (all of them); None when it cannot be read as a case."""
    path, root = f.path, f.node
    if not isinstance(raw, dict):
        return None, [f.fail("each case is a mapping with name, rule and expect", node)]
    errors = _check_keys(f, raw, node, CASE_KEYS)

    def attempt(read: Any, *args: Any) -> Any:
        try:
            return read(*args)
        except ErrorGroup as group:
            errors.extend(group.errors)
        except AimscheckError as exc:
            errors.append(exc)
        return None

    missing = [k for k in ("name", "rule", "expect") if k not in raw]
    # A misspelt key (`expected:`) is said once, with its did-you-mean, not again as missing.
    guessed = {m for k in raw if k not in CASE_KEYS for m in _close(str(k), CASE_KEYS)}
    if missing and not set(missing) <= guessed:
        errors.append(f.fail(f"case lacks {', '.join(missing)}", node))
    as_of = shared.as_of
    if "as_of" in raw:
        as_of = attempt(_date, f, raw["as_of"], _child(node, "as_of"))
    elif as_of is None and not shared.as_of_broken:
        errors.append(f.fail("every case needs an as_of date (in the case or the file)", node))
    expect: dict[str, str] = {}
    details: dict[str, Expectation] = {}
    if "expect" in raw:
        expect, details, found = _expected(f, raw["expect"], _child(node, "expect"))
        errors += found
    key = (str(raw.get("rule")), str(raw.get("name")))
    duplicate = key in seen
    if duplicate and not missing:
        errors.append(f.fail(f"two cases of {key[0]} are named '{key[1]}'", node, "rename one"))
    seen.add(key)
    export_path = raw.get("export_path", None if "export" in raw else shared.export_path)
    folder: Path | None = None
    if export_path is not None and "export" in raw:
        errors.append(f.fail("a case has either 'export' or 'export_path', not both", node))
    elif export_path is not None:
        folder = (path.parent / str(export_path)).resolve()
        if not folder.exists():
            errors.append(
                f.fail(
                    f"export_path {export_path} not found (looked for {folder})",
                    _child(node, "export_path") or _child(root, "export_path"),
                    "export_path is relative to the test file",
                )
            )
            folder = None
    inline = attempt(_mapping, f, raw.get("export"), _child(node, "export"), "export")
    case_files = attempt(_files, f, raw.get("files"), _child(node, "files"))
    if missing or as_of is None or duplicate or inline is None or case_files is None:
        return None, errors  # its problems are said; it cannot be checked further
    if export_path is not None and folder is None:
        return None, errors
    origin = Origin(
        path,
        node,
        _child(node, "export"),
        _child(root, "base"),
        {**_file_keys(_child(root, "files")), **_file_keys(_child(node, "files"))},
    )
    case = Case(
        path,
        node.start_mark.line + 1 if node is not None else 1,
        key[1],
        key[0],
        {**_DEFAULTS, **shared.base, **inline},
        {**shared.files, **case_files},
        as_of,
        expect,
        folder,
        details,
        f.at(_child(node, "rule") or node).line,
        origin,
    )
    return case, errors


def _expected(
    f: _File, value: Any, node: Node | None
) -> tuple[dict[str, str], dict[str, Expectation], list[AimscheckError]]:
    """A case's `expect:`: the outcome per subject, the exact assertions, every problem."""
    if not isinstance(value, dict):
        what = "expect must be a mapping of subjects to outcomes"
        hint = "write each subject on a line of its own: ai_systems/sys-1: nonconformity"
        return {}, {}, [f.fail(what, node, hint)]
    expect: dict[str, str] = {}
    details: dict[str, Expectation] = {}
    errors: list[AimscheckError] = []
    for k, v in value.items():
        subject, at = str(k), _child(node, str(k))
        expect[subject] = str(v)
        if isinstance(v, dict):
            expected, found = _expectation(f, v, at)
            errors += found
            if expected is None:
                continue
            details[subject] = expected
            expect[subject] = expected.outcome
            at = _child(at, "outcome") or at
        if expect[subject] not in OUTCOMES:
            outcome = expect[subject]
            close = difflib.get_close_matches(outcome, OUTCOMES, n=1, cutoff=0.6)
            errors.append(
                f.fail(
                    f"unknown outcome '{outcome}' for {subject}",
                    at or node,
                    f"did you mean '{close[0]}'?" if close else f"use {', '.join(OUTCOMES)}",
                )
            )
    return expect, details, errors


def _file_keys(node: Node | None) -> dict[str, Node]:
    """The key node of each `files:` entry, by its name (for a problem with the file)."""
    if not isinstance(node, MappingNode):
        return {}
    return {str(k.value): k for k, _ in node.value}


def _expectation(
    f: _File, value: dict[Any, Any], node: Node | None
) -> tuple[Expectation | None, list[AimscheckError]]:
    """A subject's expectation given as a mapping (outcome, message, failed, reasons) and
    every problem of it; None without an outcome."""
    from aimscheck.dsl.regex import RegexError, compile_regex
    from aimscheck.evidence import REASONS
    from aimscheck.testexpect import EXPECT_KEYS, problems

    errors: list[AimscheckError] = [
        f.fail(why, (_key_node(node, str(key)) if key is not None else None) or node)
        for key, why in problems(value)
    ]
    fields = {k: v for k, v in value.items() if k in EXPECT_KEYS}
    message = fields.get("message")
    pattern = fields.get("message_matches")
    for key, text in (("message", message), ("message_matches", pattern)):
        if text is not None and not isinstance(text, str):
            errors.append(f.fail(f"{key} must be text", _child(node, key) or node, "quote it"))
    if isinstance(pattern, str):
        try:
            compile_regex(pattern)
        except RegexError as exc:
            at = _child(node, "message_matches") or node
            errors.append(f.fail(f"message_matches is not a pattern RE2 can read: {exc}", at))
    failed = fields.get("failed")
    if failed is not None:
        failed = failed if isinstance(failed, list) else [failed]
        for item in failed:
            if isinstance(item, bool) or not isinstance(item, int | str) or item == "":
                errors.append(
                    f.fail(
                        f"failed: {item!r} names no requirement",
                        _child(node, "failed") or node,
                        "number the rule's require and evidence lines from 1 (failed: [2]), "
                        'or quote the condition of the line (failed: ["owner_ref is set"])',
                    )
                )
                failed = None  # not checked against the rule: said here
                break
    reasons = fields.get("reasons")
    if reasons is not None:
        reasons = reasons if isinstance(reasons, list) else [reasons]
        codes = [c for c in REASONS if c != "ok"]
        for code in reasons:
            if code not in codes:
                close = difflib.get_close_matches(str(code), codes, n=1, cutoff=0.6)
                errors.append(
                    f.fail(
                        f"unknown evidence reason code {str(code)!r}",
                        _child(node, "reasons") or node,
                        f"did you mean '{close[0]}'?" if close else f"use {', '.join(codes)}",
                    )
                )
    if "outcome" not in fields:
        return None, errors
    expected = Expectation(
        str(fields["outcome"]),
        message if isinstance(message, str) else None,
        pattern if isinstance(pattern, str) else None,
        None if failed is None else tuple(failed),
        None if reasons is None else tuple(map(str, reasons)),
        f.at(_child(node, "failed") or node).line,
    )
    return expected, errors


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
