"""Generates Python source for a compiled rule: for big exports, loops without closure calls.

The closures of `compiler.py` cost a Python call for every node of every expression, on every
record: on an export of 180,000 records and 200 rules, that call overhead is most of the run.
Here each step of a rule becomes one Python function: quantifiers are loops in it, joins read
the run's shared indexes directly, and field reads, comparisons, `and`/`or`/`not` and the
common built-ins are written out inline.

A join whose other conditions read only the joined record (`exists ia in impact_assessments
where ia.ai_system_ref == sys.id and ia.status == "approved"`) is answered from a table built
in one walk of the collection, once per run and shared by the rules asking the same: key →
whether a record meets the conditions (or how many do, or which). Every outer record then costs
a look-up instead of a walk of its matches, rule after rule.

It is a second back end with the same meaning, not a second implementation of the language:
- what it writes out is what the closures compute (a test runs every rule test and the
  fixtures through both back ends and compares every result);
- anything else (references, item access, messages...) calls the closure the compiler made for
  that node; loops then also bind their items in the variable slots those closures read;
- loops spend the evaluation budget as the closures do, and build an index on first use; a
  join answered from its table spends nothing per look-up (the walk it saves is the work the
  budget guards against), and when building the table meets an error or the budget's end, the
  join walks its records as written, with the budget it had.

Only the rule language's own AST is turned into source: names, fields and texts from the
rule file appear as Python literals (`repr`) or as values passed in, never as code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from aimscheck.budget import BudgetSpent
from aimscheck.context import Context, Path_, get_path
from aimscheck.dsl import nodes as n
from aimscheck.dsl.compiler import (
    _PLAIN_ORDER,
    _member,
    _text_list,
    field_step,
    follow,
    iterate,
    run_constant,
)
from aimscheck.dsl.quantifiers import conjuncts, gives_boolean, names_in
from aimscheck.dsl.regex import compile_regex
from aimscheck.export.model import COLLECTIONS, ID_FIELD, SECTIONS
from aimscheck.functions import FUNCTIONS, fn_age, fn_len
from aimscheck.values import (
    MAX_INT_BITS,
    MISSING,
    Duration,
    arith,
    duration,
    equal,
    is_empty,
    order,
    truth,
)

if TYPE_CHECKING:
    from aimscheck.dsl.compiler import Fn
    from aimscheck.dsl.quantifiers import Join, Plan
    from aimscheck.dsl.ruleset import CompiledRule

_ORDERED = ("<", "<=", ">", ">=")
_ARITH = ("+", "-", "*", "/")
_NONE: tuple[()] = ()


_HOISTED = ("exists", "none", "all", "count", "filter")
# What a join's table is when building it met an error or the end of the budget.
_FAILED = object()


def _index(c: Context, cell: list[Any], collection: str, path: Path_, multi: bool) -> object:
    """The run's index, kept in the module's `cell` with the run it belongs to."""
    cell[0], cell[1] = c.index(collection, path, multi), c
    return cell[0]


def _hoist(c: Context, cell: list[Any], key: object, build: Fn, f: list[Any]) -> object:
    """The table of a hoisted join for this run: built once, and shared by every rule whose
    join reads the same (`key`). Building it is not charged to the budget: it is work the
    rule would otherwise do record by record. When a record's condition raises an error or the
    budget runs out, the table is _FAILED and the loop walks the records as written, meeting
    the same error or spending the same steps as without a table."""
    table = c.memo.get(key)
    if table is None:
        left = c.budget.left
        try:
            table = build(c, f)
        except BudgetSpent:
            table = _FAILED  # this rule's budget: the next rule may build it
        except Exception:  # the walk meets it again, where the rule reads it
            table = c.memo[key] = _FAILED
        else:
            c.memo[key] = table
        finally:
            c.budget.left = left
    cell[0], cell[1] = table, c
    return table


# Names every generated module can read.
_BASE: dict[str, object] = {
    "M": MISSING,
    "NONE": _NONE,
    "PLAIN": _PLAIN_ORDER,
    "DUR": Duration,
    "DATE": dt.date,
    "ORD": order,
    "EQ": equal,
    "MEM": _member,
    "ARITH": arith,
    "EMPTY": is_empty,
    "TRUTH": truth,
    "FIELD": field_step,
    "ITER": iterate,
    "AGE": fn_age,
    "LEN": fn_len,
    "SET": list.__setitem__,
    "DEREF": follow,
    "INDEX": _index,
    "GETPATH": get_path,
    "HOIST": _hoist,
    "FAILED": _FAILED,
}
# A line that binds a loop's item in its slot, kept only when a closure may read the slot.
_BIND = "#bind "


def _has_quantifier(e: object) -> bool:
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


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


class _Module:
    """The source of one rule's functions and the values they read."""

    def __init__(self, rule: CompiledRule) -> None:
        self.rule = rule
        self.names: dict[str, object] = dict(_BASE)
        self.builds: list[str] = []  # functions building the tables of `hoisted` joins
        self.hoisting = False  # inside a hoisted join's code: no table in a table (size)
        self.temps = 0
        self.indexes: list[str] = []  # index variables of the function being written
        self.closures = False  # whether the function being written calls a closure

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
        return f"{self.const(self.rule.trace[id(e)][0])}(c, f)"

    # ---- functions ------------------------------------------------------------------------

    def function(self, name: str, e: n.Expr, env: dict[str, int]) -> str:
        """`def name(c, f)` returning the value of `e`."""
        self.indexes, self.closures = [], False
        return self.finish(name, [*self.value(e, env, {}, "r"), "return r"])

    def finish(self, name: str, body: list[str]) -> str:
        """`def name(c, f)` around `body`, with the index variables and budget it reads."""
        binds = self.closures
        lines = [f"{i} = None" for i in self.indexes]
        if any(line.lstrip().startswith("b.") for line in body):
            lines.append("b = c.budget")
        for line in body:
            if line.lstrip().startswith(_BIND):
                if not binds:
                    continue
                line = line.replace(_BIND, "", 1)
            lines.append(line)
        return f"def {name}(c, f):\n" + "".join(f"    {line}\n" for line in lines)

    def value(self, e: n.Expr, env: dict[str, int], local: dict[int, str], tgt: str) -> list[str]:
        """Statements leaving the value of `e` in `tgt`."""
        if isinstance(e, n.Quantifier):
            return self.loop(e, env, local, tgt)
        if _has_quantifier(e) and gives_boolean(e):
            return self.truth(e, env, local, tgt)
        pre: list[str] = []
        source = self.expr(e, env, local, pre)
        return [*pre, f"{tgt} = {source}"]

    def truth(self, e: n.Expr, env: dict[str, int], local: dict[int, str], tgt: str) -> list[str]:
        """Statements leaving `e` read as a condition (True or False) in `tgt`."""
        if isinstance(e, n.Binary) and e.op in ("and", "or") and _has_quantifier(e):
            test = f"if {tgt}:" if e.op == "and" else f"if not {tgt}:"
            return [
                *self.truth(e.left, env, local, tgt),
                test,
                *_indent(self.truth(e.right, env, local, tgt)),
            ]
        if isinstance(e, n.Unary) and e.op == "not" and _has_quantifier(e):
            return [*self.truth(e.operand, env, local, tgt), f"{tgt} = not {tgt}"]
        if isinstance(e, n.Quantifier) and e.kind in ("exists", "none", "all"):
            return self.loop(e, env, local, tgt)
        pre: list[str] = []
        source = self.condition(e, env, local, pre)
        return [*pre, f"{tgt} = {source}"]

    def loop(
        self, e: n.Quantifier, env: dict[str, int], local: dict[int, str], tgt: str
    ) -> list[str]:
        """Statements leaving the value of quantifier `e` in `tgt`."""
        plan = self.rule.plans.get(id(e))
        if plan is None:  # not compiled as a quantifier (a compile error): the closure
            return [f"{tgt} = {self.fallback(e)}"]
        hoisted = self.hoisted(e, plan, env, local, tgt)
        return hoisted if hoisted is not None else self.walk(e, plan, env, local, tgt)

    def walk(
        self, e: n.Quantifier, plan: Plan, env: dict[str, int], local: dict[int, str], tgt: str
    ) -> list[str]:
        """Statements walking the items of quantifier `e`, record by record."""
        item = f"x{plan.slot}"
        inner_env, inner_local = {**env, e.var: plan.slot}, {**local, plan.slot: item}
        many = e.kind in ("filter", "count")
        lines: list[str] = []
        join = plan.join
        exact = ""  # names a variable that is true when the look-up met the join's condition
        if join is not None and not (many and join.how == "each"):
            heads, exact = self.lookup(join, item, env, local, lines)
        elif plan.scan:
            source = self.expr(e.source, env, local, lines)
            heads = [f"for {item} in ITER({source}, {repr(e.kind)!r}):"]
        else:  # a union of joins, or a join through a third collection: the compiled one
            self.closures = True
            heads = [f"for {item} in {self.const(plan.candidates)}(c, f):"]
        bind = f"{_BIND}SET(f, {plan.slot}, {item})"
        if many:  # a full walk: the budget is charged once for every item
            items = self.temp()
            found = heads[0][len(f"for {item} in ") : -1]
            copy = found if join is not None and len(heads) == 1 else f"list({found})"
            lines += [f"{items} = {copy}", f"c.spend(len({items}))"]
            heads, meter = [f"for {item} in {items}:"], [bind]
        else:
            meter = ["b.left -= 1", "if b.left < 0:", "    b.exhausted()", bind]
        passes = self.temp("p")
        met = join.part if join is not None and exact else None
        test = self.all_of(conjuncts(e.where), inner_env, inner_local, passes, met, exact)
        if e.kind in ("exists", "none"):
            found_value = e.kind == "exists"
            lines.append(f"{tgt} = {not found_value}")
            act = [f"if {passes}:", f"    {tgt} = {found_value}", "    break"]
            stop = f"if {tgt}:" if found_value else f"if not {tgt}:"
        elif e.kind == "all":
            assert e.body is not None
            holds = self.temp("p")
            lines.append(f"{tgt} = True")
            act = [
                f"if {passes}:",
                *_indent(self.truth(e.body, inner_env, inner_local, holds)),
                f"    if not {holds}:",
                f"        {tgt} = False",
                "        break",
            ]
            stop = f"if not {tgt}:"
        else:
            lines.append(f"{tgt} = []" if e.kind == "filter" else f"{tgt} = 0")
            keep = f"{tgt}.append({item})" if e.kind == "filter" else f"{tgt} += 1"
            act, stop = [f"if {passes}:", f"    {keep}"], ""
        body = [*meter, *test, *act]
        if len(heads) == 1:
            return [*lines, heads[0], *_indent(body)]
        # Two loops (each key, then each record found by it): a break leaves both.
        outer, exact_line, inner = heads
        return [*lines, outer, *_indent([exact_line, inner, *_indent(body), stop, "    break"])]

    def all_of(
        self,
        parts: list[n.Expr],
        env: dict[str, int],
        local: dict[int, str],
        passes: str,
        met: n.Expr | None = None,
        exact: str = "",
    ) -> list[str]:
        """Statements leaving in `passes` whether every one of `parts` holds, judged in order
        and no further than the first that fails; `met` is skipped when `exact` is true."""
        test = [f"{passes} = True"]
        for i, part in enumerate(parts):
            check = self.truth(part, env, local, passes)
            if part is met:
                check = [f"if {exact}:", f"    {passes} = True", "else:", *_indent(check)]
            test = check if i == 0 else [*test, f"if {passes}:", *_indent(check)]
        return test

    # ---- joins answered from a table built once per run -----------------------------------

    def hoisted(
        self, e: n.Quantifier, plan: Plan, env: dict[str, int], local: dict[int, str], tgt: str
    ) -> list[str] | None:
        """For a join whose other conditions read only the joined record: statements that
        answer it from a table of the run, key → answer, built in one walk of the collection
        (a semi-join). Without it every outer record walks its matches again, rule after rule.

        The table answers text keys; any other key, and a run where building the table met
        an error or the budget's end, walks the records as written, so nothing changes but
        the time. None: the quantifier is not such a join."""
        join = plan.join
        if join is None or e.kind not in _HOISTED or self.hoisting:
            return None
        if join.how == "each" and e.kind in ("count", "filter"):
            return None
        rest = tuple(p for p in conjuncts(e.where) if p is not join.part)
        reads = names_in((rest, e.body)) - {e.var}
        if reads & env.keys() or e.var in env or not names_in(join.key) & env.keys():
            return None  # it reads an outer variable, or it runs once: no table pays
        params = tuple(sorted((p, self.rule.params[p]) for p in reads if p in self.rule.params))
        answers = "exists" if e.kind == "none" else e.kind  # none is `not exists`
        key: object = (answers, join.collection, join.path, join.how == "has", e.var)
        key = (*key, rest, e.body, params)  # type: ignore[misc]
        try:
            hash(key)
        except TypeError:  # a list parameter: this rule's own table
            key = (answers, object())
        self.hoisting = True  # the code below is written twice: once is enough for its parts
        build = self.build(e, plan, join, rest)
        cell = self.const([None, None])  # this run's table, once fetched
        table, k, done = self.temp("H"), self.temp(), self.temp("d")
        get = f"({cell}[0] if {cell}[1] is c else HOIST(c, {cell}, {self.const(key)}, {build}, f))"
        lines: list[str] = []
        value = self.expr(join.key, env, local, lines)
        lines += [f"{done} = False", f"{k} = {value}"]
        if join.how == "each":  # found by any text key; another kind of key: walk them all
            hit, mixed, one = self.temp("h"), self.temp("m"), self.temp()
            found = hit if e.kind == "exists" else f"not {hit}"
            lines += [
                f"if type({k}) is list and ({table} := {get}) is not FAILED:",
                f"    {hit} = {mixed} = False",
                f"    for {one} in {k}:",
                f"        if type({one}) is not str:",
                f"            {mixed} = True",
                f"        elif {one} in {table}:",
                f"            {hit} = True",
                "            break",
                f"    if {hit} or not {mixed}:",
                f"        {tgt} = {found}",
                f"        {done} = True",
            ]
        else:
            answer = {
                "exists": f"{k} in {table}",
                "none": f"{k} not in {table}",
                "all": f"{k} not in {table}",  # the table holds the keys with a counterexample
                "count": f"{table}.get({k}, 0)",
                "filter": f"list({table}.get({k}, NONE))",
            }[e.kind]
            lines += [
                f"if type({k}) is str and ({table} := {get}) is not FAILED:",
                f"    {tgt} = {answer}",
                f"    {done} = True",
            ]
        walk = self.walk(e, plan, env, local, tgt)
        self.hoisting = False
        return [*lines, f"if not {done}:", *_indent(walk)]

    def build(self, e: n.Quantifier, plan: Plan, join: Join, rest: tuple[n.Expr, ...]) -> str:
        """The name of a module function building `hoisted`'s table in one walk of the
        collection: each text key of the join → whether one of its records meets `rest`
        (`exists`, `none`), has one that breaks `all`'s body, how many meet it (`count`) or
        which (`filter`, in the collection's order). Keys are read as the index files them."""
        saved = self.indexes, self.closures
        self.indexes, self.closures = [], False
        item, env = f"x{plan.slot}", {e.var: plan.slot}
        local = {plan.slot: item}
        passes, key, one, table = self.temp("p"), self.temp(), self.temp(), self.temp("D")
        if len(join.path) == 1:
            value = self.temp()
            read = (
                f"((M if ({value} := {item}.get({join.path[0]!r})) is None else {value}) "
                f"if type({item}) is dict else M)"
            )
        else:
            read = f"GETPATH({item}, {join.path!r})"
        keep = {
            "count": f"{table}[{one}] = {table}.get({one}, 0) + 1",
            "filter": f"{table}.setdefault({one}, []).append({item})",
        }.get(e.kind, f"{table}.add({one})")
        if join.how == "has":  # a record is filed under each text item of its list
            has_key = f"type({key}) is list and {key}"
            keep_all = [f"for {one} in {key}:", f"    if type({one}) is str:", f"        {keep}"]
        else:
            has_key = f"type({key}) is str"
            keep_all = [keep.replace(one, key)]
        if e.kind == "all":  # the keys with a record that breaks the body
            assert e.body is not None
            holds = self.temp("p")
            body = self.truth(e.body, env, local, holds)
            keep_all = [*body, f"if not {holds}:", *_indent(keep_all)]
        test = self.all_of(list(rest), env, local, passes)
        loop = [
            f"{key} = {read}",
            f"if {has_key}:",
            *_indent([f"{_BIND}SET(f, {plan.slot}, {item})", *test]),
            f"    if {passes}:",
            *_indent(_indent(keep_all)),
        ]
        body = [
            f"{table} = {'set()' if e.kind in ('exists', 'none', 'all') else '{}'}",
            f"for {item} in c.export.collection({join.collection!r}):",
            *_indent(loop),
            f"return {table}",
        ]
        name = f"B{len(self.builds)}"
        self.builds.append(self.finish(name, body))
        self.indexes, self.closures = saved
        return name

    def lookup(
        self, join: Join, item: str, env: dict[str, int], local: dict[int, str], lines: list[str]
    ) -> tuple[list[str], str]:
        """The loop heads walking the records an index finds, and the name of a variable
        that is true when the look-up itself met the join's condition (a text key)."""
        index, key, exact = self.temp("I"), self.temp(), self.temp("ok")
        self.indexes.append(index)
        multi = join.how == "has"
        cell = self.const([None, None])  # this run's index, once fetched
        lines += [
            f"if {index} is None:",
            f"    {index} = {cell}[0] if {cell}[1] is c else "
            f"INDEX(c, {cell}, {join.collection!r}, {join.path!r}, {multi})",
        ]
        value = self.expr(join.key, env, local, lines)
        found = (
            f"({index}.get({key}, NONE) if {exact} "
            f"else c.lookup({join.collection!r}, {join.path!r}, {key}, {multi}))"
        )
        if join.how != "each":
            lines += [f"{key} = {value}", f"{exact} = type({key}) is str"]
            return [f"for {item} in {found}:"], exact
        # Each item of a list: for exists/none/all a record found twice changes no answer.
        keys = self.temp()
        lines.append(f"{keys} = {value}")
        return [
            f"for {key} in ({keys} if type({keys}) is list else NONE):",
            f"{exact} = type({key}) is str",
            f"for {item} in {found}:",
        ], exact

    # ---- expressions ----------------------------------------------------------------------

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
            and _has_quantifier(e)  # a quantifier must not run unless the other side says so
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
            ids = (ID_FIELD[e.collection],)
            cell = self.const([None, None])
            fetch = f"INDEX(c, {cell}, {e.collection!r}, {ids!r}, False)"
            index = f"({cell}[0] if {cell}[1] is c else {fetch})"
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
                f"and {kind} in PLAIN else ({a}.total_days {op} {b}.total_days) "
                f"if {kind} is DUR and type({b}) is DUR else ORD({op!r}, {a}, {b}))"
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
        call, limit = e.left, self._constant(e.right)
        if not (
            isinstance(call, n.Call)
            and call.func == "age"
            and len(call.args) == 1
            and isinstance(limit, Duration)
            and limit.months == 0
        ):
            return None
        day = self.temp()
        subject = self.expr(call.args[0], env, local, pre)
        return (
            f"(((c.as_of - {day}).days {e.op} {limit.days!r}) if type({day} := {subject}) is DATE "
            f"else ORD({e.op!r}, AGE(c, {day}), {self.const(limit)}))"
        )

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


def generate(rule: CompiledRule) -> CompiledRule:
    """`rule` with each closure it runs replaced by a generated function of the same meaning."""
    module = _Module(rule)
    ast = rule.ast
    env: dict[str, int] = {}
    defs: list[str] = []

    def function(e: n.Expr) -> str:
        name = f"S{len(defs)}"
        defs.append(module.function(name, e, env))
        return name

    when = function(ast.when) if ast.when is not None and rule.when is not None else None
    source = where = None
    if ast.for_ is not None and rule.source is not None:
        source = function(ast.for_.source)
        env[ast.for_.var] = rule.var_slot
        if ast.for_.where is not None and rule.where is not None:
            where = function(ast.for_.where)
    step_names: list[str] = []
    for stmt, step in zip(ast.body, rule.steps, strict=True):
        if isinstance(stmt, n.Let):
            step_names.append(function(stmt.expr))
            env[stmt.name] = step.slot
        else:
            step_names.append(function(stmt.cond if isinstance(stmt, n.Require) else stmt.expr))
    scope: dict[str, Any] = dict(module.names)
    try:
        code = compile("".join(module.builds + defs), f"<aimscheck rule {rule.info.id}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):
        # Beyond what Python compiles (20 loops inside each other, 200 brackets): the
        # closures run this rule, as they do on small exports.
        return rule
    exec(code, scope)  # our own source, written from the rule's checked AST

    def fn(name: str | None) -> Fn | None:
        return None if name is None else scope[name]

    steps = tuple(
        dataclasses.replace(step, fn=scope[name])
        for step, name in zip(rule.steps, step_names, strict=True)
    )
    return dataclasses.replace(rule, when=fn(when), source=fn(source), where=fn(where), steps=steps)
