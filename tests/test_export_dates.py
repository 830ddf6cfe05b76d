"""The one conversion of the export's dates: UTC days for rules, instants for the proof checks."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from evidencedata import CONTRACT_RULE, write_repo

from aimscheck.cli import main
from aimscheck.export import dates
from aimscheck.export.dates import as_of_end, coerce_dates, today, when, when_at
from aimscheck.export.loader import load_export

UTC = dt.UTC
AS_OF = dt.date(2026, 11, 20)


def test_a_timestamp_becomes_its_day_in_utc_and_keeps_its_instant(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        'schema_version: "1"\norganization: {name: A}\nevidence:\n'
        "  - {id: E1, kind: record, collected_at: 2026-11-21T00:30+14:00,"
        " expires_at: '2026-11-20T20:00-05:00'}\ndocuments:\n"
        "  - {id: D1, type: policy, title: P, next_review_due: 2026-11-20}\n"
    )
    export = load_export(path)
    coerce_dates(export)
    record = export.collection("evidence")[0]
    # +14:00 is 2026-11-20T10:30Z; -05:00 is 2026-11-21T01:00Z.
    assert (record["collected_at"], record["expires_at"]) == (AS_OF, dt.date(2026, 11, 21))
    document = export.collection("documents")[0]
    assert document["next_review_due"] == AS_OF
    collected = when_at(export, record, "collected_at")
    assert collected is not None and collected.timed
    assert collected.first == dt.datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert collected.shown == "2026-11-20T10:30:00Z (written 2026-11-21T00:30:00+14:00)"
    day = when_at(export, document, "next_review_due")
    assert day is not None and not day.timed and day.shown == "2026-11-20"
    coerce_dates(export)  # converting again changes nothing
    assert when_at(export, record, "collected_at") == collected


def test_a_day_is_the_whole_day_in_utc() -> None:
    found = when(AS_OF)
    assert found is not None
    assert found.first == dt.datetime(2026, 11, 20, tzinfo=UTC)
    assert found.last == dt.datetime(2026, 11, 20, 23, 59, 59, 999999, tzinfo=UTC)
    assert found == when("2026-11-20")
    assert not found.ends_before(AS_OF) and not found.starts_after(AS_OF)
    assert found.ends_before(dt.date(2026, 11, 21))
    assert found.starts_after(dt.date(2026, 11, 19))


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-20T20:00:00Z", dt.datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),
        ("2026-11-20T20:00-0500", dt.datetime(2026, 11, 21, 1, 0, tzinfo=UTC)),
        ("2026-11-20 20:00", dt.datetime(2026, 11, 20, 20, 0, tzinfo=UTC)),  # no zone: UTC
        ("2026-11-20T20:00:00.5+01:00", dt.datetime(2026, 11, 20, 19, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_a_timestamp_is_one_instant(text: str, utc: dt.datetime) -> None:
    found = when(text)
    assert found is not None and found.first == found.last == utc and found.day == utc.date()


@pytest.mark.parametrize("text", ["31/01/2026", "2026-02-30", "2026-W05-1", "2026-11-20T25:00"])
def test_what_is_not_a_date_has_no_instants(text: str) -> None:
    assert when(text) is None
    assert when(7) is None and when(None) is None


def test_the_as_of_date_is_the_end_of_that_day_in_utc() -> None:
    end = as_of_end(AS_OF)
    assert end == dt.datetime(2026, 11, 20, 23, 59, 59, 999999, tzinfo=UTC)
    at_end = when("2026-11-20T23:59:59.999999Z")
    after = when("2026-11-21T00:00:00Z")
    assert at_end is not None and after is not None
    assert not at_end.ends_before(AS_OF) and not at_end.starts_after(AS_OF)
    assert after.starts_after(AS_OF)


@pytest.fixture
def late_evening_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """2026-11-20T23:30Z, on a machine 14 hours ahead, where it is already the 21st."""

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:
            instant = dt.datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
            local = instant.astimezone(tz) if tz is not None else instant.replace(tzinfo=None)
            return cls.fromisoformat(local.isoformat())

    monkeypatch.setattr(dates, "datetime", Clock)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.usefixtures("late_evening_utc")
def test_today_is_the_date_in_utc_whatever_the_machines_zone() -> None:
    assert today() == AS_OF


@pytest.mark.usefixtures("late_evening_utc")
@pytest.mark.parametrize("command", ["check", "evidence"])
def test_every_command_defaults_to_today_in_utc(tmp_path: Path, command: str) -> None:
    root = write_repo(tmp_path / "repo", {})
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "contract.aims").write_text(CONTRACT_RULE)
    args = [command, str(root), "--no-default-rules", "--rules", str(rules), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["as_of"] == "2026-11-20"
