"""What a name of a rule stands for in the export: its collection or section, path and type."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field

from aimscheck.export.fields import FieldType, export_type, load_schema, record_type
from aimscheck.exportdoc import Part, Row, parts
from aimscheck.lsp.scan import Token

# Functions whose result is an item of their first argument, a list.
_PICKS = frozenset({"latest", "first", "max", "min", "coalesce"})


@dataclass(frozen=True, slots=True)
class Place:
    """A value of the export: the part of the reference it is in (a collection or section),
    its path there as the reference writes it (`results[].value`) and its type."""

    part: str
    path: str
    type: FieldType
    # The fields the pack declares (`field ai_systems.unit: string`), by the id of the type
    # they are added to (as aimscheck.dsl.declare gives them).
    custom: Mapping[int, Mapping[str, FieldType]] = dc_field(default_factory=dict, compare=False)

    def fields(self) -> dict[str, FieldType]:
        """The fields of this record: the schema's, then those the pack declares."""
        return {**self.type.fields, **self.custom.get(id(self.type), {})}

    def field(self, name: str) -> Place | None:
        sub = self.fields().get(name)
        if sub is None:
            return None
        return Place(self.part, f"{self.path}.{name}" if self.path else name, sub, self.custom)

    def item(self) -> Place:
        """An item of the list this place holds (itself when it is no list)."""
        if self.type.kind != "list" or self.type.item is None:
            return self
        ref = self.type.ref or self.type.item.ref
        if ref and ref in export_type().fields and self.type.item.kind != "object":
            return self  # a list of ids: its items are ids, not records
        return Place(self.part, f"{self.path}[]" if self.path else "", self.type.item, self.custom)


@functools.cache
def reference() -> dict[str, Part]:
    """The export reference (docs/export.md) by section or collection name."""
    return {p.name: p for p in parts(load_schema()) if p.name}


def row(place: Place) -> Row | None:
    """The reference's row of a field."""
    part = reference().get(place.part)
    return None if part is None else next((r for r in part.rows if r.path == place.path), None)


@dataclass(frozen=True, slots=True)
class Names:
    """What the names of a rule stand for: the names bound before the cursor (scan.bindings)
    and the fields the pack declares."""

    binds: Mapping[str, list[Token]]
    custom: Mapping[int, Mapping[str, FieldType]] = dc_field(default_factory=dict)

    def top(self, name: str) -> Place | None:
        """A section or collection of the export by its name."""
        typ = export_type().fields.get(name)
        return None if typ is None else Place(name, "", typ, self.custom)

    def records(self, collection: str) -> Place | None:
        typ = record_type(collection)
        return None if typ is None else Place(collection, "", typ, self.custom)


def resolve(chain: list[str], names: Names, seen: frozenset[str] = frozenset()) -> Place | None:
    """The place a chain of names (`sys`, `owner_ref`, `->people`) stands for, or None."""
    if not chain:
        return None
    head = chain[0]
    if head.startswith("->"):
        place = names.records(head[2:])
    elif head in names.binds and head not in seen:
        place = bound(names.binds[head], names, seen | {head})
    else:
        place = names.top(head)
    for name in chain[1:]:
        if place is None:
            return None
        place = names.records(name[2:]) if name.startswith("->") else place.field(name)
    return place


def bound(source: list[Token], names: Names, seen: frozenset[str]) -> Place | None:
    """What a name is bound to: an item of its source for `for`/quantifiers, the value of a
    `let`; None for a parameter or anything not worked out."""
    if not source:
        return None
    if source[0].text == "param":
        return None
    if source[0].text == "let":
        return value(source[1:], names, seen)
    found = value(source, names, seen)
    return None if found is None else found.item()


def value(toks: list[Token], names: Names, seen: frozenset[str]) -> Place | None:
    """The place an expression's tokens stand for, for the usual forms only: a path, `x ->
    coll`, `latest(…)`/`first(…)` of a list, `filter(v in …)`."""
    if len(toks) >= 2 and toks[0].kind == "name" and toks[1].text == "(":
        func, inner = toks[0].text, toks[2:]
        if func == "filter" and len(inner) >= 2 and inner[1].text == "in":
            return value(inner[2:], names, seen)
        if func in _PICKS:
            found = value(inner, names, seen)
            return None if found is None else found.item()
        return None
    return resolve(chain_of(toks), names, seen)


def chain_of(toks: list[Token]) -> list[str]:
    """The leading path of an expression's tokens (`a.b -> c` → ["a", "b", "->c"])."""
    chain: list[str] = []
    i = 0
    while i < len(toks) and toks[i].kind == "name":
        chain.append(toks[i].text)
        if i + 2 < len(toks) and toks[i + 1].text == "." and toks[i + 2].kind == "name":
            i += 2
        elif i + 2 < len(toks) and toks[i + 1].text == "->" and toks[i + 2].kind == "name":
            chain.append("->" + toks[i + 2].text)
            i += 3
            if i < len(toks) and toks[i].text == ".":
                i += 1
            else:
                break
        else:
            break
    return chain


def enum(place: Place) -> tuple[str, ...]:
    """The words a field may hold (of its items, for a list)."""
    typ = place.type
    if typ.kind == "list" and typ.item is not None:
        typ = typ.item
    return typ.enum
