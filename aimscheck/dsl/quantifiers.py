"""Compiles `exists`/`all`/`none`/`count`/`filter`, turning joins into index look-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from aimscheck.context import Context
from aimscheck.dsl import nodes as n
from aimscheck.dsl import types as t
from aimscheck.export.fields import FieldType
from aimscheck.export.model import COLLECTIONS
from aimscheck.values import MISSING, truth

if TYPE_CHECKING:
    from aimscheck.dsl.compiler import Env, ExprCompiler, Fn

Candidates = Callable[[Context, list[Any]], Iterable[Any]]
# How selective a join is, best first: a look-up by a value of the outer record, look-ups by
# each item of an outer list, then a look-up by a constant (the same records for every outer
# record, often a large share of the collection).
_BY_VALUE, _BY_EACH, _BY_CONSTANT = 0, 1, 3


@dataclass(frozen=True, slots=True)
class Join:
    """An index look-up for `var.path == key` ("=="), `key in var.path` ("has") or
    `var.path in key` ("each"), from the condition `part` of a quantifier's `where`."""

    how: str
    collection: str
    path: tuple[str, ...]
    key: n.Expr
    part: n.Expr


@dataclass(frozen=True, slots=True)
class Plan:
    """How a quantifier finds its items, for `codegen`: its variable's slot, its compiled
    candidates, the join they look up (None: a scan, or a union or chain of joins) and
    whether they are a plain scan of the source."""

    slot: int
    candidates: Candidates
    join: Join | None
    scan: bool


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


def _shape(cond: n.Expr, var: str) -> tuple[str, tuple[str, ...], n.Expr] | None:
    """`("==", path, key)` for `var.path == key`, `("has", ...)` for `key in var.path`,
    `("each", ...)` for `var.path in key`; the key never mentions `var`. None: no join."""
    from aimscheck.dsl.compiler import path_of

    if not isinstance(cond, n.Binary):
        return None
    if cond.op == "==":
        for side, other in ((cond.left, cond.right), (cond.right, cond.left)):
            found = path_of(side, var)
            if found is not None and var not in names_in(other):
                return "==", found, other
    if cond.op == "in":
        inside = path_of(cond.right, var)
        if inside is not None and var not in names_in(cond.left):
            return "has", inside, cond.left
        found = path_of(cond.left, var)
        if found is not None and var not in names_in(cond.right):
            return "each", found, cond.right
    return None


def _rank(cond: n.Expr, var: str, env: Env) -> int | None:
    shape = _shape(cond, var)
    if shape is None:
        return None
    if not names_in(shape[2]) & set(env.slots):
        return _BY_CONSTANT
    return _BY_EACH if shape[0] == "each" else _BY_VALUE


def _join(
    comp: ExprCompiler, collection: str, var: str, cond: n.Expr, env: Env, ordered: bool
) -> Candidates | None:
    """Index look-up for `var.f == E`, `E in var.f` or `var.f in E` where E does not use var."""
    shape = _shape(cond, var)
    if shape is None:
        return None
    how, path, key_expr = shape
    key, _ = comp.compile(key_expr, env)
    found = _lookup(how, collection, path, key, ordered)
    comp.joins[found] = Join(how, collection, path, key_expr, cond)
    return found


def _lookup(how: str, collection: str, path: tuple[str, ...], key: Fn, ordered: bool) -> Candidates:
    if how == "==":
        return lambda c, f: c.lookup(collection, path, key(c, f))
    if how == "has":
        return lambda c, f: c.lookup(collection, path, key(c, f), multi=True)

    def each(c: Context, f: list[Any]) -> list[Any]:
        values = key(c, f)
        if not isinstance(values, list):
            return []
        if len(values) == 1:  # the usual single reference: its look-up is the answer
            return c.lookup(collection, path, values[0])
        out: dict[int, Any] = {}
        for value in values:
            for record in c.lookup(collection, path, value):
                out.setdefault(id(record), record)
        return _in_order(c, collection, out) if ordered else list(out.values())

    return each


def _best(
    comp: ExprCompiler, collection: str, var: str, parts: list[n.Expr], env: Env, ordered: bool
) -> Candidates | None:
    """Candidates for records meeting all of `parts`, from the most selective index found.

    Each candidate list is a superset of the records that meet the conditions (the caller
    still runs them all on each candidate); None when only a scan will do. Beyond plain
    joins: `A or B` is the union of the candidates of A and of B, and `exists m in M where
    m.f == E and m.g in var.h` (a join through a third collection) looks records up by each
    `m` found. `ordered` (for `filter`): candidates come in the collection's order.
    """
    ranked = sorted(
        (rank, i) for i, p in enumerate(parts) if (rank := _rank(p, var, env)) is not None
    )
    if ranked and ranked[0][0] < _BY_CONSTANT:
        return _join(comp, collection, var, parts[ranked[0][1]], env, ordered)
    for part in parts:
        if isinstance(part, n.Binary) and part.op == "or":
            left = _best(comp, collection, var, conjuncts(part.left), env, ordered)
            right = left and _best(comp, collection, var, conjuncts(part.right), env, ordered)
            if left is not None and right is not None:
                return _union(collection, (left, right), ordered)
        elif isinstance(part, n.Quantifier):
            found = _through(comp, collection, var, part, env, ordered)
            if found is not None:
                return found
    if ranked:
        return _join(comp, collection, var, parts[ranked[0][1]], env, ordered)
    return None


def _through(
    comp: ExprCompiler, collection: str, var: str, q: n.Quantifier, env: Env, ordered: bool
) -> Candidates | None:
    """`exists m in M where <m joined on outer values> and <var joined on m>`: index twice."""
    if q.kind != "exists" or not _is_collection(q.source, env) or q.var == var:
        return None
    assert isinstance(q.source, n.Name)
    parts = conjuncts(q.where)
    outer = [p for p in parts if var not in names_in(p)]
    links = [p for p in parts if var in names_in(p)]
    if not links or not any(_rank(p, q.var, env) == _BY_VALUE for p in outer):
        return None
    middle = _best(comp, q.source.name, q.var, outer, env, False)
    slot = comp.slot()
    record_type = t.item_type(comp.export_type.fields.get(q.source.name, t.LIST))
    link = _best(comp, collection, var, links, env.bind(q.var, slot, record_type), False)
    if middle is None or link is None:
        return None
    found_middle, by_middle = middle, link

    def through(c: Context, f: list[Any]) -> list[Any]:
        out: dict[int, Any] = {}
        for item in found_middle(c, f):
            f[slot] = item
            for record in by_middle(c, f):
                out.setdefault(id(record), record)
        return _in_order(c, collection, out) if ordered else list(out.values())

    return through


def _union(collection: str, parts: tuple[Candidates, ...], ordered: bool) -> Candidates:
    """The candidates of every part, each record once."""

    def union(c: Context, f: list[Any]) -> list[Any]:
        out: dict[int, Any] = {}
        for part in parts:
            for record in part(c, f):
                out.setdefault(id(record), record)
        return _in_order(c, collection, out) if ordered else list(out.values())

    return union


# Per run (context) and collection: id(record) -> its position, built on first use.
_POSITIONS: WeakKeyDictionary[Context, dict[str, dict[int, int]]] = WeakKeyDictionary()


def _in_order(c: Context, collection: str, found: dict[int, Any]) -> list[Any]:
    """The records found (by id), in the order a scan of the collection meets them."""
    if len(found) < 2:
        return list(found.values())
    per_run = _POSITIONS.get(c)
    if per_run is None:
        per_run = _POSITIONS[c] = {}
    positions = per_run.get(collection)
    if positions is None:
        records = c.export.collection(collection)
        c.spend(len(records))
        positions = per_run[collection] = {id(r): i for i, r in enumerate(records)}
    return [found[k] for k in sorted(found, key=positions.__getitem__)]


def _is_collection(source: n.Expr, env: Env) -> bool:
    """A whole collection of the export (not a variable of the same name)."""
    return (
        isinstance(source, n.Name) and source.name in COLLECTIONS and source.name not in env.slots
    )


# Operators whose compiled closures always return True or False (never missing or a value
# `truth` would refuse): their result needs no `truth` call.
_BOOLEAN_OPS = frozenset(("and", "or", "==", "!=", "<", "<=", ">", ">=", "in", "not in"))


def gives_boolean(e: n.Expr) -> bool:
    """Whether the compiled expression always gives True or False (never missing)."""
    if isinstance(e, n.Binary):
        return e.op in _BOOLEAN_OPS
    if isinstance(e, n.Unary):
        return e.op == "not"
    return isinstance(e, n.IsCheck) or (
        isinstance(e, n.Quantifier) and e.kind in ("exists", "none", "all")
    )


def _all_of(parts: list[n.Expr], filters: list[Fn]) -> Fn | None:
    """One closure for the `where` conditions: None when there are none."""
    if not filters:
        return None
    checked = [
        flt if gives_boolean(p) else _truth_of(flt) for p, flt in zip(parts, filters, strict=True)
    ]
    if len(checked) == 1:
        return checked[0]
    if len(checked) == 2:
        first, second = checked
        return lambda c, f: first(c, f) and second(c, f)
    head, rest = checked[0], _all_of_checked(checked[1:])
    return lambda c, f: head(c, f) and rest(c, f)


def _all_of_checked(checked: list[Fn]) -> Fn:
    """Conditions already known to give True or False, chained (no generator per call)."""
    if len(checked) == 1:
        return checked[0]
    head, rest = checked[0], _all_of_checked(checked[1:])
    return lambda c, f: head(c, f) and rest(c, f)


def _truth_of(fn: Fn) -> Fn:
    return lambda c, f: truth(fn(c, f))


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
    if _is_collection(e.source, env):
        assert isinstance(e.source, n.Name)
        # The conditions still run on each candidate: they also check types and missing values.
        candidates = _best(comp, e.source.name, e.var, parts, env, e.kind == "filter")
    passes = _all_of(parts, [comp.condition(p, inner) for p in parts])
    scan = candidates is None
    if candidates is None:
        what = f"'{e.kind}'"
        candidates = lambda c, f: iterate(source_fn(c, f), what)  # noqa: E731
    body = comp.condition(e.body, inner) if e.body is not None else None
    cands = candidates
    comp.plans[id(e)] = Plan(slot, cands, comp.joins.get(cands), scan)
    # `filter` and `count` walk every candidate: they charge the budget once for all of them
    # and then bind the variable without the frame's per-write metering.
    bind = list.__setitem__

    if e.kind == "exists" or e.kind == "none":
        want = e.kind == "exists"

        def exists(c: Context, f: list[Any]) -> bool:
            for item in cands(c, f):
                f[slot] = item
                if passes is None or passes(c, f):
                    return want
            return not want

        return exists, t.BOOLEAN
    if e.kind == "filter":

        def select(c: Context, f: list[Any]) -> list[Any]:
            out = []
            items = list(cands(c, f))
            c.spend(len(items))  # every item is bound: the frame's steps, charged at once
            for item in items:
                bind(f, slot, item)
                if passes is None or passes(c, f):
                    out.append(item)
            return out

        return select, t.list_of(t.item_type(source_type))
    if e.kind == "count":

        def count(c: Context, f: list[Any]) -> int:
            total = 0
            items = list(cands(c, f))
            c.spend(len(items))  # as in filter: a full walk, charged at once
            for item in items:
                bind(f, slot, item)
                if passes is None or passes(c, f):
                    total += 1
            return total

        return count, t.INTEGER
    assert body is not None

    def all_(c: Context, f: list[Any]) -> bool:
        for item in cands(c, f):
            f[slot] = item
            if (passes is None or passes(c, f)) and not truth(body(c, f)):
                return False
        return True

    return all_, t.BOOLEAN


__all__ = ["MISSING", "Join", "Plan", "compile_quantifier", "conjuncts", "names_in"]
