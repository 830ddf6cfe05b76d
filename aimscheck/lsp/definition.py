"""Go to definition: a shared definition, a parameter or name of the rule, an overridden rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aimscheck.lsp import scan
from aimscheck.lsp.pack import Entry, builtin_rule

if TYPE_CHECKING:
    from aimscheck.dsl.memo import Memo

# Words after which a name is bound (`for x in`, `let x =`, `param x =`, quantifiers).
_BINDS = frozenset({"for", "let", "param", "exists", "all", "none", "count", "filter"})


@dataclass(frozen=True, slots=True)
class Target:
    """Where something is defined: a file and a 0-based line and column range."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


def definition(
    text: str, path: str, offset: int, entries: Mapping[str, Entry], memo: Memo
) -> Target | None:
    """Where the name or id under `offset` of a rule file is defined (`memo`: the pack's
    parses, which hold the built-in rule an `overrides` replaces)."""
    toks = scan.tokens(text)
    i = scan.index_at(toks, offset)
    if i < 0 or toks[i].end < offset:
        return None
    tok = toks[i]
    block = scan.block_at(toks, i)
    if block is not None and (tok.text == "overrides" or i == block.first + 1):
        # the rule's `overrides`, or its id: the built-in rule it replaces
        said = any(t.text == "overrides" for t in toks[block.open : block.close])
        found = builtin_rule(block.id, memo) if said else None
        if found is not None or tok.text == "overrides":
            return None if found is None else _entry(found)
    if tok.kind == "string":
        entry = entries.get(tok.value)
        return None if entry is None else _entry(entry)
    if tok.kind != "name" or (i > 0 and toks[i - 1].text in (".", "->")):
        return None
    if block is not None:
        bound = _binding(toks, block, i, tok.text)
        if bound is not None:
            return _at(text, path, bound)
    entry = entries.get(f"define {tok.text}")
    return None if entry is None else _entry(entry)


def rule_target(rule_id: str, entries: Mapping[str, Entry]) -> Target | None:
    """Where a rule a test case names is written."""
    entry = entries.get(rule_id)
    return None if entry is None else _entry(entry)


def _binding(toks: list[scan.Token], block: scan.Block, upto: int, name: str) -> scan.Token | None:
    """The last token binding `name` in the block before token `upto` (the token itself when
    it is the binding)."""
    found: scan.Token | None = None
    for j in range(block.open, min(upto + 1, block.close)):
        if toks[j].text == name and toks[j].kind == "name" and j > 0:
            before = toks[j - 1].text
            if before in _BINDS or (before == "(" and j > 1 and toks[j - 2].text in _BINDS):
                found = toks[j]
    if found is None:  # a parameter may be written below the line that reads it
        for j in range(block.open, block.close):
            if toks[j].text == name and j > 0 and toks[j - 1].text == "param":
                return toks[j]
    return found


def _at(text: str, path: str, tok: scan.Token) -> Target:
    line, column = scan.line_col(text, tok.start)
    end_line, end_column = scan.line_col(text, tok.end)
    return Target(path, line, column, end_line, end_column)


def _entry(entry: Entry) -> Target:
    span = entry.span
    return Target(
        entry.file, span.line - 1, max(span.column - 1, 0), span.end_line - 1, span.end_column - 1
    )
