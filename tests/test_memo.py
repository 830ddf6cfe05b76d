"""The language server's memo of parses and compiles: a lint with it says exactly what a lint
without it says, edit after edit, whichever file the edit is in."""

from __future__ import annotations

from pathlib import Path

from aimscheck.dsl.memo import Memo
from aimscheck.dsl.ruleset import rule_files
from aimscheck.lint import lint
from aimscheck.resources import default_pack

DEFINITIONS = """\
define active(sys) = in_scope(sys) and sys.lifecycle_stage != "retired"
define has_unit(sys) = sys.business_unit is set
"""

FIELDS = """\
field ai_systems.business_unit: string
"""

RULES = """\
rule "ORG-1" {
  title    "Active systems name their business unit"
  clause   "5.3"
  severity minor
  phase    deployment
  for sys in ai_systems where active(sys)
  require has_unit(sys)
  because "System {sys.id} names no business unit"
}

rule "ORG-2" {
  title    "Active systems have an owner"
  clause   "5.3"
  severity major
  phase    deployment
  for sys in ai_systems where active(sys)
  require sys.owner_ref is set
}
"""

OTHER = RULES.replace('"ORG-1"', '"OTHER-1"').replace('"ORG-2"', '"OTHER-2"')

# Each step: the file edited and its new text (the others keep theirs).
EDITS: list[tuple[str, str]] = [
    ("org.aims", RULES.replace("require sys.owner_ref", "requre sys.owner_ref")),
    ("org.aims", RULES),
    # a definition's use that no longer fits, in two rules (one message each), then in one
    ("definitions.aims", DEFINITIONS.replace("active(sys) =", "active(sys, since) =")),
    ("org.aims", RULES.replace("active(sys)", "in_scope(sys)", 1)),
    # an edit elsewhere: the rules kept from the last lint still say their mistakes
    ("other.aims", OTHER.replace("major", "minor")),
    ("definitions.aims", DEFINITIONS),
    # the declared field goes: the rule reading it through a definition breaks
    ("fields.aims", "# no fields\n" + FIELDS.replace("business_unit", "unit")),
    # the definitions move down a line: the message's place must move with them
    ("definitions.aims", "\n" + DEFINITIONS),
    ("fields.aims", FIELDS),
    ("definitions.aims", DEFINITIONS),
    ("org.aims", RULES + RULES.replace('"ORG-1"', '"ORG-3"').replace('"ORG-2"', '"ORG-4"')),
    ("org.aims", RULES.replace('"ORG-2"', '"ORG-1"')),
    ("org.aims", RULES),
]


def lines(folder: Path, texts: dict[Path, str], memo: Memo | None) -> list[str]:
    report = lint([folder], rule_files([default_pack()]), texts=texts, memo=memo)
    return [p.render() for p in report.problems]


def test_a_lint_with_the_memo_equals_one_without(tmp_path: Path) -> None:
    for name, text in (("definitions.aims", DEFINITIONS), ("fields.aims", FIELDS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "org.aims").write_text(RULES, encoding="utf-8")
    (tmp_path / "other.aims").write_text(OTHER, encoding="utf-8")
    memo = Memo()
    texts: dict[Path, str] = {}
    assert lines(tmp_path, texts, memo) == lines(tmp_path, texts, None)
    seen: set[tuple[str, ...]] = set()
    for name, text in EDITS:
        texts = {**texts, tmp_path / name: text}
        fresh = lines(tmp_path, texts, None)
        assert lines(tmp_path, texts, memo) == fresh, name
        seen.add(tuple(fresh))
    assert len(seen) >= 6  # the edits did change what lint says


def test_an_unchanged_file_is_not_compiled_again(tmp_path: Path) -> None:
    (tmp_path / "org.aims").write_text(RULES.replace("has_unit(sys)", "true"), encoding="utf-8")
    memo = Memo()
    lint([tmp_path], rule_files([default_pack()]), memo=memo)
    kept = dict(memo.rules)
    edited = {tmp_path / "org.aims": RULES.replace("has_unit(sys)", "false")}
    lint([tmp_path], rule_files([default_pack()]), texts=edited, memo=memo)
    builtin = [key for key in kept if not key[0].startswith(str(tmp_path))]
    assert builtin and all(memo.rules[key] is kept[key] for key in builtin)
    assert memo.rules[(str(tmp_path / "org.aims"), 0)] is not kept[(str(tmp_path / "org.aims"), 0)]
