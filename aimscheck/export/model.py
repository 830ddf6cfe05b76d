"""The loaded export: plain JSON-like data plus where every record came from."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aimscheck.source import Location

# `id()` of a mapping or list of one file's data -> the line of each of its keys, or items.
Lines = dict[int, dict[str, int] | list[int]]

# The single-valued sections and the collections of the export (docs/export.md), in its order.
SECTIONS: tuple[str, ...] = (
    "schema_version",
    "exported_at",
    "source",
    "organization",
    "context",
    "scope",
    "risk_methodology",
    "audit_programme",
    "implementation",
)
COLLECTIONS: tuple[str, ...] = (
    "interested_parties",
    "legal_requirements",
    "people",
    "roles",
    "documents",
    "evidence",
    "ai_systems",
    "models",
    "datasets",
    "third_parties",
    "risks",
    "impact_assessments",
    "soa",
    "controls",
    "objectives",
    "competence_records",
    "communications",
    "changes",
    "metrics",
    "incidents",
    "concerns",
    "audits",
    "findings",
    "corrective_actions",
    "management_reviews",
)
# The field that identifies a record of a collection (the SoA is keyed by its control id).
ID_FIELD: dict[str, str] = {name: "id" for name in COLLECTIONS} | {"soa": "control"}


@dataclass
class Export:
    """An AIMS export as loaded: `data` holds sections and collections (lists of dicts).

    `locations` maps `id(obj)` of every record and section mapping to the file and line it was
    read from, so that any record an expression yields can be located. `keys` locates the
    top-level keys. `sources` keeps, per file (named as in locations), its path, its data as
    read and the line of every key and list item in it (YAML files without anchors), from which
    the line of any field is found on demand (`location_at`); for a JSON file, its text is read
    again then. The loader builds the object once; it is never modified afterwards, but for
    that on-demand index.
    """

    root: Path
    main_file: Path
    data: dict[str, Any]
    locations: dict[int, Location] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    digest: str = ""
    keys: dict[str, Location] = field(default_factory=dict)
    sources: dict[str, tuple[Path, Any, array[int]]] = field(default_factory=dict)
    # Timestamps as written (the data holds their day in UTC), by (id() of holder, key): set by
    # export.dates.coerce_dates for the proof checks, which compare instants.
    instants: dict[tuple[int, str | int], datetime] = field(default_factory=dict)
    # Built on demand from `sources`: the lines of each file, and a JSON file's text and offsets.
    _lines: dict[str, Lines] = field(default_factory=dict, repr=False, compare=False)
    _json: dict[str, tuple[str, dict[int, int]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def collection(self, name: str) -> list[dict[str, Any]]:
        value = self.data.get(name)
        return value if isinstance(value, list) else []

    def location_of(self, obj: object) -> Location | None:
        return self.locations.get(id(obj))

    def location_at(self, path: Iterable[str | int]) -> Location:
        """The file and line of the value at `path` (keys and list indexes from the top).

        Where the line of a field cannot be known (a YAML file with anchors), the line of the
        record or section holding it.
        """
        location = self.default_location()
        file, line = location.file, location.line
        node: Any = self.data
        lines: Lines = {}  # of the file the walk is in
        for part in path:
            try:
                value = node[part]
            except (LookupError, TypeError):
                break
            if node is self.data:
                found = self.keys.get(part) if isinstance(part, str) else None
                if found is not None:
                    file, line = found.file, found.line
            elif own := lines.get(id(node)):
                with suppress(LookupError, TypeError):
                    line = own[part]  # type: ignore[index]  # a mapping's key, a list's index
            node = value
            found = self.locations.get(id(node))
            if found is not None:  # a record or section: the lines of its file
                file, line = found.file, found.line
                lines = self.field_lines(file, node)
        return Location(file, line)

    def field_lines(self, file: str, node: object) -> Lines:
        """The lines of the keys and items of the mappings and lists of a file, `node` (a
        record or section of it) among them when they can be known; built on demand."""
        found = self._lines.setdefault(file, {})
        if id(node) in found or file not in self.sources:
            return found
        path, data, lines = self.sources[file]
        if path.suffix.lower() == ".json":
            found |= self._json_lines(file, path, data, node)
        elif lines and not found:
            found |= _index(data, lines)
        return found

    def _json_lines(self, file: str, path: Path, data: Any, node: object) -> Lines:
        """The lines inside one record or section of a JSON file, from its text read again."""
        from aimscheck.export.jsonparse import field_lines, starts

        if file not in self._json:
            try:
                text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
            except (OSError, UnicodeDecodeError):
                text = ""
            # A file on one line (as machines write JSON) has every field on the line of its
            # record: nothing to learn, and finding where its records are costs a whole read.
            one_line = text.count("\n") <= 1
            self._json[file] = ("", {}) if one_line else (text, starts(text, data))
        text, offsets = self._json[file]
        offset = offsets.get(id(node))
        return field_lines(text, offset, node) if offset is not None else {}

    def default_location(self) -> Location:
        return Location(self.display(self.main_file), 1)

    def display(self, path: Path) -> str:
        """A path as reports show it: relative to the working folder when possible."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)


def _index(data: Any, lines: array[int]) -> Lines:
    """Hand out `lines`, in the order the YAML reader noted them, to the keys and items of every
    mapping and list of `data`; {} when they do not match one to one.

    The order: a mapping's keys one by one, each followed by what is inside its value; a list's
    items all first, then what is inside each item in turn.
    """
    out: Lines = {}
    taken, total = 0, len(lines)
    stack: list[tuple[dict[str, int] | None, Iterator[tuple[Any, Any]]]] = []

    def enter(node: dict[str, Any] | list[Any]) -> bool:
        nonlocal taken
        if isinstance(node, dict):
            own: dict[str, int] = {}
            out[id(node)] = own
            stack.append((own, iter(node.items())))
        else:
            if taken + len(node) > total:
                return False
            out[id(node)] = lines[taken : taken + len(node)].tolist()
            taken += len(node)
            stack.append((None, enumerate(node)))
        return True

    if not isinstance(data, dict | list) or not enter(data):
        return {}
    while stack:
        own, entries = stack[-1]
        for part, value in entries:
            if own is not None:
                if taken == total:
                    return {}
                own[part] = lines[taken]
                taken += 1
            if isinstance(value, dict | list):
                if not enter(value):
                    return {}
                break
        else:
            stack.pop()
    return out if taken == total else {}
