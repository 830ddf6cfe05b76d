"""Builds the LALR parser once and turns rule text into an AST, with friendly syntax errors."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.exceptions import VisitError

from aimscheck.dsl import nodes as n
from aimscheck.dsl.diagnose import ENTRY_KEYWORDS, ITEM_KEYWORDS, Failure, Tok, diagnose
from aimscheck.dsl.substitute import respan
from aimscheck.dsl.transformer import (
    AstBuilder,
    Comment,
    DefinitionLayout,
    LayoutBuilder,
    RuleLayout,
)
from aimscheck.errors import AimscheckError, RuleSyntaxError, raise_all
from aimscheck.limits import current, how_to_raise
from aimscheck.resources import grammar_path
from aimscheck.source import Location, Span, render_snippet

__all__ = ["ENTRY_KEYWORDS", "Damage", "Parsed", "parse_partial", "parse_recovering"]

# Text inside strings and comments, masked before looking for line starts such as `rule`.
# Written without a repeated group: `"(a|b)*"` costs Python's regex engine about 150 bytes per
# character it repeats over, 150 MB for an unclosed quote on a 1 MB line.
_OPAQUE = re.compile(r'"""[\s\S]*?"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|#[^\n]*')
_ITEM_LINE = re.compile(r"^[ \t]*(?:" + "|".join(ITEM_KEYWORDS) + r")\b", re.MULTILINE)
_ENTRY_LINE = re.compile(r"^[ \t]*(?:(?:" + "|".join(ENTRY_KEYWORDS) + r")\b|\})", re.MULTILINE)
_DEFINED = re.compile(r"define\s+([A-Za-z_]\w*)")
_BINDS = re.compile(r"\b(?:let|param|for)\s+([A-Za-z_]\w*)")
_COMMENTS: list[Token] = []  # filled by the layout parser's lexer callback, one parse at a time
# Syntax errors reported per file: past them a file is not worth reading further (each error
# costs a round of recovery), and a screenful of messages already says what is wrong.
MAX_SYNTAX_ERRORS = 50
# Parse-tree nodes that hold statements, not expressions: they do not count as nesting.
_STATEMENTS = frozenset(
    (
        "start",
        "rule",
        "field_decl",
        "definition",
        "def_params",
        "when_stmt",
        "for_stmt",
        "let_stmt",
        "require_stmt",
        "evidence_stmt",
        "only_if_stmt",
    )
)


def _build(**options: Any) -> Lark:
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        start=["start", "expr"],
        propagate_positions=True,
        maybe_placeholders=True,
        **options,
    )


@functools.cache
def _lark() -> Lark:
    return _build()


@functools.cache
def _layout_lark() -> Lark:
    return _build(lexer_callbacks={"COMMENT": _COMMENTS.append})


def build_strict() -> Lark:
    """The grammar built with `strict=True` (needs `interegular`): fails on any conflict."""
    return _build(strict=True)


@functools.cache
def _symbols() -> dict[str, str]:
    """Terminal name → how it is written (`'=='` for `__ANON_0`); regex terminals keep the name."""
    return {
        t.name: (t.pattern.value if t.pattern.type == "str" else t.name) for t in _lark().terminals
    }


def _tok(item: object) -> Tok:
    if isinstance(item, Token):
        kind = "$END" if item.type == "$END" else _symbols().get(item.type, item.type)
        line, col = item.line or 1, item.column or 1
        return Tok(kind, str(item), line, col, item.end_line or line, item.end_column or col)
    meta = item.meta if isinstance(item, Tree) else None
    if meta is None or getattr(meta, "empty", True):
        return Tok("tree", "", 0, 0, 0, 0)
    return Tok("tree", "", meta.line, meta.column, meta.end_line, meta.end_column)


def _failure(exc: UnexpectedInput, text: str) -> Failure:
    state = getattr(exc, "state", None)
    stack = tuple(
        t for t in (_tok(v) for v in getattr(state, "value_stack", ()) or ()) if t.line > 0
    )
    if isinstance(exc, UnexpectedCharacters):
        line, col, at = exc.line, exc.column, exc.pos_in_stream or 0
        char = text[at] if 0 <= at < len(text) else "?"
        token = Tok("CHAR", char, line, col, line, col + 1)
        expected = frozenset(_symbols().get(a, a) for a in exc.allowed or ())
        return Failure(token, expected, stack, stray_char=True)
    assert isinstance(exc, UnexpectedToken)
    token = _tok(exc.token)
    if token.kind == "$END":
        end = text.rstrip()
        line = end.count("\n") + 1
        col = len(end) - (end.rfind("\n") + 1) + 1
        token = Tok("$END", "", line, col, line, col)
    expected = frozenset(_symbols().get(a, a) for a in exc.expected)
    return Failure(token, expected, stack, stray_char=False)


@dataclass(frozen=True, slots=True)
class Damage:
    """Lines blanked to recover from a syntax error, and the names they may have bound."""

    first_line: int
    last_line: int
    names: frozenset[str] | None  # None: the lost text bound names we cannot tell
    # The shared definition blanked whole (`define NAME…`): its uses are not blamed again.
    definition: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a lenient parse produced: the readable rules, every syntax error, what was lost."""

    file: n.RuleFile
    errors: tuple[AimscheckError, ...]
    damage: tuple[Damage, ...]


class _Parse:
    """One file's parse: reports each syntax error once, then repairs or blanks the statement
    (or failing that the rule) it is in, and parses again, so one run lists every mistake.

    Each new round parses only from the first item not yet read whole: the items before the
    error are kept and their text is blanked, so that recovery costs a file's length once,
    not once per error. Past MAX_SYNTAX_ERRORS errors the file is read no further.
    """

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.errors: list[AimscheckError] = []
        self.damage: list[Damage] = []
        self.max_depth = current().max_rule_depth
        self.unreported: tuple[int, int] | None = None  # the first error past the cap

    def error(self, line: int, column: int, message: str, hint: str = "", width: int = 1) -> None:
        if len(self.errors) >= MAX_SYNTAX_ERRORS:
            self.unreported = self.unreported or (line, column)
            return
        self.errors.append(
            RuleSyntaxError(
                message,
                Location(self.path, line, column),
                render_snippet(self.text, line, column, width),
                hint,
            )
        )

    def too_deep(self, line: int, column: int) -> None:
        self.error(
            line,
            column,
            f"expression nested more than {self.max_depth} levels deep (max_rule_depth): "
            "rules need a few levels; split this one into steps with let",
            how_to_raise("max_rule_depth"),
        )

    def too_deep_for_python(self, line: int, column: int) -> None:
        self.error(
            line,
            column,
            "expression nested too deeply for Python to read "
            f"(max_rule_depth is {self.max_depth}): split it into steps with let",
            "lower the limit: AIMSCHECK_MAX_RULE_DEPTH=N or --limit max_rule_depth=N",
        )

    def finish(self) -> None:
        """Close the list of errors with a line saying some were not reported, if so."""
        if self.unreported is None:
            return
        last = max(
            [
                self.unreported,
                *((e.location.line, e.location.column) for e in self.errors if e.location),
            ]
        )
        self.errors.append(
            RuleSyntaxError(
                f"more than {MAX_SYNTAX_ERRORS} syntax errors in this file: "
                "reading stopped, and further errors were not reported",
                Location(self.path, *last),
                hint="fix the errors above and run again",
            )
        )

    def parse_hole(self, source: str, line: int, column: int, closed: bool = True) -> n.Expr:
        """Parse the expression of a message hole `{...}`; errors point into the message.
        A `{` with no `}` after it is told at the `{`, quoting only what is written."""
        if not closed:
            self.error(
                line,
                column - 1,
                "this '{' in the message is never closed",
                "end the value with } (as in {sys.name}), or write \\{ for a literal brace",
            )
            return n.Literal("")
        if not source.strip():
            self.error(
                line,
                column,
                "empty '{}' in a message: put an expression inside, "
                "or write \\{ for a literal brace",
            )
            return n.Literal("")
        try:
            tree = _lark().parse(source, start="expr")
            deep = _too_deep(tree, self.max_depth)
            if deep is not None:
                self.too_deep(*_moved(deep.meta.line, deep.meta.column, line, column))
                return n.Literal("")
            result: n.Expr = AstBuilder(self.parse_hole).transform(tree)
        except RecursionError:  # only when max_rule_depth is raised past what Python can do
            self.too_deep_for_python(line, column)
            return n.Literal("")
        except (UnexpectedInput, VisitError) as exc:
            if isinstance(exc, VisitError) and isinstance(exc.orig_exc, RecursionError):
                self.too_deep_for_python(line, column)
                return n.Literal("")
            column += max(getattr(exc, "column", 1), 1) - 1
            self.error(
                line,
                column,
                f"cannot read '{{{source}}}' in the message: it must be an expression",
                "write a name or a field such as {sys.id}, or \\{ for a literal brace",
            )
            return n.Literal("")
        return _shift(result, line - 1, column - 1)

    def run(self, builder: type[AstBuilder] = AstBuilder) -> list[Any]:
        try:
            return self.read(builder)
        finally:
            self.finish()

    def read(self, builder: type[AstBuilder]) -> list[Any]:
        text = self.text
        tried: dict[tuple[int, int], int] = {}
        lark = _layout_lark() if builder is LayoutBuilder else _lark()
        done: list[Tree[Token]] = []  # items read whole before the text still being parsed
        for _ in range(10_000):  # every round changes the text; a hard bound regardless
            _COMMENTS.clear()
            try:
                tree = lark.parse(text, start="start")
            except UnexpectedInput as exc:
                failure = _failure(exc, text)
                where = (failure.token.line, failure.token.column)
                if where not in tried:
                    found = diagnose(failure, self.text)
                    self.error(found.line, found.column, found.message, found.hint, found.width)
                    if self.unreported is not None:
                        return []
                kept, text = _harvest(exc, text)
                done.extend(kept)
                rest = self.recover(text, failure, tried.get(where, 0), tried, where, bool(done))
                if rest is None:
                    return []
                text = rest
                continue
            return self.build(builder, [*done, *tree.children])
        return []

    def build(self, builder: type[AstBuilder], trees: list[Any]) -> list[Any]:
        """The AST of each item, but of none nested past max_rule_depth (it is reported)."""
        transformer = builder(self.parse_hole)
        items: list[Any] = []
        for tree in trees:
            deep = _too_deep(tree, self.max_depth)
            if deep is not None:
                self.too_deep(deep.meta.line, deep.meta.column)
                continue
            try:
                items.append(transformer.transform(tree))
            except RecursionError:  # only when max_rule_depth is raised past what Python can do
                self.too_deep_for_python(*_start(tree))
            except VisitError as exc:  # a transformer bug must not surface as a traceback
                if isinstance(exc.orig_exc, RecursionError):
                    self.too_deep_for_python(*_start(tree))
                    continue
                self.error(1, 1, f"internal error while reading the rule: {exc.orig_exc}")
                return []
        return items

    def recover(
        self,
        text: str,
        failure: Failure,
        start: int,
        tried: dict[tuple[int, int], int],
        where: tuple[int, int],
        kept: bool = False,
    ) -> str | None:
        """The text with the failure repaired or blanked; None when nothing more can be done.

        `kept`: items read before the failure are kept, so a text left blank still has some.
        """
        for strategy in range(start, 3):
            tried[where] = strategy + 1
            new = (self.close_rule, self.blank_entry, self.blank_item)[strategy](text, failure)
            if new is not None and new != text and (kept or new.strip()):
                return new
        return None

    def close_rule(self, text: str, failure: Failure) -> str | None:
        """A rule left open before the next one (or the end): add the '}' it lacks.

        A `define` inside a rule is no rule left open: its line (or lines) is blanked, and
        the definition it held is not blamed again where it is used."""
        tok, stack = failure.token, failure.stack
        if tok.kind == "define" and "{" in (t.kind for t in stack):
            return self.blank_definition(text, tok)
        if tok.kind not in ("$END", *ITEM_KEYWORDS) or "}" not in failure.expected or not stack:
            return None
        if any(t.kind in ("(", "[") for t in stack[_last(stack, "{") :]):
            return None
        at = _offset(text, stack[-1].end_line, stack[-1].end_column)
        return text[:at] + "}" + text[at:]

    def blank_definition(self, text: str, tok: Tok) -> str | None:
        begin = _offset(text, tok.line, tok.column)
        following = _ENTRY_LINE.search(_mask(text), text.find("\n", begin) + 1 or len(text))
        end = following.start() if following and text.find("\n", begin) >= 0 else len(text)
        defined = _DEFINED.match(text, begin)
        if end <= begin or defined is None:
            return None
        first, last = tok.line, text.count("\n", 0, end) + 1
        name = defined.group(1)
        self.damage.append(Damage(first, last, frozenset({name}), definition=name))
        return text[:begin] + _blank(text[begin:end]) + text[end:]

    def blank_entry(self, text: str, failure: Failure) -> str | None:
        """Blank the statement the error is in, from its keyword to the next entry's line."""
        tok, stack = failure.token, failure.stack
        brace = _last(stack, "{")
        if brace < 0 or tok.kind in ("$END", *ITEM_KEYWORDS):
            return None
        masked = _mask(text)
        keyword = next((t for t in reversed(stack[brace + 1 :]) if t.kind in ENTRY_KEYWORDS), None)
        begin = _offset(
            text, *(keyword.line, keyword.column) if keyword else (tok.line, tok.column)
        )
        tok_at = _offset(text, tok.line, tok.column)
        line_start = text.rfind("\n", 0, tok_at) + 1
        first_on_line = not masked[line_start:tok_at].strip()
        word = stack[-1]
        if word.kind == "NAME" and word.value in ENTRY_KEYWORDS and word.line < tok.line + 1:
            # `require` at a line's start read as a name after an unfinished line: cut up to it
            at = _offset(text, word.line, word.column)
            if not masked[text.rfind("\n", 0, at) + 1 : at].strip() and at > begin:
                tok_at, first_on_line, tok = at, True, Tok("require", "", word.line, 1, 0, 0)
                line_start = text.rfind("\n", 0, at) + 1
        if keyword and first_on_line and tok.kind in (*ENTRY_KEYWORDS, "}"):
            end = line_start
        else:
            following = _ENTRY_LINE.search(masked, text.find("\n", tok_at) + 1 or len(text))
            end = following.start() if following and text.find("\n", tok_at) >= 0 else len(text)
        if end <= begin:
            return None
        region = masked[begin:end]
        if "}" in region.rstrip()[-1:]:  # keep the rule's closing brace on a statement's line
            end = begin + len(region.rstrip()) - 1
        names: frozenset[str] | None = frozenset(_BINDS.findall(masked[begin:end]))
        if re.search(r"\bfor\b", masked[begin:end]) and not re.search(
            r"\bfor\s+[A-Za-z_]", masked[begin:end]
        ):
            names = None
        first, last = text.count("\n", 0, begin) + 1, text.count("\n", 0, end) + 1
        self.damage.append(Damage(first, last, names))
        return text[:begin] + _blank(text[begin:end]) + text[end:]

    def blank_item(self, text: str, failure: Failure) -> str | None:
        """Blank the whole rule (field declaration, definition) the error is in."""
        tok, stack = failure.token, failure.stack
        tok_at = _offset(text, tok.line, tok.column) if tok.kind != "$END" else len(text)
        opener = next((t for t in reversed(stack) if t.kind in ITEM_KEYWORDS), None)
        begin = (
            _offset(text, opener.line, opener.column) if opener else text.rfind("\n", 0, tok_at) + 1
        )
        if tok.kind in ITEM_KEYWORDS and opener is not None:
            end = tok_at
        else:
            following = _ITEM_LINE.search(_mask(text), tok_at + 1)
            end = following.start() if following else len(text)
        if end <= begin:
            return None
        defined = _DEFINED.match(text, begin) if opener and opener.kind == "define" else None
        if defined is not None:
            first, last = text.count("\n", 0, begin) + 1, text.count("\n", 0, end) + 1
            name = defined.group(1)
            self.damage.append(Damage(first, last, frozenset({name}), definition=name))
        return text[:begin] + _blank(text[begin:end]) + text[end:]


def _too_deep(tree: Tree[Token], limit: int) -> Tree[Token] | None:
    """The first expression node nested more than `limit` deep in `tree`, or None.

    Walked with an explicit stack: a tree thousands deep must not reach the recursion limit
    (the parse itself is a loop; transforming the tree recurses once per level).
    """
    stack: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        kind = str(node.data)
        if kind not in _STATEMENTS and not kind.startswith("meta_"):
            depth += 1
            if depth > limit:
                return node
        stack.extend((c, depth) for c in reversed(node.children) if isinstance(c, Tree))
    return None


def _start(tree: Tree[Token]) -> tuple[int, int]:
    meta = tree.meta
    return (1, 1) if getattr(meta, "empty", True) else (meta.line, meta.column)


def _moved(line: int, column: int, to_line: int, to_column: int) -> tuple[int, int]:
    """A position in a hole's own text, moved to where the hole starts in the file."""
    return line + to_line - 1, column + (to_column - 1 if line == 1 else 0)


def _harvest(exc: UnexpectedInput, text: str) -> tuple[list[Tree[Token]], str]:
    """The items the parser had read whole before failing, and the text with them blanked.

    Lines and columns are kept (newlines stay, the last line's text turns to spaces), so
    every position later found in the text is still a position in the file.
    """
    kept: list[Tree[Token]] = []
    end = 0
    for value in getattr(getattr(exc, "state", None), "value_stack", None) or ():
        if not isinstance(value, Tree) or getattr(value.meta, "empty", True):
            break
        kind = str(value.data)
        if kind in ("rule", "field_decl", "definition"):
            kept.append(value)
        elif kind.startswith("__start_star"):  # the items so far, gathered by the grammar
            kept.extend(c for c in value.children if isinstance(c, Tree))
        else:
            break
        end = value.meta.end_pos
    if not kept:
        return [], text
    lines = text.count("\n", 0, end)
    column = end - (text.rfind("\n", 0, end) + 1)
    return kept, "\n" * lines + " " * column + text[end:]


def _last(stack: tuple[Tok, ...], kind: str) -> int:
    return max((i for i, t in enumerate(stack) if t.kind == kind), default=-1)


def _mask(text: str) -> str:
    return _OPAQUE.sub(lambda m: _blank(m.group(0)), text)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _offset(text: str, line: int, column: int) -> int:
    pos = 0
    for _ in range(line - 1):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return min(pos + max(column - 1, 0), len(text))


def _shift(expr: n.Expr, lines: int, columns: int) -> n.Expr:
    """Move a hole expression's spans from its own text to its place in the rule file."""

    def move(span: Span) -> Span:
        return type(span)(
            span.line + lines,
            span.column + (columns if span.line == 1 else 0),
            span.end_line + lines,
            span.end_column + (columns if span.end_line == 1 else 0),
        )

    return respan(expr, move)


def _rule_file(path: str, text: str, items: list[Any]) -> n.RuleFile:
    rules = tuple(i for i in items if isinstance(i, n.Rule))
    fields = tuple(i for i in items if isinstance(i, n.FieldDecl))
    definitions = tuple(i for i in items if isinstance(i, n.Definition))
    return n.RuleFile(path, text, rules, fields, definitions)


def parse_recovering(text: str, path: str) -> Parsed:
    """Parse what can be parsed; return every syntax error and the text recovery blanked."""
    parse = _Parse(text, path)
    items = parse.run()
    return Parsed(_rule_file(path, text, items), tuple(parse.errors), tuple(parse.damage))


def parse_text(text: str, path: str) -> n.RuleFile:
    """Parse one rule file; raises RuleSyntaxError (or ErrorGroup) listing every syntax error."""
    parsed = parse_recovering(text, path)
    raise_all(list(parsed.errors))
    return parsed.file


def parse_partial(text: str, path: str) -> tuple[n.RuleFile, list[AimscheckError]]:
    """Parse what can be parsed and return the syntax errors beside it (for `lint`)."""
    parsed = parse_recovering(text, path)
    return parsed.file, list(parsed.errors)


def parse_layout(
    text: str, path: str
) -> tuple[list[RuleLayout | n.FieldDecl | DefinitionLayout], list[Comment]]:
    """The items of a file with the place of every rule entry, and its comments (for `fmt`).

    Raises the syntax errors, like `parse_text`: only a file that parses can be laid out.
    """
    parse = _Parse(text, path)
    items = parse.run(LayoutBuilder)
    comments = [Comment(t.line or 1, t.column or 1, str(t).rstrip()) for t in _COMMENTS]
    _COMMENTS.clear()
    raise_all(parse.errors)
    return items, comments
