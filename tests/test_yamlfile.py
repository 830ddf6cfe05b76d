"""Small YAML files read with the line of every value, and refused clearly when broken."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from hostiledata import check, process, repo, rules

from aimscheck import limits
from aimscheck.cli import EXIT_ERROR
from aimscheck.errors import UsageError
from aimscheck.yamlfile import read_yaml

TEXT = """\
# a comment
rules:
  disabled:
    - rule: R-1
      reason: one
    - {rule: R-2, reason: two}
expires: 2027-01-31
"""


def test_values_and_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(TEXT, encoding="utf-8")
    doc = read_yaml(path, "configuration")
    assert doc.data["rules"]["disabled"][1] == {"rule": "R-2", "reason": "two"}
    assert doc.data["expires"] == dt.date(2027, 1, 31)  # YAML dates stay dates
    assert doc.at(("rules",)).line == 2
    assert doc.at(("rules", "disabled", 0)).line == 4
    assert doc.at(("rules", "disabled", 0, "reason")).line == 5
    assert doc.at(("rules", "disabled", 1, "reason")).line == 6
    assert doc.at(("rules", "disabled", 1, "missing")).line == 6  # the nearest enclosing value
    assert doc.at(("nowhere",)).line == 2  # the document itself starts at its first value


def test_an_empty_file_has_no_data(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("# only a comment\n", encoding="utf-8")
    assert read_yaml(path, "configuration").data is None


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("a: &x [*x]\n", 1, "a recursive alias"),
        ("? [a, b]\n: 1\n", 1, "a key must be a plain word"),
        ("a: 1\nb: [\n", 3, "invalid YAML in configuration"),
        ("a: !!python/name:os.system x\n", 1, "invalid YAML in configuration"),
    ],
)
def test_broken_files_name_the_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_yaml(path, "configuration")
    assert needle in caught.value.render()
    assert caught.value.location is not None and caught.value.location.line == line


@pytest.mark.parametrize("what", ["configuration", "waiver file"])
def test_a_key_without_its_colon_is_shown_at_its_line_with_the_fix(
    tmp_path: Path, what: str
) -> None:
    """Every small YAML file tells a syntax error alike (the rule tests too: test_ruletests):
    at the line of the mistake, PyYAML finding it only on the next one, with a caret."""
    path = tmp_path / "c.yaml"
    path.write_text("waivers:\n  - rule: R-1\n    reason x\n    approver: Ada\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_yaml(path, what)
    assert caught.value.render().splitlines() == [
        f"{path}:3:5: invalid YAML in {what}: could not find expected ':'",
        "      reason x",
        "      ^",
        "  hint: write a ':' after the key, then its value (name: value)",
    ]


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="waiver file not found"):
        read_yaml(tmp_path / "w.yaml", "waiver file")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"a: \xff\n")
    with pytest.raises(UsageError, match="cannot read configuration"):
        read_yaml(binary, "configuration")


# ---- hostile configuration files, through the CLI: one message, exit 2, in well under a second


def alias_bomb(indent: str = "") -> str:
    """Ten anchors, each a list of nine aliases of the one before: 3.5 billion values."""
    lines = [f"{indent}a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"{indent}a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


BOMB_MESSAGE = (
    "YAML aliases here expand the file past 2 MB once written out (max_config_mb): write the "
    "values out rather than repeating aliases of aliases"
)
YAML_HINT = (
    "  hint: if the input is genuine, raise the limit: AIMSCHECK_MAX_CONFIG_MB=N or "
    "--limit max_config_mb=N"
)


def check_with_config(tmp_path: Path, config: str) -> tuple[int, list[str], Path]:
    export = repo(tmp_path / "repo", **{"aimscheck.yaml": config})
    started = time.perf_counter()
    result = check(export, rules(tmp_path))
    assert time.perf_counter() - started < 5
    assert "Traceback" not in result.output
    lines = result.stderr.removeprefix("aimscheck: error:").strip().splitlines()
    return result.exit_code, lines, export / "aimscheck.yaml"


def test_an_alias_bomb_configuration_is_refused_at_once(tmp_path: Path) -> None:
    code, lines, path = check_with_config(tmp_path, alias_bomb())
    assert code == EXIT_ERROR
    # a5 is the first anchor whose expansion (9**6 values) passes 2 MB
    assert lines == [f"{path}:6:5: {BOMB_MESSAGE}", YAML_HINT]


@pytest.mark.parametrize(
    ("levels", "where"),
    [(200, "1:71"), (5000, "1:1007")],  # LibYAML itself stops at 1,000 levels: said alike
)
def test_a_deeply_nested_configuration_is_refused(tmp_path: Path, levels: int, where: str) -> None:
    text = "rules: " + "[" * levels + "]" * levels + "\n"
    code, lines, path = check_with_config(tmp_path, text)
    assert code == EXIT_ERROR
    assert lines == [
        f"{path}:{where}: data nested more than 64 levels deep (max_depth): "
        "a configuration nests a few levels; flatten this value",
        "  hint: if the input is genuine, raise the limit: AIMSCHECK_MAX_DEPTH=N or "
        "--limit max_depth=N",
    ]


def test_a_waiver_file_bomb_is_refused_too(tmp_path: Path) -> None:
    config = "version: 1\nwaiver_files: [waivers.yaml]\n"
    export = repo(tmp_path / "repo", **{"aimscheck.yaml": config, "waivers.yaml": alias_bomb()})
    result = check(export, rules(tmp_path))
    assert result.exit_code == EXIT_ERROR
    assert f"waivers.yaml:6:5: {BOMB_MESSAGE}" in result.stderr


def test_a_configuration_that_is_a_named_pipe_is_refused(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    export = repo(tmp_path / "repo")
    os.mkfifo(tmp_path / "policy.yaml")  # one found in the repo is not a file: not taken
    proc = process(
        "check",
        export,
        "--no-default-rules",
        "--rules",
        rules(tmp_path),
        "--config",
        tmp_path / "policy.yaml",
        timeout=20,
    )
    assert proc.returncode == EXIT_ERROR
    assert proc.stderr == (
        f"aimscheck: error:\n{tmp_path / 'policy.yaml'}:1: the configuration is not a regular "
        "file (a device, pipe or socket)\n  hint: give a plain file\n"
    )


def test_a_configuration_past_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("version: 1\n" + "# padding\n" * 2000, encoding="utf-8")
    with limits.use(limits.Limits(max_config_mb=0.01)), pytest.raises(UsageError) as caught:
        read_yaml(path, "configuration")
    assert caught.value.render() == (
        f"{path}:1: the configuration is larger than 0.01 MB (max_config_mb): it should hold a "
        "few entries\n  hint: if the input is genuine, raise the limit: "
        "AIMSCHECK_MAX_CONFIG_MB=N or --limit max_config_mb=N"
    )


NUMBER_HINT = (
    "  hint: if the input is genuine, raise the limit: AIMSCHECK_MAX_NUMBER_DIGITS=N or "
    "--limit max_number_digits=N"
)


@pytest.mark.parametrize(
    ("number", "size"),
    [("1" + ":59" * 50, 151), ("0x" + "f" * 200, 202), ("0b" + "1" * 150, 152)],
)
def test_a_huge_number_in_a_configuration_is_refused_before_it_is_converted(
    tmp_path: Path, number: str, size: int
) -> None:
    """Converting `1:59:59:...` is quadratic in its length: 1.2 MB took 25 s (issue 16)."""
    code, lines, path = check_with_config(tmp_path, f"version: 1\nfail_on: {number}\n")
    assert code == EXIT_ERROR
    assert lines == [
        f"{path}:2:10: a number written with {size} characters, past the limit of 100 "
        "(max_number_digits): no data holds such a number; quote it if it is text",
        NUMBER_HINT,
    ]


def test_the_number_limit_reaches_waiver_files_and_follows_limit_options(tmp_path: Path) -> None:
    config = "version: 1\nwaiver_files: [waivers.yaml]\n"
    waivers = "version: 1\nwaivers: []\nx: 123456\n"
    export = repo(tmp_path / "repo", **{"aimscheck.yaml": config, "waivers.yaml": waivers})
    pack = rules(tmp_path)
    result = check(export, pack, "--limit", "max_number_digits=5")
    assert result.exit_code == EXIT_ERROR
    assert (
        "waivers.yaml:3:4: a number written with 6 characters, past the limit of 5 "
        "(max_number_digits)" in result.stderr
    )


def test_a_tag_no_reader_knows_is_shown_with_its_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("fail_on: !!python/name:os.system x\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_yaml(path, "configuration")
    assert caught.value.render().splitlines() == [
        f"{path}:1:10: invalid YAML in configuration: could not determine a constructor for the "
        "tag 'tag:yaml.org,2002:python/name:os.system'",
        "  fail_on: !!python/name:os.system x",
        "           ^",
        "  hint: write the value without a tag (no `!` or `!!` before it)",
    ]
