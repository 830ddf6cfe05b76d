"""Bad command lines: one clear message and exit 2, in process and in a real process alike."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from hostiledata import AIMS, no_traceback, process, repo, rules, run, snapshot, write

from aimscheck.cli import EXIT_ERROR, EXIT_OK
from aimscheck.errors import UsageError
from aimscheck.limits import Limits, configured, from_env


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run inside tmp_path, with a valid export `repo`, a rule pack `rules` and a file."""
    monkeypatch.chdir(tmp_path)
    repo(tmp_path / "repo")
    rules(tmp_path)
    (tmp_path / "notes.txt").write_text("not an export\n")
    (tmp_path / "reports").mkdir()
    return tmp_path


PACK = ("--no-default-rules", "--rules", "rules", "--as-of", "2026-11-20")

# arguments after `check` → the message printed (after "aimscheck: error:")
BAD: dict[str, tuple[list[str], str]] = {
    "missing export": (
        ["no/such/folder", *PACK],
        "no/such/folder:1: export not found: give an export file (.yaml, .yml, .json) or folder",
    ),
    "file that is not an export": (
        ["notes.txt", *PACK],
        "notes.txt:1: not an export: give a .yaml, .yml or .json file, or an export folder",
    ),
    "missing rule folder": (
        ["repo", "--no-default-rules", "--rules", "nope", "--as-of", "2026-11-20"],
        "rule path not found: nope",
    ),
    "no rules at all": (
        ["repo", "--no-default-rules", "--as-of", "2026-11-20"],
        "no rules to run: --no-default-rules needs at least one --rules DIR",
    ),
    "missing evidence root": (
        ["repo", *PACK, "--evidence-root", "nope"],
        "--evidence-root nope is not a folder",
    ),
    "evidence root that is a file": (
        ["repo", *PACK, "--evidence-root", "notes.txt"],
        "--evidence-root notes.txt is not a folder",
    ),
    "report path that is a folder": (
        ["repo", *PACK, "--junit", "reports"],
        "reports is a folder: give a file name for the junit report",
    ),
    "report in a missing folder": (
        ["repo", *PACK, "--json", "nofolder/r.json"],
        "cannot write the json report nofolder/r.json: the folder nofolder does not exist",
    ),
    "report over an export file": (
        ["repo", *PACK, "--json", "repo/aims.yaml"],
        "the json report repo/aims.yaml would overwrite a file this run reads",
    ),
    "conflicting config options": (
        ["repo", *PACK, "--config", "x.yaml", "--no-config"],
        "--config and --no-config contradict each other: give one",
    ),
}


def message(stderr: str) -> str:
    """The first line of what `aimscheck: error:` introduces."""
    return stderr.removeprefix("aimscheck: error:").strip().splitlines()[0]


@pytest.mark.parametrize("name", list(BAD))
def test_each_bad_command_line_gets_one_message(name: str, here: Path) -> None:
    args, expected = BAD[name]
    before = snapshot(here)
    result = run("check", *args)
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr) == expected
    assert result.stdout == ""
    no_traceback(result)
    assert snapshot(here) == before  # nothing written, nothing removed


@pytest.mark.parametrize("value", ["31/01/2026", "2026-02-30", "", "yesterday", "2026-1-5x"])
def test_an_as_of_that_is_not_a_date(value: str, here: Path) -> None:
    result = run("check", "repo", "--no-default-rules", "--rules", "rules", "--as-of", value)
    assert result.exit_code == EXIT_ERROR
    assert f"{value!r} is not a date; write it as YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--fail-on", "critical"], "Invalid value for '--fail-on': 'critical' is not one of"),
        (["--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of"),
        (["--bogus"], "No such option '--bogus'"),
        (["--as-of"], "Option '--as-of' requires an argument."),
    ],
)
def test_click_usage_errors_exit_2(args: list[str], needle: str, here: Path) -> None:
    result = run("check", "repo", "--no-default-rules", "--rules", "rules", *args)
    assert result.exit_code == EXIT_ERROR
    assert needle in result.stderr


def test_a_report_folder_that_cannot_be_written(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root (CI), chmod does not stop writing: make creating the temporary file fail.
    real_open = os.open

    def deny(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if str(path).endswith(".tmp") and "reports" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    result = run("check", "repo", *PACK, "--json", "reports/r.json")
    assert result.exit_code == EXIT_ERROR
    assert message(result.stderr) == (
        "cannot write reports/r.json: the folder reports is not writable (Permission denied)"
    )
    assert list((here / "reports").iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the folder's mode")
def test_a_read_only_report_folder_for_real(here: Path) -> None:
    (here / "reports").chmod(0o555)
    try:
        result = run("check", "repo", *PACK, "--json", "reports/r.json")
        assert result.exit_code == EXIT_ERROR
        assert "is not writable (Permission denied)" in result.stderr
    finally:
        (here / "reports").chmod(0o755)


# ---- limits from the environment and from --limit


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMSCHECK_MAX_FILE_MB", "128")
    monkeypatch.setenv("AIMSCHECK_MAX_DEPTH", "1_000")
    assert from_env() == Limits(max_file_mb=128, max_depth=1000)
    assert configured(["max_depth=10", "MAX_TEXT = 5"]) == Limits(
        max_file_mb=128, max_depth=10, max_text=5
    )


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (["max_depth=0"], "limit max_depth in --limit must be a whole number above 0, got '0'"),
        (["max_depth=2.5"], "limit max_depth in --limit must be a whole number above 0, got '2.5'"),
        (["max_file_mb=nan"], "limit max_file_mb in --limit must be a number above 0, got 'nan'"),
        (["max_files"], "--limit takes NAME=VALUE (such as max_file_mb=128), got 'max_files'"),
        (["max_size=3"], "unknown limit 'max_size' in --limit"),
    ],
)
def test_bad_limit_settings(settings: list[str], expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        configured(settings)
    assert caught.value.message == expected


def test_a_bad_limit_in_the_environment_exits_2(here: Path) -> None:
    result = run("check", "repo", *PACK, env={"AIMSCHECK_MAX_DEPTH": "deep"})
    assert result.exit_code == EXIT_ERROR
    assert message(result.stderr) == (
        "limit max_depth in the environment must be a whole number above 0, got 'deep'"
    )


def test_limits_from_the_environment_apply_to_a_run(here: Path) -> None:
    write(here / "repo", {"aims.yaml": AIMS + "context: {a: {b: {c: 1}}}\n"})
    assert run("check", "repo", *PACK).exit_code == EXIT_OK
    result = run("check", "repo", *PACK, env={"AIMSCHECK_MAX_DEPTH": "3"})
    assert result.exit_code == EXIT_ERROR
    assert message(result.stderr).startswith(
        "repo/aims.yaml:3:18: data nested more than 3 levels"
    )  # b


# ---- what CI sees: real processes, never a traceback


HOSTILE: dict[str, dict[str, str | bytes]] = {
    "alias bomb": {
        "aims.yaml": AIMS
        + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"b{i}: &b{i} [{', '.join([f'*b{i - 1}' if i else '*a'] * 10)}]\n" for i in range(9)
        )
    },
    "deep JSON": {
        "aims.json": '{"schema_version": "1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    },
    "binary": {"aims.yaml": bytes(range(256)) * 4},
    "python tag": {"aims.yaml": AIMS + "x: !!python/object/apply:os.system [touch PWNED]\n"},
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_real_processes_never_print_a_traceback(name: str, here: Path) -> None:
    write(here / "repo", HOSTILE[name])
    proc = process("check", "repo", *PACK, "--json", "reports/r.json", timeout=60, cwd=here)
    assert proc.returncode == EXIT_ERROR
    assert proc.stdout == ""
    assert proc.stderr.startswith("aimscheck: error:")
    assert "Traceback" not in proc.stderr
    assert not (here / "PWNED").exists()
    assert not (here / "reports" / "r.json").exists()


def test_a_hostile_rule_pack_in_a_real_process(here: Path) -> None:
    rules(here, 'rule "X" {\n  require (((\n', name="broken.aims")
    proc = process("check", "repo", *PACK, timeout=60, cwd=here)
    assert proc.returncode == EXIT_ERROR
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("aimscheck: error:")
