"""Puts arguments in place of a shared definition's parameters, keeping every name's meaning."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from aimscheck.dsl import nodes as n
from aimscheck.dsl.sourcetext import DefSpan
from aimscheck.source import Span


class Substitution:
    """Puts arguments in place of parameters; a body's own variables are renamed when an
    argument reads a name they would hide (`has_assessment(ia)` in a body with `exists ia`)."""

    def __init__(self, values: dict[str, n.Expr], path: str, text: str) -> None:
        self.values = values
        self.path = path  # where the arguments are written
        self.text = text
        self.taken = set().union(*(free_names(v) for v in values.values())) if values else set()

    def expr(self, e: n.Expr, hidden: frozenset[str]) -> n.Expr:
        if isinstance(e, n.Name):
            if e.name in self.values and e.name not in hidden:
                return self.argument(self.values[e.name], e)
            return dataclasses.replace(e)
        if isinstance(e, n.Quantifier):
            source = self.expr(e.source, hidden)
            var, inner = e.var, hidden | {e.var}
            where, body = e.where, e.body
            if var in self.taken:
                new = _fresh(var, self.taken)
                where = rename(where, var, new) if where is not None else None
                body = rename(body, var, new) if body is not None else None
                var = new
            return dataclasses.replace(
                e,
                var=var,
                source=source,
                where=self.expr(where, inner) if where is not None else None,
                body=self.expr(body, inner) if body is not None else None,
            )
        return _map_children(e, lambda x: self.expr(x, hidden))

    def argument(self, arg: n.Expr, param: n.Name) -> n.Expr:
        """A copy of the argument, its top node marked with where the body names it."""
        copied = copy_tree(arg)
        span = copied.span
        if span == n.NO_SPAN:
            return copied
        marks = (*getattr(param.span, "params", ()), param.span)
        if isinstance(span, DefSpan):
            marked = dataclasses.replace(span, params=(*span.params, *marks))
        else:
            marked = def_span(span, path=self.path, text=self.text, params=marks)
        return dataclasses.replace(copied, span=marked)


def rename_all(e: n.Expr, names: set[str], to: str) -> n.Expr:
    """The expression with each of `names`, where it is not bound inside, renamed `to`."""
    for name in names:
        e = rename(e, name, to)
    return e


def _fresh(var: str, taken: set[str]) -> str:
    i = 2
    while f"{var}_{i}" in taken:
        i += 1
    return f"{var}_{i}"


def rename(e: n.Expr, old: str, new: str) -> n.Expr:
    """The expression with the name `old` renamed `new` wherever it is not bound again."""
    if isinstance(e, n.Name):
        return dataclasses.replace(e, name=new) if e.name == old else e
    if isinstance(e, n.Quantifier) and e.var == old:  # hidden again inside
        return dataclasses.replace(e, source=rename(e.source, old, new))
    return _map_children(e, lambda x: rename(x, old, new))


def copy_tree(e: n.Expr) -> n.Expr:
    """A new tree of new nodes: each place an expression is used is compiled (and its
    quantifiers planned, by id of their node) on its own."""
    return _map_children(e, copy_tree)


def _map_children(e: n.Expr, fn: Callable[[Any], Any]) -> n.Expr:
    """A new node with `fn` applied to each child expression."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(e):
        value = getattr(e, f.name)
        if f.name == "span":
            continue
        if isinstance(value, tuple):
            changes[f.name] = tuple(fn(v) for v in value)
        elif dataclasses.is_dataclass(value):
            changes[f.name] = fn(value)
    return dataclasses.replace(e, **changes)  # type: ignore[arg-type]


def moved(e: n.Expr, path: str, text: str, definition: str) -> n.Expr:
    """The expression with every span naming the definition it is in, and its file."""

    def move(span: Span) -> Span:
        if isinstance(span, DefSpan):
            return span
        return def_span(span, path=path, text=text, definition=definition)

    return respan(e, move)


def respan(e: n.Expr, fn: Callable[[Span], Span]) -> n.Expr:
    """A new tree with `fn` applied to every span of it (none to `NO_SPAN`)."""

    def move(node: object) -> object:
        if isinstance(node, tuple):
            return tuple(move(x) for x in node)
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return node
        changes: dict[str, object] = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name != "span":
                changes[f.name] = move(value)
            elif value != n.NO_SPAN:
                changes["span"] = fn(value)
        return dataclasses.replace(node, **changes)

    return move(e)  # type: ignore[return-value]


def def_span(span: Span, **where: Any) -> DefSpan:
    """The place of `span`, told where it is written (see `DefSpan`)."""
    return DefSpan(span.line, span.column, span.end_line, span.end_column, **where)


def walk(root: object) -> Iterator[object]:
    """Every node of an AST, spans left out."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            yield node
            stack.extend(
                getattr(node, f.name) for f in dataclasses.fields(node) if f.name != "span"
            )


def free_names(e: n.Expr) -> set[str]:
    """The names an expression reads that it does not bind itself."""
    if isinstance(e, n.Name):
        return {e.name}
    if isinstance(e, n.Quantifier):
        inner = set()
        for part in (e.where, e.body):
            if part is not None:
                inner |= free_names(part)
        return free_names(e.source) | (inner - {e.var})
    out: set[str] = set()
    for f in dataclasses.fields(e):
        value = getattr(e, f.name)
        for v in value if isinstance(value, tuple) else (value,):
            if f.name != "span" and dataclasses.is_dataclass(v) and not isinstance(v, type):
                out |= free_names(v)  # type: ignore[arg-type]
    return out
