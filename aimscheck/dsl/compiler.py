"""Compiles checked expressions to closures; joins in quantifiers go through shared indexes."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from aimscheck.context import Context, get_path
from aimscheck.dsl import nodes as n
from aimscheck.dsl import types as t
from aimscheck.dsl.diagnose import RESERVED, suggest
from aimscheck.dsl.regex import RegexError, compile_regex
from aimscheck.dsl.sourcetext import DefSpan, expression_text, extent
from aimscheck.dsl.written import ANNEX_LIKE, WrittenTexts
from aimscheck.errors import AimscheckError, EvaluationError, RuleSemanticError
from aimscheck.export.fields import FieldType
from aimscheck.export.model import COLLECTIONS, SECTIONS
from aimscheck.functions import FUNCTIONS
from aimscheck.iso42001 import ANNEX_A, annex_records
from aimscheck.limits import current
from aimscheck.source import Location, Span, span_snippet
from aimscheck.values import (
    MISSING,
    arith,
    cut,
    duration,
    equal,
    order,
    show,
    truth,
)

if TYPE_CHECKING:
    from aimscheck.dsl.quantifiers import Join, Plan

# A compiled expression: called with the run's context and the rule's variable slots.
Fn = Callable[[Context, list[Any]], Any]
CONSTANTS = ("today", "annex_a_controls")
# Values of one of these types (exactly: not booleans, not datetimes) compare as Python does.
_PLAIN_ORDER = frozenset((int, float, str, dt.date))
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


# Names from other languages for values the rule language writes otherwise.
_NAME_HINTS = {
    "null": "a missing value is tested with 'x is missing' or 'x is set'",
    "None": "a missing value is tested with 'x is missing' or 'x is set'",
    "nil": "a missing value is tested with 'x is missing' or 'x is set'",
    "True": "write true in lower case",
    "False": "write false in lower case",
    "now": "the run's date is 'today'",
    "date": "write a date as 2026-01-31, without quotes",
}


def _name_hint(name: str, visible: list[str]) -> str:
    return _NAME_HINTS.get(name) or suggest(name, visible)


# The kind of value a built-in's arguments must be, where it is one kind (by position).
_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "age": ("date",),
    "days_between": ("date", "date"),
    "months_between": ("date", "date"),
    "days": ("number",),
    "lower": ("string",),
    "trim": ("string",),
}


def _comparison_hint(a: FieldType, b: FieldType) -> str:
    if {t.category(a), t.category(b)} == {"duration", "number"}:
        return "write the number with its unit (365 days, 12 months), or days(n) for a field"
    return ""


# Built-ins that return one item of their first argument, a list: the item keeps its type.
_PICKS_AN_ITEM = frozenset({"latest", "first"})
# Built-ins whose second argument names a field of the first argument's items.
_FIELD_BY_NAME = frozenset({"latest", "pluck"})


@dataclass
class Env:
    """What names mean while compiling one rule; shared state lives in `Compiler`."""

    slots: dict[str, tuple[int, FieldType]] = field(default_factory=dict)

    def bind(self, name: str, slot: int, typ: FieldType) -> Env:
        return Env({**self.slots, name: (slot, typ)})


class ExprCompiler(WrittenTexts):
    """Compiles the expressions of one rule; collects every problem instead of stopping."""

    # While a caller collects them (docgen's "read by" of the export reference): every field
    # read, as (rule file, line, id of the FieldType read from, field name).
    reads: ClassVar[set[tuple[str, int, int, str]] | None] = None

    def __init__(
        self,
        path: str,
        text: str,
        export_type: FieldType,
        custom: dict[int, dict[str, FieldType]],
        params: dict[str, tuple[object, FieldType]],
    ) -> None:
        self.path = path
        self.text = text
        self.export_type = export_type
        self.custom = custom
        self.params = params
        self.errors: list[AimscheckError] = []
        self.nslots = 0
        self.used: set[str] = set()
        # Names cut from the rule by syntax-error recovery: not reported again (None: any name).
        self.lost: frozenset[str] | None = frozenset()
        # id(node) → (closure, scope) of every expression compiled, when `explain` asks.
        self.trace: dict[int, tuple[Fn, Env]] | None = None
        # How each quantifier (by id of its node) finds its items, and the index look-up
        # each candidates closure makes (keyed by the closure itself, kept alive, so that no
        # other closure can take its id): for `codegen`.
        self.plans: dict[int, Plan] = {}
        self.joins: dict[Fn, Join] = {}
        WrittenTexts.__init__(self)

    # ---- helpers -----------------------------------------------------------------------------

    def error(self, span: Any, message: str, hint: str = "") -> None:
        # A span in a shared definition's body names the file it is written in (define.py).
        path, text = getattr(span, "path", self.path), getattr(span, "text", self.text)
        if any(
            e.message == message and e.location == Location(path, span.line, span.column)
            for e in self.errors
        ):
            return  # the same expression compiled twice (an index join): one message
        self.errors.append(
            RuleSemanticError(
                message,
                Location(path, span.line, span.column),
                span_snippet(text, span),
                hint,
            )
        )

    # Where the rule being compiled starts: a read in a shared definition's body (whose spans
    # name another place, define.py) counts for the rule that uses it.
    rule_line = 0

    def line_of(self, span: Span) -> int:
        return self.rule_line if isinstance(span, DefSpan) else span.line

    def slot(self) -> int:
        self.nslots += 1
        return self.nslots - 1

    def source_text(self, e: object) -> str:
        """The rule text an expression was written as, on one line."""
        return expression_text(_lines(self.text), e)

    def visible(self, env: Env) -> list[str]:
        return [*env.slots, *self.params, *CONSTANTS, *SECTIONS, *COLLECTIONS]

    def check_binding(self, name: str, span: Any) -> None:
        if name in RESERVED:
            self.error(
                span,
                f"'{name}' is a word of the rule language and cannot name a variable",
                "choose another name",
            )
        elif name in SECTIONS or name in COLLECTIONS or name in CONSTANTS:
            self.error(
                span,
                f"the name '{name}' is taken by the export's {name}",
                "choose another name for the variable",
            )

    # ---- expressions -------------------------------------------------------------------------

    def compile(self, e: n.Expr, env: Env) -> tuple[Fn, FieldType]:
        method = getattr(self, f"_{type(e).__name__}")
        result: tuple[Fn, FieldType] = method(e, env)
        if self.trace is not None:
            self.trace[id(e)] = (result[0], env)
        return result

    def condition(self, e: n.Expr, env: Env) -> Fn:
        fn, typ = self.compile(e, env)
        if t.category(typ) not in ("boolean", "any"):
            self.error(
                e.span,
                f"a condition must be true or false, but this is {t.words(typ)}",
                "compare it with something, or use 'is set' / 'is not empty'",
            )
        return fn

    def _Literal(self, e: n.Literal, env: Env) -> tuple[Fn, FieldType]:
        value = e.value
        if isinstance(value, str) and ANNEX_LIKE.match(value) and value not in ANNEX_A:
            self.error(
                e.span,
                f"unknown Annex A control '{value}'",
                suggest(value, ANNEX_A) or "Annex A controls run from A.2.2 to A.10.4",
            )
        if isinstance(value, str):
            return (lambda c, f: value), self.written_text([(value, e.span)])
        return (lambda c, f: value), t.literal_type(value)

    def _DurationLit(self, e: n.DurationLit, env: Env) -> tuple[Fn, FieldType]:
        value = duration(e.amount, e.unit)
        return (lambda c, f: value), t.DURATION

    def _ListExpr(self, e: n.ListExpr, env: Env) -> tuple[Fn, FieldType]:
        compiled = [self.compile(i, env) for i in e.items]
        fns = [fn for fn, _ in compiled]
        item = compiled[0][1] if compiled else t.ANY
        if compiled and all(t.category(typ) == "string" for _, typ in compiled):
            # ["done", "verified"]: its items may be any of the texts written in it.
            item = self.written_text([w for _, typ in compiled for w in self.written(typ)])
        return (lambda c, f: [fn(c, f) for fn in fns]), t.list_of(item)

    def _Name(self, e: n.Name, env: Env) -> tuple[Fn, FieldType]:
        name = e.name
        self.used.add(name)
        if name in env.slots:
            index, typ = env.slots[name]
            return (lambda c, f: f[index]), typ
        if name in self.params:
            value, typ = self.params[name]
            return (lambda c, f: value), typ
        if name == "today":
            return (lambda c, f: c.as_of), t.DATE
        if name == "annex_a_controls":
            records = annex_records()
            return (lambda c, f: records), t.list_of(t.ANNEX_RECORD)
        known = self.export_type.fields.get(name)
        if name in COLLECTIONS:
            return (lambda c, f: c.export.collection(name)), known or t.LIST
        if name in SECTIONS:

            def section(c: Context, f: list[Any]) -> Any:
                value = c.data.get(name)
                return MISSING if value is None else value

            return section, known or t.ANY
        if self.lost is None or name in self.lost:
            return (lambda c, f: MISSING), t.ANY
        owners = [var for var, (_, typ) in env.slots.items() if name in typ.fields]
        hint = f"did you mean '{owners[-1]}.{name}'?" if owners else ""
        self.error(e.span, f"unknown name '{name}'", hint or _name_hint(name, self.visible(env)))
        return (lambda c, f: MISSING), t.ANY

    def _field_type(self, owner: FieldType, e: n.FieldAccess) -> FieldType:
        if ExprCompiler.reads is not None:
            ExprCompiler.reads.add((self.path, self.line_of(e.span), id(owner), e.name))
        if owner.kind == "any":
            return t.ANY
        declared = self.custom.get(id(owner), {}).get(e.name)
        if declared is not None:
            return declared
        if owner.kind == "object":
            if e.name in owner.fields:
                return owner.fields[e.name]
            where = self._owner_name(owner)
            known = ", ".join(sorted(owner.fields))
            hint = suggest(e.name, owner.fields) or (
                f"{where or 'this record'} has: {known}"
                + (
                    f"; a field of your own is declared in the pack: "
                    f"field {where or '<collection>'}.{e.name}: string"
                    if owner.open
                    else ""
                )
            )
            self.error(e.span, f"unknown field '{e.name}'", hint)
            return t.ANY
        self.error(
            e.span,
            f"cannot read field '{e.name}' of {t.words(owner)}",
            "use a quantifier (exists, all, none, count) to look inside a list"
            if owner.kind == "list"
            else "",
        )
        return t.ANY

    def _owner_name(self, owner: FieldType) -> str:
        """The collection or section whose records have type `owner` ("" when nested)."""
        for name, typ in self.export_type.fields.items():
            if typ is owner or t.item_type(typ) is owner:
                return name
        return ""

    def _FieldAccess(self, e: n.FieldAccess, env: Env) -> tuple[Fn, FieldType]:
        # Flatten `a.b.c` into one closure that walks the path.
        path: list[n.FieldAccess] = []
        node: n.Expr = e
        while isinstance(node, n.FieldAccess):
            path.append(node)
            node = node.obj
        path.reverse()
        base_fn, typ = self.compile(node, env)
        for step in path:
            typ = self._field_type(typ, step)
        names = tuple(step.name for step in path)
        return _walker(base_fn, names, self._slot_of(node, env)), typ

    def _slot_of(self, e: n.Expr, env: Env) -> int | None:
        """The frame slot a plain variable is read from; None for anything else."""
        if isinstance(e, n.Name) and e.name in env.slots:
            return env.slots[e.name][0]
        return None

    def _Reference(self, e: n.Reference, env: Env) -> tuple[Fn, FieldType]:
        obj_fn, obj_type = self.compile(e.obj, env)
        return self.reference(obj_fn, obj_type, e.collection, e.span)

    def reference(
        self, obj_fn: Fn, obj_type: FieldType, coll: str, span: Any
    ) -> tuple[Fn, FieldType]:
        if coll not in COLLECTIONS:
            self.error(
                span, f"'{coll}' is not a collection of the export", suggest(coll, COLLECTIONS)
            )
            return (lambda c, f: MISSING), t.ANY
        target = obj_type.ref
        if (
            target
            and target not in ("annex_a", coll)
            and not (target == "evidence" and coll == "documents")
        ):
            self.error(span, f"this reference points at {target}, not {coll}", f"write -> {target}")
        record_type = t.item_type(self.export_type.fields.get(coll, t.LIST))

        def deref(c: Context, f: list[Any]) -> Any:
            return follow(c, coll, obj_fn(c, f))

        many = obj_type.kind == "list"
        return deref, (t.list_of(record_type) if many else record_type)

    def _ItemAccess(self, e: n.ItemAccess, env: Env) -> tuple[Fn, FieldType]:
        obj_fn, obj_type = self.compile(e.obj, env)
        index_fn, _ = self.compile(e.index, env)

        def item(c: Context, f: list[Any]) -> Any:
            obj, key = obj_fn(c, f), index_fn(c, f)
            if isinstance(obj, list) and isinstance(key, int) and not isinstance(key, bool):
                return obj[key] if -len(obj) <= key < len(obj) else MISSING
            if isinstance(obj, dict) and isinstance(key, str):
                value = obj.get(key, MISSING)
                return MISSING if value is None else value
            if obj is MISSING or key is MISSING:
                return MISSING
            raise EvaluationError(f"cannot take item {show(key)} of {show(obj)!r}")

        return item, t.item_type(obj_type)

    def _Call(self, e: n.Call, env: Env) -> tuple[Fn, FieldType]:
        if e.func == "__bad_date__":
            bad = e.args[0].value if isinstance(e.args[0], n.Literal) else "?"
            self.error(e.span, f"'{bad}' is not a valid date", "write a real day as YYYY-MM-DD")
            return (lambda c, f: MISSING), t.DATE
        if e.func == "ref":
            return self._ref_call(e, env)
        builtin = FUNCTIONS.get(e.func)
        if builtin is None:
            self.error(
                e.span,
                f"unknown function '{e.func}'",
                suggest(e.func, [*FUNCTIONS, "ref"]) or "see docs/language.md#built-ins",
            )
            return (lambda c, f: MISSING), t.ANY
        if not builtin.min_args <= len(e.args) <= builtin.max_args:
            wanted = (
                str(builtin.min_args)
                if builtin.min_args == builtin.max_args
                else f"{builtin.min_args} to {builtin.max_args}"
            )
            self.error(e.span, f"{e.func}() takes {wanted} argument(s), got {len(e.args)}")
        compiled = [self.compile(a, env) for a in e.args]
        args = [fn for fn, _ in compiled]
        for arg, (_, typ), wanted in zip(
            e.args, compiled, _ARGUMENTS.get(e.func, ()), strict=False
        ):
            if t.category(typ) not in (wanted, "any") and not self.quoted(typ, (wanted,)):
                self.error(
                    extent(arg),
                    f"{e.func}() needs {t.words(FieldType(wanted))} here, not {t.words(typ)}",
                )
        if (
            ExprCompiler.reads is not None
            and e.func in _FIELD_BY_NAME
            and compiled[0][1].kind == "list"
        ):
            name = _text_literal(e.args[1])  # latest(xs, "at"), pluck(xs, "id"): a field by name
            if name is not None:
                item = t.item_type(compiled[0][1])
                ExprCompiler.reads.add((self.path, self.line_of(e.span), id(item), name))
        impl = builtin.impl
        ret = t.DECLARABLE.get(
            builtin.returns, t.DURATION if builtin.returns == "duration" else t.ANY
        )
        if e.func in _PICKS_AN_ITEM and compiled and compiled[0][1].kind == "list":
            # `latest(reviews, "held_at")` is one review: its fields are checked and known.
            ret = t.item_type(compiled[0][1])
        if e.func == "coalesce":
            ret = self._coalesced([typ for _, typ in compiled])
        if len(args) == 1:
            (a0,) = args
            return (lambda c, f: impl(c, a0(c, f))), ret
        if len(args) == 2:
            a0, a1 = args
            return (lambda c, f: impl(c, a0(c, f), a1(c, f))), ret
        return (lambda c, f: impl(c, *[a(c, f) for a in args])), ret

    def _coalesced(self, types: list[FieldType]) -> FieldType:
        """The type of `coalesce(a, b, …)`: any of its arguments. A word of a closed vocabulary
        one argument has is checked in the others (`coalesce(ia.status, "draft")`)."""
        for typ in types:
            if typ.enum:
                for other in types:
                    self.check_vocabulary(typ, other)
                return typ
        kinds = {t.category(typ) for typ in types}
        if kinds == {"string"}:
            return self.written_text([w for typ in types for w in self.written(typ)])
        scalar = len(kinds) == 1 and kinds <= {"number", "boolean", "date", "duration"}
        return types[0] if scalar else t.ANY  # records and lists: as before, unchecked

    def _ref_call(self, e: n.Call, env: Env) -> tuple[Fn, FieldType]:
        if len(e.args) != 2 or not isinstance(e.args[0], n.Name):
            self.error(e.span, "ref() takes a collection and an id: ref(risks, r_id)")
            return (lambda c, f: MISSING), t.ANY
        obj_fn, obj_type = self.compile(e.args[1], env)
        return self.reference(obj_fn, obj_type, e.args[0].name, e.args[0].span)

    def _Unary(self, e: n.Unary, env: Env) -> tuple[Fn, FieldType]:
        if e.op == "not":
            from aimscheck.dsl.quantifiers import gives_boolean

            fn = self.condition(e.operand, env)
            if gives_boolean(e.operand):  # True or False already: no `truth` to ask
                return (lambda c, f: not fn(c, f)), t.BOOLEAN
            return (lambda c, f: not truth(fn(c, f))), t.BOOLEAN
        fn, typ = self.compile(e.operand, env)
        if t.category(typ) not in ("number", "any"):
            self.error(e.span, f"cannot negate {t.words(typ)}", "only a number has a minus sign")
        return (lambda c, f: arith("-", 0, fn(c, f))), typ

    def _Binary(self, e: n.Binary, env: Env) -> tuple[Fn, FieldType]:
        op = e.op
        if op in ("and", "or"):
            a, b = self.condition(e.left, env), self.condition(e.right, env)
            if op == "and":

                def and_(c: Context, f: list[Any]) -> bool:
                    x = a(c, f)
                    if x is not True and (x is False or x is MISSING or not truth(x)):
                        return False
                    y = b(c, f)
                    return y is True or (y is not False and y is not MISSING and truth(y))

                return and_, t.BOOLEAN

            def or_(c: Context, f: list[Any]) -> bool:
                x = a(c, f)
                if x is True or (x is not False and x is not MISSING and truth(x)):
                    return True
                y = b(c, f)
                return y is True or (y is not False and y is not MISSING and truth(y))

            return or_, t.BOOLEAN
        (a, ta), (b, tb) = self.compile(e.left, env), self.compile(e.right, env)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            problem = t.comparison_problem(op, ta, tb)
            if problem and not self.quoted_pair(ta, tb) and not self.unitless_pair(op, ta, tb):
                self.error(e.span, problem, _comparison_hint(ta, tb))
            self.check_vocabulary(ta, tb)
            self.check_vocabulary(tb, ta)
            if ta.kind == tb.kind == "list":  # org.ai_roles == ["provider"]
                self.check_vocabulary(t.item_type(ta), t.item_type(tb))
            text = _text_literal(e.right)
            if text is not None and op in ("==", "!="):
                # Against text, `equal` is Python's `==` (missing and booleans equal no text).
                return self._text_compare(e.left, env, a, op == "==", text), t.BOOLEAN
            if op == "==":
                return (lambda c, f: equal(a(c, f), b(c, f))), t.BOOLEAN
            if op == "!=":
                return (lambda c, f: not equal(a(c, f), b(c, f))), t.BOOLEAN
            compare = _COMPARE[op]

            def ordered(c: Context, f: list[Any]) -> bool:
                x, y = a(c, f), b(c, f)
                kind = type(x)
                if kind is type(y) and kind in _PLAIN_ORDER:  # `order`, without its checks
                    return bool(compare(x, y))
                return order(op, x, y)  # durations too: months are judged on the calendar

            return ordered, t.BOOLEAN
        if op in ("in", "not in"):
            if tb.kind not in ("list", "string", "any", "object"):
                self.error(
                    e.right.span, f"'{op}' needs a list or text on its right, not {t.words(tb)}"
                )
            self.check_vocabulary(ta, t.item_type(tb))  # status in ["done", "verifed"]
            self.check_vocabulary(t.item_type(tb), ta)  # "very_high" in sys.risk_tiers
            texts = _text_list(e.right)
            if texts is not None:  # `x in ["a", "b"]`: a set, built once
                return _in_texts(a, texts, op == "in"), t.BOOLEAN
            if op == "in":
                return (lambda c, f: _member(c, a(c, f), b(c, f))), t.BOOLEAN
            return (lambda c, f: not _member(c, a(c, f), b(c, f))), t.BOOLEAN
        problem = t.arithmetic_problem(op, ta, tb)
        if problem and not self.quoted_pair(ta, tb) and not self.unitless_pair(op, ta, tb):
            self.error(e.span, problem, t.arithmetic_hint(op, ta, tb))
        ca, cb = t.category(ta), t.category(tb)
        result = ta if ca == cb else t.ANY
        if ca == "string":
            result = t.STRING  # a joined text is none of the texts written
        elif ca == "date" and cb == "duration":
            result = t.DATE
        elif (ca == "date" and cb == "date") or (ca == "duration" and cb == "number"):
            result = t.DURATION
        if run_constant(e, env.slots, self.params):  # `today - 30 days`: one value all run
            return _per_run(lambda c, f: arith(op, a(c, f), b(c, f))), result
        return (lambda c, f: arith(op, a(c, f), b(c, f))), result

    def _Matches(self, e: n.Matches, env: Env) -> tuple[Fn, FieldType]:
        fn, typ = self.compile(e.subject, env)
        if t.category(typ) not in ("string", "any"):
            self.error(e.subject.span, f"'matches' needs text, not {t.words(typ)}")
        self._check_escapes(e.span)
        try:
            regex = compile_regex(e.pattern)
        except RegexError as exc:
            reason = str(exc).split(": ")[0]
            self.error(
                e.span,
                f"bad regular expression: {reason}",
                "the pattern's program passes RE2's memory of 1 MB: repeat less, and count "
                "lengths with len() instead (^[\\\\p{L} ]+$ and len(x) <= 300, not "
                "^[\\\\p{L} ]{1,300}$)"
                if "too large" in reason
                else "matches uses RE2 syntax (no backreferences or lookaround); "
                'a backslash is written twice in the rule: "\\\\d+"',
            )
            return (lambda c, f: False), t.BOOLEAN
        return (lambda c, f: regex.search(fn(c, f))), t.BOOLEAN

    def _check_escapes(self, span: Span) -> None:
        """`"\\d"` in a pattern reads as `d`: say so rather than match the wrong thing."""
        lines = getattr(span, "text", self.text).splitlines()
        if span.line != span.end_line or not 1 <= span.line <= len(lines):
            return
        raw = lines[span.line - 1][span.column - 1 : span.end_column - 1]
        i = 0
        while i < len(raw) - 1:
            if raw[i] == "\\":
                ch = raw[i + 1]
                if ch not in '"\\nt{}':
                    col = span.column + i
                    self.error(
                        Span(span.line, col, span.line, col + 2),
                        f"'\\{ch}' in text means just '{ch}'",
                        f"write '\\\\{ch}' for the regular expression \\{ch}",
                    )
                i += 1
            i += 1

    def _slot_field(self, e: n.Expr, env: Env) -> tuple[int, str] | None:
        """(slot, name) for `var.name` where var is a variable; None for anything else."""
        if isinstance(e, n.FieldAccess):
            slot = self._slot_of(e.obj, env)
            if slot is not None:
                return slot, e.name
        return None

    def _text_compare(self, left: n.Expr, env: Env, a: Fn, equals: bool, text: str) -> Fn:
        """`left == "text"` (or `!=`); `var.field == "text"` reads the record directly."""
        found = self._slot_field(left, env)
        if found is None:
            if equals:
                return lambda c, f: a(c, f) == text
            return lambda c, f: a(c, f) != text
        slot, name = found

        # A record's absent or null field reads as missing, which equals no text.
        def field_equals(c: Context, f: list[Any]) -> bool:
            record = f[slot]
            if type(record) is dict:
                value: object = record.get(name)
                return value == text
            other: object = a(c, f)  # not a record: the general path (and its errors)
            return other == text

        def field_differs(c: Context, f: list[Any]) -> bool:
            record = f[slot]
            if type(record) is dict:
                value: object = record.get(name)
                return value != text
            other: object = a(c, f)
            return other != text

        return field_equals if equals else field_differs

    def _IsCheck(self, e: n.IsCheck, env: Env) -> tuple[Fn, FieldType]:
        fn, _ = self.compile(e.subject, env)
        from aimscheck.values import is_empty

        found = self._slot_field(e.subject, env)
        if found is not None and e.test in ("set", "missing"):
            slot, name = found
            want_set = e.test == "set"

            def field_is(c: Context, f: list[Any]) -> bool:
                record = f[slot]
                if type(record) is dict:  # absent and null both read as missing
                    return (record.get(name) is not None) is want_set
                return (fn(c, f) is not MISSING) is want_set

            return field_is, t.BOOLEAN
        if e.test == "set":
            return (lambda c, f: fn(c, f) is not MISSING), t.BOOLEAN
        if e.test == "missing":
            return (lambda c, f: fn(c, f) is MISSING), t.BOOLEAN
        if e.test == "empty":
            return (lambda c, f: is_empty(fn(c, f))), t.BOOLEAN
        return (lambda c, f: not is_empty(fn(c, f))), t.BOOLEAN

    def _Quantifier(self, e: n.Quantifier, env: Env) -> tuple[Fn, FieldType]:
        from aimscheck.dsl.quantifiers import compile_quantifier

        return compile_quantifier(self, e, env)

    def template(self, tmpl: n.Template, env: Env) -> Callable[[Context, list[Any]], str]:
        parts: list[str | Fn] = []
        for part in tmpl.parts:
            parts.append(part if isinstance(part, str) else self.compile(part, env)[0])

        def render(c: Context, f: list[Any]) -> str:
            # Bounded while it is built: each value at max_message_value characters, and the
            # parts after the first max_message characters are never evaluated, so that a
            # message repeating a long field thousands of times costs its first 2,000.
            limits = current()
            whole, each = limits.max_message, limits.max_message_value
            out = []
            size = 0
            for part in parts:
                if isinstance(part, str):
                    piece = part
                else:
                    try:
                        piece = show(part(c, f), each)
                    except EvaluationError:
                        piece = "(?)"
                out.append(piece)
                size += len(piece)
                if size > whole:
                    break
            return cut("".join(out), whole)

        return render


@functools.lru_cache(maxsize=8)
def _lines(text: str) -> list[str]:
    """A rule file's lines, split once for all its rules (callers only read them)."""
    return text.splitlines()


def _text_literal(e: n.Expr) -> str | None:
    return e.value if isinstance(e, n.Literal) and isinstance(e.value, str) else None


def _text_list(e: n.Expr) -> list[str] | None:
    """The texts of a list written as text literals only (`["a", "b"]`); None otherwise."""
    if not isinstance(e, n.ListExpr) or not e.items:
        return None
    texts = [_text_literal(item) for item in e.items]
    return None if None in texts else [text for text in texts if text is not None]


def _in_texts(a: Fn, texts: list[str], inside: bool) -> Fn:
    """`x in ["a", "b"]` (or `not in`): text is looked up in a set; any other value (missing,
    a number) is in no list of texts, as `values.member` says."""
    found = frozenset(texts)

    def is_in(c: Context, f: list[Any]) -> bool:
        value = a(c, f)
        return type(value) is str and value in found

    def is_not_in(c: Context, f: list[Any]) -> bool:
        value = a(c, f)
        return not (type(value) is str and value in found)

    return is_in if inside else is_not_in


def _member(c: Context, item: object, container: object) -> bool:
    """`in`: text in a short list is Python's `in` (what `values.member` computes for it);
    anything else goes through the context (long lists are answered from a set)."""
    if type(item) is str and type(container) is list and len(container) <= 8:
        return item in container
    return c.member(item, container)


def run_constant(e: n.Expr, variables: Container[str], params: Container[str]) -> bool:
    """Whether `e` has one value for the whole run: literals, parameters and `today` (none of
    them shadowed by a variable), combined by arithmetic."""
    if isinstance(e, n.Literal | n.DurationLit):
        return True
    if isinstance(e, n.Name):
        return e.name not in variables and (e.name in params or e.name == "today")
    if isinstance(e, n.Binary) and e.op in ("+", "-", "*", "/"):
        return run_constant(e.left, variables, params) and run_constant(e.right, variables, params)
    return isinstance(e, n.Unary) and e.op == "neg" and run_constant(e.operand, variables, params)


def _per_run(fn: Fn) -> Fn:
    """`fn`, computed once per as-of date: for expressions whose only input is `today`."""
    last: list[Any] = [None, None]  # [the as-of date, the value for it]

    def once(c: Context, f: list[Any]) -> Any:
        if last[0] != c.as_of or last[0] is None:
            value = fn(c, f)  # an error is raised each time, never kept
            last[0], last[1] = c.as_of, value
        return last[1]

    return once


def follow(c: Context, collection: str, value: object) -> object:
    """`value -> collection`: the record an id names, or the records a list of ids names."""
    if isinstance(value, list):
        return [c.record(collection, v) for v in value]
    if value is MISSING:
        return MISSING
    return c.record(collection, value)


def field_step(value: object, name: str) -> object:
    """`value.name`: missing-safe (a dict's absent or null field reads as missing); an error
    for a value that has no fields."""
    if isinstance(value, dict):
        found = value.get(name, MISSING)
        return MISSING if found is None else found
    if value is MISSING:
        return MISSING
    raise EvaluationError(f"cannot read field '{name}' of {show(value)!r}")


def _walker(base: Fn, names: tuple[str, ...], slot: int | None) -> Fn:
    """A closure reading `base.a.b...` one `field_step` at a time."""

    def walk(value: Any) -> Any:
        for name in names:
            value = field_step(value, name)
        return value

    if len(names) != 1:
        return lambda c, f: walk(base(c, f))
    (name,) = names
    # The most common shape, `x.field`, without the loop (and the call, for a variable).
    if slot is not None:

        def field_of_slot(c: Context, f: list[Any]) -> Any:
            value = f[slot]
            if type(value) is dict:
                found = value.get(name)
                return MISSING if found is None else found
            return walk(value)

        return field_of_slot

    def field_of(c: Context, f: list[Any]) -> Any:
        value = base(c, f)
        if type(value) is dict:
            found = value.get(name)
            return MISSING if found is None else found
        return walk(value)

    return field_of


def iterate(value: object, what: str) -> list[Any]:
    """The items a quantifier or `for` walks over: a list; nothing for a missing value."""
    if isinstance(value, list):
        return value
    if value is MISSING or value is None:
        return []
    if isinstance(value, dict):
        return [value]
    raise EvaluationError(f"{what} needs a list or collection, got {show(value)!r}")


def path_of(e: n.Expr, var: str) -> tuple[str, ...] | None:
    """`("treatment", "due")` for `var.treatment.due`; None when `e` is not such a path."""
    names: list[str] = []
    while isinstance(e, n.FieldAccess):
        names.append(e.name)
        e = e.obj
    if isinstance(e, n.Name) and e.name == var and names:
        return tuple(reversed(names))
    return None


__all__ = ["Env", "ExprCompiler", "Fn", "extent", "get_path", "iterate", "path_of", "suggest"]
