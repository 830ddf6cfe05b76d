"""Validating a loaded export against the AIMS export schema, with messages written for people."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from aimscheck.errors import SchemaError
from aimscheck.export.fields import load_schema
from aimscheck.export.model import Export
from aimscheck.source import Location

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Records and sections are the first one or two steps of a path: `$.risks[3]`, `$.scope`.
_RECORD_PATH = re.compile(r"\$\.([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")
_CLOSE = 0.7  # difflib's 0.6 suggests "user" for "seller"
_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing (null)",
}


class Validator(Protocol):
    """Anything that checks export data: yields (JSON path like `$.risks[3].likelihood`, message).

    Paths use `.name` for identifier keys, `['key']` for others and `[n]` for list indexes.
    """

    def iter_errors(self, data: dict[str, Any]) -> Iterator[tuple[str, str]]: ...


def validate_export(
    export: Export, *, strict: bool = False, validator: Validator | None = None
) -> list[SchemaError]:
    """Every schema problem of the export, located at its record or section, in file order.

    `strict` also rejects fields the schema does not declare (custom fields are allowed
    otherwise). A dangling reference is not a schema error: rules report those.
    """
    if validator is None:
        if fast_validator(strict).is_valid(export.data):
            return []  # the happy path never pays for the pure-Python validator
        validator = jsonschema_validator(strict)
    checker = validator
    errors: list[SchemaError] = []
    seen: set[tuple[str, str]] = set()
    for path, message in checker.iter_errors(export.data):
        if (path, message) not in seen:
            seen.add((path, message))
            errors.append(SchemaError(f"{path}: {message}", _locate(export, path)))
    # sorted() is stable: errors of one record keep the validator's (schema) order.
    return sorted(errors, key=lambda error: error.sort_key())


class FastValidator:
    """Yes-or-no validation with `jsonschema-rs` (Rust): about 200x faster than `jsonschema`.

    It answers only whether the export is valid; when it is not, the `jsonschema` validator
    explains every problem with the same messages as always.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        import jsonschema_rs

        # Exports repeat the same dates thousands of times: each is checked once (the check
        # of a date's text was two thirds of this validation).
        real_date = functools.lru_cache(maxsize=8192)(_is_real_date)
        self._validator = jsonschema_rs.Draft202012Validator(
            dict(schema), formats={"aims-date": real_date}, validate_formats=True
        )

    def is_valid(self, data: dict[str, Any]) -> bool:
        return bool(self._validator.is_valid(data))


@functools.cache
def fast_validator(strict: bool = False) -> FastValidator:
    """The jsonschema-rs validator for the packaged schema (built once per mode)."""
    return FastValidator(closed_schema(load_schema()) if strict else load_schema())


@functools.cache
def jsonschema_validator(strict: bool = False) -> JsonschemaValidator:
    """The jsonschema-based Validator for the packaged schema (built once per mode)."""
    return JsonschemaValidator(closed_schema(load_schema()) if strict else load_schema())


class JsonschemaValidator:
    """Draft 2020-12 validation with the `jsonschema` package; its import is paid only here."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        import jsonschema  # about 60 ms of imports: only runs that validate pay them

        checker = jsonschema.FormatChecker(formats=())
        checker.checks("aims-date", raises=ValueError)(_is_real_date)
        self._validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
        self._annex_a: list[str] = schema["$defs"]["annex_a_id"]["enum"]

    def iter_errors(self, data: dict[str, Any]) -> Iterator[tuple[str, str]]:
        for error in self._validator.iter_errors(data):
            yield from self._describe(error)

    def _describe(self, error: ValidationError) -> Iterator[tuple[str, str]]:
        path = json_path(error.absolute_path)
        kind, expected, value = _parts(error)
        if kind == "required":
            for name in expected:
                if isinstance(value, dict) and name not in value:
                    yield path, f"missing required field '{name}'"
        elif kind == "additionalProperties":
            schema: Any = error.schema
            known = list(schema.get("properties", {}))
            for name in value:
                if name not in known:
                    yield json_path([*error.absolute_path, name]), _unknown_field(name, known)
        elif kind in ("enum", "const") and not isinstance(value, str):
            return  # the type error on the same value says it better
        elif kind == "enum" and expected == self._annex_a:
            hint = _guess(value, expected) or 'use a canonical id such as "A.6.2.4"'
            yield path, f"unknown Annex A control {_show(value)}: {hint}"
        elif kind == "enum":
            guess = _guess(value, expected)
            choices = ", ".join(map(str, expected))
            yield path, f"must be one of: {choices} (got {_show(value)}{guess and '; ' + guess})"
        elif kind == "const" and path == "$.schema_version":
            reads = f'this aimscheck reads schema_version "{expected}"'
            yield path, f"unsupported schema_version {_show(value)}: {reads}"
        else:
            yield path, _message(error)


def _parts(error: ValidationError) -> tuple[str, Any, Any]:
    """The failed keyword, its value in the schema, and the value of the data that failed it."""
    expected: Any = error.validator_value
    return str(error.validator), expected, error.instance


def _message(error: ValidationError) -> str:
    kind, expected, value = _parts(error)
    got = _show(value)
    if kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPES.get(name, name) for name in names)
        quote = "; put it in quotes" if "string" in names and isinstance(value, int | float) else ""
        return f"expected {wanted}, got {got}{quote}"
    if kind == "pattern" and expected == _pattern("date").pattern:
        return f"expected a date YYYY-MM-DD, got {got}"
    if kind == "pattern" and expected == _pattern("sha256").pattern:
        return f"expected a SHA-256 of 64 hexadecimal digits, got {got}"
    messages = {
        "pattern": f"does not match the pattern {expected}: got {got}",
        "format": f"not a real date or time: {got}",
        "minLength": "must not be empty",
        "minimum": f"must be at least {expected}, got {got}",
        "const": f"must be {_show(expected)}, got {got}",
    }
    return messages.get(kind, error.message)


def _unknown_field(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=_CLOSE)
    guess = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown field '{name}'{guess}: --strict allows only the fields of the export schema"


def _guess(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1, cutoff=_CLOSE)
    return f"did you mean {_show(close[0])}?" if close else ""


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    """The compiled `pattern` of `$defs/<name>` in the packaged schema."""
    return re.compile(load_schema()["$defs"][name]["pattern"])


def _is_real_date(value: object) -> bool:
    """The `aims-date` format: a value of the date pattern must also be on the calendar."""
    # Values off the pattern are the pattern's to report: one message per mistake.
    if isinstance(value, str) and _pattern("date").match(value):
        (date.fromisoformat if len(value) == 10 else datetime.fromisoformat)(value)
    return True


def _show(value: object) -> str:
    """A value as the message quotes it: JSON literals, short, and containers by their kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def json_path(parts: Iterable[str | int]) -> str:
    """`$.risks[3].likelihood`; keys that are not identifiers are written `['my key']`."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.fullmatch(part):
            out.append(f".{part}")
        else:
            out.append("['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(out)


def closed_schema(node: Any) -> Any:
    """A copy of a schema where every object that lists properties accepts no other field."""
    if isinstance(node, list):
        return [closed_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: closed_schema(value) for key, value in node.items()}
    if out.get("type") == "object" and isinstance(out.get("properties"), dict):
        out["additionalProperties"] = False
    return out


def _locate(export: Export, path: str) -> Location:
    """The file and line of the record (or else the section) that holds the path."""
    match = _RECORD_PATH.match(path)
    if match:
        top = export.data.get(match.group(1))
        index = match.group(2)
        if index is not None and isinstance(top, list) and int(index) < len(top):
            found = export.location_of(top[int(index)])
            if found is not None:
                return found
        found = export.location_of(top)
        if found is not None:
            return found
    return export.default_location()
