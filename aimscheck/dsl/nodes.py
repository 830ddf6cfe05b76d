"""Frozen, slotted dataclasses for the rule language's AST; spans never take part in equality."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from aimscheck.source import Span

NO_SPAN = Span(0, 0, 0, 0)


# ---- expressions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Literal:
    """A string, number, boolean or date written in the rule. Literals of other types are
    other nodes (`true` is not `1`, nor `1` `1.0`), though Python's `==` says they are equal:
    rules sharing a walk, a table or their subjects must mean the same."""

    value: object
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is Literal
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True, slots=True)
class DurationLit:
    """`90 days`, `12 months`: a length of time."""

    amount: float
    unit: str  # "days", "weeks", "months" or "years"
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class ListExpr:
    """`["a", "b"]`."""

    items: tuple[Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Name:
    """A variable, parameter, section, collection or constant such as `today`."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class FieldAccess:
    """`obj.name`: missing-safe access to a field."""

    obj: Expr
    name: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Reference:
    """`obj -> collection`: the record (or records) an id (or list of ids) points at."""

    obj: Expr
    collection: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class ItemAccess:
    """`obj[index]`: an item of a list by position, or of a mapping by key."""

    obj: Expr
    index: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Call:
    """`name(args)`: a documented built-in function."""

    func: str
    args: tuple[Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Unary:
    """`not x` or `-x`."""

    op: str  # "not" or "neg"
    operand: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Binary:
    """A binary operation: logic, comparison, membership or arithmetic."""

    op: str  # and or == != < <= > >= in "not in" + - * /
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Matches:
    """`subject matches "regex"`: a linear-time regular expression search."""

    subject: Expr
    pattern: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class IsCheck:
    """`x is set`, `x is missing`, `x is empty`, `x is not empty`."""

    subject: Expr
    test: str  # "set", "missing", "empty", "not_empty"
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Quantifier:
    """`exists`, `none`, `all`, `count` and `filter` over a collection or list."""

    kind: str  # "exists", "none", "all", "count", "filter"
    var: str
    source: Expr
    where: Expr | None
    body: Expr | None  # the `: P` of `all`; None for the others
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


Expr: TypeAlias = (
    Literal
    | DurationLit
    | ListExpr
    | Name
    | FieldAccess
    | Reference
    | ItemAccess
    | Call
    | Unary
    | Binary
    | Matches
    | IsCheck
    | Quantifier
)


@dataclass(frozen=True, slots=True)
class Template:
    """A message with `{expr}` holes: `"AI system {sys.id} has no assessment"`."""

    parts: tuple[str | Expr, ...]
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


# ---- statements and rules ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A metadata value (clause id, control id, tag, severity or phase) with its place."""

    value: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Param:
    """`param max_age = 365 days`: a value configuration may override."""

    name: str
    default: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class ForClause:
    """`for sys in ai_systems where sys.in_scope`: one subject per record."""

    var: str
    source: Expr
    where: Expr | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Let:
    """`let name = expr`: a named value for readability."""

    name: str
    expr: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Require:
    """`require cond because "message"`: a condition that must hold."""

    cond: Expr
    message: Template | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class EvidenceStmt:
    """`evidence expr`: the proof (evidence or document ids) that must resolve to a sound file."""

    expr: Expr
    message: Template | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class OnlyIf:
    """`only if cond because "message"`: the subject is judged only when `cond` holds; when it
    does not, its result is not_applicable with the message, and later steps are not run."""

    cond: Expr
    message: Template | None
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


Statement: TypeAlias = Let | Require | EvidenceStmt | OnlyIf


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule block as written."""

    id: str
    title: str | None
    description: str
    fix: str
    clauses: tuple[Text, ...]
    controls: tuple[Text, ...]
    severity: Text | None
    phase: Text | None
    tags: tuple[Text, ...]
    params: tuple[Param, ...]
    overrides: bool
    when: Expr | None
    for_: ForClause | None
    body: tuple[Statement, ...]
    duplicates: tuple[tuple[str, Span], ...] = ()  # metadata entries given twice
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class FieldDecl:
    """`field ai_systems.business_unit: string`: a custom export field this pack uses.

    `field people.status: one of "active", "left"` has type "string" and `values`;
    `field datasets.doc_ref: ref documents` type "string" and `ref`; `list of ref documents`
    type "list" and `ref`. `type_span` is where the type is written.
    """

    path: tuple[str, ...]
    type: str
    values: tuple[str, ...] = ()
    ref: str | None = None
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)
    type_span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Definition:
    """`define active_system(sys) = …`: a named condition or value shared by a pack's rules.

    `params` is None when the name is written without parentheses (`define open_statuses =
    […]`, used as a name); `span` is where the name is written, `param_spans` each parameter.
    """

    name: str
    params: tuple[str, ...] | None
    body: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)
    param_spans: tuple[Span, ...] = field(default=(), compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class RuleFile:
    """A parsed `.aims` file: its rules, custom field declarations and shared definitions."""

    path: str
    text: str = field(compare=False, repr=False)
    rules: tuple[Rule, ...] = ()
    fields: tuple[FieldDecl, ...] = ()
    definitions: tuple[Definition, ...] = ()
