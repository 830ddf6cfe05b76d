"""Checks a JSON report against the report schema aimscheck ships, closed for the tests.

The shipped schema lets objects carry fields it does not list (within a format version fields
are only ever added, and a consumer's copy must not reject them). Here every object it describes
is closed, so a field added to the report and not to the schema fails the tests.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema_rs

SCHEMA_FILE = "report.schema.json"


def shipped() -> dict[str, Any]:
    """The schema as the package ships it."""
    text = resources.files("aimscheck.schemas").joinpath(SCHEMA_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def closed(schema: Any) -> Any:
    """The schema with `additionalProperties: false` on every object that lists properties
    (an `if` is left open: it only tests a value)."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: value if key == "if" else closed(value) for key, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


@functools.cache
def _validator() -> Any:
    # Only the definitions are closed: the top level lists `format` alone and hands the rest
    # to the definition of that format.
    schema = shipped()
    schema["$defs"] = closed(schema["$defs"])
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def problems(report: Any) -> list[str]:
    """Every way the report departs from the schema: `results/3/outcome: ...`."""
    return [
        f"{'/'.join(str(p) for p in error.instance_path) or '(top)'}: {error.message}"
        for error in _validator().iter_errors(report)
    ]


def assert_valid_report(report: Any) -> None:
    """A parsed report (or its text) that matches the schema, or an AssertionError listing why."""
    data = json.loads(report) if isinstance(report, str) else report
    found = problems(data)
    assert not found, "the JSON report does not match aimscheck/schemas/report.schema.json:\n" + (
        "\n".join(found[:20])
    )
