"""Generated documentation stays in sync with the code it is generated from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from aimscheck.docgen import builtins_markdown, refresh_language_doc
from aimscheck.functions import FUNCTIONS

DOC = Path(__file__).resolve().parents[1] / "docs" / "language.md"


def test_language_doc_builtins_are_current() -> None:
    assert DOC.read_text(encoding="utf-8") == refresh_language_doc(DOC), (
        "docs/language.md is stale: run python -m aimscheck.docgen"
    )


def test_every_builtin_is_documented_with_an_example() -> None:
    text = builtins_markdown()
    for name, builtin in FUNCTIONS.items():
        assert f"### `{name}`" in text
        assert "`" in builtin.doc, f"{name} has no example in its docstring"


RULES_DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_rule_catalogue_is_current() -> None:
    from aimscheck.docgen import default_catalogue

    assert RULES_DOC.read_text(encoding="utf-8") == default_catalogue(), (
        "docs/rules.md is stale: run python -m aimscheck.docgen"
    )


def _doc_examples() -> list[str]:
    """Rule text of the language reference: rule blocks, fragments and table examples."""
    import re

    text = DOC.read_text(encoding="utf-8")
    body = text[: text.index(BUILTINS_START)]
    blocks = re.findall(r"^```(\w*)\n(.*?)^```$", body, re.S | re.M)
    rules = [b for lang, b in blocks if not lang and not b.lstrip().startswith(("rules/", "✗"))]
    cells = re.findall(r"^\|.*\| `([^`]+)` \|$", body, re.M)
    prose = re.findall(r"as in `([^`]+)`", body)
    return rules + cells + prose


def _parse_example(example: str) -> object:
    from aimscheck.dsl.parser import parse_text

    attempts = [example, f'rule "X" {{\n{example}\n}}\n', f'rule "X" {{\n  require {example}\n}}\n']
    attempts.append(example + "\n}\n")
    attempts.append(f'rule "X" {{\n  require true\n  {example}\n}}\n')  # a because line
    for attempt in attempts:
        try:
            return parse_text(attempt, "doc.aims")
        except Exception:
            continue
    raise AssertionError(f"docs/language.md example does not parse: {example!r}")


BUILTINS_START = "## Built-in functions"


def test_every_construct_of_the_language_has_an_example_that_parses() -> None:
    import dataclasses

    from aimscheck.dsl import nodes as n

    seen: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, tuple | list):
            for item in node:
                walk(item)
            return
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return
        kind = type(node).__name__
        seen.add(kind)
        if isinstance(node, n.Binary | n.Unary):
            seen.add(f"op {node.op}")
        elif isinstance(node, n.Quantifier):
            seen.add(f"quantifier {node.kind}")
        elif isinstance(node, n.IsCheck):
            seen.add(f"is {node.test}")
        elif isinstance(node, n.Name):
            seen.add(f"name {node.name}")
        elif isinstance(node, n.Literal):
            seen.add(f"literal {type(node.value).__name__}")
        elif isinstance(node, n.Rule):
            for key in ("when", "for_", "title", "description", "fix", "severity", "phase"):
                if getattr(node, key):
                    seen.add(f"entry {key}")
            for key in ("clauses", "controls", "tags", "params"):
                if getattr(node, key):
                    seen.add(f"entry {key}")
            if node.overrides:
                seen.add("entry overrides")
            seen.update(f"entry {type(s).__name__}" for s in node.body)
            seen.update("because" for s in node.body if getattr(s, "message", None))
        for f in dataclasses.fields(node):
            walk(getattr(node, f.name))

    for example in _doc_examples():
        walk(_parse_example(example))
    ops = ["or", "and", "not", "neg", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "+", "*"]
    wanted = {
        *(f"op {op}" for op in ops),
        *(f"quantifier {k}" for k in ("exists", "none", "all", "count", "filter")),
        *(f"is {t}" for t in ("set", "missing", "empty", "not_empty")),
        *(f"literal {t}" for t in ("str", "int", "bool", "date")),
        *(f"entry {k}" for k in ("when", "for_", "title", "description", "fix", "severity")),
        *(f"entry {k}" for k in ("phase", "clauses", "controls", "tags", "params", "overrides")),
        "entry Let", "entry Require", "entry EvidenceStmt", "because", "FieldDecl",
        "FieldAccess", "Reference", "ItemAccess", "Call", "ListExpr", "DurationLit", "Matches",
        "name today", "name annex_a_controls",
    }  # fmt: skip
    missing = sorted(wanted - seen)
    assert missing == [], f"no example in docs/language.md for: {missing}"


EU_AI_ACT_DOC = Path(__file__).resolve().parents[1] / "docs" / "rules-eu-ai-act.md"


def test_eu_ai_act_catalogue_is_current() -> None:
    from aimscheck.docgen import eu_ai_act_catalogue

    assert EU_AI_ACT_DOC.read_text(encoding="utf-8") == eu_ai_act_catalogue(), (
        "docs/rules-eu-ai-act.md is stale: run python -m aimscheck.docgen"
    )


def test_every_rule_of_each_bundled_pack_has_an_entry_in_its_catalogue() -> None:
    import json

    from aimscheck.check import CheckOptions, load_ruleset, run_check
    from aimscheck.docgen import PACK_DOCS, anchor
    from aimscheck.reporters import render
    from aimscheck.reporters.sarif import DOCS_URL
    from aimscheck.resources import rules_root

    docs = Path(__file__).resolve().parents[1] / "docs"
    # Every pack shipped under rules/ has a catalogue.
    assert sorted(PACK_DOCS) == sorted(p.name for p in rules_root().iterdir() if p.is_dir())
    for name, doc in PACK_DOCS.items():
        headings = {
            line.removeprefix("## ")
            for line in (docs / doc).read_text(encoding="utf-8").splitlines()
            if line.startswith("## ")
        }
        ruleset = load_ruleset([rules_root() / name], default_rules=name == "iso42001")
        ids = {info.id for info in ruleset.infos}
        assert len(ids) > 10 and ids <= headings, (name, sorted(ids - headings))
    # The SARIF report links a pack rule to its own catalogue.
    report = run_check(
        CheckOptions(
            Path(__file__).resolve().parents[1] / "fixtures" / "euaia-deployer",
            as_of=dt.date(2026, 11, 20),
            rules=(rules_root() / "eu-ai-act",),
        )
    )
    rules = json.loads(render("sarif", report))["runs"][0]["tool"]["driver"]["rules"]
    links = {rule["id"]: rule["helpUri"] for rule in rules}
    assert links["EUAIA-26.6-01"] == f"{DOCS_URL}/rules-eu-ai-act.md#{anchor('EUAIA-26.6-01')}"
    assert links["AIMS-4.2-01"] == f"{DOCS_URL}/rules.md#aims-42-01"
    pack_rule = next(rule for rule in rules if rule["id"] == "EUAIA-26.6-01")
    assert pack_rule["properties"]["tags"][0] == "eu-ai-act"
    assert "EU AI Act pack `eu-ai-act:26(6)`" in pack_rule["help"]["markdown"]
