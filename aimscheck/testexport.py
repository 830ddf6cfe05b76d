"""A rule test's inline export: written to a temporary folder, its problems at the test's lines.

The inline export is read and validated exactly as a user's export is, so it is written as
`aims.yaml` (and the case's `files:`) in a temporary folder. A problem found there names that
temporary file, which the user never wrote: it is moved to the line of the test file the value
came from (the case's `export:`, the file's `base:`, or a `files:` entry).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from aimscheck.errors import AimscheckError, ErrorGroup, RuleTestError
from aimscheck.source import Location

EXPORT_FILE = "aims.yaml"
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Origin:
    """Where a case's inline data was written in its test file (YAML nodes, for their lines)."""

    file: Path
    case: Node | None = None
    export: Node | None = None
    base: Node | None = None
    files: dict[str, Node] = field(default_factory=dict)  # file name -> its key in `files:`

    def at(self, node: Node | None) -> Location:
        if node is None:
            return Location(str(self.file), 1)
        return Location(str(self.file), node.start_mark.line + 1, node.start_mark.column + 1)

    def of(self, path: Path_, key: bool = False) -> Location:
        """The line of the test file holding the export value at `path` (with `key`: its key,
        where a field no schema knows is misspelt)."""
        top = path[0] if path else None
        start = self.case
        if top is not None and _child(self.export, top) is not None:
            start = self.export
        elif top is not None and _child(self.base, top) is not None:
            start = self.base
        node = start
        steps = path if start is not self.case else ()
        for index, step in enumerate(steps):
            found = _child(node, step)
            if found is None:
                break
            if key and index == len(steps) - 1 and isinstance(node, MappingNode):
                found = next((k for k, v in node.value if v is found), found)
            node = found
        return self.at(node)


def _child(node: Node | None, key: str | int) -> Node | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                found: Node = v
                return found
    if isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item: Node = node.value[key]
        return item
    return None


def plain(value: Any) -> Any:
    """YAML dates back to text, so the case's export is written exactly as a user would."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Written:
    """An inline export written in a temporary folder, and how to tell its lines as the test
    file's: `errors` moves problems, `text` rewrites the places a finding's message names."""

    root: str  # resolved
    written: str  # the text of the export file
    origin: Origin
    given: str  # as the loader names it

    @functools.cached_property
    def lines(self) -> dict[int, Path_]:
        """The JSON path of each line of the export file: read only when a line is told."""
        return _lines(self.written)

    def errors(self, error: AimscheckError) -> list[AimscheckError]:
        inner = error.errors if isinstance(error, ErrorGroup) else [error]
        return [_move(e, self.lines, self.root, self.origin) for e in inner]

    def text(self, message: str) -> str:
        """`…/aims.yaml:8` in a message as `org.tests.yaml:12` (the file's name: stable
        wherever the pack is installed, so a test can assert the message exactly)."""
        if self.root not in message and self.given not in message:
            return message
        roots = "|".join(re.escape(r) for r in {self.root, self.given})
        pattern = f"(?:{roots})" + r"[\\/]" + re.escape(EXPORT_FILE) + r"(?::(\d+))?"

        def shown(match: re.Match[str]) -> str:
            line = self.origin.of(self.lines.get(int(match.group(1) or 0), ())).line
            return f"{self.origin.file.name}:{line}"

        return re.sub(pattern, shown, message)


def written(root: Path, export: dict[str, Any], files: dict[str, str], origin: Origin) -> Written:
    """Write the export and files into `root`, to be read as a user's export.

    A file name the file system refuses (a folder of that name, an empty name) is itself an
    error at its `files:` line.
    """
    text = yaml.safe_dump(plain(export), sort_keys=False, allow_unicode=True)
    (root / EXPORT_FILE).write_text(text, encoding="utf-8")
    problems: list[AimscheckError] = []
    for name, content in files.items():
        target = root / name
        try:
            if name == EXPORT_FILE or not name.strip("/\\") or target.resolve() == root.resolve():
                raise IsADirectoryError(f"{name!r} is the folder or the export file itself")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(str(content), encoding="utf-8")
        except (OSError, ValueError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            problems.append(
                RuleTestError(
                    f"files: {name!r} cannot be written in the case's export folder ({detail})",
                    origin.at(origin.files.get(name)),
                    hint="give each file a path of its own, such as files/proof.md",
                )
            )
    if problems:
        raise ErrorGroup(problems) if len(problems) > 1 else problems[0]
    return Written(os.path.realpath(root), text, origin, str(root))


def _move(
    error: AimscheckError, lines: dict[int, Path_], real_root: str, origin: Origin
) -> AimscheckError:
    where = error.location
    if where is None:
        return error
    real = os.path.realpath(where.file)
    if os.path.commonpath([real, real_root]) != real_root:
        return error  # a file of the user's (an export_path case): its own line is right
    name = os.path.relpath(real, real_root).replace(os.sep, "/")
    if name == EXPORT_FILE:
        location = origin.of(lines.get(where.line, ()), "unknown field" in error.message)
    else:
        location = origin.at(origin.files.get(name))
    moved = type(error)(error.message, location, hint=error.hint)
    return moved


def _lines(text: str) -> dict[int, Path_]:
    """The JSON path of the value each line of the written export starts (its deepest)."""
    lines: dict[int, Path_] = {}
    for line, path in _walk(yaml.compose(text, Loader=yaml.SafeLoader), ()):
        if len(path) >= len(lines.get(line, ())):
            lines[line] = path
    return lines


def _walk(node: Node | None, path: Path_) -> Iterator[tuple[int, Path_]]:
    if node is None:
        return
    yield node.start_mark.line + 1, path
    if isinstance(node, MappingNode):
        for key, value in node.value:
            inner = (*path, str(key.value))
            yield key.start_mark.line + 1, inner
            yield from _walk(value, inner)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*path, index))
