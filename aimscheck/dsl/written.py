"""Texts as a rule writes them, followed to where they meet a closed vocabulary or a type.

A text literal's static type remembers the text and its place; the type travels with the value
through `let`, parameters, lists, quantifier variables and `coalesce`, so that a misspelt word
or a duration written in quotes is reported where it is written, however it got to the
comparison or the arithmetic that shows it wrong.
"""

from __future__ import annotations

import re
from typing import Any

from aimscheck.dsl import types as t
from aimscheck.dsl.diagnose import suggest
from aimscheck.errors import UsageError
from aimscheck.export.fields import FieldType
from aimscheck.source import Span

ANNEX_LIKE = re.compile(r"^A\.\d+\.\d+(\.\d+)?$")


class WrittenTexts:
    """The part of the expression compiler that follows written texts (a mixin)."""

    params: dict[str, tuple[object, FieldType]]

    def __init__(self) -> None:
        # The texts a value may be, as the rule wrote them (with where), by id of the static
        # type its expression was given: the type travels with the value through `let`,
        # parameters, lists and quantifier variables, so that a word checked against a closed
        # vocabulary is reported where it is written, however it got there. Each entry keeps
        # its type alive, so that no other type can take its id.
        self.texts: dict[int, tuple[FieldType, tuple[tuple[str, Span], ...]]] = {}
        # The closed vocabulary each of those types was compared with (by the same id).
        self.vocabularies: dict[int, tuple[str, ...]] = {}
        # A parameter whose value is a bare number (`param window = 14`), by id of its type,
        # with what was written and where: used as a duration, it is told at its own line.
        self.numbers: dict[int, tuple[FieldType, str, Span]] = {}
        self.told: set[tuple[int, int]] = set()

    def error(self, span: Any, message: str, hint: str = "") -> None:
        raise NotImplementedError  # the compiler's

    def written_text(self, texts: list[tuple[str, Span]]) -> FieldType:
        """A text type that remembers which written texts its value may be."""
        typ = FieldType("string")
        self.texts[id(typ)] = (typ, tuple(texts))
        return typ

    def written(self, typ: FieldType) -> tuple[tuple[str, Span], ...]:
        """The texts, as written, a value of type `typ` may be (none known: empty)."""
        found = self.texts.get(id(typ))
        return found[1] if found is not None and found[0] is typ else ()

    def check_vocabulary(self, typ: FieldType, other: FieldType) -> None:
        """Each written text `other` may be must be a word of `typ`'s closed vocabulary (the
        schema's, a `field … : one of`, or as the configuration extends it)."""
        if not typ.enum:
            return
        if id(other) in self.texts:
            self.vocabularies[id(other)] = typ.enum
        listed = ", ".join(typ.enum)
        if len(typ.enum) > 8:
            listed = ", ".join(typ.enum[:8]) + f", … ({len(typ.enum)} values)"
        for value, span in self.written(other):
            if value in typ.enum or ANNEX_LIKE.match(value):
                continue  # an unknown Annex A id: reported once, as such, by _Literal
            self.error(
                span,
                f"'{value}' is not one of the values this field takes",
                " ".join(filter(None, [suggest(value, typ.enum), f"(one of: {listed})"]))
                if suggest(value, typ.enum)
                else f"use one of: {listed}",
            )

    def param_words(self) -> dict[str, tuple[str, ...]]:
        """For each parameter the rule compares with a closed vocabulary (`status == wanted`,
        `status in wanted`), its words: what a configured value must be one of."""
        found: dict[str, tuple[str, ...]] = {}
        for name, (_, typ) in self.params.items():
            words = self.vocabularies.get(id(typ)) or self.vocabularies.get(
                id(t.item_type(typ)), ()
            )
            if words:
                found[name] = words
        return found

    def quoted(self, other: FieldType, wanted: tuple[str, ...]) -> bool:
        """Report each written text of `other` that reads as one of `wanted` ("duration",
        "date") at the text itself, with the value to write instead; whether there was one."""
        found = False
        for value, span in self.written(other):
            for kind in wanted:
                fixed = t.unquoted(value, kind)
                if fixed is not None:
                    found = True
                    self.error(
                        span,
                        f"'{value}' is text, not {t.words(FieldType(kind))}",
                        f"write {fixed} without quotes",
                    )
                    break
        return found

    def written_number(self, typ: FieldType, value: object, span: Span) -> FieldType:
        """A number type that remembers the parameter's number as written, and where."""
        mine = FieldType(typ.kind)
        self.numbers[id(mine)] = (
            mine,
            f"{value:g}" if isinstance(value, float) else f"{value}",
            span,
        )
        return mine

    def unitless(self, number: FieldType, other: FieldType, op: str) -> bool:
        """`age(x) > window` or `today - window` where `param window = 14`: the parameter
        meant a duration; report its number, once, where it is written, with the unit to add."""
        found = self.numbers.get(id(number))
        wanted = ("duration",) if op in ("==", "!=", "<", "<=", ">", ">=") else ("date", "duration")
        if found is None or found[0] is not number or t.category(other) not in wanted:
            return False
        _, text, span = found
        if (span.line, span.column) not in self.told:
            self.told.add((span.line, span.column))
            self.error(
                span,
                f"'{text}' is a number, not a duration: it is used as one",
                f"write {text} days (or {text} months, …): a duration is a number and a unit",
            )
        return True

    def unitless_pair(self, op: str, ta: FieldType, tb: FieldType) -> bool:
        if op in ("+", "-"):  # `today - window`: the number is the right operand
            return self.unitless(tb, ta, op)
        if op in ("*", "/"):  # `window * 2` is a number times a number: no unit meant
            return False
        return self.unitless(tb, ta, op) or self.unitless(ta, tb, op)

    def quoted_pair(self, ta: FieldType, tb: FieldType) -> bool:
        """`age(x) <= "30 days"`, `today - "12 months"`: a duration or date written as text,
        reported at the text (a parameter's value, a `let`'s) with the value to write."""
        wanted = {"duration": ("duration",), "date": ("duration", "date")}
        return self.quoted(tb, wanted.get(t.category(ta), ())) or self.quoted(
            ta, wanted.get(t.category(tb), ())
        )


def check_param_words(rule_id: str, name: str, value: object, words: tuple[str, ...]) -> None:
    """A UsageError when a configured value of parameter `name` (a word, or a list of them)
    is not in `words`, the closed vocabulary the rule compares the parameter with."""
    for word in value if isinstance(value, list) else [value]:
        if words and isinstance(word, str) and word not in words:
            raise UsageError(
                f"parameter {name} of rule {rule_id} is compared with a closed vocabulary, "
                f"which has no '{word}'",
                hint=suggest(word, words) or f"use one of: {', '.join(words)}",
            )
