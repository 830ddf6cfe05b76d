"""The value semantics of the rule language: missing values, durations, comparison, arithmetic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from aimscheck.budget import charge
from aimscheck.errors import EvaluationError
from aimscheck.limits import current, how_to_raise


class _Missing:
    """A value that is not there: falsy, equal to nothing, absorbing in arithmetic."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "missing"


MISSING: Final = _Missing()
DAYS_PER_MONTH = 30.436875  # 365.2425 / 12: how a month compares with days
# Whole numbers past 2**1024 (about 10**308, beyond the largest float) are no data anyone
# keeps: refusing them keeps multiplication chains from growing numbers without end.
MAX_INT_BITS = 1024


@dataclass(frozen=True, slots=True)
class Duration:
    """A length of time: whole calendar months (a year is 12) plus days.

    `since` is the date a duration between two dates starts at (`age(x)`, `today - x`): such a
    duration compares with months as the calendar does (see `compare_durations`). `unit` is how
    the rule wrote it ("years" for `1 year`), so that messages say it the same way."""

    days: float = 0
    months: int = 0
    since: dt.date | None = field(default=None, compare=False, kw_only=True)
    unit: str = field(default="", compare=False, kw_only=True)

    @property
    def total_days(self) -> float:
        return self.days + self.months * DAYS_PER_MONTH

    def __str__(self) -> str:
        parts = []
        if self.months:
            if self.unit == "years" and self.months % 12 == 0:
                years = self.months // 12
                parts.append(f"{years} year{'s' if abs(years) != 1 else ''}")
            else:
                parts.append(f"{self.months} month{'s' if abs(self.months) != 1 else ''}")
        if self.days or not parts:
            days = int(self.days) if float(self.days).is_integer() else self.days
            parts.append(f"{days} day{'s' if abs(days) != 1 else ''}")
        return " ".join(parts)


def duration(amount: float, unit: str) -> Duration:
    if unit == "days":
        return Duration(days=amount)
    if unit == "weeks":
        return Duration(days=amount * 7)
    if unit == "months":
        return (
            Duration(months=int(amount), unit=unit)
            if float(amount).is_integer()
            else Duration(days=amount * DAYS_PER_MONTH)
        )
    return (
        Duration(months=int(amount * 12), unit=unit)
        if float(amount * 12).is_integer()
        else Duration(days=amount * 365.2425)
    )


def between(start: dt.date, end: dt.date) -> Duration:
    """The duration from `start` to `end`, which remembers its start: `age(x)`, `end - start`."""
    start, end = _as_date(start), _as_date(end)
    return Duration(days=(end - start).days, since=start)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months; a day the month lacks becomes its last day (31 January
    + 1 month = 28 February, or 29 in a leap year)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise EvaluationError(f"date out of range: {day} + {months} months")
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise EvaluationError(f"date out of range: {day} + {months} months")


def shift(day: dt.date, length: Duration, sign: int = 1) -> dt.date:
    """`day + length` (`sign` -1: `day - length`): the months first, calendar-exact, then the
    days."""
    try:
        return add_months(_as_date(day), sign * length.months) + dt.timedelta(
            days=sign * length.days
        )
    except OverflowError:
        raise EvaluationError(f"date out of range: {day} ± {length}") from None


def compare_durations(a: Duration, b: Duration) -> int:
    """-1, 0 or 1 as `a` is shorter than, as long as or longer than `b`.

    A duration between two dates against one with months is judged on the calendar: `age(x) <=
    12 months` holds while `x + 12 months` is not past the run's date, so that a year is a
    year across a leap day. Any other pair compares its days, a month counting 30.44 days."""
    if a.since is not None and b.since is None and b.months:
        end, limit = shift(a.since, Duration(days=a.days)), shift(a.since, b)
    elif b.since is not None and a.since is None and a.months:
        limit, end = shift(b.since, Duration(days=b.days)), shift(b.since, a)
    elif a.months == b.months:
        return (a.days > b.days) - (a.days < b.days)
    else:
        x, y = a.total_days, b.total_days
        return (x > y) - (x < y)
    return (end > limit) - (end < limit)


def months_between(start: dt.date, end: dt.date) -> int:
    """The whole calendar months from `start` to `end`: the most `m` with `start + m months`
    not past `end` (negative when `end` comes first)."""
    start, end = _as_date(start), _as_date(end)
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if add_months(start, months) <= end else months - 1


def kind(value: object) -> str:
    """The language's name for a value's type, used in messages."""
    if value is MISSING or value is None:
        return "missing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, Duration):
        return "a duration"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a record"
    return type(value).__name__


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def equal(a: object, b: object) -> bool:
    """`==`: a missing value equals nothing; a boolean never equals a number."""
    if a is MISSING or b is MISSING:
        return False
    if isinstance(a, bool) is not isinstance(b, bool):
        return False
    if isinstance(a, Duration) and isinstance(b, Duration):
        return compare_durations(a, b) == 0
    return bool(a == b)


def order(op: str, a: object, b: object) -> bool:
    """`< <= > >=` on numbers, texts, dates or durations; missing compares false."""
    if a is MISSING or b is MISSING:
        return False
    if isinstance(a, Duration) and isinstance(b, Duration):
        x: Any = compare_durations(a, b)
        y: Any = 0
    elif (_number(a) and _number(b)) or (isinstance(a, str) and isinstance(b, str)):
        x, y = a, b
    elif isinstance(a, dt.date) and isinstance(b, dt.date):
        x, y = _as_date(a), _as_date(b)
    else:
        raise EvaluationError(f"cannot compare {kind(a)} ({show(a)}) with {kind(b)} ({show(b)})")
    if op == "<":
        return bool(x < y)
    if op == "<=":
        return bool(x <= y)
    if op == ">":
        return bool(x > y)
    return bool(x >= y)


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def member(item: object, container: object) -> bool:
    """`in`: an item of a list, a substring of a text; nothing is in a missing value."""
    if container is MISSING or item is MISSING:
        return False
    if isinstance(container, list | tuple):
        return any(equal(item, x) for x in container)
    if isinstance(container, str):
        if not isinstance(item, str):
            raise EvaluationError(f"cannot look for {kind(item)} inside text")
        return item in container
    if isinstance(container, dict):
        return isinstance(item, str) and item in container
    raise EvaluationError(f"'in' needs a list or text on its right, got {kind(container)}")


def arith(op: str, a: object, b: object) -> object:
    """`+ - * /` on numbers, dates and durations; missing in, missing out."""
    if a is MISSING or b is MISSING:
        return MISSING
    if _number(a) and _number(b):
        x: Any = a
        y: Any = b
        if op == "+":
            return _bounded(x + y)
        if op == "-":
            return _bounded(x - y)
        if op == "*":
            return _bounded(x * y)
        if y == 0:
            raise EvaluationError("division by zero")
        return x / y
    if isinstance(a, dt.date) and isinstance(b, Duration) and op in "+-":
        return shift(a, b, 1 if op == "+" else -1)
    if isinstance(a, dt.date) and isinstance(b, dt.date) and op == "-":
        return between(b, a)
    if isinstance(a, Duration) and isinstance(b, Duration) and op in "+-":
        sign = 1 if op == "+" else -1
        return Duration(a.days + sign * b.days, a.months + sign * b.months)
    if isinstance(a, Duration) and _number(b) and op in "*/":
        factor: Any = b
        if op == "/" and factor == 0:
            raise EvaluationError("division by zero")
        if type(factor) is int and (op == "*" or a.months % factor == 0):
            # Whole months stay calendar months: `6 months * 2` is 12 months.
            if op == "*":
                return Duration(_bounded(a.days * factor), _bounded(a.months * factor), unit=a.unit)
            return Duration(a.days / factor, a.months // factor, unit=a.unit)
        scale = factor if op == "*" else 1 / factor
        return Duration(days=a.total_days * scale)
    if isinstance(a, str) and isinstance(b, str) and op == "+":
        limit = current().max_text
        if len(a) + len(b) > limit:
            raise EvaluationError(
                f"joining texts of {len(a)} and {len(b)} characters passes the {limit} "
                f"characters a text may have (max_text); {how_to_raise('max_text')}"
            )
        charge((len(a) + len(b)) // 1000)
        return a + b
    raise EvaluationError(f"cannot apply '{op}' to {kind(a)} and {kind(b)}")


def _bounded(number: Any) -> Any:
    if isinstance(number, int) and number.bit_length() > MAX_INT_BITS:
        raise EvaluationError("number too large: the result has more than 300 digits")
    return number


def truth(value: object) -> bool:
    """A condition's value: true or false; missing counts as false; anything else is an error."""
    if value is True or value is False:
        return value
    if value is MISSING or value is None:
        return False
    raise EvaluationError(f"a condition must be true or false, got {kind(value)} ({show(value)})")


def show(value: object, limit: int | None = None) -> str:
    """How a value reads inside a message: at most `limit` characters (by default
    max_message_value), the last one `…` when it is cut. Cut while it is built: a list of a
    million ids costs the few that are shown, never the whole list written out."""
    if limit is None:
        limit = current().max_message_value
    return cut(_show(value, limit), limit)


def cut(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters, else its start and `…`, `limit` in all."""
    return text if len(text) <= limit else f"{text[: max(limit - 1, 0)]}…"


def _show(value: object, limit: int) -> str:
    """`value` as a message shows it; may run a little past `limit`, never much further."""
    if value is MISSING or value is None:
        return "(missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and value.bit_length() > min(3 * limit + 64, 14_000):
        # Writing out its digits would cost more than showing them is worth (and Python
        # refuses to past 4,300 digits).
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return joined((_show(v, limit) for v in value), ", ", limit) if value else "(none)"
    if isinstance(value, dict):
        ident = value.get("id", value.get("control"))
        return _show(ident, limit) if ident is not None else "{…}"
    if isinstance(value, str):
        return value[: limit + 1]
    return str(value)


def joined(pieces: Iterable[str], separator: str, limit: int) -> str:
    """`separator.join(pieces)`, taking pieces only until the text is longer than `limit`
    (the caller cuts it there): the pieces after it are never made."""
    taken: list[str] = []
    size = 0
    for piece in pieces:
        taken.append(piece)
        size += len(piece) + len(separator)
        if size > limit:
            break
    return separator.join(taken)


def is_empty(value: object) -> bool:
    if value is MISSING or value is None:
        return True
    if isinstance(value, str | list | tuple | dict):
        return len(value) == 0
    return False
