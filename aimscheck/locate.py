"""The line to fix, and the cause: what a failing `require`, `only if` or `evidence` is about,
found by reading it again, only when it fails (a subject that passes costs nothing here).

The condition is walked as written, down the parts that decided it: in `a and b` the first
part that is false, in `a or b` the last (`x is missing or x > 5`: the part that judges), in a
comparison, a call or a presence test the first field it reads. Quantifiers point at what they
walk when that is a field (`all p in role.holder_refs: …` at the holder that breaks it), or at
the record that breaks them (`none i in incidents where …`); their conditions read the records
walked, which say nothing about the subject. A `let` name stands for its record, or else for
what its definition reads.

What a failure is about is its *cause*: the field read (`sys.technical_doc_refs`, present or
not), a `let` that holds nothing (`review` when there is no review), or the proof record whose
file is unsound. A later failure of the same subject with the cause of an earlier one says the
same thing again (`require x is set`, then `evidence x`): the engine reports it once.

Its *line* is that of the field in its record (`owner_ref` in the system's file), or of the
record or of the mapping holding it when the field is absent, or of the proof record's field
its problem is about (`path`, `sha256`, `expires_at`, …).

Values are computed again by the closures the compiler kept for each part (`trace`), on the
rule's frame as the failing step left it; the steps this takes are given back to the budget,
and an error or a spent budget ends the search (the subject's own line, no cause).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aimscheck.dsl import nodes as n
from aimscheck.dsl.compiler import iterate
from aimscheck.dsl.quantifiers import conjuncts
from aimscheck.errors import EVAL_ERRORS
from aimscheck.source import Location
from aimscheck.values import MISSING, truth

if TYPE_CHECKING:
    from aimscheck.context import Context
    from aimscheck.dsl.ruleset import CompiledRule
    from aimscheck.export.model import Export
    from aimscheck.results import EvidenceCheck

# The field of a proof record that each problem of its file or dates is about.
PROOF_FIELDS: dict[str, str] = {
    "outside_root": "path",
    "file_not_found": "path",
    "unreadable": "path",
    "empty_file": "path",
    "hard_link": "path",
    "too_large": "path",
    "sha256_mismatch": "sha256",
    "unverifiable": "uri",
    "expired": "expires_at",
    "collected_in_future": "collected_at",
    "unapproved": "status",
    "review_overdue": "next_review_due",
}
_DEPTH = 12  # lets of lets, operators inside operators: deeper than any rule needs

# What a failure is about: ("field", id(record), path), ("let", name) or ("proof", record).
Cause = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a failing step points and what it is about (None: nothing found)."""

    location: Location | None
    cause: Cause | None


NOWHERE = Spot(None, None)


@dataclass(frozen=True, slots=True)
class _Read:
    """A value a condition reads: from mapping (or list) `holder` at `key` (None: `holder`
    itself: a record, or the mapping whose field is absent), what it held, and its cause."""

    holder: Any
    key: str | int | None
    value: Any
    cause: Cause | None
    # False for a whole record a variable holds (`m` in `breaches(m, last.value)`): a field
    # read beside it, or an item, says more about what failed.
    specific: bool = True


class _Stop(Exception):
    """A part could not be computed again: the search ends."""


def field_location(export: Export, record: Any, path: tuple[str | int, ...]) -> Location | None:
    """The line of the field at `path` inside a located record (its own line for `()`, or
    where the path stops being there); None for a record the export does not locate."""
    where = export.locations.get(id(record))
    if where is None:
        return None
    if not path:
        return where
    lines = export.field_lines(where.file, record)
    line, node = where.line, record
    for part in path:
        own = lines.get(id(node))
        try:
            line = own[part]  # type: ignore[index]  # a mapping's key, a list's index
            node = node[part]
        except (LookupError, TypeError):
            break
    return Location(where.file, line)


def proof_location(export: Export, record: Any, status: str) -> Location | None:
    """The line of the field of a proof record that its problem is about (`path` for a file
    that is missing, `sha256` for one that changed, …), or the record's line."""
    name = PROOF_FIELDS.get(status)
    if name is not None and isinstance(record, dict) and record.get(name) is not None:
        return field_location(export, record, (name,))
    return export.locations.get(id(record))


class Locator:
    """Finds what a failing step of one rule is about, for one subject."""

    def __init__(self, ctx: Context, rule: CompiledRule, frame: list[Any], subject: Any) -> None:
        self.ctx = ctx
        self.export = ctx.export
        self.rule = rule
        self.frame = frame
        # Records whose lines may hold a nested mapping or list a value is (the subject's).
        self.anchors: list[Any] = [subject] if isinstance(subject, dict) else []
        self.lets = {s.name: s.expr for s in rule.ast.body if isinstance(s, n.Let)}

    # ---- entry points -----------------------------------------------------------------------

    def condition(self, cond: n.Expr) -> Spot:
        """What a false condition is about: its first culprit's cause, the first line found."""
        return self._guarded(lambda: self._spot(self.culprits(cond, 0)))

    def evidence(self, expr: n.Expr, bad: list[EvidenceCheck]) -> Spot:
        """What an `evidence` with problems is about: the field that names the first unsound
        proof (`review.minutes_ref`), else that proof record (at the field its problem is
        about: `path`, `sha256`, …), else the first field read (a reference left empty)."""
        check = bad[0]

        def find() -> Spot:
            reads = list(self.reads(expr, 0))
            if check.ref:
                for read in reads:
                    named = self._naming(read, check.ref)
                    if named is not None:
                        return Spot(named, read.cause)
            record = self._proof_record(check)
            if record is not None:
                where = proof_location(self.export, record, check.status)
                return Spot(where, ("proof", check.record))
            return self._spot(iter(reads))

        return self._guarded(find)

    # ---- the search -------------------------------------------------------------------------

    def _guarded(self, search: Callable[[], Spot]) -> Spot:
        budget = self.ctx.budget
        left = budget.left
        try:
            return search()
        except (_Stop, RecursionError, *EVAL_ERRORS):
            return NOWHERE
        finally:
            budget.left = left  # finding the line is not the rule's work

    def _spot(self, reads: Iterator[_Read]) -> Spot:
        """The first specific read (a field, an item, a `let` holding nothing; else the first
        read): its cause, at its line or else the first line found."""
        found = list(reads)
        if not found:
            return NOWHERE
        primary = next((read for read in found if read.specific), found[0])
        for read in (primary, *found):
            where = self.place(read.holder, read.key) if read.holder is not None else None
            if where is not None:
                return Spot(where, primary.cause)
        return Spot(None, primary.cause)

    def value(self, e: n.Expr) -> Any:
        found = self.rule.trace.get(id(e))
        if found is None:
            raise _Stop
        try:
            return found[0](self.ctx, self.frame)
        except EVAL_ERRORS as exc:
            raise _Stop from exc

    def culprits(self, e: n.Expr, depth: int) -> Iterator[_Read]:
        """The reads that made condition `e` false, most telling first."""
        if depth > _DEPTH:
            return
        if isinstance(e, n.Binary) and e.op == "and":
            for part in conjuncts(e):
                if not truth(self.value(part)):
                    yield from self.culprits(part, depth + 1)
                    return
        elif isinstance(e, n.Binary) and e.op == "or":
            # `x is missing or …` only says when the rest is judged: the rest is the cause.
            for part in reversed(_disjuncts(e)):
                if not (isinstance(part, n.IsCheck) and part.test in ("missing", "empty")):
                    yield from self.culprits(part, depth + 1)
        elif isinstance(e, n.Unary) and e.op == "not":
            yield from self.reads(e.operand, depth + 1)
        elif isinstance(e, n.Quantifier) and e.kind in ("all", "none"):
            yield from self.breaker(e, depth)
        elif isinstance(e, n.Binary):  # a comparison or arithmetic: a missing side first
            yield from self.missing_first((e.left, e.right), depth)
        elif isinstance(e, n.Call):
            yield from self.missing_first(e.args, depth)
        else:
            yield from self.reads(e, depth)

    def missing_first(self, parts: tuple[n.Expr, ...], depth: int) -> Iterator[_Read]:
        """The culprits of each part, those of parts that hold nothing first (`age(last) <=
        days(m.frequency_days)`: the frequency, when it is not there)."""
        missing = [self.value(part) is MISSING for part in parts]
        for part, _ in sorted(zip(parts, missing, strict=True), key=lambda pair: not pair[1]):
            yield from self.culprits(part, depth + 1)

    def breaker(self, e: n.Quantifier, depth: int) -> Iterator[_Read]:
        """For a false `all` or `none`: the item that breaks it (a record, or an item of the
        list field it walks), then what it walks."""
        walked = list(self.reads(e.source, depth + 1))  # their records hold the list's lines
        source = self.value(e.source)
        slot = self._slot(e)
        for index, item in enumerate(iterate(source, e.kind) if slot is not None else ()):
            self.frame[slot] = item  # type: ignore[index]  # not None when there are items
            if e.where is not None and not truth(self.value(e.where)):
                continue
            if e.kind == "none" or (e.body is not None and not truth(self.value(e.body))):
                cause = walked[0].cause if walked else None  # what it walks, one item of it
                if isinstance(item, dict):
                    yield _Read(item, None, item, cause)
                if isinstance(source, list):
                    yield _Read(source, index, item, cause)
                break
        yield from walked

    def reads(self, e: n.Expr, depth: int) -> Iterator[_Read]:
        """What `e` reads, in the order written; not inside a quantifier's conditions."""
        if depth > _DEPTH:
            return
        if isinstance(e, n.FieldAccess):
            yield from self.field(e, depth)
        elif isinstance(e, n.Name):
            yield from self.name(e, depth)
        elif isinstance(e, n.Reference | n.ItemAccess):
            yield from self.reads(e.obj, depth + 1)
        elif isinstance(e, n.Quantifier):
            yield from self.reads(e.source, depth + 1)
        elif isinstance(e, n.Binary):
            yield from self.reads(e.left, depth + 1)
            yield from self.reads(e.right, depth + 1)
        elif isinstance(e, n.Unary):
            yield from self.reads(e.operand, depth + 1)
        elif isinstance(e, n.IsCheck | n.Matches):
            yield from self.reads(e.subject, depth + 1)
        elif isinstance(e, n.Call | n.ListExpr):
            for part in e.args if isinstance(e, n.Call) else e.items:
                yield from self.reads(part, depth + 1)

    def field(self, e: n.FieldAccess, depth: int) -> Iterator[_Read]:
        """`x.a.b`: the deepest mapping on the path that holds its key, and that key; its
        cause is the path from `x`'s record, whether or not the field is there."""
        names: list[str] = []
        node: n.Expr = e
        while isinstance(node, n.FieldAccess):
            names.append(node.name)
            node = node.obj
        names.reverse()
        base = self.value(node)
        if not isinstance(base, dict):
            yield from self.reads(node, depth + 1)  # no record to read from: why not
            return
        if id(base) in self.export.locations and all(base is not a for a in self.anchors):
            self.anchors.append(base)
        cause: Cause = ("field", id(base), tuple(names))
        holder: Any = base
        key: str | None = None
        value: Any = base
        for name in names:
            found = value.get(name) if isinstance(value, dict) else None
            if found is None:
                value = MISSING
                break
            holder, key, value = value, name, found
        yield _Read(holder, key, value, cause)

    def name(self, e: n.Name, depth: int) -> Iterator[_Read]:
        """A variable: its record; a `let` holding no record: what its definition reads (and,
        when it holds nothing, itself)."""
        scope = self.rule.trace.get(id(e))
        if scope is None or e.name not in scope[1].slots:
            return  # a section, a collection, a parameter: no one record
        value = self.value(e)
        if isinstance(value, dict) and id(value) in self.export.locations:
            yield _Read(value, None, value, None, specific=False)
            return
        definition = self.lets.get(e.name)
        if definition is None:
            return
        if value is MISSING or value == []:
            # Nothing there: why (a field its definition reads, a `let` before it that holds
            # nothing), or else this `let` itself.
            yield from self.reads(definition, depth + 1)
            yield _Read(None, None, value, ("let", e.name))
            return
        if isinstance(value, list) and isinstance(value[0], dict):
            yield _Read(value[0], None, value[0], None)  # the first of the records it holds
        yield from self.reads(definition, depth + 1)
        if isinstance(value, dict):
            yield _Read(value, None, value, None, specific=False)

    # ---- where a read is --------------------------------------------------------------------

    def place(self, holder: Any, key: str | int | None) -> Location | None:
        """The line of `key` in mapping or list `holder` (of `holder` itself for None)."""
        locations = self.export.locations
        if id(holder) in locations:
            return field_location(self.export, holder, () if key is None else (key,))
        for anchor in self.anchors:
            where = locations.get(id(anchor))
            if where is None:
                continue
            lines = self.export.field_lines(where.file, anchor).get(id(holder))
            if not lines:
                continue
            if key is None:  # a nested mapping or list: its first line
                first = min(lines.values()) if isinstance(lines, dict) else lines[0]
                return Location(where.file, first)
            try:
                return Location(where.file, lines[key])  # type: ignore[index]
            except (LookupError, TypeError):
                return None
        return None

    def _naming(self, read: _Read, ref: str) -> Location | None:
        """Where the read names proof `ref`: its field, or its item in a list field; never a
        record's own id (the record is the proof: its own field is the line to fix)."""
        if read.key is None or read.key == "id":
            return None
        value = read.value
        if value == ref:
            return self.place(read.holder, read.key)
        if isinstance(value, list) and ref in value:
            return self.place(value, value.index(ref)) or self.place(read.holder, read.key)
        return None

    def _proof_record(self, check: EvidenceCheck) -> dict[str, Any] | None:
        return None if check.record is None else self.ctx.evidence.record(check.record)

    def _slot(self, e: n.Quantifier) -> int | None:
        plan = self.rule.plans.get(id(e))
        if plan is not None:
            return plan.slot
        for part in (e.where, e.body):
            found = self.rule.trace.get(id(part)) if part is not None else None
            if found is not None and e.var in found[1].slots:
                return found[1].slots[e.var][0]
        return None


def _disjuncts(e: n.Expr) -> list[n.Expr]:
    if isinstance(e, n.Binary) and e.op == "or":
        return _disjuncts(e.left) + _disjuncts(e.right)
    return [e]
