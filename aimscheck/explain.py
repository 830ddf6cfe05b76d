"""`aimscheck explain`: one rule on one subject, with the value of every part of its conditions."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimscheck.budget import Frame, metered
from aimscheck.context import Context
from aimscheck.dsl import nodes as n
from aimscheck.dsl.compiler import iterate
from aimscheck.dsl.quantifiers import conjuncts
from aimscheck.dsl.ruleset import CompiledRule
from aimscheck.dsl.sourcetext import DefSpan, expression_text
from aimscheck.errors import EvaluationError, UsageError
from aimscheck.export.model import ID_FIELD, Export
from aimscheck.limits import use
from aimscheck.locate import Spot
from aimscheck.results import Outcome, Result, RuleAdjustment, Waiver
from aimscheck.values import MISSING, Duration, truth

_FAILS = (EvaluationError, ArithmeticError, ValueError, TypeError, RecursionError)
_MAX_DEPTH = 9
_CLOSEST = 3  # items shown when no item of a quantifier qualifies


@dataclass(frozen=True)
class ExplainOptions:
    """What one `aimscheck explain` is asked to show."""

    rule: str
    path: Path
    subject: str | None = None
    rules: Sequence[Path] = ()
    default_rules: bool = True
    as_of: dt.date | None = None
    evidence_root: Path | None = None
    config: Path | None = None  # the aimscheck.yaml to read (default: the one beside the export)
    use_config: bool = True


def describe(value: object, export: Export | None = None) -> str:
    """A value as the explanation shows it: text quoted, records by id and place."""
    if value is MISSING or value is None:
        return "(missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "…"
        return '"' + shown.replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date | Duration):
        return str(value) if isinstance(value, Duration) else value.isoformat()
    if isinstance(value, dict):
        key = next((k for k in ("id", "control", "name") if k in value), None)
        if key is None:
            key = next((k for k, v in value.items() if isinstance(v, str | int)), None)
        where = export.location_of(value) if export is not None else None
        name = f"{{{key}: {describe(value[key])}, …}}" if key is not None else "{…}"
        return f"{name} ({where})" if where else name
    if isinstance(value, list | tuple):
        items = [describe(v) for v in value[:5]]
        more = f", … ({len(value)} items)" if len(value) > 5 else ""
        return "[" + ", ".join(items) + more + "]"
    return str(value)


class Tracer:
    """Re-evaluates a compiled rule's parts on one subject and writes what each was."""

    def __init__(self, rule: CompiledRule, ctx: Context, text: str) -> None:
        self.rule = rule
        self.ctx = ctx
        self.export = ctx.export
        self.lines = text.splitlines()
        self.out: list[str] = []

    def source(self, e: object, limit: int = 90) -> str:
        # A shared definition is shown as it is called (`active_system(sys)`), not its body.
        text = _called(e) or expression_text(self.lines, e) or "?"
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def value(self, e: n.Expr, frame: list[Any]) -> tuple[object, str]:
        """The value of a traced sub-expression, or the reason it has none."""
        found = self.rule.trace.get(id(e))
        if found is None:
            return MISSING, "not traced"
        try:
            return found[0](self.ctx, frame), ""
        except _FAILS as exc:
            return MISSING, f"could not evaluate: {exc}"

    def say(self, depth: int, text: str) -> None:
        self.out.append("  " * depth + text)

    def node(self, e: n.Expr, frame: list[Any], depth: int, seen: set[str]) -> None:
        """`source = value`, then the parts that decided it, down to a few levels."""
        if isinstance(e, n.Literal | n.DurationLit) or depth > _MAX_DEPTH:
            return
        src = self.source(e)
        if src in seen and not isinstance(e, n.Quantifier):
            return
        seen.add(src)
        value, problem = self.value(e, frame)
        if problem == "not traced":
            return
        self.say(
            depth, f"{src} = {describe(value, self.export)}" if not problem else f"{src}: {problem}"
        )
        if _called(e):
            body = expression_text([], e)
            self.say(depth + 1, f"defined as {body if len(body) <= 90 else body[:89] + '…'}")
        if isinstance(e, n.Quantifier):
            self.quantifier(e, value, frame, depth + 1)
        elif isinstance(e, n.Binary) and e.op in ("and", "or"):
            self.chain(e, frame, depth + 1, seen)
        else:
            for child in self.children(e, value):
                self.node(child, frame, depth + 1, seen)

    def children(self, e: n.Expr, value: object) -> list[n.Expr]:
        if isinstance(e, n.Binary | n.ItemAccess):
            return [e.left, e.right] if isinstance(e, n.Binary) else [e.obj, e.index]
        if isinstance(e, n.Unary):
            return [e.operand]
        if isinstance(e, n.Call):
            return list(e.args)
        if isinstance(e, n.IsCheck | n.Matches):
            return [e.subject]
        if isinstance(e, n.FieldAccess | n.Reference) and value is MISSING:
            return [e.obj]  # where the path broke off
        return []

    def chain(self, e: n.Binary, frame: list[Any], depth: int, seen: set[str]) -> None:
        """The operands of `and`/`or` in order, as far as they were evaluated."""
        operands: list[n.Expr] = []
        node: n.Expr = e
        while isinstance(node, n.Binary) and node.op == e.op:
            operands.append(node.right)
            node = node.left
        operands = [node, *reversed(operands)]
        for index, operand in enumerate(operands):
            value, _ = self.value(operand, frame)
            self.node(operand, frame, depth, seen)
            if truth(value) == (e.op == "or"):
                if index + 1 < len(operands):
                    self.say(depth, f"(the rest is not evaluated: '{e.op}' is decided)")
                return

    def item_name(self, item: object) -> str:
        return describe(item, self.export)

    def quantifier(self, e: n.Quantifier, value: object, frame: list[Any], depth: int) -> None:
        source, problem = self.value(e.source, frame)
        if problem:
            return
        try:
            items = iterate(source, e.kind)
        except EvaluationError:
            return
        parts = conjuncts(e.where) + ([e.body] if e.body is not None else [])
        found = self.rule.trace.get(id(parts[0])) if parts else None
        if found is None or e.var not in found[1].slots:
            return
        slot = found[1].slots[e.var][0]
        self.say(depth, f"{self.source(e.source)}: {len(items)} item(s)")
        where = conjuncts(e.where)

        def passes(item: object) -> int:
            frame[slot] = item
            for count, part in enumerate(where):
                if not truth(self.value(part, frame)[0]):
                    return count
            return len(where)

        scores = [(passes(item), i) for i, item in enumerate(items)]
        matching = [items[i] for score, i in scores if score == len(where)]
        if e.kind == "all" and e.body is not None:
            failing = [
                x
                for x in matching
                if (frame.__setitem__(slot, x) or True) and not truth(self.value(e.body, frame)[0])
            ]
            if failing:
                self.show_item(e, failing[0], frame, depth, "fails", [*where, e.body])
            return
        if e.kind == "none" and matching:
            self.show_item(e, matching[0], frame, depth, "matches", where)
        elif e.kind in ("exists", "count", "filter") and not matching and items:
            best = sorted(scores, key=lambda s: (-s[0], s[1]))[:_CLOSEST]
            best = [b for b in best if b[0] > 0] or best
            if best[0][0] == 0:
                self.say(depth, f"no item meets even the first condition: {self.source(where[0])}")
                best = best[:1]
            else:
                self.say(depth, f"no item meets every condition; the closest {len(best)}:")
            for _, i in best:
                self.show_item(e, items[i], frame, depth, "", where)
        elif matching and e.kind != "none":
            shown = ", ".join(self.item_name(x) for x in matching[:3])
            self.say(depth, f"meeting every condition: {shown}{' …' if len(matching) > 3 else ''}")

    def show_item(
        self,
        e: n.Quantifier,
        item: object,
        frame: list[Any],
        depth: int,
        verb: str,
        parts: list[n.Expr],
    ) -> None:
        frame_slot = self.rule.trace[id(parts[0])][1].slots[e.var][0]
        frame[frame_slot] = item
        self.say(depth, f"{e.var} = {self.item_name(item)}" + (f" {verb}:" if verb else ":"))
        for part in parts:
            value, problem = self.value(part, frame)
            mark = "✓" if truth(value) else "✗"
            self.say(
                depth + 1, f"{mark} {self.source(part)}" + (f" ({problem})" if problem else "")
            )
            if not truth(value):
                if isinstance(part, n.Quantifier):
                    self.quantifier(part, value, frame, depth + 2)
                for child in self.children(part, value):
                    self.node(child, frame, depth + 2, set())
                return


def _called(e: object) -> str:
    """The call a shared definition's body stands for, as written; "" for any other node."""
    span = getattr(e, "span", None)
    return span.called if isinstance(span, DefSpan) else ""


def _relative(location: object) -> str:
    text = str(location)
    try:
        return str(Path(text).resolve().relative_to(Path.cwd()))
    except ValueError:
        return text


def _subject_record(rule: CompiledRule, ctx: Context, wanted: str) -> tuple[Any, list[str]]:
    """The record of the rule's `for` source whose id is `wanted`, and every id there is."""
    frame = Frame(rule.nslots, ctx.budget)  # metered, as the evaluator's frames are
    source = rule.source(ctx, frame) if rule.source is not None else MISSING
    id_field = ID_FIELD.get(rule.subject_collection, "id")
    records = iterate(source, "'for'")
    ids = [str(r.get(id_field)) if isinstance(r, dict) else str(r) for r in records]
    for record, ident in zip(records, ids, strict=True):
        if ident == wanted:
            return record, ids
    return None, ids


def _find_subject(rule: CompiledRule, ctx: Context, wanted: str) -> Any:
    record, ids = _subject_record(rule, ctx, wanted)
    if record is None:
        close = difflib.get_close_matches(wanted, ids, n=1)
        raise UsageError(
            f"no {rule.subject_collection} record has the id '{wanted}'",
            hint=f"did you mean '{close[0]}'?" if close else f"subjects: {', '.join(ids[:10])}",
        )
    return record


def explain_rule(
    rule: CompiledRule,
    ctx: Context,
    evaluator: Any,
    subject: str | None,
    adjustments: Sequence[RuleAdjustment] = (),
    waivers: Sequence[Waiver] = (),
) -> list[str]:
    """The explanation's lines: the outcomes, then the trace of one subject. `adjustments`
    and `waivers` are the configuration's (as `check` applies them)."""
    from aimscheck.waivers import apply_waivers

    info = rule.info
    text = Path(info.location.file).read_text(encoding="utf-8") if info.location else ""
    tracer = Tracer(rule, ctx, text)
    say = tracer.out.append
    say(f"{info.id}  {info.title}  [{info.severity.value}]")
    if info.location:
        say(f"  defined at {_relative(info.location)}")
    for change in adjustments:
        where = f" ({_relative(change.location)})" if change.location else ""
        if change.change == "disabled":
            say(f"  disabled by the configuration{where}: {change.reason}")
            say("  check does not run it; what it would find is shown below")
        else:
            say(f"  graded {change.after}, not {change.before}, by the configuration{where}:")
            say(f"    {change.reason}")
    results: list[Result] = list(evaluator.evaluate(rule))
    if waivers:
        results, _ = apply_waivers(results, waivers, ctx.as_of)
    # The trace evaluates the rule's parts again: on a budget of its own, every loop metered.
    ctx.budget.start_rule()
    with use(evaluator.limits), metered(ctx.budget):
        try:
            return _trace_rule(tracer, rule, ctx, evaluator, subject, results)
        except EvaluationError as exc:  # the budget ran out between two traced values
            tracer.out += ["", f"the trace stops here: {exc}"]
            return tracer.out


def _trace_rule(
    tracer: Tracer,
    rule: CompiledRule,
    ctx: Context,
    evaluator: Any,
    subject: str | None,
    results: list[Result],
) -> list[str]:
    say = tracer.out.append
    frame = evaluator.frame(rule)
    if rule.ast.when is not None:
        say("")
        say(f"when {tracer.source(rule.ast.when)}")
        tracer.node(rule.ast.when, frame, 1, set())
    whole = not results or results[0].subject is None
    if rule.source is None or rule.section or whole:
        record = rule.source(ctx, frame) if rule.source and rule.section and not whole else None
        return _explain_result(tracer, rule, evaluator, results[0] if results else None, record)
    record = _find_subject(rule, ctx, subject) if subject is not None else None
    say("")
    say("outcomes:")
    for result in results:
        say(f"  {result.outcome.value:<17} {result.subject}")
    if subject is None:
        # A finding first: a subject left out by `only if` says less than one that fails.
        no_finding = (Outcome.PASS, Outcome.NOT_APPLICABLE, Outcome.WAIVED)
        chosen = next(
            (r for r in results if r.outcome not in no_finding),
            next((r for r in results if r.outcome is not Outcome.PASS), results[0]),
        )
        record, _ = _subject_record(rule, ctx, (chosen.subject and chosen.subject.id) or "")
        return _explain_result(tracer, rule, evaluator, chosen, record)
    found = [r for r in results if r.subject is not None and r.subject.id == subject]
    if found:
        return _explain_result(tracer, rule, evaluator, found[0], record)
    frame[rule.var_slot] = record
    say("")
    say(f"{rule.subject_collection}/{subject} is not a subject: the rule's 'for … where' is false")
    if rule.ast.for_ is not None and rule.ast.for_.where is not None:
        tracer.node(rule.ast.for_.where, frame, 1, set())
    return tracer.out


def _explain_result(
    tracer: Tracer, rule: CompiledRule, evaluator: Any, chosen: Result | None, record: Any
) -> list[str]:
    say = tracer.out.append
    say("")
    if chosen is None:
        say("no subject: the rule found nothing to check in this export")
        return tracer.out
    where = f"  ({chosen.location})" if chosen.location else ""
    say(f"{chosen.subject or 'the export'}: {chosen.outcome.value}{where}")
    if chosen.message:
        say(f"  {chosen.message}")
    waiver = chosen.waiver
    if waiver is not None:
        written = f" ({_relative(waiver.location)})" if waiver.location else ""
        if chosen.outcome is Outcome.WAIVED and chosen.raw_outcome is not None:
            say(f"  waived ({chosen.raw_outcome.value} without the waiver){written}:")
            say(f"    {waiver.justification}")
            say(f"    approved by {waiver.approver}, until {waiver.expires.isoformat()}")
        else:
            say(f"  its waiver expired on {waiver.expires.isoformat()}{written}:")
            say(f"    {waiver.justification}")
    if chosen.outcome is Outcome.NOT_APPLICABLE:
        from aimscheck.notassessed import decided_reason

        if decided_reason(chosen) is not None:
            return tracer.out  # the rule's `when`, or the SoA: nothing of the subject was judged
    frame = evaluator.frame(rule)
    if rule.var_slot >= 0:
        frame[rule.var_slot] = MISSING if record is None else record
    _trace_steps(tracer, rule, evaluator, frame, record)
    return tracer.out


def _trace_steps(
    tracer: Tracer, rule: CompiledRule, evaluator: Any, frame: list[Any], record: Any
) -> None:
    say = tracer.out.append
    causes: set[object] = set()  # what the failures so far were about
    failed = 0
    for stmt, step in zip(rule.ast.body, rule.steps, strict=True):
        say("")
        if isinstance(stmt, n.Let):
            value, problem = tracer.value(stmt.expr, frame)
            frame[step.slot] = value
            say(f"let {stmt.name} = {tracer.source(stmt.expr)}")
            say(f"  = {describe(value, tracer.export)}" + (f"  ({problem})" if problem else ""))
        elif isinstance(stmt, n.Require | n.OnlyIf):
            value, problem = tracer.value(stmt.cond, frame)
            ok = truth(value) and not problem
            word = "require" if isinstance(stmt, n.Require) else "only if"
            say(f"{'✓' if ok else '✗'} {word} {tracer.source(stmt.cond)}")
            if ok:
                continue
            tracer.node(stmt.cond, frame, 1, set())
            if isinstance(stmt, n.OnlyIf):
                say("")
                say(
                    "(the condition does not hold: the failures above are the finding, "
                    "and later lines are not judged)"
                    if failed
                    else "(the condition does not hold: the subject is not_applicable, "
                    "and later lines are not judged)"
                )
                return
            if problem:
                return  # the rule could not be evaluated: an error result, nothing after it
            failed += _say_spot(tracer, evaluator.pinpoint(rule, step, frame, record), causes)
        else:
            value, problem = tracer.value(stmt.expr, frame)
            checks = evaluator.proofs(value) if not problem else []
            ok = value is True or (  # `evidence COND` that holds: no proof to look for
                bool(checks) and all(c.ok or c.status == "unverifiable" for c in checks)
            )
            say(f"{'✓' if ok else '✗'} evidence {tracer.source(stmt.expr)} = {describe(value)}")
            for check in checks:
                detail = f": {check.message}" if check.message else ""
                say(f"    {check.ref or '(no reference)'}: {check.status}{detail}")
            bad = [c for c in checks if evaluator.ctx.evidence.missing(c)]
            if bad:
                spot = evaluator.pinpoint(rule, step, frame, record, bad)
                failed += _say_spot(tracer, spot, causes)
    if failed > 1:
        say("")
        say(f"(every require and evidence line is judged: the finding lists these {failed})")


def _say_spot(tracer: Tracer, spot: Spot, causes: set[object]) -> int:
    """Where a failing line points (1), or that it repeats the cause of one above (0)."""
    if spot.cause is not None and spot.cause in causes:
        tracer.say(1, "(the same cause as a failing line above: reported once)")
        return 0
    if spot.cause is not None:
        causes.add(spot.cause)
    if spot.location is not None:
        tracer.say(1, f"line to fix: {_relative(spot.location)}")
    return 1


def explain(options: ExplainOptions) -> str:
    """Load rules and export like `check`, then explain one rule (raises AimscheckError)."""
    from aimscheck.check import adjust
    from aimscheck.config import Config, find_config, load_config
    from aimscheck.dsl.ruleset import compile_files, rule_files
    from aimscheck.engine import Evaluator
    from aimscheck.errors import raise_all
    from aimscheck.export.contract import Extensions, VocabularyExtension
    from aimscheck.export.dates import coerce_dates, today
    from aimscheck.export.loader import load_export
    from aimscheck.export.schema import validate_export
    from aimscheck.integrity import RULE_ID
    from aimscheck.resources import default_pack

    packs, default, params = list(options.rules), options.default_rules, None
    vocabulary: tuple[VocabularyExtension, ...] = ()
    found = (options.config or find_config(options.path)) if options.use_config else None
    config = Config()
    if found is not None:  # the same rules as `check` runs: the configuration's packs too
        config = load_config(found)
        packs, default = [*config.packs, *packs], default and config.default_pack
        params, vocabulary = config.parameters, config.vocabulary
    builtin = rule_files([default_pack()]) if default else []
    files = [*builtin, *packs]
    compiled = compile_files(files, params, builtin_count=len(builtin), vocabulary=vocabulary)
    # Graded and disabled as `check` does: a disabled rule is still explained, saying so.
    ruleset, adjustments = adjust(compiled, config)
    rule = ruleset.get(options.rule) or compiled.get(options.rule)
    if rule is None and default and options.rule == RULE_ID:
        raise UsageError(
            f"{options.rule} is built into aimscheck: it has no rule text to explain",
            hint="aimscheck check reports it at the path or sha256 line of each unsound proof "
            "file; aimscheck evidence PATH lists every proof record and its state",
        )
    if rule is None:
        close = difflib.get_close_matches(options.rule, [r.info.id for r in ruleset.rules], n=1)
        raise UsageError(
            f"no rule with id {options.rule}",
            hint=f"did you mean {close[0]}?" if close else "list the rules with: aimscheck rules",
        )
    export = load_export(options.path)
    added = Extensions(vocabulary=vocabulary, fields=ruleset.declared_fields)
    raise_all(list(validate_export(export, extensions=added)))
    coerce_dates(export, ruleset.custom_date_fields)
    policy = config.evidence_policy()
    evaluator = Evaluator(
        export,
        options.as_of or today(),
        options.evidence_root,
        uri_counts_missing=not policy.uri_counts,
        require_sha256=policy.require_sha256,
    )
    changes = [a for a in adjustments if a.rule == rule.info.id]
    lines = explain_rule(rule, evaluator.ctx, evaluator, options.subject, changes, config.waivers)
    # Each line quotes the repo's data (ids, names, values): escaped line by line, a newline
    # inside a value is shown as `\\n`, never a line of its own in the CI log.
    from aimscheck.terminal import visible

    return "\n".join(map(visible, lines)) + "\n"
