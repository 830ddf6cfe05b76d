"""Bad command lines: one clear message and exit 2, in process and in a real process alike."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostiledata import AIMS, no_traceback, process, repo, rules, run, snapshot, write

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
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
        "the json report repo/aims.yaml would overwrite a file this run reads (a file of the "
        "export)",
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


# ---- reports: never over an input, never two at one path, all of a run's or none


def test_two_reports_at_one_path_are_refused(here: Path) -> None:
    before = snapshot(here)
    result = run("check", "repo", *PACK, "--junit", "reports/x", "--json", "reports/x")
    assert result.exit_code == EXIT_ERROR
    assert message(result.stderr) == (
        "the junit and json reports would both be written to reports/x: give each report its "
        "own file"
    )
    assert snapshot(here) == before


@pytest.mark.parametrize(
    ("target", "what"),
    [
        ("rules/pack.aims", "a rule file"),
        ("repo/aims.yaml", "a file of the export"),
        ("repo/ai_systems/new.yaml", "a file of the export"),  # the next run would read it
        ("repo/files/proof.pdf", "a proof file"),  # known once the export is read
        ("repo/files/missing.pdf", "a proof file"),  # written there, it would become the proof
        ("hard-link.yaml", "a file of the export"),  # another name of repo/ai_systems/s1.yaml
        ("proof-link.pdf", "a proof file"),  # another name of repo/files/proof.pdf
        ("reports/via-link.pdf", "a proof file"),  # repo/files/via-link.pdf, through a link
    ],
)
def test_a_report_over_an_input_is_refused(here: Path, target: str, what: str) -> None:
    write(here / "repo", {"evidence.yaml": EVIDENCE, "files/proof.pdf": "proof"})
    os.link(here / "repo/ai_systems/s1.yaml", here / "hard-link.yaml")
    os.link(here / "repo/files/proof.pdf", here / "proof-link.pdf")
    (here / "repo" / "linked").symlink_to(here / "reports")  # a proof folder leading to reports/
    before = snapshot(here)
    result = run("check", "repo", *PACK, "--junit", target)
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr) == (
        f"the junit report {target} would overwrite a file this run reads ({what})"
    )
    assert snapshot(here) == before  # nothing written, and the refused path never removed


def test_a_report_over_the_installed_pack_is_refused(here: Path) -> None:
    from aimscheck.resources import default_pack

    pack_file = default_pack() / "clause4.aims"
    before = pack_file.read_bytes()
    result = run("check", "repo", "--as-of", "2026-11-20", "--junit", pack_file)
    assert result.exit_code == EXIT_ERROR
    assert message(result.stderr) == (
        f"the junit report {pack_file} would overwrite a file this run reads (a rule file of "
        "the built-in pack)"
    )
    assert pack_file.read_bytes() == before


EVIDENCE = """\
- id: ev1
  kind: record
  title: Sign-off
  path: files/proof.pdf
- id: ev2
  kind: record
  title: Lost
  path: files/missing.pdf
- id: ev3
  kind: record
  title: Elsewhere
  path: linked/via-link.pdf
"""


def test_a_refused_report_path_is_never_removed_but_stale_reports_are(here: Path) -> None:
    (here / "reports" / "old.json").write_text("yesterday's report")
    aims = (here / "repo" / "aims.yaml").read_bytes()
    result = run("check", "repo", *PACK, "--junit", "repo/aims.yaml", "--json", "reports/old.json")
    assert result.exit_code == EXIT_ERROR
    assert (here / "repo" / "aims.yaml").read_bytes() == aims
    assert not (here / "reports" / "old.json").exists()


def test_one_report_that_cannot_be_written_means_none_is(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One report folder read-only (simulated: root writes anywhere), another holding
    yesterday's report: exit 2, and no report remains at either path."""
    (here / "readonly").mkdir()
    (here / "reports" / "r.json").write_text("yesterday's report")
    real_open = os.open

    def read_only(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if "readonly" in str(path) and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    result = run("check", "repo", *PACK, "--json", "reports/r.json", "--junit", "readonly/r.xml")
    assert result.exit_code == EXIT_ERROR
    assert message(result.stderr) == (
        "cannot write readonly/r.xml: the folder readonly is not writable (Read-only file system)"
    )
    assert list((here / "reports").iterdir()) == []
    assert list((here / "readonly").iterdir()) == []


def test_a_run_that_fails_removes_the_configurations_reports_too(here: Path) -> None:
    write(here / "repo", {"aimscheck.yaml": "outputs:\n  json: out.json\n", "out.json": "old"})
    write(here / "repo", {"ai_systems/s2.yaml": "id: s2\nname: [not, text]\n"})
    result = run("check", "repo", *PACK)
    assert result.exit_code == EXIT_ERROR
    assert not (here / "repo" / "out.json").exists()


# reports named in aimscheck.yaml → the message (its line is 2)
CONFIG_OUTPUTS: dict[str, str] = {
    "/tmp/aimscheck-x.xml": "$.outputs.junit: the path /tmp/aimscheck-x.xml is absolute: a "
    "report named in the configuration is written inside the repo's working tree",
    "../x.xml": "$.outputs.junit: the path ../x.xml contains '..': a report named in the "
    "configuration is written inside the repo's working tree",
    ".git/hooks/pre-commit": "$.outputs.junit: the path .git/hooks/pre-commit is inside .git, "
    "git's own folder: a report named in the configuration is written inside the repo's "
    "working tree",
    "away/x.xml": "$.outputs.junit: away/x.xml leads out of the repo through a symbolic link: a "
    "report named in the configuration is written inside the repo's working tree",
    "files/proof.pdf": "$.outputs.junit: the junit report repo/files/proof.pdf would overwrite "
    "a file this run reads (a proof file)",
    "files/new.xml": "$.outputs.junit: the junit report repo/files/new.xml would be written into "
    "repo/files, a folder of proof files: a report named in the configuration stays out of the "
    "repo's rule packs and proof folders",
    "rules/r.xml": "$.outputs.junit: the junit report repo/rules/r.xml would be written into the "
    "rule pack repo/rules: a report named in the configuration stays out of the repo's rule "
    "packs and proof folders",
    "evidence.yaml": "$.outputs.junit: the junit report repo/evidence.yaml would overwrite a file "
    "this run reads (a file of the export)",
    "aimscheck.yaml": "$.outputs.junit: the junit report repo/aimscheck.yaml would overwrite a "
    "file this run reads (the configuration)",
}


@pytest.mark.parametrize("target", list(CONFIG_OUTPUTS))
def test_reports_named_by_the_repo_stay_in_its_working_tree(here: Path, target: str) -> None:
    write(here / "repo", {"evidence.yaml": EVIDENCE, "files/proof.pdf": "proof"})
    rules(here / "repo")
    (here / "away").mkdir()
    (here / "repo" / "away").symlink_to(here / "away")
    config = f"rules: {{default_pack: false, packs: [rules]}}\noutputs:\n  junit: {target}\n"
    write(here / "repo", {"aimscheck.yaml": config})
    before = snapshot(here)
    result = run("check", "repo", "--as-of", "2026-11-20")
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr) == f"repo/aimscheck.yaml:3: {CONFIG_OUTPUTS[target]}"
    assert snapshot(here) == before


def test_a_report_named_by_the_repo_inside_it_is_written(here: Path) -> None:
    rules(here / "repo")
    config = "rules: {default_pack: false, packs: [rules]}\noutputs:\n  junit: out/r.xml\n"
    write(here / "repo", {"aimscheck.yaml": config, "out/.keep": ""})
    result = run("check", "repo", "--as-of", "2026-11-20", "-q")
    assert result.exit_code == EXIT_OK, result.output
    assert (here / "repo" / "out" / "r.xml").read_text().startswith("<?xml")


# ---- inputs named by the repo: inside it, refused by their path before they are opened


SECRET = "AIMSCHECK_CANARY=hunter2-token-9f3b"


@pytest.fixture
def secret(here: Path) -> Path:
    """A file outside the repo that must never be read, let alone shown."""
    path = here / "secret.env"
    path.write_text(SECRET + "\n")
    return path


def with_config(here: Path, config: str, **files: str) -> Path:
    write(here / "repo", {"aimscheck.yaml": config, **files})
    return here / "repo"


@pytest.mark.parametrize(
    ("config", "link", "expected"),
    [
        (
            "rules: {packs: [rules/leak.aims]}\n",
            "rules/leak.aims",
            "repo/aimscheck.yaml:1: $.rules.packs[0]: rules/leak.aims leads out of the repo "
            "through a symbolic link and is refused (never opened): a rule pack named in the "
            "configuration must be inside the repo",
        ),
        (
            "rules: {packs: [rules]}\n",
            "rules/leak.aims",
            "repo/rules/leak.aims leads out of its rule folder repo/rules through a symbolic "
            "link and is refused (never opened)",
        ),
        (
            "waiver_files: [w.yaml]\n",
            "w.yaml",
            "repo/aimscheck.yaml:1: $.waiver_files[0]: w.yaml leads out of the repo through a "
            "symbolic link and is refused (never opened): a waiver file named in the "
            "configuration must be inside the repo",
        ),
        (
            "baseline: b.json\n",
            "b.json",
            "repo/aimscheck.yaml:1: $.baseline: b.json leads out of the repo through a symbolic "
            "link and is refused (never opened): a baseline named in the configuration must be "
            "inside the repo",
        ),
        (
            "",
            "aimscheck.yaml",
            "repo/aimscheck.yaml leads out of the repo through a symbolic link and is refused "
            "(never opened)",
        ),
    ],
)
def test_links_out_of_the_repo_are_refused_and_never_shown(
    here: Path, secret: Path, config: str, link: str, expected: str
) -> None:
    rules(here / "repo")
    if config:
        with_config(here, config)
    (here / "repo" / link).symlink_to(secret)
    result = run("check", "repo", "--as-of", "2026-11-20")
    assert result.exit_code == EXIT_ERROR
    assert message(result.stderr) == expected
    assert "hunter2" not in result.output


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "rules: {packs: [/etc]}\n",
            "$.rules.packs[0]: the path /etc is absolute and is refused (never opened): a rule "
            "pack named in the configuration must be inside the repo",
        ),
        (
            "rules: {packs: [../rules]}\n",
            "$.rules.packs[0]: the path ../rules contains '..' and is refused (never opened): a "
            "rule pack named in the configuration must be inside the repo",
        ),
        (
            "waiver_files: [/proc/self/environ]\n",
            "$.waiver_files[0]: the path /proc/self/environ is absolute and is refused (never "
            "opened): a waiver file named in the configuration must be inside the repo",
        ),
        (
            "baseline: ../reports/b.json\n",
            "$.baseline: the path ../reports/b.json contains '..' and is refused (never opened): "
            "a baseline named in the configuration must be inside the repo",
        ),
    ],
)
def test_paths_out_of_the_repo_are_refused_at_their_line(
    here: Path, config: str, expected: str
) -> None:
    with_config(here, "version: 1\n" + config)
    result = run("check", "repo", *PACK)
    assert result.exit_code == EXIT_ERROR
    lines = result.stderr.removeprefix("aimscheck: error:").strip().splitlines()
    assert lines[0] == f"repo/aimscheck.yaml:2: {expected}"
    assert lines[1].startswith("  hint: keep it in the repo, or name ")


def test_the_command_line_may_name_files_anywhere(here: Path) -> None:
    """The CI operator widens what is read: a pack and a baseline outside the repo."""
    outside = here / "elsewhere"
    rules(outside)
    assert run("check", "repo", *PACK, "--json", "reports/b.json").exit_code == EXIT_OK
    result = run(
        "check", "repo", "--no-default-rules", "--rules", outside / "rules",
        "--baseline", here / "reports" / "b.json", "--as-of", "2026-11-20",
    )  # fmt: skip
    assert result.exit_code == EXIT_OK, result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_aimscheck_yaml_is_an_error_not_a_hang(here: Path) -> None:
    os.mkfifo(here / "repo" / "aimscheck.yaml")
    proc = process("check", "repo", *PACK, timeout=60, cwd=here)
    assert proc.returncode == EXIT_ERROR
    assert message(proc.stderr) == (
        "repo/aimscheck.yaml:1: the configuration is not a regular file (a device, pipe or socket)"
    )


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="Linux's /proc")
def test_a_rule_file_linked_to_the_environment_shows_nothing_of_it(here: Path) -> None:
    """The measured attack: the CI runner's environment echoed into its log."""
    rules(here / "repo")
    (here / "repo" / "rules" / "env.aims").symlink_to("/proc/self/environ")
    with_config(here, "rules: {packs: [rules/env.aims]}\n")
    env = {**os.environ, "AIMSCHECK_CANARY": "hunter2-token-9f3b"}
    proc = subprocess.run(
        [sys.executable, "-m", "aimscheck", "check", "repo", "--as-of", "2026-11-20"],
        capture_output=True, text=True, timeout=60, cwd=here, env=env,
    )  # fmt: skip
    assert proc.returncode == EXIT_ERROR
    assert "hunter2" not in proc.stdout + proc.stderr
    assert "$.rules.packs[0]: rules/env.aims leads out of the repo" in proc.stderr


# ---- what reaches the CI log: the repo's text shown, never acted on


def test_a_record_name_cannot_write_a_workflow_command_or_a_terminal_sequence(
    here: Path,
) -> None:
    name = "x\n::error file=a.py,line=1::forged\x1b[2J\x07\x00\u202e ##vso[task.complete]"
    system = json.dumps({"id": "s1", "name": name, "in_scope": True})
    (here / "repo" / "ai_systems" / "s1.yaml").write_text(system)
    rules(here, NAMED_RULE, name="named.aims")
    result = run("check", "repo", *PACK)
    assert result.exit_code == EXIT_FINDINGS
    (line,) = [line for line in result.stdout.splitlines() if "T-NAME" in line]
    assert line.endswith(
        "ai_systems/s1: x\\n::error file=a.py,line=1::forged\\x1b[2J\\x07\\x00\\u202e "
        "\\x23#vso[task.complete] is named"
    )
    assert not any(line.lstrip().startswith("::") for line in result.stdout.splitlines())
    assert not set(result.stdout) & {"\x1b", "\x07", "\x00", "\u202e"}


NAMED_RULE = """\
rule "T-NAME" {
  title "Names are shown"
  clause "4.3"
  severity minor
  phase scope_definition
  for sys in ai_systems
  require false because "{sys.name} is named"
}
"""


def test_an_error_message_quoting_the_repo_cannot_start_a_log_line(here: Path) -> None:
    with_config(here, '"\\n::error file=x::forged\\e[31m": 1\n')
    result = run("check", "repo", *PACK)
    assert result.exit_code == EXIT_ERROR
    assert "\x1b" not in result.stderr
    assert not any(line.lstrip().startswith("::") for line in result.stderr.splitlines())
    assert result.stderr.count("\n") == 1  # one line, its newline shown
    assert message(result.stderr).startswith(
        "repo/aimscheck.yaml:1: $['\\n::error file=x::forged\\x1b[31m']: unknown setting "
        "'\\n::error file=x::forged\\x1b[31m': known: version, rules, frameworks, "
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Credit scoring — v2 (Müller, 日本)", "Credit scoring — v2 (Müller, 日本)"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x1b]8;;http://x\x07link\x1b]8;;\x07", "\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07"),
        ("nul\x00 del\x7f c1\x85\x9b", "nul\\x00 del\\x7f c1\\x85\\x9b"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("\u202eevil\u2066\u200f\u061c", "\\u202eevil\\u2066\\u200f\\u061c"),
        ("::error file=a::x", "\\x3a:error file=a::x"),
        ("  ::warning::x", "  \\x3a:warning::x"),
        ("C::D and a::b", "C::D and a::b"),  # only a line's start is a command
        ("x ##vso[task.setvariable variable=A]1", "x \\x23#vso[task.setvariable variable=A]1"),
        ("##[group]x ##teamcity[message]", "\\x23#[group]x \\x23#teamcity[message]"),
        ("issue ## 3 and #[x]", "issue ## 3 and #[x]"),
    ],
)
def test_text_from_the_repo_is_shown_never_acted_on(text: str, shown: str) -> None:
    from aimscheck.terminal import visible

    assert visible(text) == shown
    assert visible(shown) == shown  # shown text is left as it is


# ---- a run that fails removes stale reports, never an input it did not get to learn of

UNKNOWN_SETTING = (
    "repo/aimscheck.yaml:2: $.bogus: unknown setting 'bogus': known: version, rules, frameworks, "
    "fail_on, readiness, evidence, outputs, baseline, waivers, waiver_files, vocabulary"
)


@pytest.mark.parametrize(
    ("config", "report", "expected"),
    [
        (  # a setting it does not know: the waiver files it names are never read
            "waiver_files: [w.yaml]\nbogus: 1\n",
            "repo/w.yaml",
            UNKNOWN_SETTING,
        ),
        (  # not even YAML: every file name in its text counts
            "waiver_files: [w.yaml]\nrules: [[\n",
            "repo/w.yaml",
            "repo/aimscheck.yaml:3:1: invalid YAML in configuration: did not find expected node "
            "content",
        ),
        (  # a pack folder it names holds the path
            "rules: {packs: [rules]}\nbogus: 1\n",
            "repo/rules/pack.aims",
            UNKNOWN_SETTING,
        ),
    ],
)
def test_a_configuration_that_fails_never_loses_a_file_it_names(
    here: Path, config: str, report: str, expected: str
) -> None:
    rules(here / "repo")
    with_config(here, config, **{"w.yaml": "waivers: []\n"})
    (here / "reports" / "old.json").write_text("yesterday's report")
    before = (here / report).read_bytes()
    result = run("check", "repo", *PACK, "--junit", report, "--json", "reports/old.json")
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr) == expected
    assert (here / report).read_bytes() == before  # an input as far as can be known: kept
    assert not (here / "reports" / "old.json").exists()  # a stale report: removed


def test_an_export_that_fails_to_load_never_loses_its_proof_files(here: Path) -> None:
    """Its proof paths are unknown: a file whose name its files hold is kept; another goes."""
    write(here / "repo", {"evidence.yaml": EVIDENCE, "files/proof.pdf": "proof"})
    write(here / "repo", {"risks.yaml": "- id: r1\n  title: [unclosed\n"})
    (here / "repo" / "files" / "old.xml").write_text("yesterday's report")
    result = run(
        "check", "repo", *PACK, "--junit", "repo/files/proof.pdf", "--json", "repo/files/old.xml"
    )
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr) == (
        "repo/risks.yaml:3:1: invalid YAML (while parsing a flow sequence): did not find "
        "expected ',' or ']'"
    )
    assert (here / "repo" / "files" / "proof.pdf").read_text() == "proof"
    assert not (here / "repo" / "files" / "old.xml").exists()


# ---- every command shows the repo's text, never acts on it

FORGED = "x\n::error file=a.py,line=1::forged\x1b[2J\x07\x00\u202e ##vso[task.complete]"
SHOWN = "x\\n::error file=a.py,line=1::forged\\x1b[2J\\x07\\x00\\u202e \\x23#vso[task.complete]"


def harmless(output: str) -> None:
    """Nothing a terminal or a CI runner would act on: no control character, no line that
    starts a workflow command, no `##vso[` anywhere."""
    assert not set(output) & {"\x1b", "\x07", "\x00", "\u202e"}
    assert not any(line.lstrip().startswith("::") for line in output.splitlines())
    assert "##vso[" not in output


PROOF_RULE = """\
rule "T-PROOF" {
  title "Systems have proof"
  clause "4.3"
  severity minor
  phase scope_definition
  for sys in ai_systems
  evidence sys.evidence_refs because "no proof"
}
"""


@pytest.fixture
def forged(here: Path) -> Path:
    """A system named FORGED, whose proof is a path holding FORGED."""
    system = {"id": "s1", "name": FORGED, "in_scope": True, "evidence_refs": ["ev1"]}
    proof = {"id": "ev1", "kind": "record", "title": "P", "path": f"files/{FORGED}.pdf"}
    write(here / "repo", {"ai_systems/s1.yaml": json.dumps(system)})
    write(here / "repo", {"evidence.yaml": json.dumps([proof])})
    rules(here, NAMED_RULE, name="named.aims")
    rules(here, PROOF_RULE, name="proof.aims")
    return here


def test_explain_shows_a_forged_name(forged: Path) -> None:
    result = run("explain", "T-NAME", "repo", *PACK)
    assert result.exit_code == EXIT_OK, result.output
    assert f"  {SHOWN} is named" in result.stdout.splitlines()
    harmless(result.output)


def test_the_evidence_inventory_shows_a_forged_path(forged: Path) -> None:
    result = run("evidence", "repo", *PACK)
    assert result.exit_code == EXIT_FINDINGS, result.output
    assert f"  outside_root         evidence/ev1  files/{SHOWN}.pdf" in result.stdout.splitlines()
    harmless(result.output)
    result = run("evidence", "repo", *PACK, "--format", "json")
    harmless(result.output)
    (record,) = json.loads(result.stdout)["records"]  # the same JSON, escaped in its own way
    assert record["path"] == f"files/{FORGED}.pdf"


def test_evidence_hash_shows_a_forged_file_name(here: Path) -> None:
    name, shown = FORGED.replace("\x00", ""), SHOWN.replace("\\x00", "")  # no NUL in a name
    write(here, {f"proofs/{name}.pdf": "proof"})
    result = run("evidence", "hash", "proofs", "--relative-to", ".")
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.rstrip("\n").endswith(f"  proofs/{shown}.pdf")
    harmless(result.output)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_rules_shows_a_forged_title(here: Path, fmt: str) -> None:
    # Raw ESC and BEL in the rule file, a newline and a workflow command by escapes.
    title = "x\\n::error file=a.py,line=1::forged\x1b[2J\x07 ##vso[task.complete]"
    rules(here / "own", NAMED_RULE.replace("Names are shown", title), name="named.aims")
    result = run("rules", "--no-default-rules", "--rules", "own/rules", "--format", fmt)
    assert result.exit_code == EXIT_OK, result.output
    harmless(result.output)
    if fmt == "text":
        shown = "x\\n::error file=a.py,line=1::forged\\x1b[2J\\x07 \\x23#vso[task.complete]"
        assert result.stdout.splitlines()[0].endswith(f"  {shown}")
    if fmt == "json":
        (rule,) = json.loads(result.stdout)
        assert (
            rule["title"] == "x\n::error file=a.py,line=1::forged\x1b[2J\x07 ##vso[task.complete]"
        )


def test_rule_tests_show_a_forged_case_name(here: Path) -> None:
    rules(here, NAMED_RULE, name="named.aims")
    case = {"name": FORGED, "rule": "T-NAME", "export": {}, "expect": {}}
    write(
        here / "rules", {"named.tests.yaml": json.dumps({"as_of": "2026-11-20", "cases": [case]})}
    )
    result = run("test", "rules", "--no-default-rules")
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.splitlines()[0] == f"PASS  rules/named.tests.yaml:1  T-NAME: {SHOWN}"
    harmless(result.output)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_lint_shows_a_forged_rule_name(here: Path, fmt: str) -> None:
    pack = rules(here / "own", NAMED_RULE, name="named.aims")
    case = {"name": "c", "rule": FORGED, "export": {}, "expect": {}}
    write(pack, {"named.tests.yaml": json.dumps({"as_of": "2026-11-20", "cases": [case]})})
    result = run("lint", "own/rules", "--no-default-rules", "--format", fmt)
    assert result.exit_code == EXIT_ERROR, result.output
    harmless(result.output)
    message = f"case 'c' names rule {SHOWN}, which no loaded rule has"  # as `test` says it
    if fmt == "json":
        assert [p["message"] for p in json.loads(result.stdout)["problems"]] == [message]
    else:
        assert result.stdout.splitlines()[0] == f"own/rules/named.tests.yaml:1: error: {message}"


def test_fmt_shows_a_forged_file_name_and_line(here: Path) -> None:
    name, shown = FORGED.replace("\x00", ""), SHOWN.replace("\\x00", "")  # no NUL in a name
    write(here / "f", {f"{name}.aims": NAMED_RULE.replace("Names are shown", "a\x1b[31m")})
    result = run("fmt", "f", "--check")
    assert result.exit_code == EXIT_FINDINGS, result.output
    assert result.stdout == f"would reformat f/{shown}.aims\n"
    result = run("fmt", "f", "--diff")
    assert f"--- f/{shown}.aims" in result.stdout.splitlines()
    assert '-  title "a\\x1b[31m"' in result.stdout.splitlines()
    harmless(result.output)


@pytest.mark.parametrize("fmt", ["json", "sarif", "markdown"])
def test_check_prints_any_format_harmlessly(forged: Path, fmt: str) -> None:
    result = run("check", "repo", *PACK, "--format", fmt)
    assert result.exit_code == EXIT_FINDINGS, result.output
    harmless(result.output)
    if fmt == "json":  # the same data, escaped as JSON escapes
        messages = [r["message"] for r in json.loads(result.stdout)["results"]]
        assert f"{FORGED} is named" in messages


# ---- the reports of the other commands: never over an input, stale ones removed on exit 2

PROOF_EXPORT = {"evidence.yaml": EVIDENCE, "files/proof.pdf": "proof"}

# command line → (the report option's name, its path, what the path is)
OTHER_REPORTS: dict[str, tuple[list[str], str]] = {
    "test over a rule file": (
        ["test", "rules", "--no-default-rules", "--junit", "rules/pack.aims"],
        "the junit report rules/pack.aims would overwrite a file this run reads (a rule file)",
    ),
    "test over a rule test file": (
        ["test", "rules", "--no-default-rules", "--junit", "rules/pack.tests.yaml"],
        "the junit report rules/pack.tests.yaml would overwrite a file this run reads (a rule "
        "test file)",
    ),
    "rules over a rule file": (
        ["rules", "--no-default-rules", "--rules", "rules", "--output", "rules/pack.aims"],
        "the output report rules/pack.aims would overwrite a file this run reads (a rule file)",
    ),
    "rules over a waiver file of the configuration": (
        ["rules", *PACK[:3], "--not-assessed", "repo", "--output", "repo/w.yaml"],
        "the output report repo/w.yaml would overwrite a file this run reads (a waiver file)",
    ),
    "rules over a proof file of the export it checks": (
        ["rules", *PACK[:3], "--not-assessed", "repo", "--output", "repo/files/proof.pdf"],
        "the output report repo/files/proof.pdf would overwrite a file this run reads (a proof "
        "file)",
    ),
    "evidence over an export file": (
        ["evidence", "repo", *PACK, "--json", "repo/aims.yaml"],
        "the json report repo/aims.yaml would overwrite a file this run reads (a file of the "
        "export)",
    ),
    "evidence over a proof file": (
        ["evidence", "repo", *PACK, "--json", "repo/files/missing.pdf"],
        "the json report repo/files/missing.pdf would overwrite a file this run reads (a proof "
        "file)",
    ),
    "evidence over a rule file": (
        ["evidence", "repo", *PACK, "--json", "rules/pack.aims"],
        "the json report rules/pack.aims would overwrite a file this run reads (a rule file)",
    ),
    "evidence over the configuration": (
        ["evidence", "repo", *PACK, "--json", "repo/aimscheck.yaml"],
        "the json report repo/aimscheck.yaml would overwrite a file this run reads (the "
        "configuration)",
    ),
}


@pytest.mark.parametrize("name", list(OTHER_REPORTS))
def test_other_commands_never_write_a_report_over_an_input(here: Path, name: str) -> None:
    args, expected = OTHER_REPORTS[name]
    write(here / "repo", {**PROOF_EXPORT, "aimscheck.yaml": "waiver_files: [w.yaml]\n"})
    write(here / "repo", {"w.yaml": "waivers: []\n"})
    write(here / "rules", {"pack.tests.yaml": "cases: []\n"})
    before = snapshot(here)
    result = run(*args)
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr) == expected
    assert snapshot(here) == before  # nothing written, and the refused path never removed


@pytest.mark.parametrize(
    "args",
    [
        ["test", "rules", "--no-default-rules", "--junit", "reports/old"],
        ["rules", "--no-default-rules", "--rules", "rules", "--output", "reports/old"],
        ["evidence", "repo", *PACK, "--json", "reports/old"],
    ],
)
def test_other_commands_remove_a_stale_report_on_exit_2(here: Path, args: list[str]) -> None:
    (here / "reports" / "old").write_text("yesterday's report")
    rules(here, 'rule "X" {\n  require (((\n', name="broken.aims")
    result = run(*args)
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr).startswith("rules/broken.aims:")
    assert not (here / "reports" / "old").exists()
    (here / "rules" / "broken.aims").unlink()
    result = run(*args)
    assert result.exit_code in (EXIT_OK, EXIT_FINDINGS), result.output
    assert (here / "reports" / "old").read_text() != "yesterday's report"


@pytest.mark.parametrize(
    ("name", "reason"), [("../../escaped.txt", "contains '..'"), ("/tmp/x.txt", "is absolute")]
)
def test_a_rule_test_never_writes_a_file_out_of_its_export(
    here: Path, name: str, reason: str
) -> None:
    case = f'  - {{name: c, rule: T-4.3-01, export: {{}}, expect: {{}}, files: {{"{name}": x}}}}\n'
    write(here / "rules", {"pack.tests.yaml": f"as_of: 2026-11-20\ncases:\n{case}"})
    before = snapshot(here)
    result = run("test", "rules", "--no-default-rules")
    assert result.exit_code == EXIT_ERROR, result.output
    assert message(result.stderr) == (
        f"rules/pack.tests.yaml:3:{case.index(name)}: the file name '{name}' {reason}: a case's "
        "files are written inside its own export folder"
    )
    assert snapshot(here) == before
    assert not (here.parent / "escaped.txt").exists()
