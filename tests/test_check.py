"""The check as a library call: configured rules, waivers, baseline and progress in one run."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aimscheck.check import CheckOptions, adjust, load_ruleset, run_check
from aimscheck.cli import EXIT_ERROR, EXIT_OK, main
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


# ---- the export is checked against its contract before any rule runs (command line)


@pytest.fixture
def gov(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the gaps governance repo; the working folder its parent, as in a CI job."""
    shutil.copytree(GAPS, tmp_path / "gov")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "gov"


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "gov", "--as-of", "2026-11-20", *args])


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file; the line it is on."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_value_outside_a_vocabulary_stops_the_run_at_its_line(gov: Path) -> None:
    line = edit(gov / "ai_systems" / "crm-lead-scoring.yaml", "risk_tier: medium", "risk_tier: hgh")
    for strict in ((), ("--strict",)):
        result = check(*strict)
        assert result.exit_code == EXIT_ERROR
        assert result.output == (
            "aimscheck: error: "
            f"gov/ai_systems/crm-lead-scoring.yaml:{line}: $.ai_systems[0].risk_tier: must be one "
            'of: low, medium, high, critical (got "hgh"; did you mean "high"?)\n'
        )


def test_a_reference_to_no_record_stops_the_run_with_the_closest_id(gov: Path) -> None:
    line = edit(
        gov / "ai_systems" / "dynamic-pricing.yaml", "owner_ref: p-sato", "owner_ref: p-stao"
    )
    result = check()
    assert result.exit_code == EXIT_ERROR
    assert result.output == (
        f"aimscheck: error: gov/ai_systems/dynamic-pricing.yaml:{line}: $.ai_systems[2].owner_ref: "
        "names 'p-stao', which is not an id of people (did you mean 'p-sato'?)\n"
    )


def test_all_errors_of_the_export_are_reported_together_in_file_order(gov: Path) -> None:
    owner = edit(gov / "ai_systems" / "dynamic-pricing.yaml", "owner_ref: p-sato", "owner_ref: x")
    tier = edit(gov / "ai_systems" / "crm-lead-scoring.yaml", "risk_tier: medium", "risk_tier: 3")
    result = check()
    assert result.exit_code == EXIT_ERROR
    assert result.output.splitlines() == [
        "aimscheck: error:",
        f"gov/ai_systems/crm-lead-scoring.yaml:{tier}: $.ai_systems[0].risk_tier: expected a "
        "string, got 3; put it in quotes",
        f"gov/ai_systems/dynamic-pricing.yaml:{owner}: $.ai_systems[2].owner_ref: names 'x', "
        "which is not an id of people",
    ]


def test_an_unknown_schema_version_names_the_versions_read(gov: Path) -> None:
    line = edit(gov / "aims.yaml", 'schema_version: "1"', 'schema_version: "2"')
    result = check()
    assert result.exit_code == EXIT_ERROR
    assert result.output == (
        f"aimscheck: error: gov/aims.yaml:{line}: $.schema_version: unsupported "
        'schema_version "2": this aimscheck reads schema_version "1"\n'
    )


def test_a_bad_vocabulary_entry_is_an_error_at_its_configuration_line(gov: Path) -> None:
    (gov / "aimscheck.yaml").write_text(
        "vocabulary:\n  ai_systems.risk_tiers:\n    values: [very_high]\n    reason: POL-7\n"
    )
    result = check()
    assert result.exit_code == EXIT_ERROR
    assert result.output == (
        "aimscheck: error:\ngov/aimscheck.yaml:2: $.vocabulary['ai_systems.risk_tiers']: not a "
        "field of the export with a closed vocabulary\n  hint: did you mean ai_systems.risk_tier?\n"
    )


def test_values_added_to_a_vocabulary_are_accepted_and_reported(gov: Path) -> None:
    edit(gov / "ai_systems" / "crm-lead-scoring.yaml", "risk_tier: medium", "risk_tier: very_high")
    (gov / "aimscheck.yaml").write_text(
        "vocabulary:\n  ai_systems.risk_tier:\n    values: [very_high]\n"
        "    reason: Risk policy POL-7 grades systems on five tiers\n"
    )
    result = check("--json", "report.json", "--fail-on", "never")
    assert result.exit_code == EXIT_OK, result.output
    assert (
        'configuration: ai_systems.risk_tier also accepts "very_high" (gov/aimscheck.yaml:2): '
        "Risk policy POL-7 grades systems on five tiers"
    ) in result.output.splitlines()
    assert json.loads(Path("report.json").read_text(encoding="utf-8"))["vocabulary"] == [
        {
            "field": "ai_systems.risk_tier",
            "values": ["very_high"],
            "reason": "Risk policy POL-7 grades systems on five tiers",
            "location": {"file": "gov/aimscheck.yaml", "line": 2},
        }
    ]


PACK = """\
field ai_systems.business_unit: one of "retail", "wholesale"
field ai_systems.sponsor_ref: ref people

rule "ORG-1" {
  title     "Every AI system names its business unit"
  clause    "4.3"
  severity  minor
  phase     scope_definition
  for sys in ai_systems
  require sys.business_unit is set
  because "No business unit"
}
"""


def test_a_field_a_pack_declares_is_checked_like_the_schema(gov: Path) -> None:
    (gov.parent / "pack.aims").write_text(PACK, encoding="utf-8")
    path = gov / "ai_systems" / "crm-lead-scoring.yaml"
    line = edit(path, "risk_tier: medium", "risk_tier: medium\nbusiness_unit: retial")
    sponsor = edit(path, "name:", "sponsor_ref: p-nobody\nname:")
    for strict in ((), ("--strict",)):
        result = check("--rules", "pack.aims", *strict)
        assert result.exit_code == EXIT_ERROR
        assert result.output.splitlines() == [
            "aimscheck: error:",
            f"gov/ai_systems/crm-lead-scoring.yaml:{sponsor}: $.ai_systems[0].sponsor_ref: names "
            "'p-nobody', which is not an id of people",
            f"gov/ai_systems/crm-lead-scoring.yaml:{line + 2}: $.ai_systems[0].business_unit: "
            'must be one of: retail, wholesale (got "retial"; did you mean "retail"?)',
        ]


def test_the_json_report_lists_each_failure_of_a_subject_at_its_line() -> None:
    from aimscheck.reporters import render

    data = json.loads(render("json", run_check(CheckOptions(path=GAPS, as_of=AS_OF))))
    results = {(r["rule"], (r["subject"] or {}).get("id")): r for r in data["results"]}
    audit = results[("AIMS-9.2-04", "aud-2026-int-01")]

    def place(location: dict[str, object]) -> tuple[Path, object]:
        return Path(str(location["file"])).resolve(), location["line"]

    file = (GAPS / "audits.yaml").resolve()
    assert [(f["outcome"], place(f["location"])) for f in audit["failures"]] == [
        ("nonconformity", (file, 10)),  # auditor_refs
        ("nonconformity", (file, 11)),  # auditor_independent
    ]
    assert place(audit["location"]) == (file, 10)
    assert audit["message"] == "; ".join(f["message"] for f in audit["failures"])
    assert all("failures" in r for r in data["results"])
