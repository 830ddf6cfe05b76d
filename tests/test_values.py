"""Calendar arithmetic: months and years as the calendar counts them, printed as written."""

from __future__ import annotations

import datetime as dt

import pytest

from aimscheck.errors import EvaluationError
from aimscheck.values import Duration, arith, between, duration, equal, months_between, order

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # the month has no 31st: its last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # a leap year's February
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 5, 31), 1, D(2026, 6, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 1, 15), -13, D(2024, 12, 15)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert arith("+", day, Duration(months=months)) == expected
    assert arith("-", day, Duration(months=-months)) == expected


def test_a_date_minus_months_is_calendar_exact_then_days() -> None:
    assert arith("-", D(2026, 3, 31), duration(1, "months")) == D(2026, 2, 28)
    assert arith("-", D(2026, 3, 1), arith("+", duration(1, "years"), duration(2, "days"))) == D(
        2025, 2, 27
    )


@pytest.mark.parametrize(
    ("approved", "as_of", "within"),
    [
        (D(2024, 2, 10), D(2025, 2, 10), True),  # exactly a year old, across 29 February 2024
        (D(2024, 2, 10), D(2025, 2, 11), False),
        (D(2024, 2, 29), D(2025, 2, 28), True),  # a leap day + 12 months: 28 February
        (D(2024, 2, 29), D(2025, 3, 1), False),
        (D(2025, 3, 1), D(2026, 3, 1), True),
    ],
)
def test_an_age_within_12_months_is_judged_on_the_calendar(
    approved: dt.date, as_of: dt.date, within: bool
) -> None:
    age = between(approved, as_of)
    limit = duration(12, "months")
    assert order("<=", age, limit) is within
    assert order(">", age, limit) is not within
    assert order("<=", age, duration(1, "years")) is within
    # the same as the due date: approved + 12 months is not past the run's date
    assert order(">=", arith("+", approved, limit), as_of) is within


def test_an_age_equals_a_month_duration_on_its_due_day_only() -> None:
    assert equal(between(D(2026, 1, 31), D(2026, 2, 28)), duration(1, "months"))
    assert not equal(between(D(2026, 1, 31), D(2026, 3, 1)), duration(1, "months"))
    assert order("<", between(D(2026, 1, 31), D(2026, 2, 27)), duration(1, "months"))


def test_durations_not_between_dates_count_a_month_as_its_average() -> None:
    assert order("<", duration(365, "days"), duration(12, "months"))
    assert order(">", duration(366, "days"), duration(1, "years"))
    assert equal(duration(12, "months"), duration(1, "years"))
    assert order("<=", between(D(2026, 1, 1), D(2026, 1, 31)), duration(30, "days"))


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2026, 1, 31), D(2026, 2, 28), 1),
        (D(2026, 1, 15), D(2026, 2, 14), 0),
        (D(2026, 1, 15), D(2026, 2, 15), 1),
        (D(2024, 2, 29), D(2025, 2, 28), 12),
        (D(2025, 11, 20), D(2026, 11, 19), 11),
        (D(2026, 2, 15), D(2026, 1, 15), -1),
        (D(2026, 5, 5), D(2026, 5, 5), 0),
    ],
)
def test_months_between_counts_whole_calendar_months(
    start: dt.date, end: dt.date, months: int
) -> None:
    assert months_between(start, end) == months


def test_durations_print_as_the_rule_wrote_them() -> None:
    assert str(duration(12, "months")) == "12 months"
    assert str(duration(1, "years")) == "1 year"
    assert str(duration(2, "years")) == "2 years"
    assert str(duration(1, "months")) == "1 month"
    assert str(duration(2, "weeks")) == "14 days"
    assert str(arith("*", duration(6, "months"), 2)) == "12 months"
    assert str(between(D(2026, 1, 1), D(2026, 1, 2))) == "1 day"


def test_whole_multiples_of_months_stay_calendar_months() -> None:
    assert arith("*", duration(6, "months"), 2) == Duration(months=12)
    assert arith("/", duration(12, "months"), 4) == Duration(months=3)
    assert arith("/", duration(1, "months"), 2) == Duration(days=30.436875 / 2)


def test_a_date_out_of_the_calendar_is_an_evaluation_error() -> None:
    with pytest.raises(EvaluationError, match="date out of range"):
        arith("+", D(9999, 12, 1), duration(1, "months"))
    with pytest.raises(EvaluationError, match="date out of range"):
        arith("+", D(9999, 12, 1), duration(40, "days"))
