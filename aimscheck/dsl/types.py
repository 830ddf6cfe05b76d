"""Static types of rule expressions, derived from the export schema, for compile-time checks."""

from __future__ import annotations

import datetime as dt
import re

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


# Text that reads as a duration or a date: what was meant when it is used as one.
_DURATION_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)
_ONE_TEXT = re.compile(r"^\s*(?:a|an|one)\s+(day|week|month|year)\s*$", re.IGNORECASE)
_DATE_TEXT = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
# Which operand kinds each arithmetic operator takes (left, right); anything else is an error.
_ARITHMETIC = {
    "+": {
        ("number", "number"),
        ("date", "duration"),
        ("duration", "duration"),
        ("string", "string"),
    },
    "-": {("number", "number"), ("date", "duration"), ("date", "date"), ("duration", "duration")},
    "*": {("number", "number"), ("duration", "number")},
    "/": {("number", "number"), ("duration", "number")},
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


def unquoted(text: str, wanted: str) -> str | None:
    """`text` as the rule should have written it when `wanted` ("duration" or "date") was
    meant (`"30 days"` → `30 days`); None when it reads as neither."""
    if wanted == "duration" and (m := _DURATION_TEXT.match(text)):
        amount, unit = m.group(1), m.group(2).lower()
        return f"{amount} {unit}{'' if amount == '1' else 's'}"
    if wanted == "duration" and (m := _ONE_TEXT.match(text)):  # "a month"
        return f"1 {m.group(1).lower()}"
    if wanted == "date" and _DATE_TEXT.match(text):
        return text.strip()
    return None


def arithmetic_problem(op: str, left: FieldType, right: FieldType) -> str | None:
    """Why `left op right` can never be computed, or None when it may be."""
    a, b = category(left), category(right)
    if "any" in (a, b) or (a, b) in _ARITHMETIC[op]:
        return None
    return f"cannot apply '{op}' to {words(left)} and {words(right)}"


def arithmetic_hint(op: str, left: FieldType, right: FieldType) -> str:
    """What to write instead, for the usual slips of `arithmetic_problem`."""
    a, b = category(left), category(right)
    if a == "date" and b == "number" and op in "+-":
        return f"a date {'plus' if op == '+' else 'minus'} a duration: write today {op} 30 days"
    if a == "duration" and b == "number" and op in "+-":
        return "write the number with its unit: 30 days, 12 months"
    if a == "number" and b == "duration" and op == "*":
        return "write the duration first: 30 days * 2"
    if a == "duration" and b == "date" and op == "+":
        return "write the date first: today + 30 days"
    if {a, b} & {"date", "duration"} and "string" in (a, b):
        return "a duration is a number and a unit, without quotes: 30 days, 1 month"
    if "string" in (a, b) and op != "+":
        return "texts are not numbers: compare them, or count them with len()"
    return ""
