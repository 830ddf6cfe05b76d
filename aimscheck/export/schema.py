"""Validating a loaded export against its contract (schema and references), messages for people."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from aimscheck.errors import SchemaError
from aimscheck.export.contract import NONE, Extensions, extended_schema
from aimscheck.export.fields import load_schema
from aimscheck.export.model import Export
from aimscheck.export.references import RefField, dangling, ref_fields

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# One step of a JSON path as json_path writes it: `.name`, `[3]` or `['any key']`.
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")
_UNESCAPE = re.compile(r"\\(.)")
# The versions of the export contract this aimscheck reads: the schema's own list.
KNOWN_VERSIONS: tuple[str, ...] = tuple(load_schema()["properties"]["schema_version"]["enum"])
_LIMIT = "#/$defs/limit_text"
_LIMIT_MESSAGE = 'expected a number or a limit with its direction, such as ">= 0.85" or "<= 0.05"'
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
    export: Export,
    *,
    strict: bool = False,
    extensions: Extensions = NONE,
    validator: Validator | None = None,
) -> list[SchemaError]:
    """Every way the export breaks its contract, each at the line of its field, in file order.

    Schema problems (types, required fields, closed vocabularies, dates) and references that
    name no record (a dangling reference is an export error: docs/export.md). `extensions`
    adds the configuration's vocabulary values and the fields rule packs declare; `strict`
    also rejects fields neither the schema nor a pack declares. An unknown schema_version is
    the only error then: the rest of the export follows a contract this aimscheck cannot read.
    """
    version = export.data.get("schema_version")
    if isinstance(version, str) and version not in KNOWN_VERSIONS:
        where = export.location_at(["schema_version"])
        return [SchemaError(f"$.schema_version: {_unsupported(version)}", where)]
    refs = contract(extensions)[1]
    if validator is None and not fast_validator(strict, extensions).is_valid(export.data):
        # Only an invalid export pays for the pure-Python validator that explains.
        validator = jsonschema_validator(strict, extensions)
    errors: list[SchemaError] = []
    seen: set[tuple[str, str]] = set()
    for path, message in validator.iter_errors(export.data) if validator is not None else ():
        if (path, message) not in seen:
            seen.add((path, message))
            errors.append(SchemaError(f"{path}: {message}", export.location_at(steps(path))))
    for parts, message in dangling(export, refs):
        errors.append(SchemaError(f"{json_path(parts)}: {message}", export.location_at(parts)))
    # sorted() is stable: errors of one line keep the validator's (schema) order.
    return sorted(errors, key=lambda error: error.sort_key())


@functools.cache
def contract(extensions: Extensions = NONE) -> tuple[dict[str, Any], tuple[RefField, ...]]:
    """The schema an export is validated against (the packaged one with the run's extensions)
    and its reference fields (built once per set of extensions)."""
    schema = extended_schema(load_schema(), extensions) if extensions != NONE else load_schema()
    return schema, ref_fields(schema)


def _unsupported(version: object) -> str:
    return f"unsupported schema_version {_show(version)}: this aimscheck reads {_reads()}"


def _reads() -> str:
    return "schema_version " + " or ".join(f'"{known}"' for known in KNOWN_VERSIONS)


class FastValidator:
    """Yes-or-no validation with `jsonschema-rs` (Rust): about 200x faster than `jsonschema`.

    It answers only whether the export is valid; when it is not, the `jsonschema` validator
    explains every problem with the same messages as always.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        import jsonschema_rs

        # Exports repeat the same dates thousands of times: each is checked once (the check
        # of a date's text was two thirds of this validation).
        real_date = functools.lru_cache(maxsize=8192)(_on_calendar)
        self._validator = jsonschema_rs.Draft202012Validator(
            dict(schema), formats={"aims-date": real_date}, validate_formats=True
        )

    def is_valid(self, data: dict[str, Any]) -> bool:
        return bool(self._validator.is_valid(data))


@functools.cache
def fast_validator(strict: bool = False, extensions: Extensions = NONE) -> FastValidator:
    """The jsonschema-rs validator for the contract (built once per mode and extensions)."""
    schema = contract(extensions)[0]
    return FastValidator(closed_schema(schema) if strict else schema)


@functools.cache
def jsonschema_validator(
    strict: bool = False, extensions: Extensions = NONE
) -> JsonschemaValidator:
    """The jsonschema-based Validator for the contract (built once per mode and extensions)."""
    schema = contract(extensions)[0]
    return JsonschemaValidator(closed_schema(schema) if strict else schema)


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
                    message = f"missing required field '{name}'"
                    if path == "$" and name == "schema_version":
                        message += f" (this aimscheck reads {_reads()})"
                    yield path, message
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
        elif kind == "enum" and path == "$.schema_version":
            yield path, _unsupported(value)
        elif kind == "enum":
            guess = _guess(value, expected)
            choices = ", ".join(map(str, expected))
            yield path, f"must be one of: {choices} (got {_show(value)}{guess and '; ' + guess})"
        elif kind == "oneOf" and {"$ref": _LIMIT} in expected:
            yield path, f"{_LIMIT_MESSAGE} (got {_show(value)})"
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
    allowed = "--strict allows only the fields the export schema defines or a rule pack declares"
    return f"unknown field '{name}'{guess}: {allowed}"


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


def _on_calendar(value: object) -> bool:
    """`_is_real_date` answering no instead of raising (jsonschema-rs takes a raise for a
    crash; the `jsonschema` validator then explains the date at its line)."""
    try:
        return _is_real_date(value)
    except ValueError:
        return False


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


def steps(path: str) -> list[str | int]:
    """The keys and indexes of a path json_path wrote (`$.risks[3].treatment` -> risks, 3, ...)."""
    out: list[str | int] = []
    for name, index, quoted in _STEP.findall(path):
        out.append(name or (int(index) if index else _UNESCAPE.sub(r"\1", quoted)))
    return out
