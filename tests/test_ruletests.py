"""Rule tests: cases beside the rules, inline or by export path, run by `aimscheck test`."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from hostiledata import process, run
from lxml import etree

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from aimscheck.commands import test as test_command
from aimscheck.dsl.ruleset import compile_files
from aimscheck.errors import RuleTestError
from aimscheck.ruletests import load_cases, run_case

XSD = Path(__file__).parent / "data" / "junit-10.xsd"
RULE = """\
rule "ORG-4.3-01" {
  title    "Every in-scope AI system names an owner"
  clause   "4.3"
  severity minor
  phase    scope_definition
  for sys in ai_systems where sys.in_scope
  require sys.owner_ref -> people is set
  because "AI system {sys.id} has no owner on record"
}
"""
CASES = """\
as_of: 2026-11-20
base:
  people: [{id: p1, name: Ada}]
cases:
  - name: an owned system passes
    rule: ORG-4.3-01
    export:
      ai_systems: [{id: s1, name: S1, in_scope: true, owner_ref: p1}]
    expect: {ai_systems/s1: pass}
  - name: an unowned system is a nonconformity
    rule: ORG-4.3-01
    export:
      ai_systems: [{id: s2, name: S2, in_scope: true}]
    expect: {ai_systems/s2: nonconformity}
"""


def write(folder: Path, rules: str = RULE, tests: str = CASES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "org.aims").write_text(rules)
    (folder / "org.tests.yaml").write_text(tests)
    return folder


def cli(*args: str | Path) -> tuple[int, str]:
    group = click.Group()
    group.add_command(test_command.command)
    result = CliRunner().invoke(group, ["test", *[str(a) for a in args]])
    return result.exit_code, result.output


def test_cases_pass_and_the_run_exits_0(tmp_path: Path) -> None:
    code, out = cli(write(tmp_path / "rules"))
    assert code == EXIT_OK
    assert "PASS" in out and "2 passed, 0 failed" in out


def test_a_failing_case_shows_expected_against_actual_with_the_message(tmp_path: Path) -> None:
    folder = write(tmp_path / "rules", tests=CASES.replace("s2: nonconformity", "s2: pass"))
    code, out = cli(folder)
    assert code == EXIT_FINDINGS
    assert f"FAIL  {folder / 'org.tests.yaml'}:10  ORG-4.3-01: an unowned system is" in out
    assert (
        'ai_systems/s2: expected pass, got nonconformity ("AI system s2 has no owner on record")'
        in out
    )
    assert "1 passed, 1 failed" in out


def test_junit_output_validates_and_has_one_testcase_per_case(tmp_path: Path) -> None:
    folder = write(tmp_path / "rules", tests=CASES.replace("s2: nonconformity", "s2: pass"))
    report = tmp_path / "tests.xml"
    cli(folder, "--junit", report)
    doc = etree.parse(str(report))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(doc)
    assert len(doc.findall(".//testcase")) == 2 and len(doc.findall(".//failure")) == 1


def test_untested_rules_of_the_pack_are_reported_but_not_the_builtins(tmp_path: Path) -> None:
    second = RULE.replace("ORG-4.3-01", "ORG-4.3-02")
    code, out = cli(write(tmp_path / "rules", RULE + "\n" + second))
    assert code == EXIT_OK
    assert "warning: rule ORG-4.3-02 has no test" in out
    assert "AIMS-" not in out and "1 rule(s) without a test" in out


def test_a_custom_rule_overriding_a_builtin_is_tested_against_it(tmp_path: Path) -> None:
    rules = RULE.replace('"ORG-4.3-01" {', '"AIMS-4.3-02" {\n  overrides')
    tests = CASES.replace("ORG-4.3-01", "AIMS-4.3-02")
    code, out = cli(write(tmp_path / "rules", rules, tests))
    assert code == EXIT_OK, out
    code, out = cli("--no-default-rules", tmp_path / "rules")
    assert code == EXIT_ERROR and "says 'overrides' but no built-in rule has that id" in out


def test_an_export_by_path_relative_to_the_test_file(tmp_path: Path) -> None:
    repo = tmp_path / "exports" / "unowned"
    (repo / "ai_systems").mkdir(parents=True)
    (repo / "aims.yaml").write_text("schema_version: '1'\norganization: {name: Org}\n")
    (repo / "ai_systems" / "s9.yaml").write_text("id: s9\nname: S9\nin_scope: true\n")
    single = tmp_path / "exports" / "owned.yaml"
    single.write_text(
        yaml.safe_dump(
            {
                "schema_version": "1",
                "organization": {"name": "Org"},
                "people": [{"id": "p1", "name": "Ada"}],
                "ai_systems": [{"id": "s1", "name": "S1", "in_scope": True, "owner_ref": "p1"}],
            }
        )
    )
    tests = (
        "as_of: 2026-11-20\ncases:\n"
        "  - {name: folder, rule: ORG-4.3-01, export_path: ../exports/unowned,\n"
        "     expect: {ai_systems/s9: nonconformity}}\n"
        "  - {name: file, rule: ORG-4.3-01, export_path: ../exports/owned.yaml,\n"
        "     expect: {ai_systems/s1: pass}}\n"
    )
    folder = write(tmp_path / "rules", tests=tests)
    code, out = cli(folder)
    assert code == EXIT_OK, out
    before = sorted(p.read_bytes() for p in (tmp_path / "exports").rglob("*") if p.is_file())
    assert before == sorted(
        p.read_bytes() for p in (tmp_path / "exports").rglob("*") if p.is_file()
    )


def test_a_file_level_export_path_serves_every_case_without_an_inline_export(
    tmp_path: Path,
) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "repo.yaml").write_text(
        "schema_version: '1'\norganization: {name: Org}\n"
        "ai_systems: [{id: s9, name: S9, in_scope: true}]\n"
    )
    tests = (
        "as_of: 2026-11-20\nexport_path: repo.yaml\ncases:\n"
        "  - {name: by path, rule: ORG-4.3-01, expect: {ai_systems/s9: nonconformity}}\n"
        "  - {name: inline, rule: ORG-4.3-01, export: {}, expect: {}}\n"
    )
    (tmp_path / "rules" / "org.tests.yaml").write_text(tests)
    cases = load_cases(tmp_path / "rules" / "org.tests.yaml")
    assert cases[0].export_path == (tmp_path / "rules" / "repo.yaml").resolve()
    assert cases[1].export_path is None
    ruleset = compile_files([write(tmp_path / "pack", tests="cases: []\n")])
    assert [run_case(c, ruleset).passed for c in cases] == [True, True]


def test_an_inline_export_gets_the_two_fields_every_export_needs(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "rules",
        tests="as_of: 2026-11-20\ncases:\n  - {name: bare, rule: ORG-4.3-01, export: "
        "{ai_systems: [{id: s1, name: S, in_scope: false}]}, expect: {}}\n",
    )
    case = load_cases(folder / "org.tests.yaml")[0]
    assert case.export["schema_version"] == "1" and case.as_of == dt.date(2026, 11, 20)
    assert run_case(case, compile_files([folder])).passed


@pytest.mark.parametrize(
    ("tests", "where", "message"),
    [
        ("cases:\n  - {name: a, rule: R, expected: {}}\n", ":2:", "unknown key 'expected'"),
        ("as_of: 2026-13-01\ncases: []\n", ":1:8", "as_of '2026-13-01' is not a date"),
        (
            "as_of: 2026-11-20\ncases:\n  - {name: a, rule: R, expect: {export: passed}}\n",
            ":3:",
            "unknown outcome 'passed' for export",
        ),
        ("cases:\n  - {name: a, rule: R, expect: {}}\n", ":2:", "needs an as_of date"),
        (
            "as_of: 2026-11-20\ncases:\n  - {name: a, rule: R, export: {}, export_path: x,"
            " expect: {}}\n",
            ":3:",
            "either 'export' or 'export_path'",
        ),
        (
            "as_of: 2026-11-20\ncases:\n  - {name: a, rule: R, export_path: nowhere, expect: {}}\n",
            ":3:",
            "export_path nowhere not found",
        ),
        (
            "as_of: 2026-11-20\ncases:\n  - {name: a, rule: R, expect: {}}\n"
            "  - {name: a, rule: R, expect: {}}\n",
            ":4:",
            "two cases of R are named 'a'",
        ),
        ("cases: [\n", ":", "not valid YAML"),
        ("- a\n", ":1", "a rule test file is a mapping with a 'cases' list"),
    ],
)
def test_a_malformed_test_file_says_what_and_where(
    tmp_path: Path, tests: str, where: str, message: str
) -> None:
    path = tmp_path / "org.tests.yaml"
    path.write_text(tests)
    with pytest.raises(RuleTestError) as caught:
        load_cases(path)
    assert message in caught.value.message
    assert f"{path}{where}" in str(caught.value.location) + ":"
    code, out = cli(write(tmp_path / "rules", tests=tests))
    assert code == EXIT_ERROR and message in out


def test_a_case_naming_an_unknown_rule_fails_with_a_suggestion(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "rules", tests=CASES.replace("rule: ORG-4.3-01", "rule: ORG-4.3-1", 1)
    )
    code, out = cli(folder)
    assert code == EXIT_FINDINGS
    assert "no rule with id ORG-4.3-1; did you mean ORG-4.3-01?" in out


# ---- hostile test files, through the CLI: one message, exit 2, in well under a second


def hostile_test_file(tmp_path: Path, tests: str) -> tuple[int, list[str], Path]:
    folder = write(tmp_path / "rules", tests=tests)
    started = time.perf_counter()
    result = run("test", folder, "--no-default-rules")
    assert time.perf_counter() - started < 5
    assert "Traceback" not in result.output
    lines = result.stderr.removeprefix("aimscheck: error:").strip().splitlines()
    return result.exit_code, lines, folder / "org.tests.yaml"


def test_an_alias_bomb_in_a_test_file_is_refused_at_once(tmp_path: Path) -> None:
    # The aliases sit in the case's export: every copy of it would write them all out.
    anchors = ["x0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    anchors += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    tests = (
        "as_of: 2026-11-20\n"
        "cases:\n"
        "  - name: a bomb in the export\n"
        "    rule: ORG-4.3-01\n"
        "    export:\n"
        "      ai_systems:\n"
        "        - id: s1\n" + "".join(f"          {line}\n" for line in anchors) + ""
        "    expect: {ai_systems/s1: pass}\n"
    )
    code, lines, path = hostile_test_file(tmp_path, tests)
    assert code == EXIT_ERROR
    assert lines == [  # x5, the first anchor whose expansion (9**6 values) passes 2 MB
        f"{path}:13:15: YAML aliases here expand the file past 2 MB once written out "
        "(max_config_mb): write the values out rather than repeating aliases of aliases",
        "  hint: if the input is genuine, raise the limit: AIMSCHECK_MAX_CONFIG_MB=N or "
        "--limit max_config_mb=N",
    ]


@pytest.mark.parametrize(("levels", "where"), [(200, "1:70"), (5000, "1:1006")])
def test_a_deeply_nested_test_file_is_refused(tmp_path: Path, levels: int, where: str) -> None:
    code, lines, path = hostile_test_file(tmp_path, "base: " + "[" * levels + "]" * levels)
    assert code == EXIT_ERROR
    assert lines == [
        f"{path}:{where}: data nested more than 64 levels deep (max_depth): "
        "a test file nests a few levels; flatten this value",
        "  hint: if the input is genuine, raise the limit: AIMSCHECK_MAX_DEPTH=N or "
        "--limit max_depth=N",
    ]


def test_a_test_file_that_is_a_named_pipe_is_refused(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    folder = write(tmp_path / "rules")
    (folder / "org.tests.yaml").unlink()
    os.mkfifo(folder / "org.tests.yaml")
    proc = process("test", folder, "--no-default-rules", timeout=20)
    assert proc.returncode == EXIT_ERROR
    assert proc.stderr == (
        f"aimscheck: error:\n{folder / 'org.tests.yaml'}:1: the test file is not a regular file "
        "(a device, pipe or socket)\n  hint: give a plain file\n"
    )
