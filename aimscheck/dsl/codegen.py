"""Generates Python source for a compiled rule: for big exports, loops without closure calls.

The closures of `compiler.py` cost a Python call for every node of every expression, on every
record: on an export of 180,000 records and 200 rules, that call overhead is most of the run.
Here each step of a rule becomes one Python function: quantifiers are loops in it, joins read
the run's shared indexes directly, and field reads, comparisons, `and`/`or`/`not` and the
common built-ins are written out inline (`codegen_expr.py` writes the expressions).

A join whose other conditions read only the joined record (`exists ia in impact_assessments
where ia.ai_system_ref == sys.id and ia.status == "approved"`) is answered from a table built
in one walk of the collection, once per run and shared by the rules asking the same: key →
whether a record meets the conditions (or how many do, or which). Every outer record then costs
a look-up instead of a walk of its matches, rule after rule.

A `filter` or `count` that reads no variable of its rule (`filter(c in controls where
c.status == "implemented" and ...)`) has the same value wherever it is read: it is computed once
per run, with the others over the same records (`shared.py`, `fusion.py`), and each reading is
charged the steps computing it took.

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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aimscheck.dsl import nodes as n
from aimscheck.dsl.codegen_expr import ExprWriter, has_quantifier
from aimscheck.dsl.codegen_run import BASE
from aimscheck.dsl.quantifiers import conjuncts, gives_boolean, names_in
from aimscheck.dsl.shared import Member, Shared, Table, Walk

if TYPE_CHECKING:
    from aimscheck.dsl.compiler import Fn
    from aimscheck.dsl.quantifiers import Join, Plan
    from aimscheck.dsl.ruleset import CompiledRule

# A line that binds a loop's item in its slot, kept only when a closure may read the slot.
_BIND = "#bind "


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


class _Module(ExprWriter):
    """The source of one rule's functions and the values they read."""

    def __init__(self, rule: CompiledRule, share: bool = False) -> None:
        super().__init__(rule, dict(BASE))
        self.builds: list[str] = []  # functions for tables and walks, beside the steps'
        self.hoisting = False  # inside a hoisted join's code: no table in a table (size)
        self.indexes: list[str] = []  # index variables of the function being written
        self.share = share  # closed walks are computed once per run (`shared_walk`)
        self.members: list[Member] = []  # the run's shared walks and tables this rule reads

    # ---- functions ------------------------------------------------------------------------

    def function(self, name: str, e: n.Expr, env: dict[str, int]) -> str:
        """`def name(c, f)` returning the value of `e`."""
        self.indexes, self.closures = [], False
        return self.finish(name, [*self.value(e, env, {}, "r"), "return r"])

    def finish(self, name: str, body: list[str], params: str = "c, f") -> str:
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
        return f"def {name}({params}):\n" + "".join(f"    {line}\n" for line in lines)

    def value(self, e: n.Expr, env: dict[str, int], local: dict[int, str], tgt: str) -> list[str]:
        """Statements leaving the value of `e` in `tgt`."""
        if isinstance(e, n.Quantifier):
            return self.loop(e, env, local, tgt)
        if has_quantifier(e) and gives_boolean(e):
            return self.truth(e, env, local, tgt)
        pre: list[str] = []
        source = self.expr(e, env, local, pre)
        return [*pre, f"{tgt} = {source}"]

    def truth(self, e: n.Expr, env: dict[str, int], local: dict[int, str], tgt: str) -> list[str]:
        """Statements leaving `e` read as a condition (True or False) in `tgt`."""
        if isinstance(e, n.Binary) and e.op in ("and", "or") and has_quantifier(e):
            test = f"if {tgt}:" if e.op == "and" else f"if not {tgt}:"
            return [
                *self.truth(e.left, env, local, tgt),
                test,
                *_indent(self.truth(e.right, env, local, tgt)),
            ]
        if isinstance(e, n.Unary) and e.op == "not" and has_quantifier(e):
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
        found = self.shared_walk(e, plan, env, tgt)
        if found is None:
            found = self.hoisted(e, plan, env, local, tgt)
        return found if found is not None else self.walk(e, plan, env, local, tgt)

    def extra(self, prefix: str, write: Callable[[], list[str]]) -> str:
        """The name of a new module function whose body `write` gives."""
        saved = self.indexes, self.closures
        self.indexes, self.closures = [], False
        body = write()
        name = f"{prefix}{len(self.builds)}"
        self.builds.append(self.finish(name, body))
        self.indexes, self.closures = saved
        return name

    def params_of(self, e: object) -> tuple[tuple[str, object], ...]:
        """The rule's parameters `e` reads, with their values: part of what it means."""
        return tuple(sorted((p, self.rule.params[p]) for p in names_in(e) if p in self.rule.params))

    def shared_walk(
        self, e: n.Quantifier, plan: Plan, env: dict[str, int], tgt: str
    ) -> list[str] | None:
        """For a `filter` or `count` that reads no variable of the rule: a statement taking
        its value from the run's memo (`codegen_run._walk`), computed once per run with the
        others over the same records. None: it reads a variable, or walks what no group
        shares."""
        if not self.share or self.hoisting or e.kind not in ("filter", "count"):
            return None
        if names_in(e) & env.keys():
            return None
        join = plan.join
        if join is not None and join.how != "each":  # the records an index files under a key
            group: object = ("join", join.collection, join.path, join.how, join.key)
            group = (group, self.params_of(join.key))
        elif plan.scan:
            group = ("scan", e.source, self.params_of(e.source))
        else:
            return None
        key = ("walk", e, self.params_of(e))
        try:
            hash((key, group))
        except TypeError:  # a list parameter: no sharing
            return None
        member = Walk(key, group, self.rule, e, plan)
        self.members.append(member)
        return [f"{tgt} = WALK(c, f, {self.const(member)})"]

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
        if join is None or self.hoisting:
            return None
        if join.how == "each" and e.kind in ("count", "filter"):
            return None
        rest = tuple(p for p in conjuncts(e.where) if p is not join.part)
        reads = names_in((rest, e.body)) - {e.var}
        if reads & env.keys() or e.var in env or not names_in(join.key) & env.keys():
            return None  # it reads an outer variable, or it runs once: no table pays
        params = self.params_of(tuple(reads))
        answers = "exists" if e.kind == "none" else e.kind  # none is `not exists`
        multi = join.how == "has"  # tables of `==` and `each` joins on a path are the same
        key: object = (answers, join.collection, join.path, multi, e.var, rest, e.body, params)
        try:
            hash(key)
        except TypeError:  # a list parameter: this rule's own table
            key = (answers, object())
        member = Table(key, ("table", join.collection), self.rule, e, plan, join, rest)
        self.members.append(member)
        self.hoisting = True  # the code below is written twice: once is enough for its parts
        build = self.build(e, plan, join, rest)
        cell = self.const([None, None])  # this run's table, once fetched
        table, k, done = self.temp("H"), self.temp(), self.temp("d")
        get = self.table_get(cell, f"HOIST(c, {cell}, {self.const(member)}, {build}, f)")
        lines: list[str] = [f"{done} = False"]
        known = self.known_field(join.key, env, local, "texts" if join.how == "each" else "text")
        if known is None:
            lines.append(f"{k} = {self.expr(join.key, env, local, lines)}")
        else:  # the key when it is a text (each: a list of texts only), else None
            k = known
        if join.how == "each" and known is not None:  # answered in one call
            found = f"{table}.isdisjoint({k})"
            lines += [
                f"if {k} is not None and ({table} := {get}) is not FAILED:",
                f"    {tgt} = {'not ' if e.kind == 'exists' else ''}{found}",
                f"    {done} = True",
            ]
        elif join.how == "each":  # found by any text key; another kind of key: walk them all
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
            text = f"type({k}) is str" if known is None else f"{k} is not None"
            lines += [
                f"if {text} and ({table} := {get}) is not FAILED:",
                f"    {tgt} = {answer}",
                f"    {done} = True",
            ]
        walk = self.walk(e, plan, env, local, tgt)
        self.hoisting = False
        return [*lines, f"if not {done}:", *_indent(walk)]

    def known(self, item: str, name: str, kind: str) -> str | None:
        """A local holding field `name` of the record in local `item` when it is of `kind`
        ("text"; "texts": a list of texts only) and None when it is not, if the writer keeps
        one (`fusion.py` does, for the record it walks); None: it keeps none."""
        return None

    def known_field(
        self, e: n.Expr, env: dict[str, int], local: dict[int, str], kind: str
    ) -> str | None:
        """`known` for `e` when it is a field of a record held in a local."""
        if isinstance(e, n.FieldAccess) and isinstance(e.obj, n.Name) and e.obj.name in env:
            item = local.get(env[e.obj.name])
            if item is not None:
                return self.known(item, e.name, kind)
        return None

    def table_get(self, cell: str, fetch: str) -> str:
        """Source giving a hoisted join's table: from `cell` once `fetch` has put it there."""
        return f"({cell}[0] if {cell}[1] is c else {fetch})"

    def build(self, e: n.Quantifier, plan: Plan, join: Join, rest: tuple[n.Expr, ...]) -> str:
        """The name of a module function building `hoisted`'s table in one walk of the
        collection: each text key of the join → whether one of its records meets `rest`
        (`exists`, `none`), has one that breaks `all`'s body, how many meet it (`count`) or
        which (`filter`, in the collection's order). Keys are read as the index files them."""
        item, table = f"x{plan.slot}", self.temp("D")

        def write() -> list[str]:
            return [
                f"{table} = {new_table(e)}",
                f"for {item} in c.export.collection({join.collection!r}):",
                *_indent(self.file_record(e, plan, join, rest, item, table)),
                f"return {table_made(e, table)}",
            ]

        return self.extra("B", write)

    def file_record(
        self,
        e: n.Quantifier,
        plan: Plan,
        join: Join,
        rest: tuple[n.Expr, ...],
        item: str,
        table: str,
    ) -> list[str]:
        """Statements filing record `item` in `build`'s `table` when it meets `rest`."""
        env, local = {e.var: plan.slot}, {plan.slot: item}
        passes, key, one = self.temp("p"), self.temp(), self.temp()
        single = join.how != "has" and len(join.path) == 1
        text = self.known(item, join.path[0], "text") if single else None
        read = [f"{key} = {self.key_read(item, join.path)}"] if text is None else []
        key = key if text is None else text
        keep = {
            "count": f"{table}[{one}] = {table}.get({one}, 0) + 1",
            "filter": f"{table}.setdefault({one}, []).append({item})",
        }.get(e.kind, f"{table}.append({one})")  # a list of keys, made a set at the end
        if join.how == "has":  # a record is filed under each text item of its list
            has_key = f"type({key}) is list and {key}"
            keep_all = [f"for {one} in {key}:", f"    if type({one}) is str:", f"        {keep}"]
        else:
            has_key = f"type({key}) is str" if text is None else f"{key} is not None"
            keep_all = [keep.replace(one, key)]
        if e.kind == "all":  # the keys with a record that breaks the body
            assert e.body is not None
            holds = self.temp("p")
            body = self.truth(e.body, env, local, holds)
            keep_all = [*body, f"if not {holds}:", *_indent(keep_all)]
        test = self.all_of(list(rest), env, local, passes)
        return [
            *read,
            f"if {has_key}:",
            *_indent([f"{_BIND}SET(f, {plan.slot}, {item})", *test]),
            f"    if {passes}:",
            *_indent(_indent(keep_all)),
        ]

    def key_read(self, item: str, path: tuple[str, ...]) -> str:
        """Source reading the value at `path` of record `item` as an index files it."""
        if len(path) > 1:
            return f"GETPATH({item}, {path!r})"
        value = self.temp()
        read = f"(M if ({value} := {item}.get({path[0]!r})) is None else {value})"
        return f"({read} if type({item}) is dict else M)"

    def lookup(
        self, join: Join, item: str, env: dict[str, int], local: dict[int, str], lines: list[str]
    ) -> tuple[list[str], str]:
        """The loop heads walking the records an index finds, and the name of a variable
        that is true when the look-up itself met the join's condition (a text key; for `==`,
        a boolean too: the index files booleans apart from numbers, as `==` tells them)."""
        index, key, exact = self.temp("I"), self.temp(), self.temp("ok")
        self.indexes.append(index)
        multi = join.how == "has"
        lines += [
            f"if {index} is None:",
            f"    {index} = {self.run_index(join.collection, join.path, multi)}",
        ]
        value = self.expr(join.key, env, local, lines)
        found = (
            f"({index}.get({key}, NONE) if {exact} "
            f"else c.lookup({join.collection!r}, {join.path!r}, {key}, {multi}))"
        )
        if join.how != "each":
            lines += [f"{key} = {value}", f"{exact} = type({key}) is str"]
            if join.how != "==":
                return [f"for {item} in {found}:"], exact
            met = self.temp("ok")
            lines.append(f"{met} = {exact} or type({key}) is bool")
            return [f"for {item} in {found}:"], met
        # Each item of a list: for exists/none/all a record found twice changes no answer.
        keys = self.temp()
        lines.append(f"{keys} = {value}")
        return [
            f"for {key} in ({keys} if type({keys}) is list else NONE):",
            f"{exact} = type({key}) is str",
            f"for {item} in {found}:",
        ], exact


def new_table(e: n.Quantifier) -> str:
    """A new, empty table for a hoisted join of `e`'s kind: keys filed one by one, in a list
    when the table is a set (appending to a list and making the set at the end is a fifth
    faster than adding to a set that grows)."""
    return "[]" if e.kind in ("exists", "none", "all") else "{}"


def table_made(e: n.Quantifier, table: str) -> str:
    """The table `table` holds, once every record is filed."""
    return f"set({table})" if e.kind in ("exists", "none", "all") else table


def generate(rule: CompiledRule, shared: Shared | None = None) -> CompiledRule:
    """`rule` with each closure it runs replaced by a generated function of the same meaning;
    with `shared`, the run's registry of what rules share (closed walks, join tables)."""
    module = _Module(rule, share=shared is not None)
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
            step_names.append(
                function(stmt.expr if isinstance(stmt, n.EvidenceStmt) else stmt.cond)
            )
    scope: dict[str, Any] = dict(module.names)
    try:
        code = compile("".join(module.builds + defs), f"<aimscheck rule {rule.info.id}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):
        # Beyond what Python compiles (20 loops inside each other, 200 brackets): the
        # closures run this rule, as they do on small exports.
        return rule
    exec(code, scope)  # our own source, written from the rule's checked AST
    if shared is not None:
        for member in module.members:
            shared.add(member)

    def fn(name: str | None) -> Fn | None:
        return None if name is None else scope[name]

    steps = tuple(
        dataclasses.replace(step, fn=scope[name])
        for step, name in zip(rule.steps, step_names, strict=True)
    )
    return dataclasses.replace(rule, when=fn(when), source=fn(source), where=fn(where), steps=steps)
