"""Evaluates a RuleSet on an Export as of a date; failures to evaluate become ERROR results."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

from aimscheck.budget import BudgetSpent, Frame, metered
from aimscheck.context import Context, record_count
from aimscheck.dsl.compiler import iterate
from aimscheck.dsl.quantifiers import names_in
from aimscheck.dsl.ruleset import CompiledRule, RuleSet, Step
from aimscheck.errors import EVAL_ERRORS
from aimscheck.evidence import EvidenceResolver, shown
from aimscheck.export.model import ID_FIELD, Export
from aimscheck.limits import Limits, current, use
from aimscheck.locate import NOWHERE, Cause, Locator, Spot
from aimscheck.results import (
    EvidenceCheck,
    Failure,
    Outcome,
    Result,
    RuleInfo,
    Subject,
    graded,
    passed,
    subject_of,
)
from aimscheck.source import Location
from aimscheck.values import MISSING, joined, show, truth

# The records a rule judges one by one: (record, its subject, its location).
Subjects = list[tuple[Any, Subject | None, Location]]
_bind = list.__setitem__  # a frame's slot, written without its own metering
# Which failure a subject's result is: a nonconformity before missing evidence (observations,
# the outcome of rules graded so, are never mixed with the others in one rule).
_WORST = {Outcome.NONCONFORMITY: 0, Outcome.MISSING_EVIDENCE: 1, Outcome.OBSERVATION: 2}
# The messages of a rule not applicable as a whole by decision, not for want of data: the SoA
# excludes every control it names, or its `when` does not hold (read by notassessed.py).
SOA_EXCLUSION = "excluded in the Statement of Applicability ("
WHEN_NOT_MET = "the rule's 'when' condition does not hold for this export"
# From this many records on, rules run as generated Python (dsl/codegen.py): generating costs
# about a millisecond a rule, and saves that many times over on a big export.
GENERATE_FROM = 20_000


def excluded_controls(export: Export) -> dict[str, str]:
    """Annex A controls the SoA excludes with a justification: control id → justification."""
    out: dict[str, str] = {}
    for entry in export.collection("soa"):
        control, justification = entry.get("control"), entry.get("justification")
        if (
            entry.get("applicable") is False
            and isinstance(control, str)
            and isinstance(justification, str)
            and justification.strip()
        ):
            out[control] = justification.strip()
    return out


class Evaluator:
    """Runs rules over one export; one instance per run so indexes are shared between rules."""

    def __init__(
        self,
        export: Export,
        as_of: dt.date,
        evidence_root: Path | None = None,
        limits: Limits | None = None,
        uri_counts_missing: bool = False,
        generate: bool | None = None,
        allow_hard_links: bool = False,
        require_sha256: bool = False,
    ) -> None:
        """`generate`: run the rules as generated code (None: when the export is big)."""
        self.export = export
        root = evidence_root if evidence_root is not None else export.root
        resolver = EvidenceResolver(
            export, root, as_of, uri_counts_missing, allow_hard_links, require_sha256
        )
        self.ctx = Context(export, as_of, resolver, limits)
        self.limits = self.ctx.limits
        self.excluded = excluded_controls(export)
        self.locations = export.locations
        self.default = export.default_location()  # where results without a record point
        if generate is None:
            generate = record_count(export) >= GENERATE_FROM
        self.generate = generate
        self._generated: dict[int, tuple[CompiledRule, CompiledRule]] = {}
        # Subjects by `for` clause, for clauses that read no parameter: many rules walk the
        # same records with the same `where` (in-scope AI systems, open risks), once per run.
        self._subjects: dict[object, Subjects] = {}

    def frame(self, rule: CompiledRule) -> list[Any]:
        """Fresh variable slots for one evaluation of `rule`, metered by the run's budget."""
        return Frame(rule.nslots, self.ctx.budget)

    def run(self, ruleset: RuleSet) -> list[Result]:
        self.prepare(ruleset)
        results: list[Result] = []
        for rule in ruleset.rules:
            results.extend(self.evaluate(rule))
        return results

    def prepare(self, ruleset: RuleSet) -> None:
        """Before the first rule runs: on a big export, every rule's code, so that the walks
        the rules share are known and computed together (`dsl/fusion.py`)."""
        if not self.generate:
            return
        collecting = gc.isenabled()  # see `evaluate`
        gc.disable()
        try:
            for rule in ruleset.rules:
                self.generated(rule)
        finally:
            if collecting:
                gc.enable()

    def evaluate(self, rule: CompiledRule) -> list[Result]:
        """The results of one rule: each subject's, or one for the whole rule.

        The rule runs on its own budget (and the run's): when it is spent, the subjects judged
        so far keep their results and one ERROR result says where evaluation stopped.
        """
        if self.generate:
            rule = self.generated(rule)
        budget = self.ctx.budget
        budget.start_rule()
        # A rule allocates a result per subject and frees little: the cyclic collector would
        # rescan the export and every result again and again (a third of a big run's time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            # Values and regexes read the limits in force, and charge the rule's budget.
            with use(self.limits), metered(budget):
                return self._results(rule)
        finally:
            budget.end_rule()
            if collecting:
                gc.enable()

    def generated(self, rule: CompiledRule) -> CompiledRule:
        """`rule` as generated code, made once per run."""
        found = self._generated.get(id(rule))
        if found is None or found[0] is not rule:
            from aimscheck.dsl.codegen import generate

            found = self._generated[id(rule)] = (rule, generate(rule, self.ctx.shared))
        return found[1]

    def _results(self, rule: CompiledRule) -> list[Result]:
        info = rule.info
        if info.controls and all(c in self.excluded for c in info.controls):
            each = self.limits.max_message_value
            reasons = joined(
                (f"{c}: {show(self.excluded[c], each)}" for c in info.controls),
                "; ",
                self.limits.max_message,
            )
            message = _cut(f"{SOA_EXCLUSION}{reasons})")
            return [Result(info, Outcome.NOT_APPLICABLE, None, self.default, message)]
        frame = self.frame(rule)
        try:
            if rule.when is not None and not truth(rule.when(self.ctx, frame)):
                return [Result(info, Outcome.NOT_APPLICABLE, None, self.default, WHEN_NOT_MET)]
            subjects = self.subjects(rule, frame)
        except BudgetSpent as exc:
            return [Result(info, Outcome.ERROR, None, self.default, str(exc))]
        except EVAL_ERRORS as exc:
            message = _cut(f"could not evaluate: {exc}")
            return [Result(info, Outcome.ERROR, None, self.default, message)]
        out: list[Result] = []
        append, check = out.append, self.check
        for done, (record, subject, location) in enumerate(subjects):
            try:
                append(check(rule, record, subject, frame, location))
            except BudgetSpent as exc:
                left = len(subjects) - done - 1
                rest = f"; {left} more subject(s) were not evaluated" if left else ""
                append(Result(info, Outcome.ERROR, subject, location, f"{exc}{rest}"))
                break
        return out

    def subjects(self, rule: CompiledRule, frame: list[Any]) -> Subjects:
        """The records the rule judges one by one, each with its subject and location."""
        clause = rule.ast.for_
        if clause is None or rule.source is None:
            return [(None, None, self.default)]
        shared = not (names_in(clause) & set(rule.params)) and _hashable(clause)
        found = self._subjects.get(clause) if shared else None
        if found is None:
            found = self._find_subjects(rule, frame)
            if shared:
                self._subjects[clause] = found
        return found

    def _find_subjects(self, rule: CompiledRule, frame: list[Any]) -> Subjects:
        assert rule.source is not None
        value = rule.source(self.ctx, frame)
        if rule.section:
            # A section is one subject; its `where` decides whether the rule looks at it at all.
            if rule.where is not None:
                frame[rule.var_slot] = value
                if not truth(rule.where(self.ctx, frame)):
                    return []
            return [(value, subject_of(rule.subject_collection, None), self.location(value))]
        out: Subjects = []
        append, collection = out.append, rule.subject_collection
        located, default = self.locations.get, self.default
        id_field = ID_FIELD.get(collection, "id")
        records = iterate(value, "'for'")
        self.ctx.spend(len(records))  # every record is bound: charged at once, as filter does
        bind, slot, where, ctx = list.__setitem__, rule.var_slot, rule.where, self.ctx
        for record in records:
            if where is not None:
                bind(frame, slot, record)
                held = where(ctx, frame)
                if held is not True and not truth(held):
                    continue
            ident = record.get(id_field) if type(record) is dict else record
            if type(ident) is not str:
                ident = None if ident is None else str(ident)
            append((record, subject_of(collection, ident), located(id(record)) or default))
        return out

    def location(self, record: Any) -> Location:
        found = self.locations.get(id(record)) if record is not None else None
        return found or self.default

    def check(
        self,
        rule: CompiledRule,
        record: Any,
        subject: Subject | None,
        frame: list[Any] | None = None,
        location: Location | None = None,
    ) -> Result:
        """The result of one subject. `frame` may be reused from subject to subject: compiled
        rules write every slot before they read it."""
        info, ctx = rule.info, self.ctx
        if frame is None:
            frame = self.frame(rule)
        if rule.var_slot >= 0:  # binding the subject is a step of the budget, as any binding
            budget = ctx.budget
            budget.left -= 1
            if budget.left < 0:
                budget.exhausted()
            _bind(frame, rule.var_slot, MISSING if record is None else record)
        if location is None:
            location = self.location(record)
        proofs: list[EvidenceCheck] = []
        failed: _Failures | None = None  # made at the first failure: a pass makes none
        try:
            number = 0  # of the requirement (`require` or `evidence`), for rule tests
            for step in rule.steps:
                if step.kind == "let":
                    frame[step.slot] = step.fn(ctx, frame)
                elif step.kind == "require":
                    number += 1
                    # Requirements read as a checklist: every one is judged, and each that fails
                    # is part of the finding (a failure never hides the ones after it).
                    held = step.fn(ctx, frame)
                    if held is not True and not truth(held):
                        message = (
                            step.message(ctx, frame)
                            if step.message
                            else f"requirement not met: {step.source}"
                        )
                        failed = failed or _Failures()
                        spot = self.pinpoint(rule, step, frame, record)
                        # A rule graded observation concludes an observation (17021-1).
                        outcome = graded(info.severity, Outcome.NONCONFORMITY)
                        where = spot.location or location
                        failed.add(Failure(outcome, _cut(message), where, number), spot)
                elif step.kind == "only":
                    # `only if`: the data does not let the rule judge this subject; what it
                    # says instead is the result, and later steps (which assume it) are not run.
                    held = step.fn(ctx, frame)
                    if held is not True and not truth(held):
                        if failed is not None:
                            break  # what was judged before it stands; the rest cannot be
                        message = (
                            step.message(ctx, frame)
                            if step.message
                            else f"not judged: the rule applies only if {step.source}"
                        )
                        outcome = Outcome.NOT_APPLICABLE
                        where = self.pinpoint(rule, step, frame, record).location or location
                        return Result(info, outcome, subject, where, _cut(message))
                else:
                    number += 1
                    checks = self.proofs(step.fn(self.ctx, frame))
                    proofs.extend(checks)
                    bad = [c for c in checks if self.ctx.evidence.missing(c)]
                    if bad:
                        message = (
                            step.message(self.ctx, frame)
                            if step.message
                            else f"missing evidence for {step.source}: "
                            + joined(
                                (f"{show(c.ref or '(none)')}: {show(c.message)}" for c in bad),
                                "; ",
                                self.limits.max_message,
                            )
                        )
                        failed = failed or _Failures()
                        spot = self.pinpoint(rule, step, frame, record, bad)
                        outcome = graded(info.severity, Outcome.MISSING_EVIDENCE)
                        where = spot.location or location
                        failed.add(Failure(outcome, _cut(message), where, number), spot)
        except BudgetSpent:
            raise
        except EVAL_ERRORS as exc:
            message = _cut(f"could not evaluate: {exc}")
            before = () if failed is None else tuple(failed.failures)
            return Result(info, Outcome.ERROR, subject, location, message, failures=before)
        if failed is not None:
            return self.finding(info, subject, location, failed.failures, proofs)
        return passed(info, subject, location, tuple(proofs) if proofs else ())

    def finding(
        self,
        info: RuleInfo,
        subject: Subject | None,
        location: Location,
        failures: list[Failure],
        proofs: list[EvidenceCheck],
    ) -> Result:
        """The result of a subject with failures: the worst of them (a nonconformity before
        missing evidence), at the line of the first such; every message, those first."""
        worst = min((f.outcome for f in failures), key=_WORST.__getitem__)
        first = [f for f in failures if f.outcome is worst]
        if len(failures) == 1:
            message = failures[0].message
        else:
            ordered = first + [f for f in failures if f.outcome is not worst]
            message = _cut(joined((f.message for f in ordered), "; ", self.limits.max_message))
        where = first[0].location or location
        return Result(info, worst, subject, where, message, tuple(proofs), failures=tuple(failures))

    def pinpoint(
        self,
        rule: CompiledRule,
        step: Step,
        frame: list[Any],
        record: Any,
        bad: list[EvidenceCheck] | None = None,
    ) -> Spot:
        """The line a failing step is about, and its cause (`locate.py`): on failures only."""
        if step.node is None:
            return NOWHERE
        locator = Locator(self.ctx, rule, frame, record)
        return locator.evidence(step.node, bad) if bad else locator.condition(step.node)

    def proofs(self, value: object) -> list[EvidenceCheck]:
        """Check each referenced proof; no reference at all is itself missing evidence."""
        if isinstance(value, bool):  # `evidence COND`: a condition on the proof, held or not
            return shown(value)
        items = value if isinstance(value, list) else [] if value is MISSING else [value]
        if not items:
            return [self.ctx.evidence.check(None)]
        self.ctx.spend(len(items))
        return [self.ctx.evidence.check(item) for item in items]


class _Failures:
    """The failures of one subject, one per cause: `require x is set` and then `evidence x`
    say the same thing when x is missing, and it is reported once."""

    __slots__ = ("causes", "failures")

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.causes: dict[Cause, int] = {}  # what a failure is about -> its index

    def add(self, failure: Failure, spot: Spot) -> None:
        """`failure`, unless an earlier one has its cause (then the worse of the two)."""
        cause = spot.cause
        index = None if cause is None else self.causes.get(cause)
        if index is None:
            if cause is not None:
                self.causes[cause] = len(self.failures)
            self.failures.append(failure)
        elif _WORST[failure.outcome] < _WORST[self.failures[index].outcome]:
            self.failures[index] = failure


def _hashable(node: object) -> bool:
    try:
        hash(node)
    except TypeError:  # a literal of a kind the AST does not hash: no sharing, no harm
        return False
    return True


def _cut(message: str) -> str:
    """A message at most max_message characters long, then `…` and how much was cut.

    Messages are bounded while they are built (`show`, `joined`, templates): this only cuts
    what a few bounded parts may add up to."""
    limit = current().max_message
    if len(message) <= limit:
        return message
    return f"{message[:limit]}… ({len(message) - limit} more characters cut)"


def evaluate(
    ruleset: RuleSet,
    export: Export,
    as_of: dt.date,
    evidence_root: Path | None = None,
    limits: Limits | None = None,
) -> list[Result]:
    """Every rule × subject outcome, passes included, in rule order."""
    return Evaluator(export, as_of, evidence_root, limits).run(ruleset)
