"""What surrounds a place in a rule file being typed: its tokens, its rule and the names bound."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The text being edited rarely parses: these tokens are read without the grammar, so that
# hover and completion work on half-written lines. An unclosed string runs to its line's end.
_TOKEN = re.compile(
    r'(?P<long>"""[\s\S]*?(?:"""|\Z))'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*(?:"|$))'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<op>->|==|!=|<=|>=|[-+*/<>=.,:()\[\]{}])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.MULTILINE,
)
# Where a name gets bound to the items of what follows `in`.
_BINDERS = frozenset({"for", "exists", "all", "none", "count", "filter"})


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind (a group of _TOKEN), its text and where it starts and ends."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def value(self) -> str:
        """A string token without its quotes."""
        return self.text.strip('"') if self.kind in ("string", "long") else self.text


@dataclass(frozen=True, slots=True)
class Block:
    """A `rule "ID" { … }` block: its id and the indexes of its tokens (`{` to `}`)."""

    id: str
    first: int  # the `rule` keyword
    open: int
    close: int  # the closing `}`, or the last token when it is not written yet


def tokens(text: str) -> list[Token]:
    """The tokens of `text`, without spaces and comments."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("space", "comment"):
            out.append(Token(kind, m.group(), m.start(), m.end()))
    return out


def index_at(toks: list[Token], offset: int) -> int:
    """The index of the token under `offset` (or just before it); -1 before the first."""
    found = -1
    for i, tok in enumerate(toks):
        if tok.start > offset:
            break
        found = i
    return found


def blocks(toks: list[Token]) -> list[Block]:
    """Every rule block, in text order (braces inside strings are no braces: strings are one
    token)."""
    out: list[Block] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if not (tok.text == "rule" and i + 2 < len(toks) and toks[i + 2].text == "{"):
            i += 1
            continue
        depth, j = 0, i + 2
        while j < len(toks):
            depth += {"{": 1, "}": -1}.get(toks[j].text, 0)
            if depth == 0 or (j > i + 2 and toks[j].text == "rule" and _line_start(toks, j)):
                break
            j += 1
        close = min(j, len(toks) - 1)
        out.append(Block(toks[i + 1].value, i, i + 2, close))
        i = close + 1
    return out


def _line_start(toks: list[Token], i: int) -> bool:
    """A `rule` that starts a new block: the one before was left unclosed while being typed."""
    return i + 2 < len(toks) and toks[i + 1].kind == "string" and toks[i + 2].text == "{"


def block_at(toks: list[Token], index: int) -> Block | None:
    """The rule block that holds the token at `index`."""
    return next((b for b in blocks(toks) if b.first <= index <= b.close), None)


def bindings(toks: list[Token], block: Block, upto: int) -> dict[str, list[Token]]:
    """The names the block binds before token `upto`: each name with the tokens of what it is
    bound to (`for sys in ai_systems` → ai_systems; `let x = …` → `= …`), the last binding
    winning as the language's scopes do for the line being written."""
    found: dict[str, list[Token]] = {}
    for i in range(block.open, min(upto, block.close)):
        tok = toks[i]
        if i + 2 >= len(toks):
            break
        name, follow = toks[i + 1], toks[i + 2]
        if name.kind != "name":
            continue
        # `for x in`, `exists x in`, … and `count(x in`, `filter(x in`
        opens = tok.text == "(" and i > 0 and toks[i - 1].text in _BINDERS
        if follow.text == "in" and (tok.text in _BINDERS or opens):
            found[name.text] = _source(toks, i + 3, block.close)
        elif tok.text in ("let", "param") and follow.text == "=":
            found[name.text] = [tok, *_source(toks, i + 3, block.close)]
    return found


def _source(toks: list[Token], start: int, stop: int) -> list[Token]:
    """The tokens of the expression starting at `start`, up to a keyword that ends it."""
    out: list[Token] = []
    depth = 0
    for tok in toks[start:stop]:
        if depth == 0 and tok.text in _ENDS:
            break
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(tok.text, 0)
        if depth < 0:
            break
        out.append(tok)
    return out


# Words after which an expression that binds a name has ended.
_ENDS = frozenset(
    {"where", ":", "require", "let", "evidence", "only", "because", "for", "when", "}", "param"}
)


def dotted_before(toks: list[Token], index: int) -> list[str]:
    """The chain of names ending at token `index` (`sys.owner_ref` → ["sys", "owner_ref"]);
    `->` keeps its arrow (`x -> people` → ["x", "->people"])."""
    chain: list[str] = []
    i = index
    while i >= 0 and toks[i].kind == "name":
        chain.insert(0, toks[i].text)
        if i >= 2 and toks[i - 1].text == "." and toks[i - 2].kind == "name":
            i -= 2
        elif i >= 2 and toks[i - 1].text == "->":
            chain[0] = "->" + chain[0]
            i -= 2
            if toks[i].text == ")":
                break
        else:
            break
    return chain


# `rule: ID` in a test file: the id a case names.
_CASE_RULE = re.compile(r"^\s*-?\s*rule:\s*[\"']?([^\"'#\s]+)")


def case_rule_at(text: str, offset: int) -> tuple[str, int, int] | None:
    """The rule id of a test file's `rule:` line under `offset`, with its start and end."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    found = _CASE_RULE.match(text[start : len(text) if end < 0 else end])
    if found is None or not found.start(1) <= offset - start <= found.end(1):
        return None
    return found.group(1), start + found.start(1), start + found.end(1)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 0-based line and column of an offset."""
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)
