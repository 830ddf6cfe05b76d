"""Static types of rule expressions, derived from the export schema, for compile-time checks."""

from __future__ import annotations

import datetime as dt

from aimscheck.export.fields import FieldType

ANY = FieldType("any")
STRING = FieldType("string")
INTEGER = FieldType("integer")
NUMBER = FieldType("number")
BOOLEAN = FieldType("boolean")
DATE = FieldType("date")
DURATION = FieldType("duration")
LIST = FieldType("list", item=ANY)
ANNEX_RECORD = FieldType("object", fields={"id": STRING, "group": STRING}, open=False)

DECLARABLE: dict[str, FieldType] = {
    "string": STRING,
    "integer": INTEGER,
    "number": NUMBER,
    "boolean": BOOLEAN,
    "date": DATE,
    "list": LIST,
    "object": FieldType("object"),
    "any": ANY,
}

# What a value is for comparison purposes: integers and decimals compare with each other.
_CATEGORY = {"integer": "number", "number": "number"}
_WORDS = {
    "string": "text",
    "number": "a number",
    "boolean": "a boolean",
    "date": "a date",
    "duration": "a duration",
    "list": "a list",
    "object": "a record",
}


def category(t: FieldType) -> str:
    return _CATEGORY.get(t.kind, t.kind)


def words(t: FieldType) -> str:
    return _WORDS.get(category(t), t.kind)


def list_of(item: FieldType) -> FieldType:
    return FieldType("list", item=item)


def literal_type(value: object) -> FieldType:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, dt.date):
        return DATE
    return ANY


def item_type(t: FieldType) -> FieldType:
    """The type of one item when iterating over a value of type `t`."""
    if t.kind == "list":
        return t.item or ANY
    return ANY


def comparison_problem(op: str, left: FieldType, right: FieldType) -> str | None:
    """Why `left op right` can never be meaningful, or None when it may be."""
    a, b = category(left), category(right)
    if "any" in (a, b):
        return None
    if op in ("<", "<=", ">", ">="):
        for side in (a, b):
            if side in ("boolean", "list", "object"):
                return f"'{op}' cannot order {_WORDS[side]}"
    if a == b:
        return None
    if {a, b} == {"date", "string"}:
        return (
            f"cannot compare {words(left)} with {words(right)}: write dates without "
            "quotes, like 2026-01-31"
        )
    verb = "order" if op in ("<", "<=", ">", ">=") else "compare"
    return f"cannot {verb} {words(left)} with {words(right)}"
