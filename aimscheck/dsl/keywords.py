"""The words of the rule language, read from its grammar so that no list is written twice."""

from __future__ import annotations

import re

from aimscheck.resources import grammar_path

# Rules of the grammar whose words have a meaning only there: `field x: list of ref people`
# does not stop a rule from naming a variable `list`.
_LOCAL_WORDS = frozenset({"field_type"})
_RULE = re.compile(r"^(\??[a-z_][a-z0-9_]*)(?:\.\d+)?\s*:(.*)$")
_LITERAL = re.compile(r'"([^"\\]*)"')


def _rules(grammar: str) -> dict[str, list[str]]:
    """Each grammar rule's name (without `?`) and its alternatives, comments removed."""
    rules: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in grammar.splitlines():
        line = raw.split("//", 1)[0].rstrip()
        if not line.strip():
            continue
        found = _RULE.match(line)
        if found is not None:
            current = rules.setdefault(found.group(1).lstrip("?"), [])
            current.append(found.group(2))
        elif line.lstrip().startswith("|") and current is not None:
            current.append(line.lstrip()[1:])
        else:
            current = None
    return rules


def _first_words(rules: dict[str, list[str]], group: str) -> tuple[str, ...]:
    """The word each alternative of `group` (`_entry: meta_title | …`) starts with."""
    words: list[str] = []
    for alternative in rules[group]:
        target = alternative.split()[0]
        literal = _LITERAL.search(rules[target][0])
        if literal is not None and literal.group(1) not in words:
            words.append(literal.group(1))
    return tuple(words)


def _all_words(rules: dict[str, list[str]]) -> frozenset[str]:
    return frozenset(
        word
        for name, alternatives in rules.items()
        if name not in _LOCAL_WORDS
        for alternative in alternatives
        for word in _LITERAL.findall(alternative)
        if word.isidentifier()
    )


_GRAMMAR = _rules(grammar_path().read_text(encoding="utf-8"))
# What a rule file holds at its top level: `rule`, `field`, `define`.
ITEM_KEYWORDS = _first_words(_GRAMMAR, "_item")
# What starts an entry of a rule: `title`, … `require`, `evidence`, `only`.
ENTRY_KEYWORDS = _first_words(_GRAMMAR, "_entry")
# Words with a meaning in the language: a variable named so cannot be read back.
RESERVED = _all_words(_GRAMMAR)
# The words an expression may hold (`exists`, `where`, `and`, `is`, `missing`, …).
EXPRESSION_WORDS = tuple(
    sorted(RESERVED - frozenset(ENTRY_KEYWORDS) - frozenset(ITEM_KEYWORDS) - {"because", "if"})
)
