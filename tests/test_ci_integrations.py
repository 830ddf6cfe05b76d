"""The CI integrations: pre-commit hooks, the GitHub Action (run for real) and the doc snippets."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from aimscheck.cli import main
from aimscheck.commands.check import command as check_command

ROOT = Path(__file__).parent.parent
CHECK_OPTIONS = {opt for p in check_command.params for opt in getattr(p, "opts", [])}


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_pre_commit_hooks_call_real_commands() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    assert [h["id"] for h in hooks] == ["aimscheck", "aimscheck-rule-tests"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"  # pre-commit pip-installs this repository
        assert hook["pass_filenames"] is False  # the check reads the whole export
        program, command = hook["entry"].split()
        assert program == "aimscheck" and command in main.commands
    files = re.compile(hooks[0]["files"])
    for changed in ("governance/aims.yaml", "risks/r-1.yml", "export.json", "rules/org/a.aims"):
        assert files.search(changed), changed
    assert not files.search("README.md")
    assert re.compile(hooks[1]["files"]).search("rules/org/a.tests.yaml")


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = load("action.yml")
    return data


def check_step(action: dict[str, Any]) -> dict[str, Any]:
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "check"]
    return step


def test_action_shape(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == [
        "actions/setup-python@v5",
        "github/codeql-action/upload-sarif@v3",
        "actions/upload-artifact@v4",
    ]
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"]  # inputs arrive as environment variables only
    upload = next(s for s in action["runs"]["steps"] if s.get("uses", "").endswith("sarif@v3"))
    assert "always()" in upload["if"]  # reports are published even when the check fails
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"


def test_action_uses_only_real_options_and_inputs(action: dict[str, Any]) -> None:
    step = check_step(action)
    used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", step["run"]))
    assert used and used <= CHECK_OPTIONS, used - CHECK_OPTIONS
    for value in step["env"].values():
        name = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
        assert name is not None and name.group(1) in action["inputs"], value


def run_action_script(
    action: dict[str, Any], tmp_path: Path, export: Path, **inputs: str
) -> tuple[int, dict[str, str], str]:
    """The check step's script in bash, with `aimscheck` on PATH, as a runner would run it."""
    step = check_step(action)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "aimscheck"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m aimscheck "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "summary").write_text("")  # the runner creates both files before the step
    (tmp_path / "output").write_text("")
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values = {**defaults, "path": str(export), "as-of": "2026-11-20", **inputs}
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    for key, value in step["env"].items():
        name = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
        assert name is not None
        env[key] = values[name.group(1)]
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    summary = (tmp_path / "summary").read_text(encoding="utf-8")
    return done.returncode, outputs, summary


def test_action_script_reports_a_failing_check(action: dict[str, Any], tmp_path: Path) -> None:
    code, outputs, summary = run_action_script(action, tmp_path, ROOT / "fixtures" / "gaps")
    assert code == 0  # the step itself succeeds: the last step fails the job after uploads
    assert outputs == {"exit-code": "1"}
    assert summary.startswith(
        "## ❌ aimscheck: gate failed · certification verdict: not ready for stage 1"
    )
    for name in ("aimscheck-junit.xml", "aimscheck.sarif", "aimscheck-report.html"):
        assert (tmp_path / name).stat().st_size > 0


def test_action_script_passes_options_through(action: dict[str, Any], tmp_path: Path) -> None:
    code, outputs, summary = run_action_script(
        action, tmp_path, ROOT / "fixtures" / "gaps", **{"fail-on": "never"}
    )
    assert (code, outputs) == (0, {"exit-code": "0"})
    assert summary.startswith("## ✅ aimscheck: gate passed")


def test_action_script_on_a_broken_run(action: dict[str, Any], tmp_path: Path) -> None:
    code, outputs, summary = run_action_script(action, tmp_path, tmp_path / "nowhere")
    assert (code, outputs, summary) == (0, {"exit-code": "2"}, "")


def doc_blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_documented_commands_use_real_options() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for line in re.findall(r"aimscheck check [^\n'`]*", text):
        used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", line))
        assert used <= CHECK_OPTIONS, (line, used - CHECK_OPTIONS)


def test_gitlab_snippet_publishes_junit_even_on_failure() -> None:
    (gitlab,) = [yaml.safe_load(b) for b in doc_blocks("yaml") if "gitlab-ci" in b]
    job = gitlab["aimscheck"]
    assert job["artifacts"]["when"] == "always"
    junit = job["artifacts"]["reports"]["junit"]
    assert any(f"--junit {junit}" in line for line in job["script"])


def test_jenkins_snippet_reads_the_junit_it_writes() -> None:
    (jenkins,) = doc_blocks("groovy")
    written = re.search(r"--junit (\S+)", jenkins)
    assert written is not None
    assert f"testResults: '{written.group(1)}'" in jenkins
    assert "post {" in jenkins and "always {" in jenkins


def test_documented_workflow_and_pre_commit_config_parse() -> None:
    blocks = [yaml.safe_load(b) for b in doc_blocks("yaml")]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    steps = workflow["jobs"]["aimscheck"]["steps"]
    given = set(steps[1]["with"])
    assert given <= set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    hooks = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    ids = {h["id"] for h in hooks["repos"][0]["hooks"]}
    assert ids <= {h["id"] for h in load(".pre-commit-hooks.yaml")}
