"""`aimscheck lint`: every error of every file, warnings that help, exit codes CI relies on."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from aimscheck.commands import lint as lint_command
from aimscheck.dsl.ruleset import rule_files
from aimscheck.lint import lint
from aimscheck.resources import default_pack

GOOD = """\
rule "ORG-4.3-01" {
  title    "Every in-scope AI system names an owner"
  clause   "4.3"
  severity minor
  phase    scope_definition
  for sys in ai_systems where in_scope(sys)
  require sys.owner_ref -> people is set
  because "AI system {sys.id} has no owner on record"
}
"""

TESTS = """\
as_of: 2026-11-20
cases:
  - name: an owned system passes
    rule: ORG-4.3-01
    export:
      people: [{id: p1, name: Ada}]
      ai_systems: [{id: s1, name: S, in_scope: true, owner_ref: p1}]
    expect: {ai_systems/s1: pass}
"""


def cli(*args: str | Path) -> tuple[int, str]:
    group = click.Group()
    group.add_command(lint_command.command)
    result = CliRunner().invoke(group, ["lint", *[str(a) for a in args]])
    return result.exit_code, result.output


def pack(tmp_path: Path, rules: str, tests: str | None = None) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "org.aims").write_text(rules)
    if tests is not None:
        (folder / "org.tests.yaml").write_text(tests)
    return folder


def test_a_clean_tested_pack_has_no_problems(tmp_path: Path) -> None:
    code, out = cli(pack(tmp_path, GOOD, TESTS))
    assert code == EXIT_OK
    assert out.strip() == "1 file(s), 1 rule(s): no problems"


def test_the_default_pack_lints_clean() -> None:
    report = lint([default_pack()])
    assert [p.render() for p in report.problems] == []
    assert report.rules > 100 and len(report.files) == len(rule_files([default_pack()]))


def test_warnings_name_the_rule_line_and_fix(tmp_path: Path) -> None:
    rules = GOOD.replace(
        '  because "AI system {sys.id} has no owner on record"\n',
        "  param    grace = 30 days\n  let owner = sys.owner_ref\n",
    )
    folder = pack(tmp_path, rules)
    code, out = cli(folder)
    assert code == EXIT_OK  # warnings alone do not fail the run
    path = folder / "org.aims"
    assert f"{path}:1:6: warning: rule ORG-4.3-01 has no test [no-test]" in out
    assert "hint: add a case with 'rule: ORG-4.3-01' to org.tests.yaml" in out
    assert f"{path}:7:3: warning: this require line has no 'because' message" in out
    assert f"{path}:8:12: warning: parameter 'grace' is never used [unused-param]" in out
    assert f"{path}:9:7: warning: 'owner' is never used [unused-let]" in out
    assert "0 error(s), 4 warning(s)" in out
    assert cli("--strict", folder)[0] == EXIT_FINDINGS


def test_an_only_if_without_because_is_warned_about_like_a_require(tmp_path: Path) -> None:
    rules = GOOD.replace(
        "  require sys.owner_ref",
        "  only if sys.lifecycle_stage is set\n  only if sys.name is set\n"
        '  because "AI system {sys.id} has no name"\n  require sys.owner_ref',
    )
    code, out = cli(pack(tmp_path, rules, TESTS))
    assert code == EXIT_OK
    path = tmp_path / "rules" / "org.aims"
    assert out.splitlines()[:5] == [
        f"{path}:7:3: warning: this only if line has no 'because' message: "
        "a not_applicable result would show only the condition as written [no-because]",
        "    only if sys.lifecycle_stage is set",
        "    ^^^^^^^",
        '  hint: add on the next line: because "why it cannot be judged, for {the subject}"',
        "0 error(s), 1 warning(s) in 1 file(s), 1 rule(s)",
    ]


def test_errors_exit_2_and_silence_warnings_of_the_broken_rule(tmp_path: Path) -> None:
    folder = pack(tmp_path, GOOD.replace("sys.owner_ref -> people", "sys.ownr_ref -> people"))
    code, out = cli(folder)
    assert code == EXIT_ERROR
    assert f"{folder / 'org.aims'}:7:15: error: unknown field 'ownr_ref'" in out
    assert "hint: did you mean 'owner_ref'?" in out
    assert "warning" not in out.replace("0 warning(s)", "")


def test_a_test_case_naming_a_missing_rule_is_an_error(tmp_path: Path) -> None:
    folder = pack(tmp_path, GOOD, TESTS.replace("rule: ORG-4.3-01", "rule: ORG-4.3-1"))
    code, out = cli(folder)
    assert code == EXIT_ERROR
    # As `aimscheck test` says it, at the case's `rule:` line.
    assert (
        f"{folder / 'org.tests.yaml'}:4: error: case 'an owned system passes' names rule "
        "ORG-4.3-1, which no loaded rule has\n  hint: did you mean ORG-4.3-01?"
    ) in out


def test_a_malformed_test_file_is_an_error_at_its_line(tmp_path: Path) -> None:
    folder = pack(tmp_path, GOOD, TESTS.replace("expect:", "expected:"))
    code, out = cli(folder)
    assert code == EXIT_ERROR
    assert f"{folder / 'org.tests.yaml'}:8:5: error: unknown key 'expected'" in out
    assert "did you mean 'expect'?" in out
    assert "has no test" not in out  # the test file is unreadable, not absent


def test_an_empty_rule_file_or_folder_is_an_error_never_a_silent_no_op(tmp_path: Path) -> None:
    folder = pack(tmp_path, "# nothing yet\n")
    code, out = cli(folder)
    assert code == EXIT_ERROR
    assert f"{folder / 'org.aims'}:1:1: error: this rule file holds no rule" in out
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out = cli(empty)
    assert code == EXIT_ERROR and f"no rule files (*.aims) in {empty}" in out


def test_a_custom_rule_reusing_a_builtin_id_is_an_error_unless_it_overrides(
    tmp_path: Path,
) -> None:
    clash = GOOD.replace("ORG-4.3-01", "AIMS-4.3-01")
    code, out = cli(pack(tmp_path, clash))
    assert code == EXIT_ERROR
    assert "duplicate rule id 'AIMS-4.3-01': also at" in out
    assert "or add 'overrides' to replace the built-in rule on purpose" in out
    overriding = clash.replace('  clause   "4.3"', '  overrides\n  clause   "4.3"')
    code, out = cli(pack(tmp_path, overriding))
    assert code == EXIT_OK, out


def test_json_output_is_machine_readable(tmp_path: Path) -> None:
    code, out = cli("--format", "json", pack(tmp_path, GOOD))
    doc = json.loads(out)
    assert code == EXIT_OK
    assert doc["format"] == "aimscheck-lint/1" and doc["errors"] == 0 and doc["warnings"] == 1
    assert doc["problems"][0]["code"] == "no-test"
    assert doc["problems"][0]["location"]["line"] == 1


# ---- one mistake, one message ------------------------------------------------------------------

_HEAD = """\
rule "ORG-4.3-01" {
  title    "Every in-scope AI system names an owner"
  clause   "4.3"
  severity minor
  phase    scope_definition
  for sys in ai_systems
"""

ONE_MESSAGE = [
    (
        "  requires sys.owner_ref is set\n",
        "7:3",
        "unknown keyword 'requires' in a rule",
        "did you mean 'require'?",
    ),
    (
        "  require all r in sys.model_refs r is set\n",
        "7:11",
        "'all' needs ': CONDITION' after its list",
        "write: all x in LIST [where FILTER]: CONDITION",
    ),
    (
        '  require sys.owner_ref is set\n  because "System {sys.name ?? "x"} has no owner"\n',
        "8:32",
        "a '\"' inside '{…}' ends the message",
        'write a quote inside the braces as \\" ({x == \\"a\\"}), or compute the value in a '
        "let above",
    ),
    (
        "  require exist r in risks where r.ai_system_ref == sys.id\n",
        "7:11",
        "unknown keyword 'exist'",
        "did you mean 'exists'?",
    ),
    (
        '  require sys.owner_ref is set\n  becuase "AI system {sys.id} has no owner"\n',
        "8:3",
        "unknown keyword 'becuase' in a rule",
        "did you mean 'because'?",
    ),
    (
        "  require exists r in risks wher r.ai_system_ref == sys.id\n",
        "7:29",
        "unknown keyword 'wher'",
        "did you mean 'where'?",
    ),
    (
        "  require coutn(r in risks where r.ai_system_ref == sys.id) > 0\n",
        "7:11",
        "unknown keyword 'coutn'",
        "did you mean 'count'?",
    ),
    (
        "  require sys.owner_ref is misisng\n",
        "7:28",
        "unknown word 'misisng' after 'is'",
        "did you mean 'missing'?",
    ),
]


def _errors(tmp_path: Path, text: str, name: str = "org.aims") -> list[tuple[str, str, str]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    report = lint([tmp_path])
    return [
        (f"{p.location.line}:{p.location.column}" if p.location else "", p.message, p.hint)
        for p in report.problems
        if p.level == "error"
    ]


def test_each_slip_is_one_message_at_its_word(tmp_path: Path) -> None:
    for statement, where, message, hint in ONE_MESSAGE:
        found = _errors(tmp_path, _HEAD + statement + "}\n")
        assert found == [(where, message, hint)], statement


def test_a_rule_id_given_twice_is_one_error_naming_both_places(tmp_path: Path) -> None:
    rule = _HEAD + "  require sys.owner_ref -> peple is set\n}\n"
    found = _errors(tmp_path, rule + rule)
    path = tmp_path / "org.aims"
    assert [(w, m) for w, m, _ in found] == [
        ("7:28", "'peple' is not a collection of the export"),  # the first one's own mistake
        ("9:6", f"duplicate rule id 'ORG-4.3-01': also at {path}:1:6"),
    ]


def test_a_pack_given_twice_is_loaded_once(tmp_path: Path) -> None:
    (tmp_path / "org.aims").write_text(GOOD, encoding="utf-8")
    report = lint([tmp_path, tmp_path / "org.aims"])
    assert [p.message for p in report.problems if p.level == "error"] == []


def test_a_field_declared_on_a_misspelt_collection_is_not_blamed_again(tmp_path: Path) -> None:
    text = (
        "field ai_sytems.business_unit: string\n"
        + _HEAD.replace(
            "for sys in ai_systems", "for sys in ai_systems\n  require sys.business_unit is set"
        )
        + "}\n"
    )
    found = _errors(tmp_path, text)
    assert found == [
        (
            "1:1",
            "'ai_sytems' is not a collection or section of the export",
            "did you mean 'ai_systems'?",
        )
    ]


def test_a_definition_no_rule_uses_is_warned_about_at_its_name(tmp_path: Path) -> None:
    (tmp_path / "org.aims").write_text(
        "define used(s) = s.in_scope == true\ndefine spare(s) = s.id is set\n"
        + GOOD.replace("where in_scope(sys)", "where used(sys)"),
        encoding="utf-8",
    )
    (tmp_path / "org.tests.yaml").write_text(TESTS, encoding="utf-8")
    report = lint([tmp_path])
    assert [(p.code, str(p.location), p.message) for p in report.problems] == [
        (
            "unused-definition",
            f"{tmp_path / 'org.aims'}:2:8",
            "definition 'spare' is used by no rule",
        )
    ]


PARAMETRISED = """\
rule "ORG-5.2-01" {
  title    "Policy documents are approved and recent"
  clause   "5.2"
  severity minor
  phase    scope_definition
  param    kinds = ["ai_policy", "procedure"]
  param    window = 6 months
  for doc in documents where doc.type in kinds
  require age(doc.approved_at) <= window
  because "Policy document {doc.id} is older than {window}"
}
"""

CONTRADICTING = """\
version: 1
rules:
  default_pack: false
  packs: [rules]
  parameters:
    ORG-5.2-01:
      window: 6
      kinds: ai_policy
      windw: 3 months
    ORG-5.2-1:
      kinds: [procedure]
"""


def test_lint_with_a_configuration_tells_what_check_would_refuse_in_it_once_each(
    tmp_path: Path,
) -> None:
    from aimscheck.cli import main

    pack(tmp_path, PARAMETRISED)
    (tmp_path / "aimscheck.yaml").write_text(CONTRADICTING)
    config = tmp_path / "aimscheck.yaml"
    expected = [
        f"{config}:7: parameter window of rule ORG-5.2-01 is a duration: 6 has no unit",
        "  hint: write 6 months (the rule's own value is 6 months): "
        "a duration is a number and a unit",
        f"{config}:8: parameter kinds of rule ORG-5.2-01 takes a list of texts such as "
        "[ai_policy, procedure], got 'ai_policy'",
        "  hint: write a list in brackets, even of one value: kinds: [ai_policy]",
        f"{config}:9: rule ORG-5.2-01 has no parameter 'windw'",
        "  hint: did you mean 'window'?",
        f"{config}:11: rules.parameters names rule ORG-5.2-1, which is not loaded",
        "  hint: did you mean ORG-5.2-01?",
    ]
    code, out = cli("--no-default-rules", tmp_path / "rules", "--config", config)
    assert code == EXIT_ERROR
    shown = [line.replace(": error: ", ": ") for line in out.splitlines()]
    assert shown[:8] == expected  # the configuration's file sorts before the rules'
    assert shown[-1] == "4 error(s), 1 warning(s) in 1 file(s), 1 rule(s)"  # no-test
    code, out = cli("--config", config)  # without PATHS: the packs the configuration loads
    assert code == EXIT_ERROR
    assert [line.replace(": error: ", ": ") for line in out.splitlines()][:8] == expected
    (tmp_path / "aims.yaml").write_text("schema_version: '1'\norganization: {name: Org}\n")
    checked = CliRunner().invoke(main, ["check", str(tmp_path), "--as-of", "2026-11-20"])
    assert checked.exit_code == EXIT_ERROR
    assert checked.stderr.removeprefix("aimscheck: error:\n").splitlines() == expected


def test_a_configuration_without_packs_is_checked_against_the_linted_rules(
    tmp_path: Path,
) -> None:
    # As `check --rules rules/ --config aimscheck.yaml` runs them: the pack is given on the
    # command line, not in the configuration, and its rules are loaded all the same.
    rules = pack(tmp_path, GOOD, TESTS)
    config = tmp_path / "aimscheck.yaml"
    severity = "version: 1\nrules:\n  severity:\n    - rule: {}\n"
    config.write_text(severity.format("ORG-4.3-01") + "      severity: major\n      reason: ours\n")
    for extra in (("--no-default-rules",), ()):
        assert cli(*extra, rules, "--config", config) == (
            EXIT_OK,
            "1 file(s), 1 rule(s): no problems\n",
        )
    config.write_text(severity.format("ORG-4.3-1") + "      severity: major\n      reason: ours\n")
    code, out = cli("--no-default-rules", rules, "--config", config)
    assert code == EXIT_ERROR
    assert out.splitlines()[:2] == [
        f"{config}:4: error: rules.severity names rule ORG-4.3-1, which is not loaded",
        "  hint: did you mean ORG-4.3-01?",
    ]


def test_a_parameter_of_the_wrong_type_in_the_configuration_names_what_it_takes(
    tmp_path: Path,
) -> None:
    pack(
        tmp_path,
        PARAMETRISED.replace("  param    window", "  param    most = 3\n  param    window"),
    )
    config = tmp_path / "aimscheck.yaml"
    config.write_text(
        "version: 1\nrules:\n  packs: [rules]\n  parameters:\n    ORG-5.2-01:\n"
        "      kinds: 5\n      window: 6 months\n      most: three\n"
    )
    code, out = cli("--no-default-rules", tmp_path / "rules", "--config", config)
    assert code == EXIT_ERROR
    assert out.splitlines()[:4] == [
        f"{config}:6: error: parameter kinds of rule ORG-5.2-01 takes a list of texts such as "
        "[ai_policy, procedure], got 5",
        "  hint: write a list in brackets, even of one value: kinds: [ai_policy]",
        f"{config}:8: error: parameter most of rule ORG-5.2-01 takes a number, got 'three'",
        "  hint: write a number as the rule's own value is written: most: 3",
    ]
