"""Shared definitions: used across a pack's files, checked once, reported where they are wrong."""

from __future__ import annotations

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
