"""Compiles `exists`/`all`/`none`/`count`, turning equality joins into index look-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from aimscheck.context import Context
from aimscheck.dsl import nodes as n
from aimscheck.dsl import types as t
from aimscheck.export.fields import FieldType
from aimscheck.export.model import COLLECTIONS
from aimscheck.values import MISSING, truth

if TYPE_CHECKING:
    from aimscheck.dsl.compiler import Env, ExprCompiler, Fn

Candidates = Callable[[Context, list[Any]], Iterable[Any]]


def conjuncts(e: n.Expr | None) -> list[n.Expr]:
    if e is None:
        return []
    if isinstance(e, n.Binary) and e.op == "and":
        return conjuncts(e.left) + conjuncts(e.right)
    return [e]


def names_in(e: object) -> set[str]:
    """Every name an expression mentions (a conservative test for loop invariance)."""
    found: set[str] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Name):
            found.add(node.name)
        elif isinstance(node, tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__"):
            stack.extend(getattr(node, f) for f in node.__dataclass_fields__ if f != "span")
    return found


def _join(
    comp: ExprCompiler, collection: str, var: str, cond: n.Expr, env: Env
) -> Candidates | None:
    """Index look-up for `var.f == E`, `E in var.f` or `var.f in E` where E does not use var."""
    from aimscheck.dsl.compiler import path_of

    if not isinstance(cond, n.Binary):
        return None
    if cond.op == "==":
        for side, other in ((cond.left, cond.right), (cond.right, cond.left)):
            found = path_of(side, var)
            if found is not None and var not in names_in(other):
                key, _ = comp.compile(other, env)
                by = found
                return lambda c, f: c.lookup(collection, by, key(c, f))
    if cond.op == "in":
        inside = path_of(cond.right, var)
        if inside is not None and var not in names_in(cond.left):
            key, _ = comp.compile(cond.left, env)
            return lambda c, f: c.lookup(collection, inside, key(c, f), multi=True)
        found = path_of(cond.left, var)
        if found is not None and var not in names_in(cond.right):
            path = found
            keys, _ = comp.compile(cond.right, env)

            def each(c: Context, f: list[Any]) -> list[Any]:
                values = keys(c, f)
                if not isinstance(values, list):
                    return []
                out: dict[int, Any] = {}
                for value in values:
                    for record in c.lookup(collection, path, value):
                        out.setdefault(id(record), record)
                return list(out.values())

            return each
    return None


def compile_quantifier(comp: ExprCompiler, e: n.Quantifier, env: Env) -> tuple[Fn, FieldType]:
    from aimscheck.dsl.compiler import iterate

    source_fn, source_type = comp.compile(e.source, env)
    if source_type.kind not in ("list", "any"):
        comp.error(
            e.source.span, f"'{e.kind}' needs a list or collection, not {t.words(source_type)}"
        )
    comp.check_binding(e.var, e.span)
    slot = comp.slot()
    inner = env.bind(e.var, slot, t.item_type(source_type))
    parts = conjuncts(e.where)
    candidates: Candidates | None = None
    is_collection = (
        isinstance(e.source, n.Name)
        and e.source.name in COLLECTIONS
        and e.source.name not in env.slots
    )
    if is_collection:
        assert isinstance(e.source, n.Name)
        for part in parts:
            candidates = _join(comp, e.source.name, e.var, part, env)
            if candidates is not None:
                # The join condition itself still runs: it also checks types and missing values.
                break
    filters = [comp.condition(p, inner) for p in parts]
    if candidates is None:
        what = f"'{e.kind}'"
        candidates = lambda c, f: iterate(source_fn(c, f), what)  # noqa: E731
    body = comp.condition(e.body, inner) if e.body is not None else None
    cands = candidates

    def passes(c: Context, f: list[Any]) -> bool:
        return all(truth(flt(c, f)) for flt in filters)

    if e.kind == "exists" or e.kind == "none":
        want = e.kind == "exists"

        def exists(c: Context, f: list[Any]) -> bool:
            for item in cands(c, f):
                f[slot] = item
                if passes(c, f):
                    return want
            return not want

        return exists, t.BOOLEAN
    if e.kind == "filter":

        def select(c: Context, f: list[Any]) -> list[Any]:
            out = []
            for item in cands(c, f):
                f[slot] = item
                if passes(c, f):
                    out.append(item)
            return out

        return select, t.list_of(t.item_type(source_type))
    if e.kind == "count":

        def count(c: Context, f: list[Any]) -> int:
            total = 0
            for item in cands(c, f):
                f[slot] = item
                if passes(c, f):
                    total += 1
            return total

        return count, t.INTEGER
    assert body is not None

    def all_(c: Context, f: list[Any]) -> bool:
        for item in cands(c, f):
            f[slot] = item
            if passes(c, f) and not truth(body(c, f)):
                return False
        return True

    return all_, t.BOOLEAN


__all__ = ["MISSING", "compile_quantifier", "conjuncts", "names_in"]
