"""Resolves the `field` declarations of rule packs: the types rules see, the fields exports hold."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from aimscheck.dsl import nodes as n
from aimscheck.dsl import types as t
from aimscheck.dsl.diagnose import suggest
from aimscheck.errors import AimscheckError, RuleSemanticError
from aimscheck.export.contract import DeclaredField
from aimscheck.export.fields import FieldType
from aimscheck.export.model import COLLECTIONS, SECTIONS
from aimscheck.source import Location, Span, span_snippet

# Words people write for a type, and how the rule language says it.
_TYPE_HINTS = {
    "text": "text is declared as: string",
    "enum": 'a closed list of values is declared as: one of "a", "b"',
    "reference": "a reference is declared as: ref COLLECTION, or list of ref COLLECTION",
}


@dataclass(frozen=True)
class Declarations:
    """The custom fields of the loaded packs, each declared once."""

    # id(the record or section type a field is added to) → field name → its type
    custom: dict[int, dict[str, FieldType]]
    fields: tuple[DeclaredField, ...]


def field_type(decl: n.FieldDecl) -> FieldType:
    """The type rules see for a declared field: a closed vocabulary and references are checked
    as the schema's own are."""
    if decl.values:
        return FieldType("string", enum=decl.values)
    if decl.ref is not None and decl.type == "list":
        return FieldType("list", item=FieldType("string", ref=decl.ref), ref=decl.ref)
    if decl.ref is not None:
        return FieldType("string", ref=decl.ref)
    return t.DECLARABLE[decl.type]


class _Declarer:
    def __init__(self, root: FieldType, errors: list[AimscheckError]) -> None:
        self.root = root
        self.errors = errors
        self.custom: dict[int, dict[str, FieldType]] = {}
        self.found: dict[tuple[str, ...], tuple[n.FieldDecl, DeclaredField]] = {}

    def fail(self, rf: n.RuleFile, span: Span, message: str, hint: str = "") -> None:
        self.errors.append(
            RuleSemanticError(
                message,
                Location(rf.path, span.line, span.column),
                span_snippet(rf.text, span),
                hint,
            )
        )

    def owner(self, path: tuple[str, ...]) -> FieldType:
        """The record or section type the last name of `path` is a field of."""
        owner = self.root
        for part in path[:-1]:
            owner = owner.fields.get(part, t.ANY)
            owner = t.item_type(owner) if owner.kind == "list" else owner
        return owner

    def type_problem(self, rf: n.RuleFile, decl: n.FieldDecl) -> bool:
        """Report what is wrong with the declared type itself; whether anything was."""
        type_span = decl.type_span if decl.type_span != n.NO_SPAN else decl.span
        if decl.type not in t.DECLARABLE:
            self.fail(
                rf,
                type_span,
                f"unknown field type '{decl.type}'",
                _TYPE_HINTS.get(decl.type.lower())
                or suggest(decl.type, t.DECLARABLE)
                or f"use one of {', '.join(t.DECLARABLE)}",
            )
            return True
        if decl.ref is not None and decl.ref not in COLLECTIONS:
            self.fail(
                rf,
                type_span,
                f"'{decl.ref}' is not a collection of the export",
                suggest(decl.ref, COLLECTIONS) or "a reference points at a collection, like people",
            )
            return True
        twice = next((v for i, v in enumerate(decl.values) if v in decl.values[:i]), None)
        if twice is not None:
            self.fail(rf, type_span, f'"{twice}" is listed twice', "list each value once")
            return True
        return False

    def silence(self, path: tuple[str, ...]) -> None:
        """A field whose declaration is wrong (and reported) reads as any value: one mistake,
        one message, not one more at each rule that reads the field."""
        owner = self.owner(path)
        if path[-1] not in owner.fields:
            self.custom.setdefault(id(owner), {}).setdefault(path[-1], t.ANY)

    def declare(self, rf: n.RuleFile, decl: n.FieldDecl) -> None:
        head = decl.path[0]
        if head not in COLLECTIONS and head not in SECTIONS:
            meant = difflib.get_close_matches(head, [*COLLECTIONS, *SECTIONS], n=1, cutoff=0.6)
            self.fail(
                rf,
                decl.span,
                f"'{head}' is not a collection or section of the export",
                suggest(head, [*COLLECTIONS, *SECTIONS]),
            )
            if meant:  # the rules that read the field are not blamed again for it
                self.silence((meant[0], *decl.path[1:]))
            return
        if self.type_problem(rf, decl):
            self.silence(decl.path)
            return
        owner, name, dotted = self.owner(decl.path), decl.path[-1], ".".join(decl.path)
        if name in owner.fields:
            self.fail(
                rf,
                decl.span,
                f"'{dotted}' is already a field of the export schema",
                "remove the declaration",
            )
            return
        earlier = self.found.get(decl.path)
        if earlier is not None:
            if earlier[0] != decl:  # the same declaration in two packs is one field
                self.fail(
                    rf,
                    decl.span,
                    f"'{dotted}' is declared again, differently: also at {earlier[1].location}",
                    "keep one declaration of the field",
                )
            return
        self.custom.setdefault(id(owner), {})[name] = field_type(decl)
        location = Location(rf.path, decl.span.line, decl.span.column)
        declared = DeclaredField(decl.path, decl.type, location, decl.values, decl.ref)
        self.found[decl.path] = (decl, declared)


def declare(files: list[n.RuleFile], root: FieldType, errors: list[AimscheckError]) -> Declarations:
    """Resolve the `field` declarations of `files` against the export type `root`; each
    mistake is added to `errors` and its declaration left out."""
    declarer = _Declarer(root, errors)
    for rf in files:
        for decl in rf.fields:
            declarer.declare(rf, decl)
    fields = tuple(declared for _, declared in declarer.found.values())
    return Declarations(declarer.custom, fields)
