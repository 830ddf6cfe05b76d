"""References between records: every id a reference field names must be a record of its target."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter, methodcaller
from typing import Any

from aimscheck.export.contract import item_type, resolved
from aimscheck.export.model import COLLECTIONS, ID_FIELD, Export

# A proof reference (`x-ref: evidence`) names a record of either collection.
PROOF = ("evidence", "documents")
# A path in the export's data (keys and list indexes) and what is wrong there.
Problem = tuple[tuple[str | int, ...], str]
_CLOSE = 0.7
# Distinct dangling ids given a suggestion: each is compared with every id of its target, so
# an export with thousands of them gets its errors now, without suggestions past these.
_SUGGESTED = 50


@dataclass(frozen=True, slots=True)
class RefField:
    """A reference field: the collection or section holding it, the fields leading to it from
    there (lists of records walked through), the collections it names, and whether it holds a
    list of ids."""

    owner: str
    steps: tuple[str, ...]
    targets: tuple[str, ...]
    many: bool


def ref_fields(schema: Mapping[str, Any]) -> tuple[RefField, ...]:
    """Every field of the schema with an `x-ref` naming records, nested ones too.

    `x-ref` is a collection, a list of them, "any" (any collection) or "evidence" (a proof
    record); "annex_a" names canonical control ids, checked by their enum, not records.
    """
    defs = schema.get("$defs", {})
    out: list[RefField] = []

    def walk(node: Mapping[str, Any], owner: str, steps: tuple[str, ...]) -> None:
        for name, sub in node.get("properties", {}).items():
            xref, inner = sub.get("x-ref"), resolved(sub, defs)
            many = inner.get("type") == "array"
            if xref is not None and xref != "annex_a":
                out.append(RefField(owner, (*steps, name), _targets(xref), many))
            elif xref is None:
                item = item_type(inner, defs)
                if item.get("type") == "object":
                    walk(item, owner, (*steps, name))

    for name, top in schema.get("properties", {}).items():
        node = item_type(resolved(top, defs), defs)
        if node.get("type") == "object":
            walk(node, name, ())
    return tuple(out)


def _targets(xref: str | list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for name in [xref] if isinstance(xref, str) else xref:
        names += COLLECTIONS if name == "any" else PROOF if name == "evidence" else [name]
    return tuple(dict.fromkeys(names))


def dangling(export: Export, fields: tuple[RefField, ...]) -> list[Problem]:
    """Every reference naming an id that is no record of its target collections.

    The ids of each collection are gathered once; each reference is one set look-up.
    Values of the wrong type are skipped: the schema reports them. A reference written in
    another Unicode form than the id it names (`é` as `e` and a combining accent) is put in
    NFC, as ids are, in the export's data: rules and joins then find its record.
    """
    ids = {name: _ids(export.collection(name), ID_FIELD[name]) for name in COLLECTIONS}
    known: dict[tuple[str, ...], set[Any]] = {}
    suggest = _Suggestions()
    problems: list[Problem] = []
    for ref in fields:
        if ref.targets not in known:
            ids_of = [ids.get(name, set()) for name in ref.targets]
            known[ref.targets] = ids_of[0] if len(ids_of) == 1 else set().union(*ids_of)
        found = known[ref.targets]
        for path, value in _unknown(export, ref, found):
            close = suggest(value, found, ref.targets)
            hint = f" (did you mean '{close}'?)" if close else ""
            what = _described(ref.targets)
            problems.append((path, f"names '{_cut(value)}', which is not {what}{hint}"))
    return problems


def _ids(records: list[Any], key: str) -> set[Any]:
    try:
        return set(map(itemgetter(key), records))  # every record a mapping with its id
    except (KeyError, TypeError):  # the schema reports what is missing or wrong
        found = (r.get(key) for r in records if type(r) is dict)
        return {ident for ident in found if isinstance(ident, str | int)}


def _unknown(export: Export, ref: RefField, known: set[Any]) -> Iterator[Problem]:
    """(path, id) of every id of `ref` in the export that is not in `known`."""
    if ref.owner in ID_FIELD:
        holders: list[Any] = export.collection(ref.owner)
        at: tuple[str | int, ...] = (ref.owner,)
    else:
        holders, at = [export.data.get(ref.owner)], ()
    if _all_known(holders, ref, known):
        return
    for index, holder in enumerate(holders):
        yield from _walk(holder, ref.steps, (*at, index) if at else (ref.owner,), known, ref.many)


def _all_known(holders: list[Any], ref: RefField, known: set[Any]) -> bool:
    """Whether every id of `ref` in `holders` is known, asked in loops that run in C (about
    30 ns an id); False also when a value is not as the schema says (the walk looks closer)."""
    try:
        values = holders
        for step in ref.steps[:-1]:  # mappings, or lists of them, on the way
            found = filter(None, map(methodcaller("get", step), values))
            values = [
                item for value in found for item in (value if type(value) is list else (value,))
            ]
        values = list(map(methodcaller("get", ref.steps[-1]), values))
        if ref.many:
            return known.issuperset(chain.from_iterable(filter(None, values)))
        return not (set(values) - known - {None})
    except (AttributeError, TypeError):  # a value that is not a mapping, an unhashable id
        return False


def _walk(
    node: Any, steps: tuple[str, ...], at: tuple[str | int, ...], known: set[Any], many: bool
) -> Iterator[Problem]:
    if type(node) is list:  # a list of records on the way
        for index, item in enumerate(node):
            yield from _walk(item, steps, (*at, index), known, many)
    elif type(node) is not dict or steps[0] not in node:
        return
    elif len(steps) > 1:
        yield from _walk(node[steps[0]], steps[1:], (*at, steps[0]), known, many)
    else:  # the field itself: an id, or a list of ids
        yield from _unknown_in(node, steps[0], (*at, steps[0]), known, many)


def _unknown_in(
    holder: dict[str, Any], key: str, at: tuple[str | int, ...], known: set[Any], many: bool
) -> Iterator[Problem]:
    """The unknown ids of `holder[key]`; one written in another Unicode form than its record's
    id (ids are kept in NFC: export/ids.py) is that id, and is written back in NFC."""
    value = holder[key]
    if type(value) is str and not many:
        if value not in known:
            normal = _nfc(value)
            if normal in known:
                holder[key] = normal
            else:
                yield at, value
    elif type(value) is list and many:
        for index, item in enumerate(value):
            if type(item) is str and item not in known:
                normal = _nfc(item)
                if normal in known:
                    value[index] = normal
                else:
                    yield (*at, index), item


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _described(targets: tuple[str, ...]) -> str:
    if set(targets) == set(COLLECTIONS):
        return "the id of any record"
    return f"an id of {' or '.join(targets)}"


def _cut(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


class _Suggestions:
    """The closest existing id to a dangling one, for the first few distinct dangling ids."""

    def __init__(self) -> None:
        self.done: dict[tuple[str, tuple[str, ...]], str] = {}
        self.sorted: dict[tuple[str, ...], list[str]] = {}

    def __call__(self, value: str, known: set[Any], targets: tuple[str, ...]) -> str:
        key = (value, targets)
        if key not in self.done:
            if len(self.done) >= _SUGGESTED:
                return ""
            if targets not in self.sorted:
                self.sorted[targets] = sorted(k for k in known if isinstance(k, str))
            close = difflib.get_close_matches(value, self.sorted[targets], n=1, cutoff=_CLOSE)
            self.done[key] = close[0] if close else ""
        return self.done[key]
