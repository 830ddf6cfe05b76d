"""Writes rule expressions as inline Python source, for the functions `codegen` generates.

Field reads, comparisons, `and`/`or`/`not`, whole-number arithmetic, references and the common
built-ins are written out; anything else calls the closure the compiler made for that node.
Quantifiers are written by the subclass (`codegen._Module.loop`). Names the source reads (`M`,
`ORD`, `INDEX`...) are those `codegen` gives every generated module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aimscheck.dsl import nodes as n
from aimscheck.dsl.compiler import _text_list, run_constant
from aimscheck.dsl.quantifiers import gives_boolean
from aimscheck.dsl.regex import compile_regex
from aimscheck.export.model import COLLECTIONS, ID_FIELD, SECTIONS
from aimscheck.functions import FUNCTIONS
from aimscheck.values import MAX_INT_BITS, Duration, duration

if TYPE_CHECKING:
    from aimscheck.dsl.ruleset import CompiledRule

_ORDERED = ("<", "<=", ">", ">=")
_ARITH = ("+", "-", "*", "/")


def has_quantifier(e: object) -> bool:
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, n.Quantifier):
            return True
        if isinstance(node, tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__"):
            stack.extend(getattr(node, f) for f in node.__dataclass_fields__ if f != "span")
    return False


class ExprWriter:
    """Python source for the expressions of one rule, and the values that source reads."""

    def __init__(self, rule: CompiledRule, names: dict[str, object]) -> None:
        self.rule = rule
        self.names = names  # name → value, for the generated module's namespace
        self.temps = 0
        self.closures = False  # whether the function being written calls a closure
        # Whether it may charge the budget of the rule being evaluated rather than its context's
        # (regular expressions, joined texts and closures charge it through `budget.charge`).
        self.metering = False

    def const(self, value: object) -> str:
        name = f"K{len(self.names)}"
        self.names[name] = value
        return name

    def temp(self, prefix: str = "t") -> str:
        self.temps += 1
        return f"{prefix}{self.temps}"

    def fallback(self, e: n.Expr, reads_variables: bool = True) -> str:
        """A call to the closure the compiler made for `e`; loops then bind their items in the
        variable slots it reads (unless it reads none)."""
        self.closures = self.closures or reads_variables
        self.metering = True
        return f"{self.const(self.rule.trace[id(e)][0])}(c, f)"

    def run_index(self, collection: str, path: tuple[str, ...], multi: bool) -> str:
        """Source giving the run's index of `collection` by `path`, fetched once per run."""
        cell = self.const([None, None])  # the index and the run it belongs to
        fetch = f"INDEX(c, {cell}, {collection!r}, {path!r}, {multi})"
        return f"({cell}[0] if {cell}[1] is c else {fetch})"

    def loop(
        self, e: n.Quantifier, env: dict[str, int], local: dict[int, str], tgt: str
    ) -> list[str]:
        """Statements leaving the value of quantifier `e` in `tgt` (the subclass's)."""
        raise NotImplementedError

    def condition(
        self, e: n.Expr, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        """`e` as True or False, read as `truth` reads it."""
        source = self.expr(e, env, local, pre)
        return source if gives_boolean(e) else f"TRUTH({source})"

    def expr(self, e: n.Expr, env: dict[str, int], local: dict[int, str], pre: list[str]) -> str:
        """Python source computing `e`. `env`: variable → slot; `local`: slot → the Python
        local holding it; quantifiers are computed first, by statements added to `pre`."""
        if isinstance(e, n.Quantifier):
            tgt = self.temp("q")
            pre.extend(self.loop(e, env, local, tgt))
            return tgt
        if (
            isinstance(e, n.Binary | n.Unary)
            and e.op in ("and", "or", "not")
            and has_quantifier(e)  # a quantifier must not run unless the other side says so
        ):
            return self.fallback(e)
        method = getattr(self, f"_{type(e).__name__}", None)
        if method is None:
            return self.fallback(e)
        source: str = method(e, env, local, pre)
        return source

    def _Literal(
        self, e: n.Literal, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        if type(e.value) in (str, int, bool):
            return repr(e.value)
        return self.const(e.value)

    def _DurationLit(
        self, e: n.DurationLit, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        return self.const(duration(e.amount, e.unit))

    def _ListExpr(
        self, e: n.ListExpr, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        return "[" + "".join(f"{self.expr(i, env, local, pre)}, " for i in e.items) + "]"

    def _Name(self, e: n.Name, env: dict[str, int], local: dict[int, str], pre: list[str]) -> str:
        name = e.name
        if name in env:
            slot = env[name]
            return local.get(slot, f"f[{slot}]")
        if name in self.rule.params:
            return self.const(self.rule.params[name])
        if name == "today":
            return "c.as_of"
        if name in COLLECTIONS:
            return f"c.export.collection({name!r})"
        if name in SECTIONS:
            value = self.temp()
            return f"(M if ({value} := c.data.get({name!r})) is None else {value})"
        return self.fallback(e)

    def _FieldAccess(
        self, e: n.FieldAccess, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        base = self.expr(e.obj, env, local, pre)
        record, value = self.temp(), self.temp()
        # A dict's absent or null field reads as missing; anything else: one step of the walk.
        if base.isidentifier() or base.startswith("f["):
            record = base
            head = f"type({record}) is dict"
        else:
            head = f"type({record} := {base}) is dict"
        return (
            f"((M if ({value} := {record}.get({e.name!r})) is None else {value}) "
            f"if {head} else FIELD({record}, {e.name!r}))"
        )

    def _Reference(
        self, e: n.Reference, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        if e.collection not in COLLECTIONS:  # a compile error: the closure says what it does
            return self.fallback(e)
        value, found = self.temp(), self.temp()
        subject = self.expr(e.obj, env, local, pre)
        if e.collection == "evidence":  # proof: an evidence record or a document
            record = f"c.record({e.collection!r}, {value})"
        else:  # by id, from the run's index, as c.record finds it
            index = self.run_index(e.collection, (ID_FIELD[e.collection],), False)
            record = f"({found}[0] if ({found} := {index}.get({value})) else M)"
        return (
            f"({record} if type({value} := {subject}) is str "
            f"else DEREF(c, {e.collection!r}, {value}))"
        )

    def _Call(self, e: n.Call, env: dict[str, int], local: dict[int, str], pre: list[str]) -> str:
        first = e.args[0] if e.args else None
        if (
            e.func == "ref"
            and len(e.args) == 2
            and isinstance(first, n.Name)
            and first.name in COLLECTIONS
        ):
            return self._Reference(n.Reference(e.args[1], first.name), env, local, pre)
        builtin = FUNCTIONS.get(e.func)
        if builtin is None:  # the compiler's own markers
            return self.fallback(e)
        args = [self.expr(a, env, local, pre) for a in e.args]
        if e.func == "len":
            value = self.temp()
            return f"(len({value}) if type({value} := {args[0]}) is str else LEN(c, {value}))"
        return f"{self.const(builtin.impl)}(c{''.join(', ' + a for a in args)})"

    def _Unary(self, e: n.Unary, env: dict[str, int], local: dict[int, str], pre: list[str]) -> str:
        if e.op != "not":
            return self.fallback(e)
        return f"(not {self.condition(e.operand, env, local, pre)})"

    def _Matches(
        self, e: n.Matches, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        regex = self.const(compile_regex(e.pattern))
        self.metering = True
        return f"{regex}.search({self.expr(e.subject, env, local, pre)})"

    def _IsCheck(
        self, e: n.IsCheck, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        op = "is not" if e.test == "set" else "is"
        field = e.subject
        if e.test in ("set", "missing") and isinstance(field, n.FieldAccess):
            record = self.expr(field.obj, env, local, pre)
            if record.isidentifier() or record.startswith("f["):  # absent and null: missing
                return (
                    f"(({record}.get({field.name!r}) {op} None) if type({record}) is dict "
                    f"else (FIELD({record}, {field.name!r}) {op} M))"
                )
        subject = self.expr(field, env, local, pre)
        if e.test in ("empty", "not_empty"):
            negate = "not " if e.test == "not_empty" else ""
            value = self.temp()
            return (
                f"({negate}((len({value}) == 0) if type({value} := {subject}) is list "
                f"or type({value}) is str else EMPTY({value})))"
            )
        return f"(({self.temp()} := {subject}) {op} M)"  # a name: `is` never meets a literal

    def _Binary(
        self, e: n.Binary, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str:
        op = e.op
        if op in ("and", "or"):
            sides = [self.condition(side, env, local, pre) for side in (e.left, e.right)]
            return f"({sides[0]} {op} {sides[1]})"
        if op in _ORDERED:
            folded = self._age(e, env, local, pre)
            if folded is not None:
                return folded
        left, right = self.expr(e.left, env, local, pre), self.expr(e.right, env, local, pre)
        if op in ("==", "!="):
            if isinstance(e.right, n.Literal) and isinstance(e.right.value, str):
                return f"({left} {op} {right})"  # against text, `equal` is Python's ==
            if isinstance(e.right, n.Literal) and type(e.right.value) is bool:
                same = "is" if op == "==" else "is not"  # only a boolean equals a boolean
                return f"({left} {same} {right})"
            a, b, kind = self.temp(), self.temp(), self.temp()
            same = f"({a} == {b})" if op == "==" else f"({a} != {b})"
            other = f"EQ({a}, {b})" if op == "==" else f"(not EQ({a}, {b}))"
            return (
                f"({same} if ({kind} := type({a} := {left})) is type({b} := {right}) "
                f"and {kind} is str else {other})"
            )
        if op in _ORDERED:
            a, b, kind = self.temp(), self.temp(), self.temp()
            known = self._plain_type(e.right, env)
            if known is not None:  # the right side's type is known: one test of the left's
                return (
                    f"(({a} {op} {right}) if type({a} := {left}) is {known} "
                    f"else ORD({op!r}, {a}, {right}))"
                )
            return (
                f"(({a} {op} {b}) if ({kind} := type({a} := {left})) is type({b} := {right}) "
                f"and {kind} in PLAIN else ORD({op!r}, {a}, {b}))"
            )
        if op in ("in", "not in"):
            negate = "not " if op == "not in" else ""
            texts = _text_list(e.right)
            if texts is not None:
                item = self.temp()
                found = self.const(frozenset(texts))
                return f"({negate}(type({item} := {left}) is str and {item} in {found}))"
            return f"({negate}MEM(c, {left}, {right}))"
        if op in _ARITH:
            self.metering = self.metering or op == "+"  # texts joined
            if run_constant(e, env, self.rule.params):  # once per run, by the compiled closure
                return self.fallback(e, reads_variables=False)
            if op == "/":
                return f"ARITH({op!r}, {left}, {right})"
            # Whole numbers (never booleans) inline, within the size `arith` allows; `&` reads
            # both sides (the `else` needs both), left first.
            a, b, value = self.temp(), self.temp(), self.temp()
            return (
                f"(({value} if ({value} := {a} {op} {b}).bit_length() <= {MAX_INT_BITS} "
                f"else ARITH({op!r}, {a}, {b})) if (type({a} := {left}) is int) "
                f"& (type({b} := {right}) is int) else ARITH({op!r}, {a}, {b}))"
            )
        return self.fallback(e)

    def _age(
        self, e: n.Binary, env: dict[str, int], local: dict[int, str], pre: list[str]
    ) -> str | None:
        """`age(d) <= N days`, as a difference of dates (the same numbers `age` compares)."""
        found = self.age_limit(e)
        if found is None:
            return None
        dated, limit = found
        day = self.temp()
        subject = self.expr(dated, env, local, pre)
        return (
            f"(((c.as_of - {day}).days {e.op} {limit.days!r}) if type({day} := {subject}) is DATE "
            f"else ORD({e.op!r}, AGE(c, {day}), {self.const(limit)}))"
        )

    def age_limit(self, e: n.Binary) -> tuple[n.Expr, Duration] | None:
        """For `age(d) <= N days` (any order, a limit in days): d and the limit."""
        call, limit = e.left, self._constant(e.right)
        if (
            isinstance(call, n.Call)
            and call.func == "age"
            and len(call.args) == 1
            and isinstance(limit, Duration)
            and limit.months == 0
        ):
            return call.args[0], limit
        return None

    def _plain_type(self, e: n.Expr, env: dict[str, int]) -> str | None:
        """The name of the type of `e` when it is known before the run and is one `<` orders
        as Python does (an int or text literal, `today`); None otherwise."""
        if isinstance(e, n.Literal) and type(e.value) in (int, str):
            return type(e.value).__name__
        if isinstance(e, n.Name) and e.name == "today" and e.name not in env:
            return "DATE"
        return None

    def _constant(self, e: n.Expr) -> object:
        if isinstance(e, n.DurationLit):
            return duration(e.amount, e.unit)
        if isinstance(e, n.Name) and e.name in self.rule.params:
            return self.rule.params[e.name]
        return None
