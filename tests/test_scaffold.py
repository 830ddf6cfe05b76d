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
from aimscheck.scaffold import TEMPLATE_DATE, plan, scaffold, shift_dates


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


def test_init_refuses_a_folder_that_is_not_empty_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "aims.yaml").write_text("schema_version: '1'\n")
    code, out = cli("init", tmp_path)
    assert code == EXIT_ERROR
    assert out == (
        f"aimscheck: error:\n{tmp_path} is not empty: it holds 2 files and folders (aims.yaml, "
        "notes.txt); init writes a new governance repo into an empty folder\n"
        "  hint: give a new folder (aimscheck init my-aims), or add --force to write the "
        "scaffold among these files, overwriting 1 file (aims.yaml)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aims.yaml", "notes.txt"]
    assert cli("init", tmp_path, "--force")[0] == EXIT_OK
    assert (tmp_path / "aims.yaml").read_text().startswith("# The AIMS export of an example")
    assert (tmp_path / "notes.txt").read_text() == "mine\n"  # a file it does not share stays


def test_init_without_a_path_refuses_a_non_empty_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    code, out = cli("init")
    assert code == EXIT_ERROR
    assert out.startswith(
        "aimscheck: error:\nthe current folder is not empty: it holds 1 file or folder (src/)"
    )
    assert "overwriting none of them" in out
    assert [p.name for p in tmp_path.iterdir()] == ["src"]


def test_a_folder_holding_only_git_counts_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()  # `git init` first, then `aimscheck init`: the usual order
    monkeypatch.chdir(tmp_path)
    code, out = cli("init")
    assert code == EXIT_OK
    assert out.splitlines()[:3] == [
        f"created {len(plan(tmp_path))} files in the current folder",
        "next steps:",
        "  aimscheck check          # the AIMS against ISO/IEC 42001 and rules/",
    ]  # never `cd .`


@pytest.mark.parametrize(
    ("given", "cd"),
    [
        ("my-aims", "cd my-aims"),
        ("gov/new aims", "cd 'gov/new aims'"),  # quoted for the shell
        ("ABSOLUTE", "cd sub/repo"),  # an absolute path, said relative to where one is
        ("../sibling", "cd ../sibling"),
    ],
)
def test_init_prints_the_real_next_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, cd: str
) -> None:
    here = tmp_path / "work"
    here.mkdir()
    monkeypatch.chdir(here)
    target = str(here / "sub" / "repo") if given == "ABSOLUTE" else given
    code, out = cli("init", target)
    assert code == EXIT_OK, out
    assert out.splitlines()[1:5] == [
        "next steps:",
        f"  {cd}",
        "  aimscheck check          # the AIMS against ISO/IEC 42001 and rules/",
        "  aimscheck test rules     # the tests of your own rules",
    ]


def test_the_organisations_own_rules_live_directly_in_rules(tmp_path: Path) -> None:
    scaffold(tmp_path / "repo", TEMPLATE_DATE)
    rules = tmp_path / "repo" / "rules"
    assert sorted(p.name for p in rules.iterdir()) == ["org.aims", "org.tests.yaml"]
    assert "packs: [rules]" in (tmp_path / "repo" / "aimscheck.yaml").read_text()


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
