"""The export schema read as a type model: what the rule compiler knows about every field."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aimscheck.export.contract import VocabularyExtension

SCHEMA_FILE = "aims-export.schema.json"
DATE_REF = "#/$defs/date"
_DEFS = "#/$defs/"
_SCALARS = frozenset({"string", "integer", "number", "boolean"})


@dataclass(frozen=True, slots=True)
class FieldType:
    """The type of one field of the export.

    `kind` is one of "string", "integer", "number", "boolean", "date", "list", "object", "any".
    `ref` carries the schema's `x-ref`: a collection name, "evidence" (a proof reference: an
    evidence or documents record) or "annex_a" (a canonical Annex A control id). A list of
    references has `ref` set both on the list and on its item type.
    """

    kind: str
    fields: Mapping[str, FieldType] = field(default_factory=dict)
    item: FieldType | None = None
    enum: tuple[str, ...] = ()
    ref: str | None = None
    open: bool = True


ANY = FieldType("any")


@functools.cache
def load_schema() -> dict[str, Any]:
    """The packaged AIMS export JSON Schema (read once; callers must not modify it)."""
    text = resources.files("aimscheck.schemas").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def export_type() -> FieldType:
    """The whole export as an object type: sections are objects, collections lists of records."""
    return _Converter(load_schema()).convert(load_schema())


@functools.lru_cache(maxsize=8)
def with_vocabulary(vocabulary: tuple[VocabularyExtension, ...]) -> FieldType:
    """The export type with the values `vocabulary` adds to closed vocabularies: a copy along
    each extended path (`export_type()`, shared by every caller, is never changed). A path
    that names no closed vocabulary adds nothing."""
    root = export_type()
    for extension in vocabulary:
        root = _add_values(root, extension.path, extension.values)
    return root


def _add_values(typ: FieldType, path: tuple[str, ...], values: tuple[str, ...]) -> FieldType:
    if typ.kind == "list" and typ.item is not None:  # a collection's records, a list's items
        return replace(typ, item=_add_values(typ.item, path, values))
    if not path:
        added = tuple(v for v in values if v not in typ.enum)
        return replace(typ, enum=typ.enum + added) if typ.enum and added else typ
    child = typ.fields.get(path[0])
    if child is None:
        return typ
    return replace(typ, fields={**typ.fields, path[0]: _add_values(child, path[1:], values)})


class _Converter:
    """Turns schema nodes into FieldTypes, resolving `$ref`s into `$defs` (each one once)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        self.done: dict[str, FieldType] = {}

    def convert(self, node: Mapping[str, Any]) -> FieldType:
        xref = node.get("x-ref")
        ref = node.get("$ref")
        result = self.resolve(ref) if isinstance(ref, str) else self.convert_plain(node)
        if isinstance(xref, str) and xref != "any":
            # A reference to several collections (a list, or "any") has no one target type.
            # An id list is annotated on the array; the item carries it too, so that a
            # quantifier variable over the list knows what it points at.
            item = result.item
            if item is not None and item.ref is None:
                item = replace(item, ref=xref)
            result = replace(result, ref=xref, item=item)
        return result

    def resolve(self, ref: str) -> FieldType:
        if ref == DATE_REF:
            return FieldType("date")
        name = ref.removeprefix(_DEFS)
        if name not in self.done:
            target = self.defs.get(name) if ref.startswith(_DEFS) else None
            # Mark it first so a (hypothetical) recursive definition ends as "any".
            self.done[name] = ANY
            self.done[name] = self.convert(target) if isinstance(target, Mapping) else ANY
        return self.done[name]

    def convert_plain(self, node: Mapping[str, Any]) -> FieldType:
        kind = node.get("type")
        if kind == "object":
            props = node.get("properties", {})
            return FieldType(
                "object",
                fields={name: self.convert(sub) for name, sub in props.items()},
                open=node.get("additionalProperties", True) is not False,
            )
        if kind == "array":
            items = node.get("items")
            return FieldType(
                "list", item=self.convert(items) if isinstance(items, Mapping) else ANY
            )
        if isinstance(kind, str) and kind in _SCALARS:
            values = node.get("enum", [node["const"]] if "const" in node else [])
            return FieldType(kind, enum=tuple(str(v) for v in values))
        return ANY


def record_type(collection: str) -> FieldType | None:
    """The record type of a collection (`risks` -> one risk), None for an unknown name."""
    coll = export_type().fields.get(collection)
    return coll.item if coll is not None and coll.kind == "list" else None
