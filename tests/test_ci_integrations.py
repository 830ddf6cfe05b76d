"""The CI integrations: pre-commit hooks, the GitHub Action (its scripts run for real), the
project's own workflows, and the snippets of docs/ci.md and of `aimscheck init`."""

from __future__ import annotations

import configparser
import importlib.resources
import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import aimscheck
from aimscheck.cli import main
from aimscheck.commands.check import command as check_command
from aimscheck.scaffold import TEMPLATE, plan

ROOT = Path(__file__).parent.parent
CHECK_OPTIONS = {opt for p in check_command.params for opt in getattr(p, "opts", [])}
INIT_CI = TEMPLATE / "_github" / "workflows" / "aimscheck.yml"
INIT_GITLAB = TEMPLATE / "ci" / "gitlab-ci.yml"
INIT_JENKINS = TEMPLATE / "ci" / "Jenkinsfile"
VERSION = aimscheck.__version__
# Where a pipeline installs aimscheck from until it is on PyPI: a release tag of its repository.
FROM_GIT = f"aimscheck @ git+https://github.com/<your-org>/aimscheck@v{VERSION}"
ACTION_REF = f"<your-org>/aimscheck@v{VERSION}"


class Yaml12(yaml.SafeLoader):
    """YAML as GitHub and GitLab read it (1.2): `on:` is a key, not the boolean true."""


Yaml12.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse(text: str) -> Any:
    return yaml.load(text, Loader=Yaml12)  # a SafeLoader subclass


def load(path: str | Path) -> Any:
    return parse((ROOT / path).read_text(encoding="utf-8"))


def schema_errors(data: Any, name: str) -> list[str]:
    """Problems of `data` against SchemaStore's schema `name`, as vendored by check-jsonschema
    (no network): what GitHub and GitLab would refuse before running anything."""
    vendor = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads(vendor.joinpath(f"{name}.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


# --- pre-commit -----------------------------------------------------------------------------


def test_pre_commit_hooks_call_real_commands() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    assert [h["id"] for h in hooks] == ["aimscheck", "aimscheck-rule-tests"]
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"  # pre-commit pip-installs this repository at `rev`
        assert hook["pass_filenames"] is False  # the check reads the whole export
        program, command = hook["entry"].split()
        assert program == "aimscheck" and command in main.commands
    files = re.compile(hooks[0]["files"])
    for changed in ("governance/aims.yaml", "risks/r-1.yml", "export.json", "rules/org.aims"):
        assert files.search(changed), changed
    assert not files.search("README.md")
    assert re.compile(hooks[1]["files"]).search("rules/org.tests.yaml")


def test_the_rule_tests_hook_runs_the_recommended_place_by_default() -> None:
    (hook,) = [h for h in load(".pre-commit-hooks.yaml") if h["id"] == "aimscheck-rule-tests"]
    assert hook["args"] == ["rules"]
    assert "packs: [rules]" in (TEMPLATE / "aimscheck.yaml").read_text(encoding="utf-8")
    assert {p.name for p in (TEMPLATE / "rules").iterdir()} == {"org.aims", "org.tests.yaml"}


# --- the action -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = load("action.yml")
    return data


def step(action: dict[str, Any], step_id: str) -> dict[str, Any]:
    (found,) = [s for s in action["runs"]["steps"] if s.get("id") == step_id]
    return found


def test_action_is_valid_metadata(action: dict[str, Any]) -> None:
    assert schema_errors(action, "github-actions") == []


def test_action_shape(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == [
        "actions/setup-python@v6",
        "github/codeql-action/upload-sarif@v4",  # v3 is deprecated from December 2026
        "actions/upload-artifact@v6",
    ]
    for each in action["runs"]["steps"]:
        if "run" in each:
            assert each["shell"] == "bash"
            assert "${{" not in each["run"]  # inputs arrive as environment variables only
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"
    assert action["outputs"]["aimscheck"]["value"] == "${{ steps.install.outputs.aimscheck }}"


def test_action_leaves_the_callers_python_alone(action: dict[str, Any]) -> None:
    python = step(action, "python")
    assert python["with"]["update-environment"] is False  # not put on the job's PATH
    install = step(action, "install")
    assert install["env"]["PYTHON"] == "${{ steps.python.outputs.python-path }}"
    assert '"$PYTHON" -m venv' in install["run"]
    for each in action["runs"]["steps"]:
        assert "GITHUB_PATH" not in each.get("run", "") and "GITHUB_ENV" not in each.get("run", "")


def test_a_failed_sarif_upload_never_fails_the_job_by_itself(action: dict[str, Any]) -> None:
    assert action["inputs"]["upload-sarif"]["default"] == "auto"
    upload = step(action, "upload")
    assert upload["continue-on-error"] is True
    assert "always()" in upload["if"]  # reports are published even when the check fails
    assert "steps.sarif.outputs.upload == 'true'" in upload["if"]


def test_action_uses_only_real_options_and_inputs(action: dict[str, Any]) -> None:
    check = step(action, "check")
    used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", check["run"]))
    assert used and used <= CHECK_OPTIONS, used - CHECK_OPTIONS
    for each in action["runs"]["steps"]:
        for value in each.get("env", {}).values():
            name = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", value)
            assert name is None or name.group(1) in action["inputs"], value


def run_step(
    action: dict[str, Any], step_id: str, tmp_path: Path, context: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str, str]:
    """One step's script in bash as a runner would run it: each `env` expression is looked up
    in `context` (`inputs.fail-on`, `github.actor`, `steps.upload.outcome`), else in the inputs'
    defaults, and the installed `aimscheck` is a shim that runs this checkout. Returns the exit
    code, the outputs, the job summary and what the script printed."""
    run = step(action, step_id)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "aimscheck"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m aimscheck "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "summary").write_text("")  # the runner creates both files before the step
    (tmp_path / "output").write_text("")
    values = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    values["steps.install.outputs.aimscheck"] = str(shim)
    values |= context or {}
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    for key, value in run.get("env", {}).items():
        expression = re.fullmatch(r"\$\{\{ ([\w.-]+) \}\}", value)
        assert expression is not None, value
        env[key] = values.get(expression.group(1), "")  # GitHub gives '' for what is not set
    done = subprocess.run(
        ["bash", "-e", "-c", run["run"]], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    summary = (tmp_path / "summary").read_text(encoding="utf-8")
    return done.returncode, outputs, summary, done.stdout + done.stderr


def check_step(
    action: dict[str, Any], tmp_path: Path, export: Path, **inputs: str
) -> tuple[int, dict[str, str], str]:
    context = {"inputs.path": str(export), "inputs.as-of": "2026-11-20"}
    context |= {f"inputs.{name}": value for name, value in inputs.items()}
    code, outputs, summary, _ = run_step(action, "check", tmp_path, context)
    return code, outputs, summary


def test_action_script_reports_a_failing_check(action: dict[str, Any], tmp_path: Path) -> None:
    code, outputs, summary = check_step(action, tmp_path, ROOT / "fixtures" / "gaps")
    assert code == 0  # the step itself succeeds: the last step fails the job after uploads
    assert outputs == {"exit-code": "1"}
    assert summary.startswith(
        "## ❌ aimscheck: gate failed · certification verdict: not ready for stage 1"
    )
    for name in ("aimscheck-junit.xml", "aimscheck.sarif", "aimscheck-report.html"):
        assert (tmp_path / name).stat().st_size > 0


def test_action_script_passes_options_through(action: dict[str, Any], tmp_path: Path) -> None:
    code, outputs, summary = check_step(
        action, tmp_path, ROOT / "fixtures" / "gaps", **{"fail-on": "never"}
    )
    assert (code, outputs) == (0, {"exit-code": "0"})
    assert summary.startswith("## ✅ aimscheck: gate passed")


def test_action_script_on_a_broken_run(action: dict[str, Any], tmp_path: Path) -> None:
    code, outputs, summary = check_step(action, tmp_path, tmp_path / "nowhere")
    assert (code, outputs, summary) == (0, {"exit-code": "2"}, "")


FORK = {
    "github.event_name": "pull_request",
    "github.event.pull_request.head.repo.full_name": "someone/governance",
    "github.repository": "acme/governance",
}


@pytest.mark.parametrize(
    ("mode", "context", "upload", "reason"),
    [
        ("auto", {"github.repository": "acme/governance"}, "true", ""),
        ("auto", FORK, "false", "a pull request from a fork cannot write code scanning alerts"),
        ("auto", {**FORK, "github.event_name": "pull_request_target"}, "true", ""),
        ("auto", {"github.actor": "dependabot[bot]"}, "false", "a Dependabot run cannot write"),
        ("true", FORK, "true", ""),
        ("false", {}, "false", ""),
    ],
)
def test_the_sarif_upload_is_skipped_where_it_cannot_be_made(
    action: dict[str, Any],
    tmp_path: Path,
    mode: str,
    context: dict[str, str],
    upload: str,
    reason: str,
) -> None:
    code, outputs, _, _ = run_step(
        action, "sarif", tmp_path, {"inputs.upload-sarif": mode, **context}
    )
    assert code == 0
    assert outputs["upload"] == upload
    assert outputs["reason"].startswith(reason) and bool(outputs["reason"]) == bool(reason)


def test_a_mistyped_upload_sarif_is_an_error(action: dict[str, Any], tmp_path: Path) -> None:
    code, _, _, printed = run_step(action, "sarif", tmp_path, {"inputs.upload-sarif": "yes"})
    assert code == 2  # before the check runs: a typo never passes for "no upload"
    assert printed == "::error::upload-sarif must be auto, true or false (got 'yes')\n"


def test_the_summary_says_why_the_alerts_are_missing(
    action: dict[str, Any], tmp_path: Path
) -> None:
    skipped = run_step(action, "notes", tmp_path, {"steps.sarif.outputs.reason": "a fork"})[2]
    assert skipped == (
        "\n> The SARIF report was not uploaded to code scanning: a fork. "
        "It is kept in the artifact aimscheck-reports.\n"
    )
    failed = run_step(action, "notes", tmp_path, {"steps.upload.outcome": "failure"})[2]
    assert "the upload failed" in failed and "security-events: write" in failed
    failing = {"inputs.rule-tests": "rules", "steps.rules.outputs.exit-code": "1"}
    rules = run_step(action, "notes", tmp_path, failing)[2]
    assert rules.startswith("\n> The rules in rules did not pass their lint and tests (exit 1)")
    assert run_step(action, "notes", tmp_path, {"steps.upload.outcome": "success"})[2] == ""


@pytest.mark.parametrize(
    ("check", "rules", "mode", "upload", "expected"),
    [
        ("0", "", "auto", "failure", 0),  # code scanning unavailable: the passing check passes
        ("0", "", "auto", "success", 0),
        ("0", "", "true", "failure", 1),  # asked for: a failed upload fails the job
        ("1", "", "auto", "success", 1),
        ("2", "", "false", "skipped", 2),
        ("0", "1", "auto", "success", 1),  # a failing rule test
        ("", "", "auto", "skipped", 2),  # the check never ran
    ],
)
def test_the_last_step_fails_the_job_only_for_a_reason(
    action: dict[str, Any],
    tmp_path: Path,
    check: str,
    rules: str,
    mode: str,
    upload: str,
    expected: int,
) -> None:
    context = {
        "steps.check.outputs.exit-code": check,
        "steps.rules.outputs.exit-code": rules,
        "inputs.upload-sarif": mode,
        "steps.upload.outcome": upload,
    }
    code, _, _, printed = run_step(action, "verdict", tmp_path, context)
    assert code == expected, printed


def test_the_action_lints_and_tests_the_repos_own_rules(
    action: dict[str, Any], tmp_path: Path
) -> None:
    rules = TEMPLATE / "rules"
    code, outputs, _, _ = run_step(action, "rules", tmp_path, {"inputs.rule-tests": str(rules)})
    assert (code, outputs) == (0, {"exit-code": "0"})
    assert "<testsuite" in (tmp_path / "aimscheck-rule-tests.xml").read_text(encoding="utf-8")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "org.aims").write_text("rule ORG-1 {\n  requre true\n}\n", encoding="utf-8")
    code, outputs, _, _ = run_step(action, "rules", tmp_path, {"inputs.rule-tests": str(broken)})
    assert (code, outputs) == (0, {"exit-code": "2"})


# --- the project's own workflows: CI on every supported Python, releases to PyPI --------------


def supported_pythons() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    classifiers = config["metadata"]["classifiers"].split("\n")
    found = [c.rsplit(":: ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)]
    assert config["options"]["python_requires"] == f">={found[0]}"
    return found


def test_ci_runs_the_tests_on_every_supported_python() -> None:
    assert supported_pythons() == ["3.11", "3.12", "3.13"]
    ci = load(".github/workflows/ci.yml")
    assert schema_errors(ci, "github-workflows") == []
    assert ci["jobs"]["tests"]["strategy"]["matrix"]["python"] == supported_pythons()
    runs = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    assert "python -m pytest -q -p no:cacheprovider" in runs
    assert any(r.startswith("python -m twine check --strict") for r in runs)
    assert "workflow_call" in ci["on"]  # the release runs it on the tag first
    (action,) = [s for s in ci["jobs"]["action"]["steps"] if s.get("uses") == "./"]
    assert set(action["with"]) <= set(load("action.yml")["inputs"])  # the action, for real
    # .ci/run tests the same versions where the machine has them.
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    loop = re.search(r"for version in ([\d. ]+); do", script)
    assert loop is not None and loop.group(1).split() == supported_pythons()[1:]
    assert "twine --no-color check --strict" in script and "-m build" in script


def test_a_version_tag_publishes_to_pypi_by_trusted_publishing() -> None:
    release = load(".github/workflows/release.yml")
    assert schema_errors(release, "github-workflows") == []
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {"contents": "read"}  # more only where a job needs it
    jobs = release["jobs"]
    assert jobs["ci"]["uses"] == "./.github/workflows/ci.yml"
    assert jobs["build"]["needs"] == "ci" and jobs["pypi"]["needs"] == "build"
    runs = [s.get("run", "") for s in jobs["build"]["steps"]]
    assert (
        "python -m build --outdir dist ." in runs
        and "python -m twine check --strict dist/*" in runs
    )
    pypi = jobs["pypi"]
    assert pypi["permissions"] == {"id-token": "write"}
    assert pypi["environment"] == {"name": "pypi", "url": "https://pypi.org/project/aimscheck/"}
    assert pypi["steps"][-1] == {"uses": "pypa/gh-action-pypi-publish@release/v1"}


@pytest.mark.parametrize(("tag", "expected"), [(f"v{VERSION}", 0), ("v9.9.9", 1)])
def test_the_release_refuses_a_tag_that_is_not_the_package_version(
    tmp_path: Path, tag: str, expected: int
) -> None:
    steps = load(".github/workflows/release.yml")["jobs"]["build"]["steps"]
    (check,) = [s for s in steps if s.get("name") == "The tag names the package's version"]
    (tmp_path / "python").symlink_to(sys.executable)
    env = {**os.environ, "TAG": tag, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-e", "-c", check["run"]], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == expected
    if expected:
        assert done.stdout == (
            f"::error::the tag v9.9.9 is not v{VERSION}, the version in aimscheck/__init__.py\n"
        )


def test_the_changelog_has_an_entry_for_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.M)
    assert headings[0] == ("Unreleased", "")
    assert headings[1][0] == VERSION and headings[1][1]


# --- docs/ci.md and the CI files `aimscheck init` writes --------------------------------------


def doc_blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def doc_yaml(key: str) -> Any:
    (found,) = [b for b in map(parse, doc_blocks("yaml")) if isinstance(b, dict) and key in b]
    return found


DOC_GITLAB = "aimscheck"  # the job's name: the GitLab snippet's top-level key
CI_FILES = [ROOT / "docs" / "ci.md", INIT_CI, INIT_GITLAB, INIT_JENKINS]


def test_documented_commands_use_real_options() -> None:
    for path in CI_FILES:
        text = path.read_text(encoding="utf-8")
        for line in re.findall(r"aimscheck check [^\n'`]*", text):
            used = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", line))
            assert used <= CHECK_OPTIONS, (path.name, line, used - CHECK_OPTIONS)


def test_init_writes_every_ci_file() -> None:
    written = {str(dest.relative_to("/new")) for _, dest in plan(Path("/new"))}
    assert {".github/workflows/aimscheck.yml", "ci/gitlab-ci.yml", "ci/Jenkinsfile"} <= written


@pytest.mark.parametrize("where", ["docs", "init"])
def test_github_workflows_use_the_projects_action_at_a_release_tag(where: str) -> None:
    if where == "docs":
        workflow = doc_yaml("jobs")
        assert workflow["permissions"]["security-events"] == "write"
    else:
        workflow = parse(INIT_CI.read_text(encoding="utf-8"))
    assert schema_errors(workflow, "github-workflows") == []
    (job,) = workflow["jobs"].values()
    assert job["steps"][0] == {"uses": "actions/checkout@v6"}
    (uses,) = [s for s in job["steps"] if "aimscheck" in s.get("uses", "")]
    assert uses["uses"] == ACTION_REF
    assert set(uses["with"]) <= set(load("action.yml")["inputs"])
    assert uses["with"]["rule-tests"] == "rules"  # the recommended place of the org's rules
    assert not any("pip install" in s.get("run", "") for s in job["steps"])


def gitlab_files() -> list[tuple[str, Any]]:
    return [("docs", doc_yaml(DOC_GITLAB)), ("init", parse(INIT_GITLAB.read_text("utf-8")))]


@pytest.mark.parametrize("where", ["docs", "init"])
def test_gitlab_installs_a_release_and_publishes_junit_even_on_failure(where: str) -> None:
    config = dict(gitlab_files())[where]
    assert schema_errors(config, "gitlab-ci") == []
    job = config["aimscheck"]
    assert job["variables"]["AIMSCHECK_INSTALL"] == FROM_GIT
    commands = job.get("before_script", []) + job["script"]
    assert 'pip install --quiet "$AIMSCHECK_INSTALL"' in commands
    assert job["image"].startswith("python:3.") and "slim" not in job["image"]  # git is needed
    assert job["artifacts"]["when"] == "always"
    written = {m for line in job["script"] for m in re.findall(r"--junit (\S+)", line)}
    assert set(job["artifacts"]["reports"]["junit"]) == written
    assert "aimscheck test rules --junit aimscheck-rule-tests.xml" in job["script"]


@pytest.mark.parametrize("text", [doc_blocks("groovy")[0], INIT_JENKINS.read_text("utf-8")])
def test_jenkins_installs_a_release_and_reads_the_junit_it_writes(text: str) -> None:
    assert f"AIMSCHECK_INSTALL = '{FROM_GIT}'" in text
    assert 'pip install --quiet "$AIMSCHECK_INSTALL"' in text
    written = [name.rstrip("'") for name in re.findall(r"--junit (\S+)", text)]
    read = re.search(r"testResults: '([^']+)'", text)
    assert read is not None and read.group(1).split(", ") == written
    assert "aimscheck test rules --junit" in text
    assert "post {" in text and "always {" in text


def test_pre_commit_config_pins_a_release_of_the_hooks() -> None:
    (repo,) = doc_yaml("repos")["repos"]
    assert repo["repo"] == "https://github.com/<your-org>/aimscheck"
    assert repo["rev"] == f"v{VERSION}"
    ids = {h["id"] for h in repo["hooks"]}
    assert ids == {h["id"] for h in load(".pre-commit-hooks.yaml")}
    (rule_tests,) = [h for h in repo["hooks"] if h["id"] == "aimscheck-rule-tests"]
    assert "args" not in rule_tests  # the hook's default, rules/, is the recommended place


@pytest.mark.parametrize("path", CI_FILES, ids=lambda p: p.name)
def test_no_pipeline_installs_an_unpublished_or_unpinned_aimscheck(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"pip install (-\S+ )*['\"]?aimscheck(?! @)(\s|$|['\"`])", text)
    pins = re.findall(r"aimscheck@v([\w.]+)|aimscheck==([\w.]+)|rev: v([\w.]+)", text)
    assert pins and {v for pin in pins for v in pin if v} == {VERSION}
    if path != ROOT / "docs" / "ci.md":
        assert "FILL IN <your-org>" in text  # the placeholder is marked where it is to be filled
    assert f"aimscheck=={VERSION}" in text or path == INIT_CI  # the line once on PyPI
    assert not re.search(r"rules/org(?![.\w])", text)  # the old place: rules/org/
