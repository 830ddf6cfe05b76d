"""Checks rule metadata and assembles compiled rules from rule files into one RuleSet."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimscheck.basis import frameworks_of, tag_problem
from aimscheck.context import Context
from aimscheck.dsl import nodes as n
from aimscheck.dsl import types as t
from aimscheck.dsl.cache import parse_cached
from aimscheck.dsl.compiler import Env, ExprCompiler, Fn, suggest
from aimscheck.dsl.declare import declare
from aimscheck.dsl.define import POISON, Defined, Definitions, collect, expand_rule
from aimscheck.dsl.diagnose import RESERVED
from aimscheck.dsl.memo import deps_of
from aimscheck.dsl.written import check_param_words
from aimscheck.errors import AimscheckError, RuleSemanticError, UsageError, raise_all
from aimscheck.export.contract import DeclaredField, VocabularyExtension
from aimscheck.export.fields import FieldType, export_type, with_vocabulary
from aimscheck.export.model import SECTIONS
from aimscheck.inputfile import Kind, Refused, check_file, read_text
from aimscheck.iso42001 import ANNEX_A, CLAUSES
from aimscheck.results import PHASES, RuleInfo, Severity
from aimscheck.source import Location, Span, render_snippet, span_snippet
from aimscheck.values import MISSING, Duration

if TYPE_CHECKING:
    from aimscheck.dsl.memo import Memo
    from aimscheck.dsl.parser import Damage
    from aimscheck.dsl.quantifiers import Plan

SEVERITIES = tuple(s.value for s in Severity)
_DURATION_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?)\s*$")


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of a rule body, compiled."""

    kind: str  # "let", "require", "evidence" or "only" (`only if`)
    fn: Fn
    slot: int = -1
    message: Callable[[Context, list[Any]], str] | None = None
    source: str = ""  # the statement's text, for its message when it has no `because`
    # The condition or expression as written (AST): read again, only when the step fails, to
    # find the field it is about (`locate.py`).
    node: n.Expr | None = None


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to run: metadata plus closures."""

    info: RuleInfo
    ast: n.Rule
    nslots: int
    when: Fn | None
    source: Fn | None  # what `for` walks over; None for a whole-export rule
    var_slot: int
    where: Fn | None
    subject_collection: str
    section: bool  # `for` over a section: exactly one subject, even when the section is absent
    steps: tuple[Step, ...]
    params: Mapping[str, object] = field(default_factory=dict)
    unused: tuple[str, ...] = ()  # let and param names the rule never reads (lint warns)
    # The closed vocabulary each parameter is compared with: what a configured value may be.
    param_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # id(AST node) → (closure, names in scope), for `explain` and `codegen`.
    trace: Mapping[int, tuple[Fn, Env]] = field(default_factory=dict, repr=False)
    # id(quantifier node) → how it finds its items, for `codegen`.
    plans: Mapping[int, Plan] = field(default_factory=dict, repr=False)
    # `ast` is the rule with the pack's shared definitions substituted (define.py); `written`
    # the rule as written.
    written: n.Rule | None = field(default=None, repr=False)
    # The text of the rule's file as compiled (an editor's unsaved buffer included), so that a
    # requirement is quoted from what was compiled, never from the disk read later.
    text: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True)
class RuleSet:
    """Every rule of the loaded packs, sorted by id, plus the custom fields they declared."""

    rules: tuple[CompiledRule, ...]
    files: tuple[str, ...] = ()
    # Each `field` declaration once, with its place, values and reference (export validation).
    declared_fields: tuple[DeclaredField, ...] = ()
    # Checks built into the tool, run after the rules (AIMS-7.5.3-INTEGRITY, `integrity.py`):
    # listed, configured and waived as rules are.
    builtins: tuple[RuleInfo, ...] = ()
    # The shared definitions of the custom packs by name, each with its file and the place of
    # its name (`Defined.location`, `Defined.node.span`): for go-to-definition. The built-in
    # pack's are its own rules' (`builtin_definitions`): a custom pack may reuse their names.
    definitions: Mapping[str, Defined] = field(default_factory=dict)
    builtin_definitions: Mapping[str, Defined] = field(default_factory=dict)

    def get(self, rule_id: str) -> CompiledRule | None:
        return next((r for r in self.rules if r.info.id == rule_id), None)

    @property
    def custom_fields(self) -> tuple[tuple[str, ...], ...]:
        """The path of every declared field."""
        return tuple(f.path for f in self.declared_fields)

    @property
    def custom_date_fields(self) -> tuple[tuple[str, ...], ...]:
        """The path of every field declared a date (read as a date from the export)."""
        return tuple(f.path for f in self.declared_fields if f.type == "date")

    @property
    def infos(self) -> tuple[RuleInfo, ...]:
        """The metadata of every rule and built-in check, in rule order."""
        infos = (*(r.info for r in self.rules), *self.builtins)
        return tuple(sorted(infos, key=lambda info: natural_key(info.id)))


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """The `.aims` files of the given files and folders (folders searched recursively).

    A folder without any `.aims` file is an error: a pack that loads nothing would otherwise
    pass silently. So is a listed file that is not a plain file, or is larger than
    `max_rule_file_mb` (checked with `stat`: nothing is opened), and a file of a folder that
    is a link leading out of the folder: whoever wrote the folder chose that link, and a rule
    file's errors quote it (a link to /proc/self/environ would show the environment).
    """
    import os

    from aimscheck.evidence import inside

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.rglob("*.aims"))
            real = os.path.realpath(path)
            for file in found:
                if not inside(os.path.realpath(file), real):
                    raise UsageError(
                        f"{file} leads out of its rule folder {path} through a symbolic link "
                        "and is refused (never opened)",
                        hint="copy the rule file into the folder instead of linking to it",
                    )
            if not found:
                raise UsageError(
                    f"no rule files (*.aims) in {path}",
                    hint="rule files end in .aims; give the folder that holds them",
                )
            out.extend(found)
        elif path.is_file() or path.exists():  # a pipe or a device is refused below
            out.append(path)
        else:
            raise UsageError(
                f"rule path not found: {path}", hint="give a .aims file or a folder that holds them"
            )
    # A file given twice (a pack named on the command line and in aimscheck.yaml) is loaded
    # once: otherwise each of its rules would be a duplicate of itself.
    unique: dict[str, Path] = {}
    for path in out:
        unique.setdefault(os.path.realpath(path), path)
    out = list(unique.values())
    for path in out:
        try:
            check_file(path, path.stat(), RULE_FILE)
        except Refused as exc:
            raise _refused(path, exc) from None
        except OSError:  # reported when it is read
            continue
    return out


RULE_FILE = Kind(
    "rule file",
    "max_rule_file_mb",
    "split it into several .aims files",
    "remove it, or rename it so that it does not end in .aims",
)


def read_rule_file(path: Path) -> str:
    """The text of one rule file; a RuleSemanticError at the file when it cannot be read (only
    a plain file within `max_rule_file_mb` is opened)."""
    try:
        return read_text(path, RULE_FILE)
    except Refused as exc:
        raise _refused(path, exc) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSemanticError(f"cannot read rule file: {exc}", Location(str(path), 1)) from None


def _refused(path: Path, exc: Refused) -> RuleSemanticError:
    return RuleSemanticError(exc.message, Location(str(path), 1), hint=exc.hint)


def param_value(default: object, override: object, name: str, rule_id: str) -> object:
    """A configured parameter value, converted to the default's type or refused with the
    type the rule uses it as and what to write."""
    what = f"parameter {name} of rule {rule_id}"
    if isinstance(default, Duration):
        if isinstance(override, int | float) and not isinstance(override, bool):
            # A bare number is never taken as days: `window: 6` meant for `6 months` would
            # silently shrink the window thirtyfold and give findings no one expects.
            unit = default.unit or ("months" if default.months else "days")
            unit = unit.removesuffix("s") if override == 1 else unit
            raise UsageError(
                f"{what} is a duration: {override} has no unit",
                hint=f"write {override} {unit} (the rule's own value is {default}): "
                "a duration is a number and a unit",
            )
        if isinstance(override, str) and (m := _DURATION_TEXT.match(override)):
            from aimscheck.values import duration

            unit = m.group(2) if m.group(2).endswith("s") else m.group(2) + "s"
            return duration(float(m.group(1)), unit)
        raise UsageError(
            f"{what} takes a duration such as 90 days, got {override!r}",
            hint="a duration is a number and a unit: 30 days, 6 months, 1 year",
        )
    if isinstance(default, list):
        if isinstance(override, list):
            return override
        example = ", ".join(str(v) for v in default[:2]) or "…"
        one = override if isinstance(override, str) else example.split(", ")[0]
        raise UsageError(
            f"{what} takes {_list_words(default)}, got {override!r}",
            hint=f"write a list in brackets, even of one value: {name}: [{one}]",
        )
    if type(override) is type(default) or (
        isinstance(default, float) and isinstance(override, int) and not isinstance(override, bool)
    ):
        return override
    wanted = t.words(t.literal_type(default))
    shown = default.isoformat() if isinstance(default, dt.date) else repr(default)
    raise UsageError(
        f"{what} takes {wanted}, got {override!r}",
        hint=f"write {wanted} as the rule's own value is written: {name}: {shown}",
    )


def _list_words(default: list[object]) -> str:
    """`a list of texts such as [ai_policy, procedure]`: what a list parameter holds."""
    kinds = {t.words(t.literal_type(v)) for v in default}
    plural = {"text": "texts", "a number": "numbers", "a date": "dates", "a boolean": "booleans"}
    of = f" of {plural.get(kinds.pop(), 'values')}" if len(kinds) == 1 else ""
    shown = ", ".join(str(v) for v in default[:2]) + (", …" if len(default) > 2 else "")
    return f"a list{of} such as [{shown}]" if default else "a list"


def natural_key(text: str) -> tuple[tuple[int, str], ...]:
    """Sort `AIMS-4.3-01` before `AIMS-10.2-01`: numbers compare as numbers."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"(\d+)", text))


class _FileCompiler:
    """Compiles the rules of one file against the export schema and declared custom fields."""

    def __init__(
        self,
        rf: n.RuleFile,
        custom: dict[int, dict[str, FieldType]],
        overrides: Mapping[str, Mapping[str, object]],
        root: FieldType,
        defs: Definitions | None = None,
    ) -> None:
        self.defs = defs or Definitions()
        self.rf = rf
        self.custom = custom
        self.root = root  # the export's type, with the run's vocabulary
        self.overrides = overrides
        self.errors: list[AimscheckError] = []

    def error(self, span: Span, message: str, hint: str = "") -> None:
        self.errors.append(
            RuleSemanticError(
                message,
                Location(self.rf.path, span.line, span.column),
                span_snippet(self.rf.text, span),
                hint,
            )
        )

    def check_meta(self, rule: n.Rule, damaged: bool) -> None:
        """Metadata checks; a rule with a syntax error is not blamed for what recovery cut."""
        if not rule.id.strip():
            self.error(rule.span, 'a rule needs an id, like "AIMS-6.1.2-01"')
        for key, span in rule.duplicates:
            self.error(span, f"'{key}' is given twice in this rule", "keep one")
        if damaged:
            self.check_values(rule)
            return
        if not rule.title:
            self.error(rule.span, f"rule {rule.id} has no title", 'add: title "what it checks"')
        if rule.severity is None:
            self.error(
                rule.span,
                f"rule {rule.id} has no severity",
                "add: severity major | minor | observation",
            )
        if rule.phase is None:
            self.error(
                rule.span,
                f"rule {rule.id} has no phase",
                f"add: phase followed by one of {', '.join(PHASES)}",
            )
        self.check_values(rule)
        # A rule's basis: ISO ids, or a framework tag (the EU AI Act pack: the law, not ISO).
        if not rule.clauses and not rule.controls and not frameworks_of(x.value for x in rule.tags):
            self.error(
                rule.span,
                f"rule {rule.id} names no clause, control or framework tag",
                'add: clause "6.1.2" and/or control "A.5.2", or a tag "eu-ai-act:26(6)"',
            )
        if not any(isinstance(s, n.Require | n.EvidenceStmt) for s in rule.body):
            self.error(
                rule.span,
                f"rule {rule.id} checks nothing",
                "add at least one require or evidence line",
            )

    def check_values(self, rule: n.Rule) -> None:
        """The severity, phase, clause and control ids given are ones the tool knows."""
        if rule.severity is not None and rule.severity.value not in SEVERITIES:
            self.error(
                rule.severity.span,
                f"unknown severity '{rule.severity.value}'",
                suggest(rule.severity.value, SEVERITIES) or "use major, minor or observation",
            )
        if rule.phase is not None and rule.phase.value not in PHASES:
            self.error(
                rule.phase.span,
                f"unknown phase '{rule.phase.value}'",
                suggest(rule.phase.value, PHASES) or f"use one of {', '.join(PHASES)}",
            )
        for text in rule.clauses:
            if text.value not in CLAUSES:
                self.error(
                    text.span,
                    f"unknown clause '{text.value}'",
                    suggest(text.value, CLAUSES) or "clauses run from 4.1 to 10.2",
                )
        for text in rule.controls:
            if text.value not in ANNEX_A:
                self.error(
                    text.span,
                    f"unknown Annex A control '{text.value}'",
                    suggest(text.value, ANNEX_A) or "controls run from A.2.2 to A.10.4",
                )
        for text in rule.tags:
            problem = tag_problem(text.value)
            if problem is not None:
                self.error(text.span, *problem)

    def params(
        self, rule: n.Rule, comp: ExprCompiler, written: tuple[n.Param, ...]
    ) -> dict[str, tuple[object, FieldType]]:
        """Each parameter's value (its default, with definitions substituted, or the
        configuration's) and type; `written`: the parameters as the rule writes them."""
        values: dict[str, tuple[object, FieldType]] = {}
        given = dict(self.overrides.get(rule.id, {}))
        for param, as_written in zip(rule.params, written, strict=True):
            if param.name in RESERVED:
                self.error(
                    param.span,
                    f"'{param.name}' is a word of the rule language and cannot name a parameter",
                    "choose another name",
                )
            if param.name in values:
                self.error(param.span, f"parameter '{param.name}' is declared twice")
            if not _constant(param.default):
                self.error(
                    as_written.default.span,
                    "a parameter's default must be a plain value "
                    "(a number, text, date, duration or list, or a definition that is one)",
                )
                values[param.name] = (MISSING, t.ANY)  # its uses are no second mistake
                given.pop(param.name, None)
                continue
            fn, typ = comp.compile(param.default, Env())
            value = fn(None, [])  # type: ignore[arg-type]  # constants never read the context
            if param.name in given:
                value = param_value(value, given.pop(param.name), param.name, rule.id)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                typ = comp.written_number(typ, value, param.default.span)
            values[param.name] = (value, typ)
        for name in given:
            raise UsageError(
                f"rule {rule.id} has no parameter '{name}'",
                hint=suggest(name, [p.name for p in rule.params]),
            )
        return values

    def compile_rule(self, rule: n.Rule, damage: tuple[Damage, ...] = ()) -> CompiledRule | None:
        """`damage`: text of this rule that syntax-error recovery cut (its errors are reported)."""
        self.check_meta(rule, bool(damage))
        written = rule
        rule = expand_rule(self.defs, rule, self.rf.path, self.rf.text)
        comp = ExprCompiler(self.rf.path, self.rf.text, self.root, self.custom, {})
        comp.rule_line = rule.span.line
        # A call define.py reported is not reported again: one mistake, one message.
        comp.lost = frozenset({POISON})
        if damage:
            # Names the cut text bound are not reported as unknown either.
            cut = [d.names for d in damage]
            comp.lost = None if None in cut else comp.lost.union(*(x or () for x in cut))
        comp.trace = {}
        comp.params = self.params(rule, comp, written.params)
        env = Env()
        when = comp.condition(rule.when, env) if rule.when is not None else None
        source = where = None
        var_slot = -1
        collection = ""
        if rule.for_ is not None:
            source, source_type = comp.compile(rule.for_.source, env)
            collection = _collection_of(rule.for_.source)
            if source_type.kind not in ("list", "object", "any"):
                comp.error(
                    rule.for_.source.span,
                    f"'for' needs a collection, a list or a section, not {t.words(source_type)}",
                )
            comp.check_binding(rule.for_.var, rule.for_.span)
            var_slot = comp.slot()
            item = source_type if source_type.kind == "object" else t.item_type(source_type)
            env = env.bind(rule.for_.var, var_slot, item)
            if rule.for_.where is not None:
                where = comp.condition(rule.for_.where, env)
        steps: list[Step] = []
        lets: list[n.Let] = []
        for stmt, as_written in zip(rule.body, written.body, strict=True):
            if isinstance(stmt, n.Let):
                comp.check_binding(stmt.name, stmt.span)
                fn, typ = comp.compile(stmt.expr, env)
                slot = comp.slot()
                env = env.bind(stmt.name, slot, typ)
                lets.append(stmt)
                steps.append(Step("let", fn, slot))
            elif isinstance(stmt, n.Require | n.OnlyIf):
                cond = comp.condition(stmt.cond, env)
                message = comp.template(stmt.message, env) if stmt.message else None
                # The text of the condition only says what failed when no `because` does.
                text = self.source_text(as_written, comp) if message is None else ""
                kind = "require" if isinstance(stmt, n.Require) else "only"
                steps.append(Step(kind, cond, message=message, source=text, node=stmt.cond))
            else:
                fn, _ = comp.compile(stmt.expr, env)
                message = comp.template(stmt.message, env) if stmt.message else None
                text = self.source_text(as_written, comp) if message is None else ""
                steps.append(Step("evidence", fn, message=message, source=text, node=stmt.expr))
        self.errors.extend(comp.errors)
        words = comp.param_words()
        for name, value in self.overrides.get(rule.id, {}).items():
            check_param_words(rule.id, name, value, words.get(name, ()))
        names = [x.name for x in lets] + [p.name for p in rule.params]
        unused = () if damage else tuple(name for name in names if name not in comp.used)
        if rule.severity is None or rule.severity.value not in SEVERITIES:
            return None
        info = RuleInfo(
            id=rule.id,
            title=rule.title or "",
            severity=Severity(rule.severity.value),
            phase=rule.phase.value if rule.phase else "",
            clauses=tuple(x.value for x in rule.clauses),
            controls=tuple(x.value for x in rule.controls),
            tags=tuple(x.value for x in rule.tags),
            description=rule.description,
            fix=rule.fix,
            location=Location(self.rf.path, rule.span.line, rule.span.column),
        )
        return CompiledRule(
            info=info,
            ast=rule,
            nslots=comp.nslots,
            when=when,
            source=source,
            var_slot=var_slot,
            where=where,
            subject_collection=collection,
            section=collection in SECTIONS,
            steps=tuple(steps),
            params={k: v for k, (v, _) in comp.params.items()},
            param_words=words,
            unused=unused,
            trace=comp.trace,
            plans=comp.plans,
            written=written,
            text=comp.text,
        )

    @staticmethod
    def source_text(stmt: n.Statement, comp: ExprCompiler) -> str:
        """The condition or expression of a statement as written (a definition by its name)."""
        return comp.source_text(
            stmt.expr if isinstance(stmt, n.Let | n.EvidenceStmt) else stmt.cond
        )


def _constant(e: n.Expr) -> bool:
    if isinstance(e, n.Literal | n.DurationLit):
        return True
    if isinstance(e, n.Unary) and e.op == "neg":
        return _constant(e.operand)
    if isinstance(e, n.ListExpr):
        return all(_constant(i) for i in e.items)
    return False


def _collection_of(e: n.Expr) -> str:
    if isinstance(e, n.Name):
        return e.name
    if isinstance(e, n.Reference):
        return e.collection
    if isinstance(e, n.FieldAccess):
        return e.name
    return "item"


def _damage_of(rf: n.RuleFile, damage: tuple[Damage, ...]) -> dict[int, tuple[Damage, ...]]:
    """The recovery damage inside each rule (by position in the file), rules in text order."""
    starts = [r.span.line for r in rf.rules] + [1 << 30]
    return {
        i: tuple(
            d for d in damage if starts[i] <= d.first_line < starts[i + 1] and d.definition is None
        )
        for i in range(len(rf.rules))
    }


def compile_collect(
    paths: Iterable[Path],
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    builtin_count: int = 0,
    vocabulary: tuple[VocabularyExtension, ...] = (),
    texts: Mapping[Path, str] | None = None,
    memo: Memo | None = None,
) -> tuple[RuleSet, list[AimscheckError]]:
    """Parse and compile every rule file; return the rules that compiled and every problem.

    The first `builtin_count` files are the built-in pack: a later rule with the same id
    replaces a built-in one only when it says `overrides`; any other duplicate id is an error.
    `vocabulary`: values the organisation added to closed vocabularies, which rules may
    compare with. `texts`: the text of a file by its path, read instead of the file (an
    editor's unsaved buffer, for the language server). `memo`: the parses and compiles of
    the last call, reused where nothing they read changed (the language server's).
    """
    # Compiling allocates tens of thousands of closures and frees few: the cyclic collector
    # would rescan them all again and again for nothing (about 15 ms of the default pack).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _collect(paths, overrides, builtin_count, vocabulary, texts or {}, memo)
    finally:
        if enabled:
            gc.enable()


def _collect(
    paths: Iterable[Path],
    overrides: Mapping[str, Mapping[str, object]] | None,
    builtin_count: int,
    vocabulary: tuple[VocabularyExtension, ...],
    texts: Mapping[Path, str],
    memo: Memo | None = None,
) -> tuple[RuleSet, list[AimscheckError]]:
    errors: list[AimscheckError] = []
    parsed: list[tuple[n.RuleFile, tuple[Damage, ...]]] = []
    files = rule_files(paths)
    for path in files:
        try:
            text = texts[path] if path in texts else read_rule_file(path)
        except RuleSemanticError as exc:
            errors.append(exc)
            continue
        # The parse comes from the user's cache when this exact text was parsed before.
        rule_file, problems, damage = (memo.parse if memo else parse_cached)(text, str(path))
        errors.extend(problems)
        parsed.append((rule_file, damage))
        if not problems and not (rule_file.rules or rule_file.fields or rule_file.definitions):
            errors.append(  # a pack file that checks nothing must not pass for one that does
                RuleSemanticError(
                    "this rule file holds no rule",
                    Location(str(path), 1, 1),
                    render_snippet(text, 1, 1),
                    'write a rule "ID" { … } block in it, or remove the file',
                )
            )
    root = with_vocabulary(vocabulary) if vocabulary else export_type()
    declared = declare([rf for rf, _ in parsed], root, errors)
    # The built-in pack's definitions serve its own rules; the custom packs share theirs.
    scopes = (
        collect([rf for rf, _ in parsed[:builtin_count]], _lost(parsed[:builtin_count])),
        collect([rf for rf, _ in parsed[builtin_count:]], _lost(parsed[builtin_count:])),
    )
    files_read = [rf for rf, _ in parsed]
    scope_deps = [
        deps_of(files_read, files_read[:builtin_count], scopes[0].lost),
        deps_of(files_read, files_read[builtin_count:], scopes[1].lost),
    ]
    compiled: dict[str, tuple[CompiledRule, bool]] = {}
    seen: dict[str, tuple[Location, bool]] = {}  # rule id → where it is first written, built in
    for index, (rf, damage) in enumerate(parsed):
        defs = scopes[0] if index < builtin_count else scopes[1]
        fc = _FileCompiler(rf, declared.custom, overrides or {}, root, defs)
        by_rule = _damage_of(rf, damage)
        deps = (scope_deps[index >= builtin_count], root, overrides)
        for position, rule in enumerate(rf.rules):
            builtin = index < builtin_count
            first = seen.get(rule.id)
            if first is not None and not (first[1] and not builtin and rule.overrides):
                # One message for a duplicate id, naming both places: the copy's own
                # mistakes are the next run's (most often they are its original's again).
                where = first[0]
                fc.error(
                    rule.span,
                    f"duplicate rule id '{rule.id}': also at {where}",
                    "give the rule its own id"
                    + (
                        ""
                        if builtin or not first[1]
                        else ", or add 'overrides' to replace the built-in rule on purpose"
                    ),
                )
                continue
            seen[rule.id] = (Location(rf.path, rule.span.line, rule.span.column), builtin)
            result_rule = (
                fc.compile_rule(rule, by_rule[position])
                if memo is None
                else memo.compile(fc, rule, position, by_rule[position], deps)
            )
            if result_rule is None:
                continue
            if first is None and rule.overrides:
                fc.error(
                    rule.span,
                    f"rule {rule.id} says 'overrides' but no built-in rule has that id",
                    "remove 'overrides' or correct the id",
                )
            compiled[rule.id] = (result_rule, builtin)
        errors.extend(fc.errors)
    rules = tuple(sorted((r for r, _ in compiled.values()), key=lambda r: natural_key(r.info.id)))
    errors.extend(e for scope in scopes for e in scope.errors)
    errors = _once(errors)
    errors.sort(key=lambda e: e.sort_key())
    ruleset = RuleSet(
        rules,
        tuple(str(p) for p in files),
        declared.fields,
        definitions=scopes[1].table,
        builtin_definitions=scopes[0].table,
    )
    return ruleset, errors


def _lost(parsed: list[tuple[n.RuleFile, tuple[Damage, ...]]]) -> frozenset[str]:
    """The definitions a syntax error cut (and reported): their uses are not blamed again."""
    return frozenset(d.definition for _, damage in parsed for d in damage if d.definition)


def _once(errors: list[AimscheckError]) -> list[AimscheckError]:
    """Each message once: a mistake in a shared definition is found again at each use."""
    seen: set[tuple[str, object]] = set()
    out: list[AimscheckError] = []
    for e in errors:
        key = (e.message, getattr(e, "location", None))
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def compile_files(
    paths: Iterable[Path],
    overrides: Mapping[str, Mapping[str, object]] | None = None,
    builtin_count: int = 0,
    vocabulary: tuple[VocabularyExtension, ...] = (),
) -> RuleSet:
    """Parse and compile every rule file; raise every problem of every file at once.

    The first `builtin_count` files are the built-in pack: a later rule with the same id
    replaces a built-in one only when it says `overrides`; any other duplicate id is an error.
    `vocabulary`: values the organisation added to closed vocabularies (aimscheck.yaml),
    accepted in rule comparisons.
    """
    ruleset, errors = compile_collect(paths, overrides, builtin_count, vocabulary)
    raise_all(errors)
    return ruleset
