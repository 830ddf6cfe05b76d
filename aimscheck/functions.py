"""The explicit registry of built-in functions; each docstring is its user documentation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aimscheck.errors import EvaluationError
from aimscheck.limits import current
from aimscheck.thresholds import metric_bounds, target_bound
from aimscheck.values import (
    MISSING,
    Duration,
    between,
    cut,
    joined,
    kind,
    months_between,
    order,
    show,
)

if TYPE_CHECKING:
    from aimscheck.context import Context


def _date(value: object, what: str) -> dt.date | None:
    if value is MISSING or value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise EvaluationError(f"{what} needs a date, got {kind(value)} ({show(value)!r})")


def _list(ctx: Context, value: object, what: str) -> list[Any] | tuple[Any, ...]:
    """The items a built-in walks, each a step of the evaluation budget."""
    if value is MISSING or value is None:
        return []
    if isinstance(value, list | tuple):
        ctx.spend(len(value))
        return value
    raise EvaluationError(f"{what} needs a list, got {kind(value)}")


def _text(value: object, what: str) -> str | None:
    if value is MISSING or value is None:
        return None
    if isinstance(value, str):
        return value
    raise EvaluationError(f"{what} needs text, got {kind(value)}")


def fn_age(ctx: Context, value: object) -> object:
    """How long ago a date was, as of the run's date, in days.

    Against months and years it counts calendar months: `age(ia.approved_at) <= 12 months`
    holds until the day `ia.approved_at + 12 months`, so an assessment of 2024-02-29 is
    within 12 months up to 2025-02-28.
    """
    day = _date(value, "age()")
    return MISSING if day is None else between(day, ctx.as_of)


def fn_days_between(ctx: Context, start: object, end: object) -> object:
    """The number of days from the first date to the second.

    `days_between(risk.assessed_at, risk.next_review_due) <= 365`
    """
    a, b = _date(start, "days_between()"), _date(end, "days_between()")
    return MISSING if a is None or b is None else (b - a).days


def fn_months_between(ctx: Context, start: object, end: object) -> object:
    """The number of whole calendar months from the first date to the second.

    The most months that, added to the first date, do not pass the second (negative when the
    second date comes first): 2026-01-31 to 2026-02-28 is 1, 2026-01-15 to 2026-02-14 is 0.
    `months_between(review.held_at, today) < 12`
    """
    a, b = _date(start, "months_between()"), _date(end, "months_between()")
    return MISSING if a is None or b is None else months_between(a, b)


def fn_days(ctx: Context, value: object) -> object:
    """A whole number of days as a duration, for fields such as `review_interval_days`.

    `age(doc.approved_at) <= days(doc.review_interval_days)`
    """
    if value is MISSING or value is None:
        return MISSING
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Duration(days=value)
    raise EvaluationError(f"days() needs a number, got {kind(value)}")


def fn_len(ctx: Context, value: object) -> object:
    """The number of items of a list (or characters of a text); 0 when missing.

    `len(sys.model_refs) >= 1`
    """
    if value is MISSING or value is None:
        return 0
    if isinstance(value, str | list | tuple | dict):
        return len(value)
    raise EvaluationError(f"len() needs a list or text, got {kind(value)}")


def fn_lower(ctx: Context, value: object) -> object:
    """The text in lower case. `lower(doc.type) == "ai_policy"`"""
    text = _text(value, "lower()")
    if text is None:
        return MISSING
    ctx.text_steps(text)
    return text.lower()


def fn_trim(ctx: Context, value: object) -> object:
    """The text without leading and trailing spaces. `len(trim(e.justification)) >= 20`"""
    text = _text(value, "trim()")
    if text is None:
        return MISSING
    ctx.text_steps(text)
    return text.strip()


def fn_distinct(ctx: Context, value: object) -> object:
    """The list without repeated items, in first-seen order. `len(distinct(a.scope)) >= 10`"""
    out: list[Any] = []
    seen: set[Any] = set()
    for item in _list(ctx, value, "distinct()"):
        key = repr(item) if isinstance(item, dict | list) else (type(item) is bool, item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def fn_concat(ctx: Context, *values: object) -> object:
    """One list of the items of its arguments, in order: a list adds its items, any other value
    itself, a missing one nothing.

    `concat(ia.document_ref, ia.evidence_refs, filter(e in evidence where ia.id in e.about_refs))`
    """
    out: list[Any] = []
    for value in values:
        if isinstance(value, list | tuple):
            out.extend(_list(ctx, value, "concat()"))
        elif value is not MISSING and value is not None:
            out.append(value)
    return out


def fn_join(ctx: Context, separator: object, items: object) -> object:
    """The items of a list as one text, `separator` between them (a record as its id); missing
    for an empty list, so that a text built on it drops out of a `concat`.

    `concat("owns AI systems " + join(", ", owned), "approves " + join(", ", approved))`
    """
    between = _text(separator, "join()")
    if between is None:
        raise EvaluationError("join() needs a separator text first")
    found = _list(ctx, items, "join()")
    if not found:
        return MISSING
    limit = current().max_text
    text = joined((show(item, limit) for item in found), between, limit)
    ctx.text_steps(text)
    return cut(text, limit)


def fn_flatten(ctx: Context, value: object) -> object:
    """The items of a list of lists, one level down; an item that is no list stays as it is.

    `flatten(pluck(metric.results, "evidence_refs"))` is the proof named by any result.
    """
    return fn_concat(ctx, *_list(ctx, value, "flatten()"))


def _numbers(ctx: Context, value: object, what: str) -> list[Any]:
    return [x for x in _list(ctx, value, what) if x is not MISSING and x is not None]


def fn_sum(ctx: Context, value: object) -> object:
    """The sum of a list of numbers; 0 for an empty list. `sum([r.likelihood, r.impact]) > 4`"""
    total: Any = 0
    for item in _numbers(ctx, value, "sum()"):
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise EvaluationError(f"sum() needs numbers, got {kind(item)}")
        total += item
    return total


def _extreme(ctx: Context, value: object, what: str, pick_max: bool) -> object:
    best: object = MISSING
    for item in _numbers(ctx, value, what):
        if best is MISSING or order(">" if pick_max else "<", item, best):
            best = item
    return best


def fn_max(ctx: Context, value: object) -> object:
    """The largest item of a list of numbers or dates; missing for an empty list.

    `age(max(pluck(metric.results, "at"))) <= 30 days`
    """
    return _extreme(ctx, value, "max()", True)


def fn_min(ctx: Context, value: object) -> object:
    """The smallest item of a list of numbers or dates; missing for an empty list.

    `min([r.likelihood, r.impact]) >= 1`
    """
    return _extreme(ctx, value, "min()", False)


def fn_pluck(ctx: Context, items: object, field: object) -> object:
    """The values of one field across a list of records, skipping missing ones.

    `max(pluck(metric.results, "at"))` is the date of the latest measurement.
    """
    name = _text(field, "pluck()")
    out = []
    for item in _list(ctx, items, "pluck()"):
        if isinstance(item, dict) and name is not None:
            value = item.get(name)
            if value is not None:
                out.append(value)
    return out


def fn_latest(ctx: Context, items: object, field: object) -> object:
    """The record of a list with the latest date in `field`; missing for an empty list.

    `let review = latest(management_reviews, "held_at")`
    """
    name = _text(field, "latest()")
    best: object = MISSING
    best_day: dt.date | None = None
    for item in _list(ctx, items, "latest()"):
        if isinstance(item, dict) and name is not None:
            day = _date(item.get(name, MISSING), "latest()")
            if day is not None and (best_day is None or day > best_day):
                best, best_day = item, day
    return best


def fn_first(ctx: Context, items: object) -> object:
    """The first item of a list; missing for an empty list.

    `first(filter(d in documents where d.type == "soa"))`
    """
    if isinstance(items, list | tuple):  # one item is read: no walk to charge
        return items[0] if items else MISSING
    _list(ctx, items, "first()")  # missing gives missing; anything else is refused
    return MISSING


def fn_coalesce(ctx: Context, *values: object) -> object:
    """The first of its arguments that is set. `coalesce(doc.review_interval_days, 365)`"""
    for value in values:
        if value is not MISSING and value is not None:
            return value
    return MISSING


def fn_applicable(ctx: Context, control: object) -> object:
    """False when the SoA marks the Annex A control not applicable, otherwise true.

    `when applicable("A.7.5")`
    """
    soa = ctx.export.collection("soa")
    ctx.spend(len(soa))
    for entry in soa:
        if entry.get("control") == control:
            return entry.get("applicable") is not False
    return True


def fn_in_scope(ctx: Context, system: object) -> object:
    """True for an AI system inside the AIMS: marked in scope and, for a pilot, listed by it.

    `for sys in ai_systems where in_scope(sys)`
    """
    if not isinstance(system, dict) or system.get("in_scope") is not True:
        return False
    scope = ctx.data.get("scope")
    if isinstance(scope, dict) and scope.get("is_pilot") is True:
        listed = scope.get("ai_system_refs")
        return isinstance(listed, list) and ctx.member(system.get("id", MISSING), listed)
    return True


def fn_clause_group(ctx: Context, value: object) -> object:
    """The clause group (`"6"` for `"6.1.3"`) or Annex A group (`"A.5"` for `"A.5.2"`) of an id.

    `exists s in audit.scope where clause_group(s) == "8"`
    """
    text = _text(value, "clause_group()")
    if text is None:
        return MISSING
    parts = text.split(".")
    return ".".join(parts[:2]) if parts[0] == "A" else parts[0]


def _record(value: object, what: str) -> dict[str, Any] | None:
    if value is MISSING or value is None:
        return None
    if isinstance(value, dict):
        return value
    raise EvaluationError(f"{what} needs a record, got {kind(value)}")


def _measured(value: object, what: str) -> float | None:
    if value is MISSING or value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise EvaluationError(f"{what} needs a number as its value, got {kind(value)}")


def fn_breaches(ctx: Context, metric: object, value: object) -> object:
    """True when a value is outside any directed limit of the metric, false when inside all.

    The limits are `lower_limit`, `upper_limit` and a `threshold` text such as `">= 0.85"`;
    missing when the metric has none of them (a bare-number threshold gives no direction) or
    the value is missing. `breaches(m, latest(m.results, "at").value)`
    """
    record, number = _record(metric, "breaches()"), _measured(value, "breaches()")
    bounds = metric_bounds(record) if record is not None else ()
    if not bounds or number is None:
        return MISSING
    return not all(b.holds(number) for b in bounds)


def fn_limits_known(ctx: Context, metric: object) -> object:
    """True when the metric has a limit with a direction, so that a breach can be judged.

    `only if limits_known(m) because "Metric {m.id} gives no direction for its limit"`
    """
    record = _record(metric, "limits_known()")
    return record is not None and bool(metric_bounds(record))


def fn_limits(ctx: Context, metric: object) -> object:
    """The directed limits of a metric as texts (lower_limit, upper_limit, threshold); may be empty.

    `because "Metric {m.id} measured {last.value}, outside its limits {limits(m)}"`
    """
    record = _record(metric, "limits()")
    return [str(b) for b in metric_bounds(record)] if record is not None else []


def fn_target_met(ctx: Context, objective: object, value: object) -> object:
    """True when a value meets the objective's target, false when it misses it.

    The target is a text with its direction (`">= 95%"`), or a number with `target_direction`
    (`at_least`, `at_most`); missing when the target has no direction or the value is missing.
    `target_met(o, latest(o.measurements, "at").value)`
    """
    record, number = _record(objective, "target_met()"), _measured(value, "target_met()")
    bound = target_bound(record) if record is not None else None
    if bound is None or number is None:
        return MISSING
    return bound.holds(number)


@dataclass(frozen=True, slots=True)
class Builtin:
    """A built-in function: its implementation, how many arguments it takes, what it returns."""

    name: str
    impl: Callable[..., object]
    min_args: int
    max_args: int
    returns: str  # a static kind: "date", "duration", "integer", "string", "boolean", ...

    @property
    def doc(self) -> str:
        return (self.impl.__doc__ or "").strip()


FUNCTIONS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin("age", fn_age, 1, 1, "duration"),
        Builtin("days_between", fn_days_between, 2, 2, "integer"),
        Builtin("months_between", fn_months_between, 2, 2, "integer"),
        Builtin("days", fn_days, 1, 1, "duration"),
        Builtin("len", fn_len, 1, 1, "integer"),
        Builtin("lower", fn_lower, 1, 1, "string"),
        Builtin("trim", fn_trim, 1, 1, "string"),
        Builtin("distinct", fn_distinct, 1, 1, "list"),
        Builtin("concat", fn_concat, 1, 8, "list"),
        Builtin("flatten", fn_flatten, 1, 1, "list"),
        Builtin("join", fn_join, 2, 2, "string"),
        Builtin("sum", fn_sum, 1, 1, "number"),
        Builtin("max", fn_max, 1, 1, "any"),
        Builtin("min", fn_min, 1, 1, "any"),
        Builtin("pluck", fn_pluck, 2, 2, "list"),
        Builtin("latest", fn_latest, 2, 2, "any"),
        Builtin("first", fn_first, 1, 1, "any"),
        Builtin("coalesce", fn_coalesce, 1, 8, "any"),
        Builtin("applicable", fn_applicable, 1, 1, "boolean"),
        Builtin("in_scope", fn_in_scope, 1, 1, "boolean"),
        Builtin("clause_group", fn_clause_group, 1, 1, "string"),
        Builtin("breaches", fn_breaches, 2, 2, "boolean"),
        Builtin("limits", fn_limits, 1, 1, "list"),
        Builtin("limits_known", fn_limits_known, 1, 1, "boolean"),
        Builtin("target_met", fn_target_met, 2, 2, "boolean"),
    )
}
