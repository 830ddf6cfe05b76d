"""What an export may hold beyond the packaged schema: added vocabulary values, custom fields."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aimscheck.source import Location


@dataclass(frozen=True, slots=True)
class VocabularyExtension:
    """`vocabulary:` in aimscheck.yaml: values an organisation adds to a closed vocabulary.

    `path` names the field from its collection or section, `("ai_systems", "risk_tier")` or
    `("ai_systems", "human_oversight", "mode")`; list fields name the list
    (`("organization", "ai_roles")`). The reason is shown in every report.
    """

    path: tuple[str, ...]
    values: tuple[str, ...]
    reason: str
    location: Location

    @property
    def name(self) -> str:
        """The field as aimscheck.yaml names it: `ai_systems.risk_tier`."""
        return ".".join(self.path)

    def sentence(self) -> str:
        """What the extension does, as reports say it: `ai_systems.risk_tier also accepts ...`."""
        values = ", ".join(f'"{value}"' for value in self.values)
        return f"{self.name} also accepts {values}"

    def to_dict(self) -> dict[str, object]:
        return {
            "field": self.name,
            "values": list(self.values),
            "reason": self.reason,
            "location": self.location.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class DeclaredField:
    """A custom field a rule pack declares (`field people.status: ...`).

    `type` is one of the declarable types of the rule language (`string`, `integer`, `number`,
    `boolean`, `date`, `list`, `object`, `any`). `values` is non-empty for a closed vocabulary
    (`field people.status: one of "active", "left"`). `ref` names the collection a reference
    points at (`"evidence"` for a proof reference: an evidence or documents record); with
    `type == "list"` the field is a list of such ids.
    """

    path: tuple[str, ...]
    type: str
    location: Location
    values: tuple[str, ...] = ()
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Extensions:
    """Everything a run adds to the packaged contract: the configuration's and the packs'."""

    vocabulary: tuple[VocabularyExtension, ...] = ()
    fields: tuple[DeclaredField, ...] = ()


NONE = Extensions()


# The JSON Schema of each declarable type; `list` items and `ref` are added by `_declared`.
_DECLARED_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"$ref": "#/$defs/date"},
    "list": {"type": "array"},
    "object": {"type": "object"},
    "any": {},
}


def vocabularies(schema: Mapping[str, Any]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every field of the export with a closed vocabulary `vocabulary:` may extend, with its
    values: `("ai_systems", "risk_tier")`; a list field of such values names the list."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    defs = schema.get("$defs", {})
    for name, top in schema.get("properties", {}).items():
        node = item_type(resolved(top, defs), defs)
        if node.get("type") == "object":
            _enums(node, (name,), defs, out)
    return out


def _enums(
    node: Mapping[str, Any],
    path: tuple[str, ...],
    defs: Mapping[str, Any],
    out: dict[tuple[str, ...], tuple[str, ...]],
) -> None:
    for name, sub in node.get("properties", {}).items():
        if sub.get("x-ref") == "annex_a":  # canonical control ids, not an organisation's words
            continue
        inner = item_type(resolved(sub, defs), defs)
        if isinstance(inner.get("enum"), list):
            out[(*path, name)] = tuple(str(value) for value in inner["enum"])
        elif inner.get("type") == "object":
            _enums(inner, (*path, name), defs, out)


def extended_schema(schema: Mapping[str, Any], extensions: Extensions) -> dict[str, Any]:
    """A copy of the export schema that also accepts the extensions: the added values in
    their vocabularies, and the declared fields with their types, vocabularies and targets."""
    out: dict[str, Any] = copy.deepcopy(dict(schema))
    if extensions == NONE:
        return out
    defs = out["$defs"]
    for extension in extensions.vocabulary:
        node = _field(out, extension.path)
        if node is not None:
            node = item_type(resolved(node, defs), defs)
            if isinstance(node.get("enum"), list):
                node["enum"] = list(dict.fromkeys([*node["enum"], *extension.values]))
    for declared in extensions.fields:
        *parents, name = declared.path
        owner = _field(out, tuple(parents), make=True)
        if owner is not None:
            properties = item_type(resolved(owner, defs), defs).setdefault("properties", {})
            properties.setdefault(name, _declared(declared))
    return out


def _declared(declared: DeclaredField) -> dict[str, Any]:
    """The JSON Schema of a declared field: its type, its values, what it refers to."""
    node = dict(_DECLARED_TYPES.get(declared.type, {}))
    target: dict[str, Any] = node
    if declared.type == "list" and (declared.values or declared.ref):
        target = node["items"] = {"type": "string"}
    if declared.values:
        target["enum"] = list(declared.values)
    if declared.ref:
        target |= {"type": "string", "minLength": 1}
        node["x-ref"] = declared.ref
    return node


def _field(
    schema: dict[str, Any], path: tuple[str, ...], make: bool = False
) -> dict[str, Any] | None:
    """The schema node of a field named from its collection or section (lists walked through).

    With `make`, fields missing on the way are added as objects (a custom object's fields).
    """
    defs = schema["$defs"]
    node: dict[str, Any] = schema
    for step in path:
        target = item_type(resolved(node, defs), defs)
        properties = target.setdefault("properties", {}) if make else target.get("properties")
        if not isinstance(properties, dict) or (step not in properties and not make):
            return None
        node = properties.setdefault(step, {"type": "object", "properties": {}})
    return node


def resolved(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Any:
    """The node a `$ref` into `$defs` names (the record type of a collection), else itself."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return defs.get(ref.removeprefix("#/$defs/"), node)
    return node


def item_type(node: Any, defs: Mapping[str, Any]) -> Any:
    """A list's item type (resolved), or the node itself."""
    if isinstance(node, Mapping) and node.get("type") == "array" and "items" in node:
        return resolved(node["items"], defs)
    return node
