"""Loading an AIMS export (a file or a governance-repo folder) with every record's file and line."""

from __future__ import annotations

import gc
import hashlib
import json
import re
import stat
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aimscheck.errors import AimscheckError, ExportLoadError, raise_all
from aimscheck.export.model import COLLECTIONS, ID_FIELD, SECTIONS, Export
from aimscheck.source import Location, render_snippet

try:
    from yaml import CSafeLoader as _SafeBase
except ImportError:  # PyYAML built without LibYAML: same results, about 3x slower
    from yaml import SafeLoader as _SafeBase  # type: ignore[assignment]

SUFFIXES = (".yaml", ".yml", ".json")
MAIN_NAMES = tuple(f"aims{suffix}" for suffix in SUFFIXES)
# Sections holding a mapping: a list there means a collection was meant (and vice versa).
MAPPING_SECTIONS = frozenset(SECTIONS) - {"schema_version", "exported_at"}
_COLLECTIONS = frozenset(COLLECTIONS)


def load_export(path: Path) -> Export:
    """Read an export file or folder; input problems are raised, all of them together."""
    # The loaders allocate millions of small objects that the cyclic GC would rescan for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Reader(path).run()
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class _Document:
    """A parsed file: its data and where its top-level keys and list items start (1-based)."""

    display: str
    data: Any
    line: int
    keys: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[int]] = field(default_factory=dict)  # top-level mapping's lists
    top_items: list[int] = field(default_factory=list)  # top-level list's items


class _Reader:
    """One load: the Export being filled, the problems found and the bytes read (for the digest)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.export = Export(root=path.parent, main_file=path, data={})
        self.errors: list[AimscheckError] = []
        self.read: dict[Path, bytes] = {}
        self.ids: dict[str, dict[object, Location]] = {name: {} for name in COLLECTIONS}

    def run(self) -> Export:
        path = self.path
        try:
            mode = path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            self.fail(path, "export not found: give an export file (.yaml, .yml, .json) or folder")
            mode = 0
        except OSError as exc:
            self.fail(path, f"cannot access the export ({exc.strerror}): check its permissions")
            mode = 0
        if stat.S_ISDIR(mode):
            self.export.root = path
            self.load_folder(path)
        elif stat.S_ISREG(mode) and path.suffix.lower() in SUFFIXES:
            self.take_top(self.parse(path))
        elif mode:
            self.fail(path, "not an export: give a .yaml, .yml or .json file, or an export folder")
        raise_all(self.errors)
        self.export.files = tuple(self.read)
        self.export.digest = self.digest()
        return self.export

    def load_folder(self, root: Path) -> None:
        try:
            entries = {entry.name: entry for entry in root.iterdir()}
        except OSError as exc:
            self.fail(root, f"cannot list the export folder ({exc.strerror}): check permissions")
            return
        mains = [entries[name] for name in MAIN_NAMES if name in entries]
        if not mains:
            self.fail(
                root,
                f"no aims.yaml in export folder '{self.export.display(root)}': add aims.yaml "
                '(or aims.yml or aims.json) holding schema_version: "1" and organization',
            )
            return
        if len(mains) > 1:
            names = " and ".join(main.name for main in mains)
            self.fail(mains[1], f"{names} are both in this folder: keep only one of them")
        self.export.main_file = mains[0]
        self.take_top(self.parse(mains[0]))
        for name in COLLECTIONS:
            for file in (entries.get(name + suffix) for suffix in SUFFIXES):
                if file is not None and (doc := self.parse(file)) is not None:
                    self.take_list(name, doc)
            if name in entries and entries[name].is_dir():
                self.load_record_folder(name, entries[name])

    def load_record_folder(self, name: str, folder: Path) -> None:
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        except OSError as exc:
            self.fail(folder, f"cannot list this folder ({exc.strerror}): check its permissions")
            return
        for file in files:
            # Hidden files are editor and OS droppings (.#risk.yaml, ._risk.yaml).
            if not file.name.startswith(".") and file.is_file():
                doc = self.parse(file)
                if doc is not None:
                    self.take_record(name, doc)

    def take_list(self, name: str, doc: _Document) -> None:
        """A `<collection>.yaml` file: a list of records."""
        if isinstance(doc.data, list):
            self.add_records(name, doc.data, doc.top_items, doc.display)
        else:
            message = f"this file must hold a list of {name} records ('- id: ...')"
            self.fail_at(doc.display, doc.line, f"{message}, got {_kind(doc.data)}")

    def take_record(self, name: str, doc: _Document) -> None:
        """A file of a `<collection>/` folder: one record."""
        if isinstance(doc.data, dict):
            self.add_records(name, [doc.data], [doc.line], doc.display)
        else:
            message = f"a file in {name}/ holds one record as a mapping (id: ...)"
            self.fail_at(doc.display, doc.line, f"{message}, got {_kind(doc.data)}")

    def take_top(self, doc: _Document | None) -> None:
        """The sections and collections of a whole-export file (one file, or aims.*)."""
        if doc is None:
            return
        if not isinstance(doc.data, dict):
            message = 'the export must be a mapping (schema_version: "1", organization: ...)'
            self.fail_at(doc.display, doc.line, f"{message}, got {_kind(doc.data)}")
            return
        for key, value in doc.data.items():
            line = doc.keys.get(key, doc.line)
            if key in _COLLECTIONS and isinstance(value, list):
                self.add_records(key, value, doc.items.get(key, []), doc.display)
            elif key in _COLLECTIONS and isinstance(value, dict):
                message = f"'{key}' is a collection: give a list of records ('- id: ...')"
                self.fail_at(doc.display, line, f"{message}, not a mapping")
            elif key in MAPPING_SECTIONS and isinstance(value, list):
                message = f"'{key}' is a section: give a mapping of its fields, not a list"
                self.fail_at(doc.display, line, message)
            else:
                self.export.data[key] = value
                if isinstance(value, dict):
                    self.export.locations[id(value)] = Location(doc.display, line)

    def add_records(self, name: str, records: list[Any], lines: list[int], display: str) -> None:
        """Append records to a collection, locate them and report ids seen before."""
        target = self.export.data.setdefault(name, [])
        if not isinstance(target, list):
            return  # a scalar given there was kept for the schema to report
        target.extend(records)
        seen, key_field = self.ids[name], ID_FIELD[name]
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                continue  # the schema reports it, with its path
            where = Location(display, lines[index])  # the parsers give a line to every item
            self.export.locations[id(record)] = where
            key = record.get(key_field)
            if isinstance(key, str | int) and (first := seen.setdefault(key, where)) is not where:
                self.errors.append(
                    ExportLoadError(
                        f"duplicate {key_field} {key!r} in {name}: also at {first}; "
                        f"give each record its own {key_field}",
                        where,
                    )
                )

    def parse(self, file: Path) -> _Document | None:
        """Read, decode and parse one file; None (the problems recorded) when it cannot be."""
        display = self.export.display(file)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            self.fail_at(display, 1, f"cannot read file ({exc.strerror}): check its permissions")
            return None
        self.read[file] = raw
        try:
            text = raw.decode("utf-8").removeprefix("\ufeff")
            if not text.strip():
                raise _Problem("empty file: remove it or give it content", 1, 0)
            parse = _parse_json if file.suffix.lower() == ".json" else _parse_yaml
            doc, duplicates = parse(text, display)
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - raw.rfind(b"\n", 0, exc.start)
            message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8"
            self.errors.append(ExportLoadError(message, Location(display, line, column)))
            return None
        except _Problem as exc:
            snippet = render_snippet(text, exc.line, exc.column) if exc.column else ""
            where = Location(display, exc.line, exc.column)
            self.errors.append(ExportLoadError(exc.message, where, snippet, exc.hint))
            return None
        for message, line, column in duplicates:
            self.errors.append(ExportLoadError(message, Location(display, line, column)))
        return doc

    def fail(self, path: Path, message: str) -> None:
        self.fail_at(self.export.display(path), 1, message)

    def fail_at(self, display: str, line: int, message: str) -> None:
        self.errors.append(ExportLoadError(message, Location(display, line)))

    def digest(self) -> str:
        """sha256 over (path relative to the root, bytes) of every file read, in path order."""
        digest = hashlib.sha256()
        root = self.export.root
        for rel, raw in sorted((_relative(p, root), raw) for p, raw in self.read.items()):
            digest.update(f"{rel}\0{len(raw)}\0".encode())
            digest.update(raw)
        return "sha256:" + digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _kind(value: object) -> str:
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return "nothing (null)" if value is None else f"a single value ({value!r})"


class _Problem(Exception):
    """A parse problem at a line and column (0: unknown), turned into an ExportLoadError."""

    def __init__(self, message: str, line: int, column: int, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


# Duplicate keys found while parsing, as (message, line, column); parsing goes on.
_Duplicates = list[tuple[str, int, int]]


class _Loader(_SafeBase):
    """Safe YAML that reports duplicate keys and keeps data JSON-typed (dates, keys as str)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.duplicates: _Duplicates = []
        self.checked: set[int] = set()
        # Depth-first construction: an alias inside its own anchor (&a [*a]) is then refused
        # instead of becoming a recursive structure that validation would never leave.
        self.deep_construct = True

    def flatten_mapping(self, node: MappingNode) -> None:
        # Merges (<<) rewrite node.value, and a merged node may be flattened before its own
        # construction: check each node's own keys once, before anything is rewritten.
        if id(node) not in self.checked:
            self.checked.add(id(node))
            seen: dict[str, int] = {}
            for key, _ in node.value:
                if not isinstance(key, ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                    continue
                if key.value in seen:
                    message = f"duplicate key {key.value!r} (first at line {seen[key.value]})"
                    self.duplicates.append(
                        (message, key.start_mark.line + 1, key.start_mark.column + 1)
                    )
                else:
                    seen[key.value] = key.start_mark.line + 1
        super().flatten_mapping(node)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                _refuse(self, key, "a mapping key must be a plain value")
            # The key as written: `1`, `yes` or `2026-01-31` stay the strings a person typed.
            mapping[key.value] = self.construct_object(value, deep=deep)
        return mapping


def _refuse(loader: _Loader, node: Node, problem: str = "") -> NoReturn:
    if not problem:
        loader.construct_undefined(node)  # raises "could not determine a constructor"
    raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _iso_date(loader: _Loader, node: ScalarNode) -> str:
    try:
        return loader.construct_yaml_timestamp(node).isoformat()
    except ValueError as exc:
        _refuse(loader, node, f"invalid date {node.value!r} ({exc}): give a real date")


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _iso_date)
for _tag in ("binary", "set", "omap", "pairs"):  # no JSON equivalent: refused like python tags
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)
_TAG = re.compile(r"constructor for the tag '([^']*)'")


def _parse_yaml(text: str, display: str) -> tuple[_Document, _Duplicates]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _Problem("empty file (only comments): remove it or give it content", 1, 0)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc) from None
    except yaml.reader.ReaderError as exc:  # a forbidden character: a position, no mark
        line = text.count("\n", 0, exc.position) + 1
        raise _Problem(f"invalid YAML: {exc.reason}: remove the character", line, 0) from None
    finally:
        loader.dispose()
    doc = _Document(display, data, node.start_mark.line + 1, top_items=_item_lines(node))
    if isinstance(node, MappingNode):
        for key, value in node.value:  # flattened by now: the last key wins, as in `data`
            doc.keys[key.value] = key.start_mark.line + 1
            doc.items[key.value] = _item_lines(value)
    return doc, loader.duplicates


def _item_lines(node: Node) -> list[int]:
    if isinstance(node, SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _yaml_problem(exc: yaml.MarkedYAMLError) -> _Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 0)
    if tag := _TAG.search(exc.problem or ""):
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        message = f"YAML tag '{name}' is not allowed: an export holds plain data; remove the tag"
        return _Problem(message, line, column)
    if "recursive node" in str(exc.problem):
        message = "an alias is used inside its own anchor: an export cannot hold recursive data"
        return _Problem(message, line, column)
    if isinstance(exc, yaml.constructor.ConstructorError) and not exc.context:
        return _Problem(str(exc.problem), line, column)  # one of ours: already says what to do
    context = f" ({exc.context})" if exc.context else ""
    hint = "check the indentation, colons and quotes here and on the line before"
    return _Problem(f"invalid YAML{context}: {exc.problem}", line, column, hint)


_WS = re.compile(r"[ \t\n\r]*")
_ID_KEY = re.compile(r'[ \t\n\r]*"(?:id|control)"[ \t\n\r]*:')


def _skip(text: str, offset: int) -> int:
    """The offset of the first non-blank character at or after `offset`."""
    return _WS.match(text, offset).end()  # type: ignore[union-attr]  # `*` always matches


class _Json:
    """JSON by the C decoder, but the top level and its lists are walked here to learn lines."""

    def __init__(self, text: str) -> None:
        self.text, self.duplicates, self.at = text, _Duplicates(), 0
        self.decode = json.JSONDecoder(object_pairs_hook=self.pairs).raw_decode
        self.counted = (0, 1)  # (offset, its line): newlines are counted forward, once
        self.keys: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}

    def document(self, display: str) -> _Document:
        text, top = self.text, list[int]()
        start = _skip(text, 0)
        data: Any
        if text.startswith("{", start):
            data, end = self.mapping(start)
        elif text.startswith("[", start):
            data, end = self.array(start, top)
        else:
            data, end = self.decode(text, start)
        if _skip(text, end) != len(text):
            raise json.JSONDecodeError("Extra data", text, _skip(text, end))
        return _Document(display, data, self.item_line(start), self.keys, self.items, top)

    def mapping(self, offset: int) -> tuple[dict[str, Any], int]:
        """The top-level object at `offset` (its `{`) and the offset after it."""
        text, data = self.text, dict[str, Any]()
        offset = _skip(text, offset + 1)
        while not (text.startswith("}", offset) and not data):
            if not text.startswith('"', offset):
                raise json.JSONDecodeError("Expecting property name", text, offset)
            key, offset = self.decode(text, offset)
            line = self.line(offset)
            if key in data:
                message = f"duplicate key {key!r} (first at line {self.keys[key]})"
                self.duplicates.append((message, line, 0))
            self.keys[key], self.items[key] = line, []
            offset = self.expect(":", offset)
            if text.startswith("[", offset):
                data[key], offset = self.array(offset, self.items[key])
            else:
                self.at = offset
                data[key], offset = self.decode(text, offset)
            offset = _skip(text, offset)
            if text.startswith("}", offset):
                break
            offset = self.expect(",", offset)
        return data, offset + 1

    def array(self, offset: int, lines: list[int]) -> tuple[list[Any], int]:
        """The list at `offset` (its `[`) and the offset after it; notes each item's line."""
        text, items, decode = self.text, list[Any](), self.decode
        offset = _skip(text, offset + 1)
        while not (text.startswith("]", offset) and not items):  # the hot loop: keep it lean
            lines.append(self.item_line(offset))
            self.at = offset
            item, offset = decode(text, offset)  # a trailing comma fails here, as in JSON
            items.append(item)
            offset = _skip(text, offset)
            if text.startswith("]", offset):
                break
            offset = self.expect(",", offset)
        return items, offset + 1

    def expect(self, delimiter: str, offset: int) -> int:
        """The offset after `delimiter` (which must come next) and the blanks after it."""
        offset = _skip(self.text, offset)
        if not self.text.startswith(delimiter, offset):
            raise json.JSONDecodeError(f"Expecting '{delimiter}' delimiter", self.text, offset)
        return _skip(self.text, offset + 1)

    def line(self, offset: int) -> int:
        start, line = self.counted if offset >= self.counted[0] else (0, 1)
        self.counted = (offset, line + self.text.count("\n", start, offset))
        return self.counted[1]

    def item_line(self, offset: int) -> int:
        """The line of `"id":` when it is a record's first key (as `- id:` in YAML), else here."""
        match = _ID_KEY.match(self.text, offset + 1) if self.text[offset] == "{" else None
        return self.line(match.end() - 1 if match else offset)

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            keys = [key for key, _ in pairs]
            name = next(key for i, key in enumerate(keys) if key in keys[:i])
            # The decoder gives no positions: point at the record (or value) being decoded.
            message = f"duplicate key {name!r} in this record: keep one (JSON keeps the last)"
            self.duplicates.append((message, self.line(self.at), 0))
        return obj


def _parse_json(text: str, display: str) -> tuple[_Document, _Duplicates]:
    reader = _Json(text)
    try:
        return reader.document(display), reader.duplicates
    except json.JSONDecodeError as exc:
        hint = "check the commas, brackets and quotes here and on the line before"
        raise _Problem(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno, hint) from None
