"""Prints rule expressions canonically: precedence-exact parentheses, lines broken to a width."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TypeAlias

from aimscheck.dsl import nodes as n
from aimscheck.source import Span

WIDTH = 100

# ---- a small Wadler-style document algebra ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    """A space when its group fits on the line, else a line break to the current indent."""


@dataclass(frozen=True, slots=True)
class Group:
    """Printed flat if it fits in the width left, else with each of its own lines broken."""

    parts: Doc


@dataclass(frozen=True, slots=True)
class Nest:
    """Lines inside indent `by` more than the enclosing ones."""

    by: int
    parts: Doc


@dataclass(frozen=True, slots=True)
class Align:
    """Lines inside indent to the column where it starts."""

    parts: Doc


Doc: TypeAlias = str | Line | Group | Nest | Align | tuple["Doc", ...]
LINE = Line()


def _fits(todo: list[tuple[int, bool, Doc]], width: int) -> bool:
    """Whether the commands, up to their first broken line, fit in `width` columns."""
    stack = list(todo)
    while stack and width >= 0:
        indent, flat, doc = stack.pop()
        if isinstance(doc, str):
            if "\n" in doc:
                return width >= doc.index("\n")
            width -= len(doc)
        elif isinstance(doc, Line):
            if not flat:
                return True
            width -= 1
        elif isinstance(doc, tuple):
            stack.extend((indent, flat, d) for d in reversed(doc))
        elif isinstance(doc, Group):
            stack.append((indent, flat, doc.parts))
        else:
            stack.append((indent, flat, doc.parts))
    return width >= 0


def render(doc: Doc, column: int, width: int = WIDTH) -> str:
    """Lay out `doc` starting at `column` (the text before it is the caller's)."""
    out: list[str] = []
    col = column
    stack: list[tuple[int, bool, Doc]] = [(column, False, doc)]
    while stack:
        indent, flat, d = stack.pop()
        if isinstance(d, str):
            out.append(d)
            col = len(d) - d.rindex("\n") - 1 if "\n" in d else col + len(d)
        elif isinstance(d, Line):
            if flat:
                out.append(" ")
                col += 1
            else:
                out.append("\n" + " " * indent)
                col = indent
        elif isinstance(d, tuple):
            stack.extend((indent, flat, x) for x in reversed(d))
        elif isinstance(d, Group):
            fits = flat or _fits([*stack, (indent, True, d.parts)], width - col)
            stack.append((indent, fits, d.parts))
        elif isinstance(d, Nest):
            stack.append((indent + d.by, flat, d.parts))
        else:
            stack.append((col, flat, d.parts))
    return "".join(out)


# ---- expressions -----------------------------------------------------------------------------

# Binding strength, from the grammar: a child weaker than its slot needs parentheses.
EXPR, OR, AND, NOT, COMPARE, SUM, PRODUCT, UNARY, POSTFIX, ATOM = range(10)
_COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
_IS_WORDS = {"set": "is set", "missing": "is missing", "empty": "is empty"}
_IS_WORDS["not_empty"] = "is not empty"


def level(e: n.Expr) -> int:
    if isinstance(e, n.Quantifier):
        return ATOM if e.kind in ("count", "filter") else EXPR
    if isinstance(e, n.Binary):
        if e.op == "or":
            return OR
        if e.op == "and":
            return AND
        if e.op in _COMPARE_OPS:
            return COMPARE
        return SUM if e.op in "+-" else PRODUCT
    if isinstance(e, n.Unary):
        return NOT if e.op == "not" else UNARY
    if isinstance(e, n.Matches | n.IsCheck):
        return COMPARE
    if isinstance(e, n.FieldAccess | n.Reference | n.ItemAccess):
        return POSTFIX
    return ATOM


def quote(text: str) -> str:
    """A STRING token whose value is `text`."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + body.replace("\n", "\\n").replace("\t", "\\t") + '"'


class Printer:
    """Expression → document; literals keep their spelling from `text` when spans allow."""

    def __init__(self, text: str = "") -> None:
        self.lines = text.splitlines()

    def raw(self, span: Span) -> str:
        """The source text of a span, or "" when there is none to read."""
        if span == n.NO_SPAN or not 1 <= span.line <= span.end_line <= len(self.lines):
            return ""
        if span.line == span.end_line:
            return self.lines[span.line - 1][span.column - 1 : span.end_column - 1]
        first = self.lines[span.line - 1][span.column - 1 :]
        middle = self.lines[span.line : span.end_line - 1]
        last = self.lines[span.end_line - 1][: span.end_column - 1]
        return "\n".join([first, *middle, last])

    def wrap(self, e: n.Expr, at_least: int, clarify: bool = False) -> Doc:
        """`e` in a slot that takes `at_least`; `clarify` adds parentheses a reader needs
        though the parser does not (they never change the meaning)."""
        doc = self.expr(e)
        return ("(", Align(doc), ")") if level(e) < at_least or clarify else doc

    def expr(self, e: n.Expr) -> Doc:
        method = getattr(self, f"_{type(e).__name__}")
        doc: Doc = method(e)
        return doc

    def flat(self, e: n.Expr) -> str:
        """One line, whatever its length (inside a message's `{…}`)."""
        return render(Group(self.expr(e)), 0, width=1 << 30)

    def _Literal(self, e: n.Literal) -> Doc:
        written = self.raw(e.span)
        if written:
            return written
        value = e.value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return quote(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return repr(value)

    def _DurationLit(self, e: n.DurationLit) -> Doc:
        raw = self.raw(e.span)
        number, unit = re.match(r"\d+(?:\.\d+)?", raw), re.search(r"[A-Za-z]+$", raw)
        if number and unit:  # as written ("1 year"), whatever lay between the two
            return f"{number.group(0)} {unit.group(0)}"
        amount = int(e.amount) if float(e.amount).is_integer() else e.amount
        return f"{amount} {e.unit[:-1] if amount == 1 else e.unit}"

    def _ListExpr(self, e: n.ListExpr) -> Doc:
        return "[", Align(Group(self.join([self.expr(i) for i in e.items]))), "]"

    def join(self, docs: list[Doc]) -> Doc:
        """Items separated by commas, as many on a line as fit."""
        out: list[Doc] = []
        for i, doc in enumerate(docs):
            out += [",", Group((LINE, doc))] if i else [doc]
        return tuple(out)

    def _Name(self, e: n.Name) -> Doc:
        return e.name

    def _FieldAccess(self, e: n.FieldAccess) -> Doc:
        # `(r -> documents).approved_at`: the field is read from the record pointed at.
        return self.wrap(e.obj, POSTFIX, isinstance(e.obj, n.Reference)), ".", e.name

    def _Reference(self, e: n.Reference) -> Doc:
        return self.wrap(e.obj, POSTFIX, isinstance(e.obj, n.Reference)), " -> ", e.collection

    def _ItemAccess(self, e: n.ItemAccess) -> Doc:
        obj = self.wrap(e.obj, POSTFIX, isinstance(e.obj, n.Reference))
        return obj, "[", Align(self.expr(e.index)), "]"

    def _Call(self, e: n.Call) -> Doc:
        if e.func == "__bad_date__" and e.args:  # an impossible date, kept as written
            arg = e.args[0]
            return str(arg.value) if isinstance(arg, n.Literal) else self.expr(arg)
        return e.func, "(", Align(Group(self.join([self.expr(a) for a in e.args]))), ")"

    def _Unary(self, e: n.Unary) -> Doc:
        if e.op == "not":  # `not (a < b)`, never `not a < b`
            return "not ", self.wrap(e.operand, NOT, level(e.operand) == COMPARE)
        return "-", self.wrap(e.operand, UNARY)

    def _Binary(self, e: n.Binary) -> Doc:
        if e.op in ("and", "or"):
            return self.chain(e)
        mine = level(e)
        if mine == COMPARE:
            return self.wrap(e.left, SUM), f" {e.op} ", self.wrap(e.right, SUM)
        return self.wrap(e.left, mine), f" {e.op} ", self.wrap(e.right, mine + 1)

    def chain(self, e: n.Binary) -> Doc:
        """`a and b and c` as one group: broken, each operator starts a line."""
        operands: list[n.Expr] = []
        node: n.Expr = e
        while isinstance(node, n.Binary) and node.op == e.op:
            operands.append(node.right)
            node = node.left
        operands.append(node)
        operands.reverse()
        mine = level(e)
        docs: list[Doc] = [self.operand(operands[0], mine)]
        for item in operands[1:]:
            docs += [LINE, f"{e.op} ", self.operand(item, mine + 1)]
        return Group(tuple(docs))

    def operand(self, e: n.Expr, at_least: int) -> Doc:
        """A chain's operand; an `and` inside an `or` is parenthesised for the reader."""
        inner = isinstance(e, n.Binary) and e.op in ("and", "or")
        return self.wrap(e, at_least, inner)

    def _Matches(self, e: n.Matches) -> Doc:
        return self.wrap(e.subject, SUM), " matches ", self.raw(e.span) or quote(e.pattern)

    def _IsCheck(self, e: n.IsCheck) -> Doc:
        return self.wrap(e.subject, SUM), " ", _IS_WORDS[e.test]

    def _Quantifier(self, e: n.Quantifier) -> Doc:
        head = (f"{e.var} in ", self.wrap(e.source, SUM, isinstance(e.source, n.Reference)))
        where: Doc = ()
        if e.where is not None:
            where = (LINE, "where ", Nest(2, self.expr(e.where)))
        if e.kind in ("count", "filter"):
            return f"{e.kind}(", Align(Group((*head, where))), ")"
        if e.kind == "all" and e.body is not None:
            # The condition follows the colon; its own lines indent under it.
            return Group((f"{e.kind} ", *head, where, ": ", Nest(2, self.expr(e.body))))
        return Group((f"{e.kind} ", *head, where))
