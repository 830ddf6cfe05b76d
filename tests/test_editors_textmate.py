"""The TextMate grammar of .aims files (editors/textmate): consistent with grammar/aims.lark.

The grammar's regexes are Oniguruma's (VS Code, GitHub's highlighters); the few features used
here (`\\b`, a fixed-width look-behind, `(?=…)`, `(?:…)`, `$`) mean the same in Python's `re`,
which is what the tests compile them with. TextMate's rule is simulated for single lines: at
each place, the pattern whose match starts first wins, the earlier pattern on a tie.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lark import Lark

from aimscheck.functions import FUNCTIONS
from aimscheck.resources import grammar_path

ROOT = Path(__file__).resolve().parent.parent
TEXTMATE = ROOT / "editors" / "textmate" / "aims.tmLanguage.json"
GRAMMAR: dict[str, Any] = json.loads(TEXTMATE.read_text(encoding="utf-8"))
REPOSITORY: dict[str, Any] = GRAMMAR["repository"]


def grammar_keywords() -> set[str]:
    """Every word the Lark grammar writes as a literal (`"rule"`, `"exists"`, `"of"`, …)."""
    lark = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr")
    return {
        t.pattern.value
        for t in lark.terminals
        if t.pattern.type == "str" and t.pattern.value.isidentifier()
    }


def keyword_patterns() -> list[dict[str, Any]]:
    """The patterns that highlight the language's words: `keywords`, and the type words of a
    `field` declaration."""
    field_words = [
        p
        for p in REPOSITORY["field-declaration"]["patterns"]
        if p.get("name", "").startswith("keyword")
    ]
    return [*REPOSITORY["keywords"]["patterns"], *field_words]


def flat(patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Patterns with `include`s and pattern groups expanded, in order."""
    out: list[dict[str, Any]] = []
    for p in patterns:
        if "include" in p:
            out += flat([REPOSITORY[p["include"].lstrip("#")]])
        elif "patterns" in p and "match" not in p and "begin" not in p:
            out += flat(p["patterns"])
        else:
            out.append(p)
    return out


def first_match(
    rules: list[dict[str, Any]], line: str, pos: int
) -> tuple[dict[str, Any], re.Match[str]] | None:
    """The pattern whose match starts first from `pos` (the earlier pattern on a tie)."""
    best: tuple[dict[str, Any], re.Match[str]] | None = None
    for rule in rules:
        found = re.compile(rule.get("match") or rule["begin"]).search(line, pos)
        if found is not None and (best is None or found.start() < best[1].start()):
            best = (rule, found)
    return best


def region_end(rule: dict[str, Any], line: str, pos: int) -> int:
    """Where a begin/end region that opened before `pos` closes: its inner patterns (an
    escape, an interpolation) are skipped over first, as TextMate does."""
    inner = flat(rule.get("patterns", []))
    while pos <= len(line):
        closed = re.compile(rule["end"]).search(line, pos)
        other = first_match(inner, line, pos)
        if other is None or (closed is not None and closed.start() <= other[1].start()):
            return closed.end() if closed is not None else len(line)
        sub, found = other
        pos = max(region_end(sub, line, found.end()) if "begin" in sub else found.end(), pos + 1)
    return len(line)


def highlight(line: str) -> list[tuple[str, str]]:
    """Each highlighted piece of one line, with its scope (the top-level patterns only)."""
    rules = flat(GRAMMAR["patterns"])
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(line):
        best = first_match(rules, line, pos)
        if best is None:
            break
        rule, found = best
        start, end = found.start(), found.end()
        if "begin" in rule:
            end = region_end(rule, line, end)
        if rule.get("name"):
            out.append((line[start:end], rule["name"]))
        elif "captures" in rule or "beginCaptures" in rule:
            caps = rule.get("captures") or rule["beginCaptures"]
            out += [(found.group(int(k)), v["name"]) for k, v in caps.items()]
        pos = max(end, pos + 1)
    return out


def test_every_regex_compiles() -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("match", "begin", "end"):
                if key in node:
                    re.compile(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(GRAMMAR)
    assert GRAMMAR["scopeName"] == "source.aims"


@pytest.mark.parametrize("word", sorted(grammar_keywords()))
def test_every_keyword_of_the_lark_grammar_is_highlighted_as_one(word: str) -> None:
    names = [p["name"] for p in keyword_patterns() if re.fullmatch(p["match"], word) is not None]
    assert names, f"'{word}' of grammar/aims.lark is not highlighted as a keyword"
    assert all(n.startswith(("keyword.", "constant.language.")) for n in names)


def test_the_keyword_patterns_name_only_words_of_the_grammar() -> None:
    written = {
        word
        for p in keyword_patterns()
        for group in re.findall(r"\(\?:([a-z_|]+)\)", p["match"])
        for word in group.split("|")
    }
    assert written == grammar_keywords()


def test_the_builtin_functions_are_those_of_the_registry() -> None:
    group = re.search(r"\(\?:([a-z_|]+)\)", REPOSITORY["builtin"]["match"])
    assert group is not None and set(group.group(1).split("|")) == set(FUNCTIONS)


def test_a_field_spelt_like_a_keyword_is_a_field() -> None:
    assert highlight("require doc.title is set  # approved") == [
        ("require", "keyword.control.statement.aims"),
        (".", "punctuation.accessor.aims"),
        ("title", "variable.other.member.aims"),
        ("is", "keyword.operator.word.aims"),
        ("set", "keyword.operator.word.aims"),
        ("# approved", "comment.line.number-sign.aims"),
    ]


def test_literals_strings_and_the_rule_id() -> None:
    assert highlight('rule "ORG-1" {') == [
        ("rule", "keyword.other.declaration.aims"),
        ('"ORG-1"', "entity.name.section.rule.aims"),
        ("{", "punctuation.section.braces.aims"),
    ]
    assert highlight("age(x) <= 365 days and y > 2026-01-31") == [
        ("age", "support.function.builtin.aims"),
        ("(", "punctuation.section.brackets.aims"),
        (")", "punctuation.section.brackets.aims"),
        ("<=", "keyword.operator.comparison.aims"),
        ("365 days", "constant.numeric.duration.aims"),
        ("and", "keyword.operator.word.aims"),
        (">", "keyword.operator.comparison.aims"),
        ("2026-01-31", "constant.numeric.date.aims"),
    ]
    assert highlight('because "System {sys.id} \\" has none"') == [
        ("because", "keyword.control.statement.aims"),
        ('"System {sys.id} \\" has none"', "string.quoted.double.aims"),
    ]


def test_the_vscode_extension_ships_the_same_grammar() -> None:
    copy = ROOT / "editors" / "vscode" / "syntaxes" / "aims.tmLanguage.json"
    assert copy.read_bytes() == TEXTMATE.read_bytes()
