"""Shared definitions: used across a pack's files, checked once, reported where they are wrong."""

from __future__ import annotations

import json
from pathlib import Path

from aimscheck.dsl.ruleset import compile_collect
from aimscheck.formatter import format_text

RULE = """\
rule "ORG-4.3-0{n}" {{
  title    "x"
  clause   "4.3"
  severity minor
  phase    scope_definition
  for sys in ai_systems where {where}
  require sys.owner_ref is set
  because "AI system {{sys.id}} has no owner"
}}
"""


def errors(tmp_path: Path, defs: str, *wheres: str) -> list[str]:
    (tmp_path / "defs.aims").write_text(defs, encoding="utf-8")
    rules = "".join(RULE.format(n=i + 1, where=w) for i, w in enumerate(wheres))
    (tmp_path / "rules.aims").write_text(rules, encoding="utf-8")
    _, found = compile_collect([tmp_path])
    return [
        f"{e.location.file.split('/')[-1]}:{e.location.line}:{e.location.column}: {e.message}"
        for e in found
        if e.location
    ]


def test_a_definition_of_another_file_is_used_and_listed_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "defs.aims").write_text(
        'define active(sys) = in_scope(sys) and sys.lifecycle_stage != "retired"\n'
    )
    (tmp_path / "rules.aims").write_text(RULE.format(n=1, where="active(sys)"))
    ruleset, found = compile_collect([tmp_path])
    assert found == []
    defined = ruleset.definitions["active"]
    assert (defined.path, defined.location.line, defined.location.column) == (
        str(tmp_path / "defs.aims"),
        1,
        8,
    )


def test_a_type_error_in_a_body_is_reported_once_at_the_definition(tmp_path: Path) -> None:
    found = errors(tmp_path, "define bad(s) = s.in_scope > 3\n", "bad(sys)", "not bad(sys)")
    assert found == ["defs.aims:1:17: '>' cannot order a boolean"]


def test_wrong_uses_are_reported_at_the_call(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        "define active(sys) = sys.in_scope\n",
        "activ(sys)",
        "active(sys, 1)",
        "active",
    )
    assert found == [
        "rules.aims:6:31: unknown function 'activ'",
        "rules.aims:15:31: definition 'active' takes 1 argument(s), got 2",
        "rules.aims:24:31: definition 'active' takes 1 argument(s)",
    ]


def test_circles_duplicates_builtins_and_foreign_names_are_one_error_each(
    tmp_path: Path,
) -> None:
    defs = (
        "define a(x) = b(x)\n"
        "define b(x) = a(x)\n"
        "define a(y) = y.in_scope\n"
        "define len = 3\n"
        "define leak(s) = sys.id == s.id\n"
    )
    found = errors(tmp_path, defs, "a(sys) and leak(sys)")
    path = tmp_path / "defs.aims"
    assert found == [
        "defs.aims:2:15: definition 'a' uses itself (through a → b → a)",
        f"defs.aims:3:8: definition 'a' is given twice: also at {path}:1:8",
        "defs.aims:4:8: 'len' cannot name a definition: it is a built-in function",
        "defs.aims:5:18: definition 'leak' reads 'sys', which is none of its parameters",
    ]


def test_fmt_prints_definitions_canonically_and_keeps_their_meaning() -> None:
    text = 'define   active( s )= s.in_scope   and s.lifecycle_stage != "retired"\n'
    assert format_text(text) == (
        'define active(s) = s.in_scope and s.lifecycle_stage != "retired"\n'
    )


def test_the_builtin_packs_definitions_are_its_own(tmp_path: Path) -> None:
    from aimscheck.dsl.ruleset import rule_files
    from aimscheck.resources import default_pack

    builtin = rule_files([default_pack()])
    (tmp_path / "defs.aims").write_text("define live(s) = s.in_scope == true\n")
    (tmp_path / "rules.aims").write_text(RULE.format(n=1, where="live(sys)"))
    ruleset, found = compile_collect([*builtin, tmp_path], builtin_count=len(builtin))
    assert found == []
    assert ruleset.definitions["live"].path == str(tmp_path / "defs.aims")
    assert ruleset.builtin_definitions["live"].path.endswith("definitions.aims")
    (tmp_path / "rules.aims").write_text(RULE.format(n=1, where="active_in_scope(sys)"))
    _, found = compile_collect([*builtin, tmp_path], builtin_count=len(builtin))
    assert [e.message for e in found] == ["unknown function 'active_in_scope'"]


def test_a_definition_a_syntax_error_cut_is_not_blamed_again_at_its_uses(tmp_path: Path) -> None:
    found = errors(
        tmp_path,
        "define active(sys) = sys.in_scope andd sys.id is set\n",
        "active(sys)",
        "not active(sys)",
    )
    assert found == ["defs.aims:1:35: unknown keyword 'andd'"]


SHARED_WINDOW = """\
define review_window = {window}

rule "ORG-5.2-0{n}" {{
  title    "Policy documents are reviewed within the window"
  clause   "5.2"
  severity minor
  phase    monitoring
  param    window = review_window
  for doc in documents
  require age(doc.approved_at) <= window
  because "Document {{doc.id}} is older than {{window}}"
}}
"""


def test_a_parameter_takes_a_shared_value_from_a_definition_and_the_configuration_sets_it(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from aimscheck.cli import EXIT_FINDINGS, EXIT_OK, main

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.aims").write_text(SHARED_WINDOW.format(window="12 months", n=1))
    (rules / "b.aims").write_text(SHARED_WINDOW.format(window="12 months", n=2).split("\n", 2)[2])
    (tmp_path / "aims.yaml").write_text(
        "schema_version: '1'\norganization: {name: Org}\ndocuments:\n"
        "  - {id: d1, title: P, type: ai_policy, status: approved, approved_at: 2026-03-01}\n"
    )
    config = "version: 1\nrules:\n  default_pack: false\n  packs: [rules]\n"
    (tmp_path / "aimscheck.yaml").write_text(config)
    run = ["check", str(tmp_path), "--as-of", "2026-11-20", "--format", "json"]
    assert CliRunner().invoke(main, run).exit_code == EXIT_OK  # 264 days: within 12 months
    (tmp_path / "aimscheck.yaml").write_text(
        config + "  parameters:\n    ORG-5.2-02: {window: 6 months}\n"
    )
    result = CliRunner().invoke(main, run)
    assert result.exit_code == EXIT_FINDINGS
    found = [
        (r["rule"], r["outcome"], r["message"])
        for r in json.loads(result.stdout)["results"]
        if r["outcome"] != "pass"
    ]  # ORG-5.2-01 keeps the shared 12 months
    assert found == [("ORG-5.2-02", "nonconformity", "Document d1 is older than 6 months")]


def test_a_parameter_default_that_is_no_plain_value_is_one_error_at_the_parameter(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.aims").write_text(SHARED_WINDOW.format(window="today", n=1))
    _, found = compile_collect([tmp_path / "a.aims"])
    assert [(str(e.location), e.message) for e in found] == [
        (
            f"{tmp_path}/a.aims:8:21",
            "a parameter's default must be a plain value (a number, text, date, duration or "
            "list, or a definition that is one)",
        )
    ]
