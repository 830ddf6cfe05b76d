"""Completion: what may be written at the cursor, worked out from the tokens before it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from lsprotocol import types as lsp

from aimscheck.dsl.compiler import CONSTANTS
from aimscheck.dsl.keywords import ENTRY_KEYWORDS, EXPRESSION_WORDS, ITEM_KEYWORDS
from aimscheck.export.fields import export_type
from aimscheck.functions import FUNCTIONS
from aimscheck.iso42001 import ANNEX_A, CLAUSES, title
from aimscheck.lsp import places, scan
from aimscheck.lsp.pack import Custom, Entry
from aimscheck.results import PHASES, Severity

Kind = lsp.CompletionItemKind
# The words whose value is one of a fixed list, and that list.
_WORDS_AFTER: dict[str, tuple[str, ...]] = {
    "severity": tuple(s.value for s in Severity),
    "phase": PHASES,
}
_IDS_IN: dict[str, tuple[str, ...]] = {"clause": CLAUSES, "control": ANNEX_A}
# `rule: ` in a test file, with what is typed of the id.
_CASE_RULE = re.compile(r"^\s*-?\s*rule:\s*[\"']?([^\"'#\s]*)$")


def complete(
    text: str, offset: int, entries: Mapping[str, Entry], custom: Custom | None = None
) -> list[lsp.CompletionItem]:
    """The items to offer at `offset` of a rule file."""
    toks = [t for t in scan.tokens(text) if t.start < offset]
    if toks and toks[-1].kind == "string" and toks[-1].end >= offset and _open(toks[-1], offset):
        return _in_string(toks, text, offset, custom or {})
    if toks and toks[-1].kind == "name" and toks[-1].end == offset:
        toks = toks[:-1]  # the word being typed: the editor filters on it
    anchor = toks[-1].text if toks else ""
    block = scan.block_at(toks, len(toks) - 1) if toks else None
    if block is None or (anchor == "}" and block.close == len(toks) - 1):
        return _items(ITEM_KEYWORDS, Kind.Keyword)
    names = places.Names(scan.bindings(toks, block, len(toks)), custom or {})
    if anchor == ".":
        place = places.resolve(scan.dotted_before(toks, len(toks) - 2), names)
        return [] if place is None else _fields(place)
    if anchor == "->":
        return _items(_collections(), Kind.Module)
    if anchor in _WORDS_AFTER:
        return _items(_WORDS_AFTER[anchor], Kind.EnumMember)
    if anchor in ("==", "!=") or _in_list_after_in(toks):
        values = _values(toks, names)
        if values:
            return [_item(f'"{v}"', Kind.EnumMember) for v in values]
    items = _expression(names.binds, entries)
    if len(toks) - 1 <= block.open or _line_starts(text, offset):
        items = _items(ENTRY_KEYWORDS, Kind.Keyword) + items
    return items


def complete_tests(
    text: str, offset: int, entries: Mapping[str, Entry]
) -> list[lsp.CompletionItem]:
    """The items to offer in a test file: the rule ids after `rule:`."""
    line = text[text.rfind("\n", 0, offset) + 1 : offset]
    if _CASE_RULE.match(line) is None:
        return []
    return _items(sorted(e.name for e in entries.values() if e.kind == "rule"), Kind.Reference)


def _open(tok: scan.Token, offset: int) -> bool:
    """The cursor is inside the string's quotes."""
    closed = len(tok.text) >= 2 and tok.text.endswith('"')
    return tok.start < offset and (offset < tok.end or not closed)


def _in_string(
    toks: list[scan.Token], text: str, offset: int, custom: Custom
) -> list[lsp.CompletionItem]:
    """Clause or control ids in `clause`/`control` strings; words of a vocabulary after `==`."""
    i = len(toks) - 1
    while i > 0 and (toks[i - 1].kind == "string" or toks[i - 1].text == ","):
        i -= 1
    word = toks[i - 1].text if i > 0 else ""
    start = toks[-1].start + 1
    if word in _IDS_IN:
        values: tuple[str, ...] = _IDS_IN[word]
    else:
        block = scan.block_at(toks, len(toks) - 1)
        binds = scan.bindings(toks, block, len(toks)) if block is not None else {}
        values = _values(toks[:-1], places.Names(binds, custom))
    line, column = scan.line_col(text, start)
    end_line, end_column = scan.line_col(text, offset)
    span = lsp.Range(lsp.Position(line, column), lsp.Position(end_line, end_column))
    return [
        lsp.CompletionItem(
            label=v,
            kind=Kind.EnumMember,
            detail=(title(v) or None) if word in _IDS_IN else None,
            text_edit=lsp.TextEdit(range=span, new_text=v),
        )
        for v in values
    ]


def _values(toks: list[scan.Token], names: places.Names) -> tuple[str, ...]:
    """The words the field left of `==`, `!=` or `in [` may hold."""
    i = len(toks) - 1
    while i >= 0 and toks[i].text not in ("==", "!=", "in"):
        if toks[i].text in ("require", "where", "and", "or", "when", "{"):
            return ()
        i -= 1
    if i < 1:
        return ()
    j = i - 1 if toks[i].text != "in" or toks[i - 1].text != "not" else i - 2
    place = places.resolve(scan.dotted_before(toks, j), names) if j >= 0 else None
    return () if place is None else places.enum(place)


def _in_list_after_in(toks: list[scan.Token]) -> bool:
    """The cursor is in a list literal right of `in` (`x in ["a", |`)."""
    i = len(toks) - 1
    while i >= 0 and (toks[i].kind == "string" or toks[i].text == ","):
        i -= 1
    return i >= 1 and toks[i].text == "[" and toks[i - 1].text == "in"


def _line_starts(text: str, offset: int) -> bool:
    """Nothing but the word being typed stands before the cursor on its line."""
    start = text.rfind("\n", 0, offset) + 1
    return not text[start:offset].strip() or bool(
        re.fullmatch(r"\s*[A-Za-z_]\w*", text[start:offset])
    )


def _expression(
    binds: Mapping[str, list[scan.Token]], entries: Mapping[str, Entry]
) -> list[lsp.CompletionItem]:
    """What an expression may name: the rule's variables and parameters, shared definitions,
    functions, the export's sections and collections, constants and the language's words."""
    items: list[lsp.CompletionItem] = []
    for name, source in binds.items():
        kind = "parameter" if source and source[0].text == "param" else "variable"
        items.append(_item(name, Kind.Variable if kind == "variable" else Kind.Constant, kind))
    for entry in entries.values():
        if entry.kind == "define" and entry.definition is not None:
            params = entry.definition.params
            insert = entry.name if params is None else f"{entry.name}("
            items.append(_item(entry.name, Kind.Function, "shared definition", insert))
    for fn in FUNCTIONS.values():
        items.append(_item(fn.name, Kind.Function, fn.doc.split(". ")[0], f"{fn.name}("))
    items += _items(_collections(), Kind.Module)
    items += _items(CONSTANTS, Kind.Constant)
    items += _items(EXPRESSION_WORDS, Kind.Keyword)
    return items


def _collections() -> list[str]:
    return list(export_type().fields)


def _fields(place: places.Place) -> list[lsp.CompletionItem]:
    out: list[lsp.CompletionItem] = []
    for name in place.fields():
        sub = place.field(name)
        row = places.row(sub) if sub is not None else None
        detail = row.type if row is not None else None
        doc = row.meaning if row is not None else None
        out.append(_item(name, Kind.Field, detail, documentation=doc))
    return out


def _items(words: Iterable[str], kind: Kind) -> list[lsp.CompletionItem]:
    return [_item(w, kind) for w in words]


def _item(
    label: str,
    kind: Kind,
    detail: str | None = None,
    insert: str | None = None,
    documentation: str | None = None,
) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=label, kind=kind, detail=detail, insert_text=insert, documentation=documentation
    )
