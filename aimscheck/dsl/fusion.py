"""Computes a group of shared walks or join tables (`dsl/shared.py`) in one walk of its records.

Twenty-five rules filtering the 40,000 controls each with its own threshold fetch every
control from memory 25 times; here one generated loop reads each control once, reads each of
its fields once, and judges it for each rule in turn. Each member keeps its own meaning:
- it runs on a copy of the run's context with a budget of its own, so the steps it spends are
  known and charged to its rule when the rule reads it (`codegen_run._walk`); a member that runs
  out of budget, or meets an error, stops there alone, and its rule meets the same when it
  reads it;
- a member whose conditions call a closure, or may charge the budget of the rule being
  evaluated rather than its own (regular expressions, joined texts), is not written here: it
  is computed alone when its rule reads it.
Tables are not charged, as when they are built alone (`codegen_run._hoist`).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from aimscheck.budget import Budget, BudgetSpent, Frame
from aimscheck.dsl import nodes as n
from aimscheck.dsl.codegen import _indent, _Module, new_table, table_made
from aimscheck.dsl.codegen_run import FAILED
from aimscheck.dsl.quantifiers import conjuncts
from aimscheck.dsl.shared import Member, Table, Walk, Walked
from aimscheck.errors import EVAL_ERRORS

if TYPE_CHECKING:
    from aimscheck.context import Context

# What members compute of a field `v` of the record walked, kept in a local per record: the
# days since it (None: not a date), it as a text or a list of texts only (None: anything else).
DERIVED = {
    "days": "(_today - {v}).days if type({v}) is DATE else None",
    "text": "{v} if type({v}) is str else None",
    "texts": "{v} if type({v}) is list and all(type(_i) is str for _i in {v}) else None",
}

# A member's code: the start of its value, the tables it reads (fetched before the walk), its
# statements for the record `x` and its value once every record is walked.
Block = tuple[str, list[str], list[str], str]


class _Together(_Module):
    """The source of one function walking a group's records once for all its members."""

    def __init__(self, members: list[Member]) -> None:
        super().__init__(members[0].rule, share=True)
        # The fields of the record walked (`x`) that members read, each read once per record
        # into a local; and what members compute of them (`DERIVED`), each once too.
        self.reads: dict[str, str] = {}
        self.derived: dict[tuple[str, str], str] = {}  # (what, field) → its local
        self.fetch: list[str] = []  # the tables of the member being written

    def walks(self, members: list[Walk]) -> tuple[str, list[Walk]]:
        """`def W(c, f, ms)` computing `filter`s and `count`s over the same records, and the
        members it computes."""
        first = members[0]
        e, join = first.e, first.plan.join
        lines: list[str] = []
        if join is not None and join.how != "each":  # an index's records under one key
            heads, exact = self.lookup(join, "x", {}, {}, lines)
            lines.append(f"items = {heads[0][len('for x in ') : -1]}")
        else:
            exact = ""
            source = self.expr(e.source, {}, {}, lines)
            lines.append(f"items = list(ITER({source}, {repr(e.kind)!r}))")
        blocks: list[Block] = []
        kept: list[Walk] = []
        for m in members:
            self.start(m)
            passes, value = self.temp("p"), f"_r{len(kept)}"
            met = m.plan.join.part if exact and m.plan.join is not None else None
            env, local = {m.e.var: m.plan.slot}, {m.plan.slot: "x"}
            test = self.all_of(conjuncts(m.e.where), env, local, passes, met, exact)
            if self.closures or self.metering:
                continue
            keep = f"{value}.append(x)" if m.e.kind == "filter" else f"{value} += 1"
            start = "[]" if m.e.kind == "filter" else "0"
            blocks.append((start, self.fetch, [*test, f"if {passes}:", f"    {keep}"], value))
            kept.append(m)
        return self.together(lines, "items", blocks, "len(items)"), kept

    def tables(self, members: list[Table]) -> tuple[str, list[Table]]:
        """`def W(c, f, ms)` building the tables of hoisted joins on one collection, and the
        members it builds."""
        blocks: list[Block] = []
        kept: list[Table] = []
        for m in members:
            self.start(m)
            self.hoisting = True  # as in `build`: no table in a table
            table = f"_r{len(kept)}"
            body = self.file_record(m.e, m.plan, m.join, m.rest, "x", table)
            self.hoisting = False
            if self.closures or self.metering:
                continue
            blocks.append((new_table(m.e), [], body, table_made(m.e, table)))
            kept.append(m)
        items = f"c.export.collection({members[0].join.collection!r})"
        return self.together([], items, blocks, f"len({items})"), kept

    def start(self, member: Member) -> None:
        """Writes `member`'s code from now on: with its rule's parameters and closures."""
        self.rule = member.rule
        self.closures = self.metering = False
        self.fetch = []

    def together(self, lines: list[str], items: str, blocks: list[Block], size: str) -> str:
        """One loop over `items` running each block on its own context (`c`, its budget `b`,
        frame `f`) until it raises; returns `size` and each block's value and error."""
        loop: list[str] = []
        for k, (start, fetch, block, _) in enumerate(blocks):
            lines += [f"_c{k}, _f{k} = ms[{k}]", f"_b{k} = _c{k}.budget", f"_r{k} = {start}"]
            lines += [f"_e{k} = None", f"c, b, f = _c{k}, _b{k}, _f{k}", *fetch]
            loop += [
                f"if _e{k} is None:",
                f"    c, b, f = _c{k}, _b{k}, _f{k}",
                "    try:",
                *_indent(_indent(block)),
                "    except Exception as _x:",
                f"        _e{k} = _x",
            ]
        results = "".join(f"({made}, _e{k}), " for k, (*_, made) in enumerate(blocks))
        self.closures = False
        body = [
            "_today = c.as_of",
            *lines,
            f"for x in {items}:",
            *_indent([*self.record_top(), *loop]),
            f"return {size}, ({results})",
        ]
        return "".join([*self.builds, self.finish("W", body, "c, f, ms")])

    # ---- what every member reads of the record: read once ---------------------------------

    def record_top(self) -> list[str]:
        """Statements reading, for the record `x`, the fields the members read of it."""
        if not self.reads:
            return []
        reads = [
            f"{local} = M if (_v := x.get({name!r})) is None else _v"
            for name, local in self.reads.items()
        ]
        derived = [
            f"{local} = {DERIVED[what].format(v=self.reads[name])}"
            for (what, name), local in self.derived.items()
        ]
        unknown = [f"{local} = None" for local in self.derived.values()]
        return [
            "if type(x) is dict:",
            *_indent(["xd = True", *reads, *derived]),
            "else:",
            *_indent(["xd = False", *unknown]),
        ]

    def derive(self, what: str, name: str) -> str:
        """The local holding `DERIVED[what]` of field `name` of the record walked."""
        found = self.derived.get((what, name))
        if found is None:
            self.read(name)
            found = self.derived[what, name] = f"_{what}{len(self.derived)}"
        return found

    def table_get(self, cell: str, fetch: str) -> str:
        """A local fetched before the walk: building a table is not charged, and one that no
        record turns out to need costs its building time only."""
        local = f"_h{len(self.fetch)}_{cell}"
        self.fetch.append(f"{local} = {fetch}")
        return local

    def known(self, item: str, name: str, kind: str) -> str | None:
        return self.derive(kind, name) if item == "x" else None

    def item(self, e: n.Expr, env: dict[str, int], local: dict[int, str]) -> bool:
        """Whether `e` is the variable holding the record walked."""
        return isinstance(e, n.Name) and e.name in env and local.get(env[e.name]) == "x"

    def read(self, name: str) -> str:
        found = self.reads.get(name)
        if found is None:
            found = self.reads[name] = f"_x{len(self.reads)}"
        return found

    def key_read(self, item: str, path: tuple[str, ...]) -> str:
        if item == "x" and len(path) == 1:
            return f"({self.read(path[0])} if xd else M)"
        return super().key_read(item, path)

    def _FieldAccess(
        self, e: n.FieldAccess, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        if self.item(e.obj, env, local):
            return f"({self.read(e.name)} if xd else FIELD(x, {e.name!r}))"
        return super()._FieldAccess(e, env, local, pre)

    def _IsCheck(
        self, e: n.IsCheck, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        field = e.subject
        if (
            e.test in ("set", "missing")
            and isinstance(field, n.FieldAccess)
            and self.item(field.obj, env, local)
        ):
            op, name = ("is not" if e.test == "set" else "is"), field.name
            return f"(({self.read(name)} {op} M) if xd else (FIELD(x, {name!r}) {op} M))"
        return super()._IsCheck(e, env, local, pre)

    def _age(
        self, e: n.Binary, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str | None:
        found = self.age_limit(e)
        dated = found[0] if found is not None else None
        if found is None or not (
            isinstance(dated, n.FieldAccess) and self.item(dated.obj, env, local)
        ):
            return super()._age(e, env, local, pre)
        limit, days = found[1], self.derive("days", dated.name)
        read = self._FieldAccess(dated, env, local, pre)
        return (
            f"(({days} {e.op} {limit.days!r}) if {days} is not None "
            f"else ORD({e.op!r}, AGE(c, {read}), {self.const(limit)}))"
        )


def compute_together(c: Context, group: list[Member]) -> None:
    """Computes a group of pending members (all walks, or all tables) into the run's memo."""
    if isinstance(group[0], Walk):
        _walk_together(c, group)
    else:
        _build_tables(c, group)


def _walk_together(c: Context, members: list[Member]) -> None:
    """Computes the group's walks together; each value, with the steps it took and the error
    it met, goes to the run's memo (those not written here are computed alone)."""
    writer = _Together(members)
    source, kept = writer.walks([m for m in members if isinstance(m, Walk)])
    most = c.shared.most()
    for m, (value, error, budget, size) in zip(kept, _run(c, writer, kept, source), strict=False):
        spent = size + budget.granted - budget.left
        c.memo[m.key] = Walked(value, spent, error, budget.granted < most)


def _build_tables(c: Context, members: list[Member]) -> None:
    """Builds the group's tables together, into the run's memo: a table, or FAILED when a
    record's condition raised an error (one that ran out of budget is built again alone)."""
    writer = _Together(members)
    source, kept = writer.tables([m for m in members if isinstance(m, Table)])
    for m, (value, error, _, _) in zip(kept, _run(c, writer, kept, source), strict=False):
        if error is None:
            c.memo[m.key] = value
        elif not isinstance(error, BudgetSpent):
            c.memo[m.key] = FAILED


def _run(
    c: Context, writer: _Together, members: list[Any], source: str
) -> list[tuple[Any, Exception | None, Budget, int]]:
    """Each member's value, error, budget and the number of records walked; nothing when
    the code could not be compiled or the records could not be read (each member is then
    computed alone, and meets that error itself), or when the steps members may take before
    a rule reads them are spent (`Shared.spare`)."""
    if not members or c.shared.spare <= 0:
        return []
    try:
        code = compile(source, "<aimscheck shared walk>", "exec")
    except (SyntaxError, RecursionError, MemoryError):  # too deep for Python
        return []
    scope: dict[str, Any] = dict(writer.names)
    exec(code, scope)  # our own source, written from the rules' checked ASTs
    for inner in writer.members:  # the tables and walks the members read: computed together
        c.shared.add(inner)
    # A budget and frame of its own for each member (the run's indexes and memo shared): what
    # a rule may have, or its share of the spare steps when they are fewer.
    steps = min(c.shared.most(), c.shared.spare // len(members))
    own = []
    for m in members:
        ctx = copy.copy(c)
        ctx.budget = Budget(steps, steps)
        own.append((ctx, Frame(m.rule.nslots, ctx.budget)))
    try:
        size, results = scope["W"](c, None, own)
    except EVAL_ERRORS:  # reading the records: each member meets it alone
        return []
    done = [
        (value, error, ctx.budget, size)
        for (value, error), (ctx, _) in zip(results, own, strict=True)
    ]
    c.shared.spare -= sum(size + b.granted - max(b.left, 0) for _, _, b, _ in done)
    return done
