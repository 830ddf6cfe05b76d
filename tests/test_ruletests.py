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
        (
            "as_of: 2026-11-20\ncases:\n  - {name: a, rule: R, expected: {}}\n",
            ":3:",
            "unknown key 'expected'",
        ),
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
        ("cases: [\n", ":", "invalid YAML in test file"),
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


def test_a_case_naming_an_unknown_rule_is_an_error_at_its_line(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "rules", tests=CASES.replace("rule: ORG-4.3-01", "rule: ORG-4.3-1", 1)
    )
    code, out = cli(folder)
    assert code == EXIT_ERROR
    assert out.splitlines()[1:] == [
        f"{folder / 'org.tests.yaml'}:6: case 'an owned system passes' names rule ORG-4.3-1, "
        "which no loaded rule has",
        "  hint: did you mean ORG-4.3-01?",
    ]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            ("in_scope: true, owner_ref: p1}", "in_scope: true, owner_ref: p1, risk_tier: hihg}"),
            ":8:81:",
            "$.ai_systems[0].risk_tier: must be one of: low, medium, high, critical (got "
            '"hihg"; did you mean "high"?)',
        ),
        (
            ("in_scope: true}", "in_scope: true, deployed_at: 2027-02-30}"),
            ":13:68:",
            'not a real date or time: "2027-02-30"',
        ),
    ],
)
def test_invalid_inline_data_is_an_error_at_the_test_files_line(
    tmp_path: Path, change: tuple[str, str], where: str, message: str
) -> None:
    folder = write(tmp_path / "rules", tests=CASES.replace(*change))
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR and "Traceback" not in out and "internal error" not in out
    assert f"{folder / 'org.tests.yaml'}{where}" in out and message in out
    assert "aimscheck-test-" not in out  # never the temporary folder the export is written to


def test_every_invalid_case_is_reported_in_one_run(tmp_path: Path) -> None:
    tests = CASES.replace("in_scope: true, owner_ref: p1}", "in_scope: maybe, owner_ref: p1}")
    tests = tests.replace("in_scope: true}", "in_scope: perhaps}")
    code, out = cli(write(tmp_path / "rules", tests=tests), "--no-default-rules")
    assert code == EXIT_ERROR
    assert [line.split(": ")[0].rsplit(":", 2)[1] for line in out.splitlines()[1:]] == ["8", "13"]


RULE2 = """\
rule "ORG-5.2-01" {
  title    "The AI policy is approved, owned and proven"
  clause   "5.2"
  severity minor
  phase    scope_definition
  for doc in documents where doc.type == "ai_policy"
  require doc.approved_by_ref is set
  because "AI policy {doc.id} has no approver"
  require doc.approved_at is set
  evidence doc.id
}
"""
EXACT = """\
as_of: 2026-11-20
base:
  people: [{id: p1, name: Ada}]
files:
  policy.md: "our policy"
cases:
  - name: unapproved and unproven
    rule: ORG-5.2-01
    export:
      documents:
        - {id: POL-1, title: AI policy, type: ai_policy, status: approved, version: "1",
           approved_by_ref: p1, path: missing.md}
    expect:
      documents/POL-1:
        outcome: nonconformity
        message_matches: "^requirement not met: doc.approved_at is set; missing evidence"
        failed: [2, "doc.id"]
        reasons: [file_not_found]
"""


def test_a_case_asserts_the_message_the_failed_requirements_and_reasons(tmp_path: Path) -> None:
    code, out = cli(write(tmp_path / "rules", RULE2, EXACT), "--no-default-rules")
    assert code == EXIT_OK, out


@pytest.mark.parametrize(
    ("change", "lines"),
    [
        (
            (
                'message_matches: "^requirement not met: doc.approved_at is set; missing evidence"',
                'message: "no proof"',
            ),
            [
                'documents/POL-1: message: expected "no proof", got "requirement not met: '
                "doc.approved_at is set; missing evidence for doc.id: POL-1: missing.md does not "
                "exist: restore the file or correct the path (documents/POL-1, org.tests.yaml:11)"
            ],
        ),
        (
            ('message_matches: "^requirement not met', 'message_matches: "^no proof'),
            ["documents/POL-1: message: expected a match of /^no proof: doc.approved_at is set; "],
        ),
        (
            ('failed: [2, "doc.id"]', "failed: [1]"),
            ["documents/POL-1: failed requirements: expected [1], got [2, 3]"],
        ),
        (
            ("reasons: [file_not_found]", "reasons: [sha256_mismatch]"),
            ["documents/POL-1: evidence reasons: expected [sha256_mismatch], got [file_not_found]"],
        ),
    ],
)
def test_a_failing_assertion_prints_expected_against_actual(
    tmp_path: Path, change: tuple[str, str], lines: list[str]
) -> None:
    code, out = cli(write(tmp_path / "rules", RULE2, EXACT.replace(*change)), "--no-default-rules")
    assert code == EXIT_FINDINGS
    shown = [line.strip() for line in out.splitlines() if line.startswith("      ")]
    assert [line[: len(want)] for line, want in zip(shown, lines, strict=True)] == lines


@pytest.mark.parametrize(
    ("change", "where", "message", "hint"),
    [
        (
            ('failed: [2, "doc.id"]', "failed: [4]"),
            ":17:",
            "documents/POL-1: failed: 4 is not a requirement of the rule: it has 3 (its require "
            "and evidence lines, counted from 1)",
            "hint: the requirements of ORG-5.2-01: 1: doc.approved_by_ref is set; "
            "2: doc.approved_at is set; 3: doc.id",
        ),
        (
            ('failed: [2, "doc.id"]', 'failed: ["doc.aproved_at is set"]'),
            ":17:",
            "documents/POL-1: failed: 'doc.aproved_at is set' is the text of none of the "
            "rule's requirements: did you mean 'doc.approved_at is set'?",
            "",
        ),
        (
            ("reasons: [file_not_found]", "reasons: [file_not_fund]"),
            ":18:18:",
            "unknown evidence reason code 'file_not_fund'",
            "hint: did you mean 'file_not_found'?",
        ),
        (
            ("message_matches:", "mesage_matches:"),
            ":16:9:",
            "unknown key 'mesage_matches' in an expected result: did you mean 'message_matches'?",
            "",
        ),
        (
            (
                'message_matches: "^requirement not met: doc.approved_at is set; missing evidence"',
                'message_matches: "(a"',
            ),
            ":16:26:",
            "message_matches is not a pattern RE2 can read: missing ): (a",
            "",
        ),
    ],
)
def test_a_malformed_assertion_is_an_error_at_its_line(
    tmp_path: Path, change: tuple[str, str], where: str, message: str, hint: str
) -> None:
    folder = write(tmp_path / "rules", RULE2, EXACT.replace(*change))
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR, out
    assert f"{folder / 'org.tests.yaml'}{where}" in out and message in out and hint in out


def test_a_files_entry_that_cannot_be_written_is_an_error_at_its_line(tmp_path: Path) -> None:
    tests = EXACT.replace(
        '  policy.md: "our policy"', '  policy.md: "our policy"\n  policy.md/x: y'
    )
    folder = write(tmp_path / "rules", RULE2, tests)
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR and "Traceback" not in out
    assert f"{folder / 'org.tests.yaml'}:6:3: files: 'policy.md/x' cannot be written" in out


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


def test_default_pack_findings_of_rules_with_several_requirements_name_them() -> None:
    """A rule with several require/evidence lines can fail a case for the wrong reason: its
    cases say which requirement failed, so that each proves its own."""
    from aimscheck.resources import default_pack
    from aimscheck.ruletests import find_test_files
    from aimscheck.testexpect import requirements

    pack = default_pack()
    ruleset = compile_files([pack])
    several = {r.info.id for r in ruleset.rules if len(requirements(r)) > 1}
    vague = [
        f"{case.file.name}:{case.line} {case.id} {subject}"
        for path in find_test_files([pack])
        for case in load_cases(path)
        if case.rule in several
        for subject, outcome in case.expect.items()
        if outcome in ("nonconformity", "missing_evidence", "observation")
        and (subject not in case.details or case.details[subject].failed is None)
    ]
    assert vague == []


def test_a_mistake_in_the_files_base_is_told_once_at_the_base_line(
    tmp_path: Path,
) -> None:
    tests = CASES.replace("people: [{id: p1, name: Ada}]", "people: [{id: p1, nam: Ada}]")
    folder = write(tmp_path / "rules", tests=tests)
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    # Both cases hold the base: its one mistake is told once, at the line of the base.
    # The misspelt key is the mistake: told as unknown, not again as the `name` it leaves out.
    assert out.strip() == (
        f"aimscheck: error: {folder / 'org.tests.yaml'}:3:21: $.people[0].nam: unknown field "
        "'nam' (did you mean 'name'?): a rule test's export holds only the fields the export "
        "schema defines or a rule pack declares"
    )


def lint_cli(*args: str | Path) -> tuple[int, str]:
    from aimscheck.commands import lint as lint_command

    group = click.Group()
    group.add_command(lint_command.command)
    result = CliRunner().invoke(group, ["lint", *[str(a) for a in args]])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("change", "where", "message", "hint"),
    [
        (  # an impossible date
            ("in_scope: true}", "in_scope: true, deployed_at: 2027-02-30}"),
            ":13:68",
            '$.ai_systems[0].deployed_at: not a real date or time: "2027-02-30"',
            "",
        ),
        (  # a value outside a closed vocabulary
            ("in_scope: true}", "in_scope: true, risk_tier: hihg}"),
            ":13:66",
            "$.ai_systems[0].risk_tier: must be one of: low, medium, high, critical (got "
            '"hihg"; did you mean "high"?)',
            "",
        ),
        (  # a reference to no record
            ("owner_ref: p1}", "owner_ref: p9}"),
            ":8:66",
            "$.ai_systems[0].owner_ref: names 'p9', which is not an id of people",
            "",
        ),
        (  # a misspelt collection: the case would see no record at all
            ("      ai_systems: [{id: s2", "      ai_system: [{id: s2"),
            ":13:7",
            "$.ai_system: unknown field 'ai_system' (did you mean 'ai_systems'?): a rule test's "
            "export holds only the fields the export schema defines or a rule pack declares",
            "",
        ),
        (  # a rule no loaded rule has: at the case's `rule:` line
            (
                "rule: ORG-4.3-01\n    export:\n      ai_systems: [{id: s2",
                "rule: ORG-4.3-1\n    export:\n      ai_systems: [{id: s2",
            ),
            ":11",
            "case 'an unowned system is a nonconformity' names rule ORG-4.3-1, which no loaded "
            "rule has",
            "  hint: did you mean ORG-4.3-01?",
        ),
        (  # a requirement the rule does not have
            (
                "expect: {ai_systems/s2: nonconformity}",
                "expect:\n      ai_systems/s2: {outcome: nonconformity, failed: [4]}",
            ),
            ":15",
            "ai_systems/s2: failed: 4 is not a requirement of the rule: it has 1 (its require "
            "and evidence lines, counted from 1)",
            "  hint: the requirements of ORG-4.3-01: 1: sys.owner_ref -> people is set",
        ),
    ],
)
def test_lint_reports_what_test_refuses_at_the_same_place(
    tmp_path: Path, change: tuple[str, str], where: str, message: str, hint: str
) -> None:
    folder = write(tmp_path / "rules", tests=CASES.replace(*change))
    at = f"{folder / 'org.tests.yaml'}{where}"
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    if hint:
        assert out.splitlines() == ["aimscheck: error:", f"{at}: {message}", hint]
    else:
        assert out.splitlines() == [f"aimscheck: error: {at}: {message}"]
    code, out = lint_cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    lines = out.splitlines()
    assert lines[0] == f"{at}: error: {message}"
    assert lines[1:-1] == ([hint] if hint else [])
    assert lines[-1] == "1 error(s), 0 warning(s) in 1 file(s), 1 rule(s)"


def test_every_mistake_of_a_case_is_reported_by_lint_and_test(tmp_path: Path) -> None:
    """An unknown outcome hides no bad `failed:`, an unknown key no malformed `expect`."""
    tests = CASES.replace(
        "expect: {ai_systems/s1: pass}",
        "expect: nonconformity\n    descripton: owned",
    ).replace(
        "expect: {ai_systems/s2: nonconformity}",
        "expect:\n      ai_systems/s2: {outcome: nonconformaty, failed: [4]}",
    )
    folder = write(tmp_path / "rules", tests=tests)
    file = folder / "org.tests.yaml"
    expected = [
        f"{file}:9:13: expect must be a mapping of subjects to outcomes",
        "  hint: write each subject on a line of its own: ai_systems/sys-1: nonconformity",
        f"{file}:10:5: unknown key 'descripton'",
        "  hint: did you mean 'description'?",
        f"{file}:16: ai_systems/s2: failed: 4 is not a requirement of the rule: it has 1 (its "
        "require and evidence lines, counted from 1)",
        "  hint: the requirements of ORG-4.3-01: 1: sys.owner_ref -> people is set",
        f"{file}:16:32: unknown outcome 'nonconformaty' for ai_systems/s2",
        "  hint: did you mean 'nonconformity'?",
    ]
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    assert out.splitlines() == ["aimscheck: error:", *expected]
    code, out = lint_cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    assert [line.replace(": error: ", ": ") for line in out.splitlines()[:-1]] == expected


def test_cases_that_are_not_a_list_are_told_at_their_line(tmp_path: Path) -> None:
    folder = write(tmp_path / "rules", tests="as_of: 2026-11-20\n\ncases: none\n")
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    assert out.splitlines() == [
        f"aimscheck: error: {folder / 'org.tests.yaml'}:3:8: a rule test file is a mapping "
        "with a 'cases' list"
    ]


def test_a_key_without_its_colon_is_told_at_its_line_with_the_fix(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "rules",
        tests=CASES.replace("    rule: ORG-4.3-01\n", "    rule ORG-4.3-01\n", 1),
    )
    expected = [
        f"{folder / 'org.tests.yaml'}:6:5: invalid YAML in test file: could not find expected ':'",
        "      rule ORG-4.3-01",
        "      ^",
        "  hint: write a ':' after the key, then its value (name: value)",
    ]
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR and out.splitlines() == ["aimscheck: error:", *expected]
    code, out = lint_cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    assert out.splitlines()[:-1] == [
        expected[0].replace(": invalid", ": error: invalid", 1),
        *expected[1:],
    ]


TIERED = RULE.replace("where sys.in_scope", 'where sys.risk_tier in ["high", "very_high"]')
TIERED_CASES = CASES.replace("in_scope: true", "in_scope: true, risk_tier: very_high")
VOCABULARY = """\
vocabulary:
  ai_systems.risk_tier:
    values: [very_high]
    reason: Our risk policy grades AI systems on five tiers.
waivers:
  - rule: ORG-4.3-01
    subject: ai_systems/s2
    justification: An owner is being appointed.
    approver: Ada
    expires: 2027-01-31
rules:
  severity:
    - {rule: ORG-4.3-01, severity: observation, reason: New rule.}
"""


def test_config_gives_test_its_vocabulary_but_not_its_waivers(tmp_path: Path) -> None:
    folder = write(tmp_path / "rules", TIERED, TIERED_CASES)
    config = tmp_path / "aimscheck.yaml"
    config.write_text(VOCABULARY)
    # The configuration's words: the rule compiles and the cases' exports are valid with it;
    # its waiver and severity change are the run's: the case still sees the nonconformity.
    code, out = cli(folder, "--no-default-rules", "--config", config)
    assert (code, out.splitlines()[-1]) == (EXIT_OK, "2 passed, 0 failed")
    words = tmp_path / "words.yaml"
    words.write_text(VOCABULARY.split("waivers:")[0])
    assert lint_cli(folder, "--no-default-rules", "--config", words)[0] == EXIT_OK
    code, out = cli(folder, "--no-default-rules")
    assert code == EXIT_ERROR
    assert out.splitlines()[:2] == [
        "aimscheck: error:",
        f"{folder / 'org.aims'}:6:57: 'very_high' is not one of the values this field takes",
    ]
    assert lint_cli(folder, "--no-default-rules")[0] == EXIT_ERROR


def test_requirements_are_quoted_from_the_text_compiled_not_the_file_on_disk(
    tmp_path: Path,
) -> None:
    """An editor lints its unsaved buffer: `failed:` quotes what was compiled, even after the
    file on disk has been read for another text."""
    from aimscheck.dsl.ruleset import compile_collect
    from aimscheck.testexpect import requirements

    path = tmp_path / "org.aims"
    rule = """rule "ORG-1" {{
  title "t"
  clause "4.1"
  severity minor
  for s in ai_systems
  require {first}
  because "a"
  require s.name is set
  because "b"
}}
"""
    path.write_text(rule.format(first="s.owner_ref is set"), encoding="utf-8")
    on_disk, _ = compile_collect([path])
    assert requirements(on_disk.rules[0]) == ["s.owner_ref is set", "s.name is set"]
    edited = rule.format(first="s.purpose is set and s.owner_ref is set")
    buffer, _ = compile_collect([path], texts={path: edited})
    assert requirements(buffer.rules[0]) == [
        "s.purpose is set and s.owner_ref is set",
        "s.name is set",
    ]
