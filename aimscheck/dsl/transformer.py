"""Turns Lark's parse tree into the typed AST of `nodes.py`; with parser.py the only lark user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer, v_args
from lark.tree import Meta

from aimscheck.dsl import nodes as n
from aimscheck.source import Span

# Parses the expression inside a `{...}` hole of a message; given the text and where it starts.
HoleParser = Callable[[str, int, int, bool], n.Expr]  # source, line, column, closed

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "{": "\\{", "}": "\\}"}


def unquote(token: str) -> str:
    """The value of a STRING or LONG_STRING token, escapes resolved (`\\{` kept for templates)."""
    if token.startswith('"""'):
        return token[3:-3]
    body = token[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def span_of(meta: Meta | Token) -> Span:
    if isinstance(meta, Token):
        return Span(meta.line or 0, meta.column or 0, meta.end_line or 0, meta.end_column or 0)
    if getattr(meta, "empty", False):
        return n.NO_SPAN
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


_DeclaredType = tuple[str, tuple[str, ...], str | None, Span]

_META_KEYS = {
    "meta_title": "title",
    "meta_description": "description",
    "meta_fix": "fix",
    "meta_clause": "clause",
    "meta_control": "control",
    "meta_severity": "severity",
    "meta_phase": "phase",
    "meta_tags": "tags",
    "meta_overrides": "overrides",
}


@v_args(meta=True, inline=True)
class AstBuilder(Transformer[Token, Any]):
    """One method per grammar rule or alias; each returns an AST node (or a tagged entry)."""

    def __init__(self, parse_hole: HoleParser) -> None:
        super().__init__()
        self._parse_hole = parse_hole

    # ---- file level --------------------------------------------------------------------------

    def start(self, meta: Meta, *items: Any) -> list[Any]:
        return list(items)

    def field_decl(self, meta: Meta, *parts: Any) -> n.FieldDecl:
        *names, (type_name, values, ref, type_span) = parts
        path = tuple(str(t) for t in names)
        return n.FieldDecl(path, type_name, values, ref, span=span_of(meta), type_span=type_span)

    def definition(
        self, meta: Meta, name: Token, params: list[Token] | None, body: n.Expr
    ) -> n.Definition:
        names = None if params is None else tuple(str(p) for p in params)
        spans = () if params is None else tuple(span_of(p) for p in params)
        return n.Definition(str(name), names, body, span=span_of(name), param_spans=spans)

    def def_params(self, meta: Meta, *names: Token | None) -> list[Token]:
        return [t for t in names if t is not None]

    # A declared type: (type, values, referenced collection, where it is written).

    def type_plain(self, meta: Meta, name: Token) -> _DeclaredType:
        return (str(name), (), None, span_of(name))

    def type_list(self, meta: Meta) -> _DeclaredType:
        return ("list", (), None, span_of(meta))

    def type_one_of(self, meta: Meta, *values: Token) -> _DeclaredType:
        return ("string", tuple(unquote(v) for v in values), None, span_of(meta))

    def type_ref(self, meta: Meta, collection: Token) -> _DeclaredType:
        return ("string", (), str(collection), span_of(collection))

    def type_list_of_ref(self, meta: Meta, collection: Token) -> _DeclaredType:
        return ("list", (), str(collection), span_of(collection))

    def rule(self, meta: Meta, rule_id: Token, *entries: tuple[str, Any, Span]) -> n.Rule:
        single: dict[str, Any] = {}
        lists: dict[str, list[n.Text]] = {"clause": [], "control": [], "tags": []}
        params: list[n.Param] = []
        body: list[n.Statement] = []
        duplicates: list[tuple[str, Span]] = []
        for key, value, span in entries:
            if key in lists:
                lists[key].extend(value)
            elif key == "param":
                params.append(value)
            elif key in ("let", "require", "evidence", "only"):
                body.append(value)
            elif key in single:
                duplicates.append((key, span))
            else:
                single[key] = value
        return n.Rule(
            id=unquote(rule_id),
            title=single.get("title"),
            description=single.get("description", ""),
            fix=single.get("fix", ""),
            clauses=tuple(lists["clause"]),
            controls=tuple(lists["control"]),
            severity=single.get("severity"),
            phase=single.get("phase"),
            tags=tuple(lists["tags"]),
            params=tuple(params),
            overrides="overrides" in single,
            when=single.get("when"),
            for_=single.get("for"),
            body=tuple(body),
            duplicates=tuple(duplicates),
            span=span_of(rule_id),
        )

    # ---- rule entries: (key, value, span) ----------------------------------------------------

    def _meta_text(self, meta: Meta, token: Token) -> str:
        return " ".join(unquote(token).split()) if token.type == "LONG_STRING" else unquote(token)

    def meta_title(self, meta: Meta, token: Token) -> tuple[str, Any, Span]:
        return ("title", self._meta_text(meta, token), span_of(meta))

    def meta_description(self, meta: Meta, token: Token) -> tuple[str, Any, Span]:
        return ("description", self._meta_text(meta, token), span_of(meta))

    def meta_fix(self, meta: Meta, token: Token) -> tuple[str, Any, Span]:
        return ("fix", self._meta_text(meta, token), span_of(meta))

    def _texts(self, tokens: tuple[Token, ...]) -> list[n.Text]:
        return [n.Text(unquote(t), span=span_of(t)) for t in tokens]

    def meta_clause(self, meta: Meta, *tokens: Token) -> tuple[str, Any, Span]:
        return ("clause", self._texts(tokens), span_of(meta))

    def meta_control(self, meta: Meta, *tokens: Token) -> tuple[str, Any, Span]:
        return ("control", self._texts(tokens), span_of(meta))

    def meta_tags(self, meta: Meta, *tokens: Token) -> tuple[str, Any, Span]:
        return ("tags", self._texts(tokens), span_of(meta))

    def meta_severity(self, meta: Meta, token: Token) -> tuple[str, Any, Span]:
        return ("severity", n.Text(str(token), span=span_of(token)), span_of(meta))

    def meta_phase(self, meta: Meta, token: Token) -> tuple[str, Any, Span]:
        return ("phase", n.Text(str(token), span=span_of(token)), span_of(meta))

    def meta_param(self, meta: Meta, name: Token, default: n.Expr) -> tuple[str, Any, Span]:
        return ("param", n.Param(str(name), default, span=span_of(name)), span_of(meta))

    def meta_overrides(self, meta: Meta) -> tuple[str, Any, Span]:
        return ("overrides", True, span_of(meta))

    def when_stmt(self, meta: Meta, cond: n.Expr) -> tuple[str, Any, Span]:
        return ("when", cond, span_of(meta))

    def for_stmt(
        self, meta: Meta, var: Token, source: n.Expr, where: n.Expr | None
    ) -> tuple[str, Any, Span]:
        return ("for", n.ForClause(str(var), source, where, span=span_of(meta)), span_of(meta))

    def let_stmt(self, meta: Meta, name: Token, expr: n.Expr) -> tuple[str, Any, Span]:
        return ("let", n.Let(str(name), expr, span=span_of(name)), span_of(meta))

    def require_stmt(
        self, meta: Meta, cond: n.Expr, message: Token | None = None
    ) -> tuple[str, Any, Span]:
        tmpl = self._template(message) if message is not None else None
        return ("require", n.Require(cond, tmpl, span=span_of(meta)), span_of(meta))

    def evidence_stmt(
        self, meta: Meta, expr: n.Expr, message: Token | None = None
    ) -> tuple[str, Any, Span]:
        tmpl = self._template(message) if message is not None else None
        return ("evidence", n.EvidenceStmt(expr, tmpl, span=span_of(meta)), span_of(meta))

    def only_if_stmt(
        self, meta: Meta, cond: n.Expr, message: Token | None = None
    ) -> tuple[str, Any, Span]:
        tmpl = self._template(message) if message is not None else None
        return ("only", n.OnlyIf(cond, tmpl, span=span_of(meta)), span_of(meta))

    def _template(self, token: Token) -> n.Template:
        """Split a message into text and `{expr}` holes; `\\{` and `\\}` stay literal braces."""
        raw = unquote(token)
        offset = 3 if token.startswith('"""') else 1
        parts: list[str | n.Expr] = []
        buf: list[str] = []
        position = _Positions(token)
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\" and i + 1 < len(raw) and raw[i + 1] in "{}":
                buf.append(raw[i + 1])
                i += 2
                continue
            if ch == "{":
                end = raw.find("}", i)
                closed = end >= 0
                if not closed:
                    end = len(raw)
                after = raw.find("{", i + 1, end)
                if after >= 0:  # `{a) … {b}`: the first `{` is the one never closed
                    closed, end = False, after - 1
                if buf:
                    parts.append("".join(buf))
                    buf = []
                line, col = position.at(offset + i + 1)
                parts.append(self._parse_hole(raw[i + 1 : end], line, col, closed))
                i = end + 1
                continue
            buf.append(ch)
            i += 1
        if buf:
            parts.append("".join(buf))
        return n.Template(tuple(parts), span=span_of(token))

    # ---- expressions -------------------------------------------------------------------------

    def quantifier_exists(
        self, meta: Meta, var: Token, source: n.Expr, where: n.Expr
    ) -> n.Quantifier:
        return n.Quantifier("exists", str(var), source, where, None, span=span_of(meta))

    def quantifier_none(
        self, meta: Meta, var: Token, source: n.Expr, where: n.Expr
    ) -> n.Quantifier:
        return n.Quantifier("none", str(var), source, where, None, span=span_of(meta))

    def quantifier_all(
        self, meta: Meta, var: Token, source: n.Expr, where: n.Expr | None, body: n.Expr
    ) -> n.Quantifier:
        return n.Quantifier("all", str(var), source, where, body, span=span_of(meta))

    def quantifier_count(
        self, meta: Meta, var: Token, source: n.Expr, where: n.Expr | None
    ) -> n.Quantifier:
        return n.Quantifier("count", str(var), source, where, None, span=span_of(meta))

    def quantifier_filter(
        self, meta: Meta, var: Token, source: n.Expr, where: n.Expr | None
    ) -> n.Quantifier:
        return n.Quantifier("filter", str(var), source, where, None, span=span_of(meta))

    def _binary(self, op: str, meta: Meta, left: n.Expr, right: n.Expr) -> n.Binary:
        return n.Binary(op, left, right, span=span_of(meta))

    def logic_or(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("or", meta, a, b)

    def logic_and(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("and", meta, a, b)

    def logic_not(self, meta: Meta, a: n.Expr) -> n.Expr:
        return n.Unary("not", a, span=span_of(meta))

    def compare_eq(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("==", meta, a, b)

    def compare_ne(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("!=", meta, a, b)

    def compare_lt(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("<", meta, a, b)

    def compare_le(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("<=", meta, a, b)

    def compare_gt(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary(">", meta, a, b)

    def compare_ge(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary(">=", meta, a, b)

    def member_in(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("in", meta, a, b)

    def member_not_in(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("not in", meta, a, b)

    def matches(self, meta: Meta, a: n.Expr, pattern: Token) -> n.Expr:
        return n.Matches(a, unquote(pattern), span=span_of(pattern))

    def _is(self, test: str, meta: Meta, a: n.Expr) -> n.Expr:
        return n.IsCheck(a, test, span=span_of(meta))

    def is_set(self, meta: Meta, a: n.Expr) -> n.Expr:
        return self._is("set", meta, a)

    def is_missing(self, meta: Meta, a: n.Expr) -> n.Expr:
        return self._is("missing", meta, a)

    def is_empty(self, meta: Meta, a: n.Expr) -> n.Expr:
        return self._is("empty", meta, a)

    def is_not_empty(self, meta: Meta, a: n.Expr) -> n.Expr:
        return self._is("not_empty", meta, a)

    def arith_add(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("+", meta, a, b)

    def arith_sub(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("-", meta, a, b)

    def arith_mul(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("*", meta, a, b)

    def arith_div(self, meta: Meta, a: n.Expr, b: n.Expr) -> n.Expr:
        return self._binary("/", meta, a, b)

    def arith_neg(self, meta: Meta, a: n.Expr) -> n.Expr:
        return n.Unary("neg", a, span=span_of(meta))

    def field_access(self, meta: Meta, obj: n.Expr, name: Token) -> n.Expr:
        return n.FieldAccess(obj, str(name), span=span_of(name))

    def reference(self, meta: Meta, obj: n.Expr, name: Token) -> n.Expr:
        return n.Reference(obj, str(name), span=span_of(name))

    def item_access(self, meta: Meta, obj: n.Expr, index: n.Expr) -> n.Expr:
        return n.ItemAccess(obj, index, span=span_of(meta))

    def string_literal(self, meta: Meta, token: Token) -> n.Expr:
        return n.Literal(
            unquote(token).replace("\\{", "{").replace("\\}", "}"), span=span_of(token)
        )

    def number_literal(self, meta: Meta, token: Token) -> n.Expr:
        text = str(token)
        value: float = float(text) if "." in text else int(text)
        return n.Literal(value, span=span_of(token))

    def date_literal(self, meta: Meta, token: Token) -> n.Expr:
        try:
            value = dt.date.fromisoformat(str(token))
        except ValueError:
            # Kept as text; the compiler reports it with its place ("not a valid date").
            return n.Call(
                "__bad_date__", (n.Literal(str(token), span=span_of(token)),), span=span_of(token)
            )
        return n.Literal(value, span=span_of(token))

    def duration_literal(self, meta: Meta, amount: Token, unit: Token) -> n.Expr:
        text = str(amount)
        value = float(text) if "." in text else int(text)
        plural = str(unit) if str(unit).endswith("s") else f"{unit}s"
        return n.DurationLit(value, plural, span=span_of(meta))

    def true_literal(self, meta: Meta) -> n.Expr:
        return n.Literal(True, span=span_of(meta))

    def false_literal(self, meta: Meta) -> n.Expr:
        return n.Literal(False, span=span_of(meta))

    def list_literal(self, meta: Meta, *items: n.Expr | None) -> n.Expr:
        return n.ListExpr(tuple(i for i in items if i is not None), span=span_of(meta))

    def name(self, meta: Meta, token: Token) -> n.Expr:
        return n.Name(str(token), span=span_of(token))

    def call(self, meta: Meta, func: Token, *args: n.Expr | None) -> n.Expr:
        return n.Call(str(func), tuple(a for a in args if a is not None), span=span_of(func))


@dataclass(frozen=True, slots=True)
class Comment:
    """A `# comment` and where it starts."""

    line: int
    column: int
    text: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a rule as written (`title "…"`, `require …`) and the text it spans."""

    key: str  # "title", "clause", …, "when", "for", "let", "require", "evidence", "only"
    value: Any
    span: Span


@dataclass(frozen=True, slots=True)
class RuleLayout:
    """A rule with the place of its block and of each entry, in the order written."""

    rule: n.Rule
    span: Span
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class DefinitionLayout:
    """A shared definition with the text it spans, from `define` to the end of its body."""

    definition: n.Definition
    span: Span


@v_args(meta=True, inline=True)
class LayoutBuilder(AstBuilder):
    """Builds the AST and keeps where each rule entry was written (for the formatter)."""

    def definition(self, meta: Meta, name: Token, params: list[Token] | None, body: n.Expr) -> Any:
        return DefinitionLayout(super().definition(meta, name, params, body), span_of(meta))

    def rule(self, meta: Meta, rule_id: Token, *entries: tuple[str, Any, Span]) -> Any:
        built = super().rule(meta, rule_id, *entries)
        return RuleLayout(built, span_of(meta), tuple(Entry(k, v, s) for k, v, s in entries))


class _Positions:
    """Line and column of characters of a (possibly long) string token, asked in increasing
    order: each question scans only the text since the previous one, so a message with
    thousands of holes costs its length once, not once per hole."""

    def __init__(self, token: Token) -> None:
        self.text = str(token)
        self.line, self.column = token.line or 1, token.column or 1
        self.done = 0  # characters scanned
        self.newlines = 0  # newlines among them
        self.last = -1  # where the last of them is

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self.done:  # never happens in order; start again rather than be wrong
            self.done, self.newlines, self.last = 0, 0, -1
        found = self.text.count("\n", self.done, offset)
        if found:
            self.newlines += found
            self.last = self.text.rfind("\n", self.done, offset)
        self.done = offset
        if self.newlines:
            return self.line + self.newlines, offset - self.last
        return self.line, self.column + offset
