"""Nothing is lost: no command changes the export, and reports appear whole or not at all."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hostiledata import AIMS, ROOT, RULE, snapshot
from lxml import etree

from aimscheck import commands
from aimscheck.cli import EXIT_ERROR, main

TESTS = """\
as_of: 2026-11-20
base:
  schema_version: "1"
  organization: {name: Test Org}
cases:
  - name: a named system passes
    rule: T-4.3-01
    export:
      ai_systems: [{id: s1, name: Scoring, in_scope: true}]
    expect:
      ai_systems/s1: pass
"""
# Every command, and how it is run against the export (`{export}`), a rule pack (`{rules}`) and
# a folder outside both (`{out}`). A new command must be added here or to WRITERS.
RUNS: dict[str, list[list[str]]] = {
    "check": [
        ["{export}", "--as-of", "2026-11-20", "-q"],
        ["{export}", "--rules", "{rules}", "--as-of", "2026-11-20", "--format", "json"],
        *[
            ["{export}", "--as-of", "2026-11-20", "-q", f"--{fmt}", f"{{out}}/report.{fmt}"]
            for fmt in ("junit", "json", "sarif", "markdown", "html")
        ],
        ["{export}/single.yaml", "--as-of", "2026-11-20", "-q"],
    ],
    "evidence": [
        ["{export}", "--as-of", "2026-11-20"],
        ["hash", "{export}", "--relative-to", "{export}"],
    ],
    "explain": [["AIMS-6.1.2-01", "{export}", "--as-of", "2026-11-20"]],
    "test": [["{rules}", "--no-default-rules", "--junit", "{out}/tests.xml"]],
    "lint": [["{rules}", "--no-default-rules"]],
    "fmt": [["--check", "{rules}"], ["--diff", "{rules}"]],
    "rules": [["--rules", "{rules}"], ["--rules", "{rules}", "--output", "{out}/rules.txt"]],
    "lsp": [[]],  # the language server, its input closed at once: it formats, never writes
}
# Commands whose job is to write where they are told (`init` writes a new governance repo).
WRITERS = {"init"}


def every_command() -> click.Group:
    """The registered commands plus any command module not registered yet."""
    group = click.Group("aimscheck", commands=dict(main.commands))
    for module in pkgutil.iter_modules(commands.__path__):
        command = importlib.import_module(f"aimscheck.commands.{module.name}").command
        group.commands.setdefault(command.name or module.name, command)
    return group


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the gaps fixture (every kind of record and proof file) and a small rule pack."""
    root = tmp_path_factory.mktemp("lossless")
    shutil.copytree(ROOT / "fixtures" / "gaps", root / "export", symlinks=True)
    # A one-file export beside them (aims.yaml alone names records of the other files).
    shutil.copy(ROOT / "tests" / "data" / "exports" / "single.yaml", root / "export")
    (root / "rules").mkdir()
    (root / "rules" / "pack.aims").write_text(RULE)
    (root / "rules" / "pack.tests.yaml").write_text(TESTS)
    (root / "out").mkdir()
    return root


def test_every_command_is_covered() -> None:
    assert set(every_command().commands) == set(RUNS) | WRITERS


@pytest.mark.parametrize(
    ("name", "index"), [(name, i) for name, runs in RUNS.items() for i in range(len(runs))]
)
def test_no_command_changes_the_export_or_the_rules(
    name: str, index: int, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workspace)
    args = [a.format(export="export", rules="rules", out="out") for a in RUNS[name][index]]
    before = {"export": snapshot(workspace / "export"), "rules": snapshot(workspace / "rules")}
    result = CliRunner().invoke(every_command(), [name, *args])
    assert result.exit_code in (0, 1), result.output  # the command ran
    assert "Traceback" not in result.output
    assert snapshot(workspace / "export") == before["export"]
    assert snapshot(workspace / "rules") == before["rules"]


@pytest.mark.parametrize(
    "broken",
    [
        {"aims.yaml": AIMS + "risks: [unclosed\n"},
        {"risks.yaml": "- &a [*a]\n"},
        {"ai_systems/bad.yaml": b"\xff\xfe\x00binary"},
    ],
)
def test_failed_runs_change_nothing_either(broken: dict[str, str | bytes], tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ROOT / "fixtures" / "conforming", export, symlinks=True)
    for name, body in broken.items():
        path = export / name
        path.write_bytes(body if isinstance(body, bytes) else body.encode())
    before = snapshot(export)
    out = tmp_path / "report.json"
    out.write_text("yesterday's report")
    result = CliRunner().invoke(
        main, ["check", str(export), "--json", str(out), "--as-of", "2026-11-20"]
    )
    assert result.exit_code == EXIT_ERROR
    assert snapshot(export) == before
    assert not out.exists()  # a stale report must not pass for today's


# ---- reports appear whole or not at all, even when the process is killed while writing

WRITER = """
import os, sys, time
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from aimscheck import output

real_fsync = os.fsync

def stall(fd):
    real_fsync(fd)
    Path(sys.argv[2]).write_text("written, not yet renamed")
    time.sleep(60)  # killed here: the data is in the temporary file, not yet in place

os.fsync = stall
output.write_atomic(Path(sys.argv[1]), "new report " * 200_000)
"""


@pytest.mark.parametrize("existed", [True, False])
def test_a_report_killed_mid_write_keeps_the_old_one_or_none(existed: bool, tmp_path: Path) -> None:
    target, marker = tmp_path / "report.json", tmp_path / "marker"
    if existed:
        target.write_text("old report")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(marker), str(ROOT)])
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert marker.exists(), "the writer never reached the rename"
        temps = [p for p in tmp_path.iterdir() if p.name.startswith(".report.json.")]
        assert len(temps) == 1 and temps[0].stat().st_size == len("new report ") * 200_000
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    if existed:
        assert target.read_text() == "old report"
    else:
        assert not target.exists()


def test_reports_of_a_killed_check_are_whole_or_absent(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(ROOT / "fixtures" / "gaps", export, symlinks=True)
    out_json, out_xml = tmp_path / "r.json", tmp_path / "r.xml"
    cmd = [
        sys.executable, "-m", "aimscheck", "check", str(export), "--as-of", "2026-11-20", "-q",
        "--json", str(out_json), "--junit", str(out_xml),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    assert subprocess.run(cmd, env=env, timeout=120).returncode in (0, 1)
    full = time.monotonic() - started
    reference = out_json.read_bytes()
    before = snapshot(export)
    rng = random.Random(42)
    for _ in range(5):
        out_json.unlink(missing_ok=True)
        out_xml.unlink(missing_ok=True)
        proc = subprocess.Popen(cmd, env=env)
        time.sleep(rng.uniform(0.3, 1.0) * full)
        proc.kill()
        proc.wait(timeout=60)
        if out_json.exists():
            assert json.loads(out_json.read_bytes())["format"] == "aimscheck-report/2"
            assert out_json.read_bytes() == reference
        if out_xml.exists():
            etree.fromstring(out_xml.read_bytes())  # one whole XML document
    assert snapshot(export) == before
