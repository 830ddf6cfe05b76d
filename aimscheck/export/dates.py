"""The export's dates: one conversion of date texts to UTC days and instants, used everywhere.

A date written without a time (`2026-11-20`) is that whole day in UTC. A timestamp is one
instant: with a zone (`Z`, `+14:00`, `-0500`) as written, without one in UTC. Rules see every
date as a day (a timestamp as its day in UTC); the proof checks and waivers compare instants,
and a run's as-of date D is the end of D in UTC (`as_of_end`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from aimscheck.export.fields import FieldType
    from aimscheck.export.model import Export

# The days and instants of one run's export, once converted: (id() of the mapping or list
# holding a date, its key or index) -> the timestamp as written, with its zone (UTC when it
# had none). A date written without a time has no entry: it is the whole day.
Instants: TypeAlias = dict[tuple[int, str | int], datetime]

# Where the dates are: field name -> a nested plan to walk into, or None for "a date here".
# Lists are walked through: a plan applies to each item of a list it meets.
_Plan: TypeAlias = dict[str, "_Plan | None"]


def coerce_dates(export: Export, extra: Iterable[tuple[str, ...]] = ()) -> None:
    """Convert every date-typed value (per the schema, plus `extra` paths) to `datetime.date`.

    `extra` holds the date fields that custom rule packs declare, as (collection or section,
    field, subfield...) tuples, e.g. ("ai_systems", "retired_at"). A timestamp becomes its day
    in UTC, and its instant is kept in `export.instants` for the checks that compare instants
    (`when`); values that do not parse are left as they are (the schema reports them). Records
    stay the same objects, so `export.locations` keeps working.
    """
    _apply(export.data, _plan(frozenset(extra)), export.instants)


@functools.lru_cache(maxsize=32)
def _plan(extra: frozenset[tuple[str, ...]]) -> _Plan:
    """The date plan of the type model, merged with extra paths (computed once per set)."""
    from aimscheck.export.fields import export_type

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


def _apply(value: Any, plan: _Plan, instants: Instants) -> None:
    if isinstance(value, list):
        for item in value:
            _apply(item, plan, instants)
        return
    if not isinstance(value, dict):
        return
    for name, sub in plan.items():
        found = value.get(name)
        if found is None:
            continue
        if sub is not None:
            _apply(found, sub, instants)
        elif isinstance(found, list):
            for index, item in enumerate(found):
                _convert(found, index, item, instants)
        else:
            _convert(value, name, found, instants)


def _convert(holder: Any, key: str | int, value: object, instants: Instants) -> None:
    parsed = _parse(value) if isinstance(value, str) else None
    if parsed is not None:
        holder[key], instant = parsed
        if instant is not None:
            instants[id(holder), key] = instant


@functools.cache
def _date_pattern() -> re.Pattern[str]:
    from aimscheck.export.fields import load_schema

    return re.compile(load_schema()["$defs"]["date"]["pattern"])


# Exports repeat the same few dates thousands of times: parsing each once halves the pass.
@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[date, datetime | None] | None:
    """The day in UTC of a date text, and its instant when it has a time; None if not a date.

    The one conversion of the export's date texts: the rules, the proof checks and the
    messages all read dates through it.
    """
    # Only the schema's date shape converts: fromisoformat alone would also take "2026-W05-1".
    if not _date_pattern().match(text):
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text), None
        written = datetime.fromisoformat(text)
    except ValueError:
        return None
    if written.tzinfo is None:
        written = written.replace(tzinfo=UTC)
    return written.astimezone(UTC).date(), written


def today() -> date:
    """Today in UTC: every command's as-of date when none is given (the machine's zone plays
    no part, so a run gives the same result wherever CI runs it)."""
    return datetime.now(UTC).date()


def as_of_end(day: date) -> datetime:
    """The instant an as-of date stands for: the end of that day in UTC (23:59:59.999999Z)."""
    return datetime.combine(day, time.max, UTC)


@dataclass(frozen=True, slots=True)
class When:
    """A date of the export as the UTC instants it covers: a whole day, or one instant."""

    first: datetime
    last: datetime
    shown: str  # as messages show it: "2026-11-20", or "2026-11-20T20:00:00Z (written …)"
    day: date  # the day in UTC, as rules see it

    @property
    def timed(self) -> bool:
        """Whether it was written with a time of day (one instant, not a whole day)."""
        return self.first == self.last

    def ends_before(self, as_of: date) -> bool:
        """Over before the as-of instant: an expiry or due date that has passed."""
        return self.last < as_of_end(as_of)

    def starts_after(self, as_of: date) -> bool:
        """Begins after the as-of instant: a collection date in the future."""
        return self.first > as_of_end(as_of)


def when(value: object, instant: datetime | None = None) -> When | None:
    """A date value as UTC instants: a `date` (with the `instant` its timestamp gave, if any),
    or a date text not yet converted. None for anything else."""
    if isinstance(value, str):
        parsed = _parse(value)
        if parsed is None:
            return None
        value, instant = parsed
    if isinstance(value, datetime):  # built by a library caller: an instant of its own
        instant = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    elif not isinstance(value, date):
        return None
    if instant is None:
        return When(
            datetime.combine(value, time.min, UTC), as_of_end(value), value.isoformat(), value
        )
    utc = instant.astimezone(UTC)
    shown = f"{utc.replace(tzinfo=None).isoformat(timespec='seconds')}Z"
    if instant.utcoffset():
        shown += f" (written {instant.isoformat(timespec='seconds')})"
    return When(utc, utc, shown, utc.date())


def when_at(export: Export, record: dict[str, Any], name: str) -> When | None:
    """The date of `record[name]` as UTC instants, with the instant `coerce_dates` kept for a
    timestamp (the record itself holds only its day)."""
    return when(record.get(name), export.instants.get((id(record), name)))
