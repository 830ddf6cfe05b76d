"""Turning the ISO date strings of a validated export into `datetime.date` values, in place."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeAlias

from aimscheck.export.fields import FieldType, export_type, load_schema
from aimscheck.export.model import Export

# Where the dates are: field name -> a nested plan to walk into, or None for "a date here".
# Lists are walked through: a plan applies to each item of a list it meets.
_Plan: TypeAlias = dict[str, "_Plan | None"]


def coerce_dates(export: Export, extra: Iterable[tuple[str, ...]] = ()) -> None:
    """Convert every date-typed value (per the schema, plus `extra` paths) to `datetime.date`.

    `extra` holds the date fields that custom rule packs declare, as (collection or section,
    field, subfield...) tuples, e.g. ("ai_systems", "retired_at"). Timestamps become their
    calendar date as written; values that do not parse are left as they are (the schema
    reports them). Records stay the same objects, so `export.locations` keeps working.
    """
    _apply(export.data, _plan(frozenset(extra)))


@functools.lru_cache(maxsize=32)
def _plan(extra: frozenset[tuple[str, ...]]) -> _Plan:
    """The date plan of the type model, merged with extra paths (computed once per set)."""
    plan = _type_plan(export_type()) or {}  # a fresh tree each time: safe to extend
    for path in extra:
        node = plan
        for name in path[:-1]:
            sub = node.get(name)
            if sub is None:  # absent, or declared a date: a declared subfield makes it a mapping
                sub = node[name] = {}
            node = sub
        if path:
            node[path[-1]] = None
    return plan


def _type_plan(field_type: FieldType) -> _Plan | None:
    """None when the type has no date anywhere inside; {} is never returned."""
    if field_type.kind == "list" and field_type.item is not None:
        return _type_plan(field_type.item)
    if field_type.kind != "object":
        return None
    plan: _Plan = {}
    for name, sub in field_type.fields.items():
        if sub.kind == "date" or (sub.kind == "list" and sub.item and sub.item.kind == "date"):
            plan[name] = None
        elif (nested := _type_plan(sub)) is not None:
            plan[name] = nested
    return plan or None


def _apply(value: Any, plan: _Plan) -> None:
    if isinstance(value, list):
        for item in value:
            _apply(item, plan)
        return
    if not isinstance(value, dict):
        return
    for name, sub in plan.items():
        found = value.get(name)
        if found is None:
            continue
        if sub is not None:
            _apply(found, sub)
        elif isinstance(found, list):
            value[name] = [_to_date(item) for item in found]
        else:
            value[name] = _to_date(found)


@functools.cache
def _date_pattern() -> re.Pattern[str]:
    return re.compile(load_schema()["$defs"]["date"]["pattern"])


def _to_date(value: object) -> object:
    return _parse(value) if isinstance(value, str) else value


# Exports repeat the same few dates thousands of times: parsing each once halves the pass.
@functools.lru_cache(maxsize=4096)
def _parse(value: str) -> date | str:
    # Only the schema's date shape converts: fromisoformat alone would also take "2026-W05-1".
    if not _date_pattern().match(value):
        return value
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value).date()
    except ValueError:
        return value
