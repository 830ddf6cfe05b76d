"""Shared definitions: checks a pack's `define`s and substitutes them into its rules' AST."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from aimscheck.dsl import nodes as n
from aimscheck.dsl.diagnose import RESERVED, suggest
from aimscheck.dsl.sourcetext import DefSpan, expression_text, extent
from aimscheck.dsl.substitute import Substitution, free_names, moved, rename_all, walk
from aimscheck.errors import AimscheckError, RuleSemanticError
from aimscheck.export.model import COLLECTIONS, SECTIONS
from aimscheck.functions import FUNCTIONS
from aimscheck.source import Location, Span, span_snippet

# Names the language gives a meaning of its own: a definition cannot take one.
_CONSTANTS = ("today", "annex_a_controls")
_CALLS = frozenset({*FUNCTIONS, "ref"})
# What a call or name with a mistake becomes: a name the compiler is told to take as unknown
# without a word (`ExprCompiler.lost`), so that the mistake is reported once, at the call.
POISON = "<error>"
# The fields of each expression node that hold expressions (Name, Call and Quantifier apart).
_CHILDREN: dict[type, tuple[str, ...]] = {
    n.ListExpr: ("items",),
    n.FieldAccess: ("obj",),
    n.Reference: ("obj",),
    n.ItemAccess: ("obj", "index"),
    n.Unary: ("operand",),
    n.Binary: ("left", "right"),
    n.Matches: ("subject",),
    n.IsCheck: ("subject",),
}


@dataclass(frozen=True)
class Defined:
    """One definition of the pack and the file it is written in."""

    node: n.Definition
    path: str
    text: str = field(repr=False)

    @property
    def location(self) -> Location:
        return Location(self.path, self.node.span.line, self.node.span.column)


@dataclass
class Definitions:
    """The definitions of the loaded packs by name, each body checked and expanded once."""

    table: dict[str, Defined] = field(default_factory=dict)
    # name → its body with the definitions it uses substituted, spans naming its file
    bodies: dict[str, n.Expr] = field(default_factory=dict)
    errors: list[AimscheckError] = field(default_factory=list)
    # Definitions a syntax error cut from their file (reported there): a use of one is no
    # second mistake.
    lost: frozenset[str] = frozenset()

    def error(self, path: str, text: str, span: Span, message: str, hint: str = "") -> None:
        location = Location(path, span.line, span.column)
        if any(e.message == message and e.location == location for e in self.errors):
            return
        self.errors.append(RuleSemanticError(message, location, span_snippet(text, span), hint))


def collect(files: list[n.RuleFile], lost: frozenset[str] = frozenset()) -> Definitions:
    """Every definition of `files`, checked: its name, parameters and the names its body reads.

    A definition given twice is one error naming both places; a body that uses itself
    (directly or through another definition) is reported at the call that closes the circle.
    """
    defs = Definitions(lost=lost)
    for rf in files:
        for d in rf.definitions:
            _declare(defs, rf, d)
    for name in list(defs.table):
        _Expander(defs, defs.table[name].path, defs.table[name].text).body_of(name, ())
    return defs


def _declare(defs: Definitions, rf: n.RuleFile, d: n.Definition) -> None:
    def fail(span: Span, message: str, hint: str = "") -> None:
        defs.error(rf.path, rf.text, span, message, hint)

    taken = _taken(d.name)
    if taken:
        fail(d.span, f"'{d.name}' cannot name a definition: it is {taken}", "choose another name")
        return
    earlier = defs.table.get(d.name)
    if earlier is not None:
        fail(
            d.span,
            f"definition '{d.name}' is given twice: also at {earlier.location}",
            "keep one, or give one of them another name",
        )
        return
    for i, (param, span) in enumerate(zip(d.params or (), d.param_spans, strict=False)):
        if _taken(param) or param in (d.params or ())[:i]:
            why = _taken(param) or "given twice"
            fail(span, f"parameter '{param}' of definition '{d.name}' is {why}", "rename it")
    defs.table[d.name] = Defined(d, rf.path, rf.text)


def _taken(name: str) -> str:
    if name in RESERVED:
        return "a word of the rule language"
    if name in _CALLS:
        return "a built-in function"
    if name in COLLECTIONS or name in SECTIONS or name in _CONSTANTS:
        return f"the export's {name}" if name not in _CONSTANTS else f"the constant {name}"
    return ""


def expand_rule(defs: Definitions, rule: n.Rule, path: str, text: str) -> n.Rule:
    """The rule with every definition it uses substituted; mistakes go to `defs.errors`.

    The top node of each body put in the rule has a `DefSpan` whose `called` is the call as
    written (`active_system(sys)`), for `explain`."""
    if not defs.table and not defs.lost and not _calls_unknown(rule):
        return rule
    ex = _Expander(defs, path, text)
    # A parameter's default may be a parameterless definition (`param window = review_window`):
    # one value shared by several rules, which the configuration still sets rule by rule.
    params = tuple(
        p if (d := ex.expr(p.default, set())) is p.default else dataclasses.replace(p, default=d)
        for p in rule.params
    )
    bound = {p.name for p in rule.params}
    when = ex.expr(rule.when, bound) if rule.when is not None else None
    for_ = rule.for_
    if for_ is not None:
        source = ex.expr(for_.source, bound)
        bound = {*bound, for_.var}
        where = ex.expr(for_.where, bound) if for_.where is not None else None
        for_ = dataclasses.replace(for_, source=source, where=where)
    body: list[n.Statement] = []
    for stmt in rule.body:
        if isinstance(stmt, n.Let):
            body.append(dataclasses.replace(stmt, expr=ex.expr(stmt.expr, bound)))
            bound = {*bound, stmt.name}
        elif isinstance(stmt, n.EvidenceStmt):
            message = ex.template(stmt.message, bound)
            body.append(dataclasses.replace(stmt, expr=ex.expr(stmt.expr, bound), message=message))
        else:
            message = ex.template(stmt.message, bound)
            body.append(dataclasses.replace(stmt, cond=ex.expr(stmt.cond, bound), message=message))
    return dataclasses.replace(rule, params=params, when=when, for_=for_, body=tuple(body))


def _calls_unknown(rule: n.Rule) -> bool:
    """Whether the rule calls a function that is neither built in nor defined."""
    return any(isinstance(x, n.Call) and x.func not in _CALLS for x in walk(rule))


class _Expander:
    """Substitutes definitions into expressions written in one file."""

    def __init__(
        self, defs: Definitions, path: str, text: str, using: tuple[str, ...] = ()
    ) -> None:
        self.defs = defs
        self.path = path
        self.text = text
        self.using = using  # the definitions being expanded, outermost first

    def fail(self, span: Span, message: str, hint: str = "") -> n.Expr:
        path, text = (span.path, span.text) if isinstance(span, DefSpan) else (self.path, self.text)
        self.defs.error(path, text, span, message, hint)
        return n.Name(POISON, span=span)

    def body_of(self, name: str, using: tuple[str, ...]) -> n.Expr | None:
        """The definition's body, expanded, spans naming its file; None inside a circle."""
        if name in self.defs.bodies:
            return self.defs.bodies[name]
        if name in using:
            return None
        d = self.defs.table[name]
        inner = _Expander(self.defs, d.path, d.text, (*using, name))
        body = inner.expr(moved(d.node.body, d.path, d.text, name), set(d.node.params or ()))
        free = sorted(free_names(body) - set(d.node.params or ()) - {POISON})
        for unknown in free:
            if unknown in COLLECTIONS or unknown in SECTIONS or unknown in _CONSTANTS:
                continue
            where = next(x.span for x in walk(body) if isinstance(x, n.Name) and x.name == unknown)
            params = d.node.params or ()
            self.defs.error(
                d.path,
                d.text,
                where,
                f"definition '{name}' reads '{unknown}', which is none of its parameters",
                suggest(unknown, [*params, *COLLECTIONS, *SECTIONS])
                or f"add it as a parameter: define {name}({', '.join([*params, unknown])}) = …",
            )
        if free:  # reported once here, never again at each use
            body = rename_all(body, set(free) - {*COLLECTIONS, *SECTIONS, *_CONSTANTS}, POISON)
        self.defs.bodies[name] = body
        return body

    def template(self, tmpl: n.Template | None, bound: set[str]) -> n.Template | None:
        if tmpl is None:
            return None
        parts = tuple(p if isinstance(p, str) else self.expr(p, bound) for p in tmpl.parts)
        return dataclasses.replace(tmpl, parts=parts)

    def expr(self, e: n.Expr, bound: set[str]) -> n.Expr:
        """The expression with definitions substituted; the very same node when it uses none
        (most rules use few: nothing else is rebuilt)."""
        if isinstance(e, n.Name):
            return self.name(e, bound)
        if isinstance(e, n.Call):
            args = tuple(self.expr(a, bound) for a in e.args)
            same = all(a is b for a, b in zip(args, e.args, strict=True))
            return self.call(e if same else dataclasses.replace(e, args=args))
        if isinstance(e, n.Quantifier):
            inner = {*bound, e.var}
            source = self.expr(e.source, bound)
            where = self.expr(e.where, inner) if e.where is not None else None
            body = self.expr(e.body, inner) if e.body is not None else None
            if source is e.source and where is e.where and body is e.body:
                return e
            return dataclasses.replace(e, source=source, where=where, body=body)
        changes: dict[str, object] = {}
        for f in _CHILDREN.get(type(e), ()):
            value = getattr(e, f)
            if isinstance(value, tuple):
                new = tuple(self.expr(v, bound) for v in value)
                if any(a is not b for a, b in zip(new, value, strict=True)):
                    changes[f] = new
            else:
                found = self.expr(value, bound)
                if found is not value:
                    changes[f] = found
        return dataclasses.replace(e, **changes) if changes else e  # type: ignore[arg-type]

    def name(self, e: n.Name, bound: set[str]) -> n.Expr:
        d = self.defs.table.get(e.name)
        if e.name in self.defs.lost and e.name not in bound:
            return n.Name(POISON, span=e.span)
        if e.name in bound or d is None:
            return e
        if d.node.params:
            count = len(d.node.params)
            return self.fail(
                e.span,
                f"definition '{e.name}' takes {count} argument(s)",
                f"write: {e.name}({', '.join(d.node.params)})",
            )
        return self.substitute(e, d, ())

    def call(self, e: n.Call) -> n.Expr:
        d = self.defs.table.get(e.func)
        if d is None:
            if e.func in _CALLS or e.func.startswith("__"):
                return e
            if e.func in self.defs.lost:
                return n.Name(POISON, span=e.span)
            return self.fail(
                e.span,
                f"unknown function '{e.func}'",
                suggest(e.func, [*_CALLS, "count", "filter", *self.defs.table])
                or "see docs/language.md#built-ins",
            )
        params = d.node.params or ()
        if len(e.args) != len(params):
            return self.fail(
                e.span,
                f"definition '{e.func}' takes {len(params)} argument(s), got {len(e.args)}",
                f"write: {e.func}({', '.join(params)})" if params else f"write: {e.func}",
            )
        return self.substitute(e, d, e.args)

    def substitute(self, e: n.Name | n.Call, d: Defined, args: tuple[n.Expr, ...]) -> n.Expr:
        name = d.node.name
        body = self.body_of(name, self.using)
        if body is None:
            return self.fail(
                e.span,
                f"definition '{name}' uses itself (through {' → '.join(self.using)} → {name})"
                if self.using and self.using[-1] != name
                else f"definition '{name}' uses itself",
                "a definition cannot repeat itself: write the condition out",
            )
        values = dict(zip(d.node.params or (), args, strict=True))
        result = Substitution(values, self.path, self.text).expr(body, frozenset())
        if isinstance(result.span, DefSpan) and result.span.definition == name:
            # The body's top remembers the call it stands for, to be read as the call.
            call = dataclasses.replace(result.span, call=extent(e), called=_call_text(e, self.text))
            result = dataclasses.replace(result, span=call)
        return result


def _call_text(e: n.Name | n.Call, text: str) -> str:
    if isinstance(e, n.Name):
        return e.name
    lines = (e.span.text if isinstance(e.span, DefSpan) else text).splitlines()
    return expression_text(lines, e) or f"{e.func}(…)"
