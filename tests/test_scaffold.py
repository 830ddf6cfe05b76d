"""`aimscheck init`: the newcomer's repo passes check, test and lint on whatever day it is made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from aimscheck.check import CheckOptions, run_check
from aimscheck.cli import EXIT_ERROR, EXIT_OK
from aimscheck.commands import fmt, init, lint, test
from aimscheck.scaffold import TEMPLATE_DATE, scaffold, shift_dates


def cli(*args: str | Path) -> tuple[int, str]:
    group = click.Group()
    for module in (fmt, init, lint, test):
        group.add_command(module.command)
    result = CliRunner().invoke(group, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "today",
    [
        TEMPLATE_DATE,
        dt.date(2027, 2, 28),
        dt.date(2028, 2, 29),  # leap day: dates move by days, never onto an impossible day
        dt.date(2026, 3, 31),
        dt.date(2030, 7, 15),
    ],
)
def test_the_scaffold_passes_every_rule_of_the_default_pack_and_its_own(
    tmp_path: Path, today: dt.date
) -> None:
    scaffold(tmp_path, today)
    report = run_check(CheckOptions(path=tmp_path, rules=[tmp_path / "rules"], as_of=today))
    findings = [
        f"{r.rule.id} {r.subject}: {r.message}" for r in report.results if r.outcome.is_finding
    ]
    assert findings == []
    assert any(r.rule.id == "ORG-A.6.2.8-01" for r in report.results)


def test_init_then_test_and_lint_of_the_custom_rule_pass(tmp_path: Path) -> None:
    code, out = cli("init", tmp_path)
    assert code == EXIT_OK and "created" in out
    assert (tmp_path / ".github" / "workflows" / "aimscheck.yml").is_file()
    assert (tmp_path / "ci" / "gitlab-ci.yml").is_file()
    assert "packs: [rules]" in (tmp_path / "aimscheck.yaml").read_text()
    code, out = cli("test", tmp_path / "rules")
    assert code == EXIT_OK and "4 passed, 0 failed" in out
    code, out = cli("lint", tmp_path / "rules")
    assert code == EXIT_OK and "no problems" in out
    assert cli("fmt", "--check", tmp_path / "rules")[0] == EXIT_OK


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "aims.yaml").write_text("schema_version: '1'\n")
    code, out = cli("init", tmp_path)
    assert code == EXIT_ERROR
    assert "already holds files the scaffold would overwrite: aims.yaml" in out
    assert (tmp_path / "aims.yaml").read_text() == "schema_version: '1'\n"
    assert cli("init", tmp_path, "--force")[0] == EXIT_OK
    assert (tmp_path / "aims.yaml").read_text().startswith("# The AIMS export of an example")


def test_dates_move_but_file_names_ids_and_impossible_days_do_not() -> None:
    text = (
        "held_at: 2026-11-04\n"
        'due: "2026-12-31"\n'
        "at: [2026-01-01, 2026-02-28]\n"
        "exported_at: 2026-11-20T09:00:00Z\n"
        "path: files/minutes/2026-11-04-management-review.md\n"
        "id: mr-2026-11-04\n"
        "odd: 2026-02-30\n"
    )
    assert shift_dates(text, 1) == (
        "held_at: 2026-11-05\n"
        'due: "2027-01-01"\n'
        "at: [2026-01-02, 2026-03-01]\n"
        "exported_at: 2026-11-21T09:00:00Z\n"
        "path: files/minutes/2026-11-04-management-review.md\n"
        "id: mr-2026-11-04\n"
        "odd: 2026-02-30\n"
    )
