"""The check as a library call: configured rules, waivers, baseline and progress in one run."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from aimscheck.check import CheckOptions, adjust, load_ruleset, run_check
from aimscheck.config import Config, DisabledRule, SeverityChange
from aimscheck.dsl.ruleset import RuleSet
from aimscheck.errors import AimscheckError, UsageError
from aimscheck.progress import DELAY, Progress
from aimscheck.results import Baseline, Severity, Waiver
from aimscheck.source import Location

GAPS = Path(__file__).parent.parent / "fixtures" / "gaps"
AS_OF = dt.date(2026, 11, 20)
HERE = Location("aimscheck.yaml", 3)


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_ruleset([])


def test_severity_changes_and_disabled_rules_keep_their_reasons(ruleset: RuleSet) -> None:
    config = Config(
        severity=(SeverityChange("AIMS-4.1-05", Severity.MAJOR, "CB grades it major", HERE),),
        disabled=(DisabledRule("AIMS-9.3-01", "Reviewed at group level", HERE),),
    )
    adjusted, changes = adjust(ruleset, config)
    ids = [r.info.id for r in adjusted.rules]
    assert "AIMS-9.3-01" not in ids
    assert ids == [r.info.id for r in ruleset.rules if r.info.id != "AIMS-9.3-01"]  # order kept
    regraded = adjusted.get("AIMS-4.1-05")
    assert regraded is not None and regraded.info.severity is Severity.MAJOR
    original = ruleset.get("AIMS-4.1-05")
    assert original is not None and original.info.severity is Severity.OBSERVATION  # untouched
    severity, off = changes
    assert (severity.change, severity.before, severity.after, severity.reason) == (
        "severity",
        "observation",
        "major",
        "CB grades it major",
    )
    assert (off.change, off.rule, off.reason, off.location) == (
        "disabled",
        "AIMS-9.3-01",
        "Reviewed at group level",
        HERE,
    )


def test_an_unknown_rule_in_the_config_is_named_at_its_line(ruleset: RuleSet) -> None:
    config = Config(disabled=(DisabledRule("AIMS-9.3-10", "typo", HERE),))
    with pytest.raises(UsageError) as caught:
        adjust(ruleset, config)
    assert caught.value.location == HERE
    assert caught.value.message == "rules.disabled names rule AIMS-9.3-10, which is not loaded"
    assert caught.value.hint.startswith("did you mean AIMS-9.3-0")


def test_no_config_changes_nothing(ruleset: RuleSet) -> None:
    assert adjust(ruleset, None) == (ruleset, ())
    assert adjust(ruleset, Config()) == (ruleset, ())


def test_one_run_carries_config_waivers_and_baseline(tmp_path: Path) -> None:
    waiver = Waiver("AIMS-A.7.5-01", "datasets/ds-clickstream", "x", "y", dt.date(2027, 1, 1))
    config = Config(path=tmp_path / "aimscheck.yaml", waivers=(waiver,))
    baseline = tmp_path / "previous.json"
    baseline.write_text('{"format": "aimscheck-report/1", "results": []}')
    report = run_check(CheckOptions(GAPS, as_of=AS_OF, config=config, baseline=baseline))
    assert report.organization == "Quantum Retail Group plc"
    assert report.config_file is not None and report.config_file.endswith("aimscheck.yaml")
    assert [(s.state, s.matched) for s in report.waivers] == [("active", 1)]
    assert report.baseline == Baseline(str(baseline), frozenset())
    waived = [r for r in report.results if r.waiver is not None]
    assert [r.key() for r in waived] == [("AIMS-A.7.5-01", "datasets/ds-clickstream")]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_during_a_long_run_and_wiped() -> None:
    ticks = iter(range(0, 100000))
    stream = Terminal()
    progress = Progress(stream, enabled=True, clock=lambda: next(ticks) * DELAY)
    run_check(CheckOptions(GAPS, as_of=AS_OF), progress)
    shown = stream.getvalue()
    assert "aimscheck: loading the export" in shown
    assert "aimscheck: evaluating rules 0/" in shown
    assert shown.endswith("\r")  # the last thing written wipes the line
    last_line = shown.rstrip("\r").rsplit("\r", 1)[1]
    assert last_line.strip() == ""


def test_progress_is_wiped_when_the_run_fails(tmp_path: Path) -> None:
    ticks = iter(range(0, 1000))
    stream = Terminal()
    progress = Progress(stream, enabled=True, clock=lambda: next(ticks) * DELAY)
    with pytest.raises(AimscheckError):
        run_check(CheckOptions(tmp_path / "nowhere", as_of=AS_OF), progress)
    assert stream.getvalue().rstrip("\r").rsplit("\r", 1)[1].strip() == ""
