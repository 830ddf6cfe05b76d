"""Outcomes, severities and the result records every reporter reads."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aimscheck.basis import frameworks_of
from aimscheck.source import Location

if TYPE_CHECKING:
    from aimscheck.export.contract import VocabularyExtension
    from aimscheck.frameworks.view import FrameworkView


class Outcome(enum.Enum):
    """What one rule concluded for one subject.

    A failing rule graded `observation` concludes OBSERVATION, never NONCONFORMITY or
    MISSING_EVIDENCE: under ISO/IEC 17021-1 an opportunity for improvement is not a
    nonconformity (see `graded`).
    """

    PASS = "pass"
    NONCONFORMITY = "nonconformity"
    MISSING_EVIDENCE = "missing_evidence"
    OBSERVATION = "observation"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"
    ERROR = "error"

    @property
    def is_finding(self) -> bool:
        # Reports ask this of every result, several times: a plain attribute in a set of texts.
        return self._value_ in _FINDINGS


class Severity(enum.Enum):
    """How a certification auditor would grade the finding (ISO/IEC 17021-1 logic)."""

    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"

    @property
    def rank(self) -> int:
        return _RANKS[self._value_]


_FINDINGS = frozenset(("nonconformity", "missing_evidence", "observation", "error"))
# Findings a waiver has not closed.
_OPEN = frozenset(("nonconformity", "missing_evidence", "observation"))
_NONCONFORMITIES = frozenset(("nonconformity", "missing_evidence"))
_RANKS = {"major": 3, "minor": 2, "observation": 1}
# A requirement with this many open minor findings or more is a systemic failure (see
# `Report.systemic`): certification bodies grade a pattern of minor lapses against one
# requirement as a breakdown of the process behind it, that is, as a major nonconformity.
SYSTEMIC_AFTER = 5


def graded(severity: Severity, outcome: Outcome) -> Outcome:
    """The outcome of a failing rule as an auditor grades it: a rule graded `observation` never
    concludes a nonconformity or missing evidence, only an observation (ISO/IEC 17021-1)."""
    return Outcome.OBSERVATION if severity is Severity.OBSERVATION else outcome


PHASES: tuple[str, ...] = (
    "scope_definition",
    "risk_assessment",
    "control_design",
    "deployment",
    "monitoring",
    "certification_preparation",
)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """The metadata of a rule that reports carry (no compiled code)."""

    id: str
    title: str
    severity: Severity
    phase: str
    clauses: tuple[str, ...]
    controls: tuple[str, ...]
    tags: tuple[str, ...] = ()
    description: str = ""
    fix: str = ""
    location: Location | None = None

    @property
    def iso(self) -> bool:
        """Whether the rule cites an ISO/IEC 42001 clause or control: only such a rule counts in
        ISO readiness and the certification verdict (an AI Act gap is no ISO nonconformity)."""
        return bool(self.clauses or self.controls)

    @property
    def group(self) -> str:
        """The clause group (`6`) or Annex A group (`A.5`) the rule reports under; for a rule
        citing no ISO id, the framework its tags give as its basis (`eu-ai-act`)."""
        if self.controls and not self.clauses:
            return ".".join(self.controls[0].split(".")[:2])
        if self.clauses:
            return self.clauses[0].split(".")[0]
        return next(iter(frameworks_of(self.tags)), "other")


@dataclass(frozen=True, slots=True)
class Subject:
    """The record a result is about: its collection and id (id is None for a section)."""

    collection: str
    id: str | None
    # `collection/id`, made once: reports sort and group hundreds of thousands of results by it.
    text: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        text = self.collection if self.id is None else f"{self.collection}/{self.id}"
        object.__setattr__(self, "text", text)

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, object]:
        return {"collection": self.collection, "id": self.id}


@dataclass(frozen=True, slots=True)
class EvidenceCheck:
    """One piece of proof looked for: the reference, what it resolved to and whether it holds."""

    ref: str
    status: str  # "ok" or a reason code such as "file_not_found"
    message: str = ""
    record: str | None = None  # "evidence/EV-1" or "documents/DOC-1"
    path: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "status": self.status,
            "message": self.message,
            "record": self.record,
            "path": self.path,
        }


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing line of a rule for one subject (a `require`, or an `evidence` with a
    problem): what it concluded, its message and the line to fix."""

    outcome: Outcome
    message: str
    location: Location | None = None
    # Which requirement of the rule failed: its `require` and `evidence` lines numbered from 1
    # in the rule's order (0 for a built-in check); rule tests assert it (`failed:`).
    requirement: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome.value,
            "message": self.message,
            "location": None if self.location is None else self.location.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Waiver:
    """An approved, time-limited acceptance of a rule's findings (for one subject, or all).

    `expires` is the last day it waives: through the end of that day in UTC, judged against the
    run's as-of date (a waiver with expires 2027-01-31 no longer waives as of 2027-02-01).
    """

    rule: str
    subject: str | None  # "ai_systems/credit-scoring"; None waives every subject of the rule
    justification: str
    approver: str
    expires: dt.date
    location: Location | None = None  # where the waiver is written (config or waiver file)

    def active_on(self, day: dt.date) -> bool:
        return day <= self.expires

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "subject": self.subject,
            "justification": self.justification,
            "approver": self.approver,
            "expires": self.expires.isoformat(),
            "location": None if self.location is None else self.location.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class WaiverStatus:
    """What one configured waiver did in a run: `active`, `expired` or `unmatched`."""

    waiver: Waiver
    state: str
    matched: int = 0  # findings of its rule (and subject) it applies to, expired or not
    note: str = ""  # why an unmatched waiver matched nothing

    def to_dict(self) -> dict[str, object]:
        return {
            **self.waiver.to_dict(),
            "state": self.state,
            "matched": self.matched,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class RuleAdjustment:
    """A configured change to a rule, with its reason: `disabled`, or a `severity` change."""

    rule: str
    title: str
    change: str
    reason: str
    before: str = ""  # the severity before and after, for a severity change
    after: str = ""
    location: Location | None = None  # the configuration line that asks for it

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"rule": self.rule, "title": self.title, "change": self.change}
        if self.change == "severity":
            out |= {"from": self.before, "to": self.after}
        out["reason"] = self.reason
        out["location"] = None if self.location is None else self.location.to_dict()
        return out


@dataclass(frozen=True)
class Baseline:
    """The findings of an earlier report (rule id, subject) that no longer fail a run."""

    path: str
    keys: frozenset[tuple[str, str]]

    def holds(self, result: Result) -> bool:
        """A nonconformity, missing evidence or observation the baseline already knew (errors
        never are). Matched by rule and subject only: a baseline written before the rule was
        re-graded, or before observations had their own outcome, still knows the finding."""
        return result.outcome._value_ in _OPEN and result.key() in self.keys


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one rule for one subject (or for the whole export when subject is None)."""

    rule: RuleInfo
    outcome: Outcome
    subject: Subject | None = None
    location: Location | None = None
    message: str = ""
    evidence: tuple[EvidenceCheck, ...] = ()
    raw_outcome: Outcome | None = None  # the outcome before a waiver, for WAIVED results
    # The waiver that covers a WAIVED result, or that expired before the as-of date (the
    # outcome is then the raw one and reports say "waiver expired on ...").
    waiver: Waiver | None = None
    # Every line of the rule that failed for the subject, in the rule's order (the outcome is
    # the worst of them, the location that of the first with that outcome); () on a pass.
    failures: tuple[Failure, ...] = ()

    @property
    def waiver_expired(self) -> bool:
        return self.waiver is not None and self.outcome is not Outcome.WAIVED

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def key(self) -> tuple[str, str]:
        """Stable identity across runs: rule id and subject, never the message."""
        return (self.rule.id, "" if self.subject is None else self.subject.text)


# The engine makes a result (and a subject) per record a rule looks at: hundreds of thousands
# on a big export. A frozen dataclass's __init__ sets each field through object.__setattr__;
# these makers set the slots directly, in less than half the time, and make equal objects.
_new = object.__new__
_rule, _outcome, _subject, _location, _message, _evidence, _raw, _waiver, _failures = (
    getattr(Result, name).__set__
    for name in (
        "rule", "outcome", "subject", "location", "message", "evidence", "raw_outcome", "waiver",
        "failures",
    )
)  # fmt: skip
_collection, _id, _text = (getattr(Subject, name).__set__ for name in ("collection", "id", "text"))


def passed(
    rule: RuleInfo, subject: Subject | None, location: Location, evidence: tuple[EvidenceCheck, ...]
) -> Result:
    """`Result(rule, Outcome.PASS, subject, location, "", evidence)`, made faster."""
    result = _new(Result)
    _rule(result, rule)
    _outcome(result, Outcome.PASS)
    _subject(result, subject)
    _location(result, location)
    _message(result, "")
    _evidence(result, evidence)
    _raw(result, None)
    _waiver(result, None)
    _failures(result, ())
    return result


def subject_of(collection: str, ident: str | None) -> Subject:
    """`Subject(collection, ident)`, made faster."""
    subject = _new(Subject)
    _collection(subject, collection)
    _id(subject, ident)
    _text(subject, collection if ident is None else f"{collection}/{ident}")
    return subject


@dataclass(frozen=True, slots=True)
class Systemic:
    """A requirement (clause or Annex A control) with so many open minor findings that an
    auditor would see a process that has broken down, and grade it like a major."""

    requirement: str  # "7.5.3" or "A.6.2.4"
    findings: int  # open minor findings of the rules that cite it
    rules: tuple[str, ...]  # those rules' ids, sorted

    @property
    def kind(self) -> str:
        return "control" if self.requirement.startswith("A.") else "clause"

    def sentence(self) -> str:
        """`clause 7.5.3: 12 minor findings`."""
        noun = "finding" if self.findings == 1 else "findings"
        return f"{self.kind} {self.requirement}: {self.findings} minor {noun}"

    def to_dict(self) -> dict[str, object]:
        return {
            "requirement": self.requirement,
            "kind": self.kind,
            "minor_findings": self.findings,
            "rules": list(self.rules),
        }


def requirement_key(requirement: str) -> tuple[int, tuple[int, ...], str]:
    """Clauses in number order (4.1 < 10.2), then Annex A controls (A.2.2 < A.10.3)."""
    annex = requirement.startswith("A.")
    parts = requirement[2:].split(".") if annex else requirement.split(".")
    if all(p.isdigit() for p in parts):
        return (int(annex), tuple(int(p) for p in parts), "")
    return (2, (), requirement)


@dataclass(frozen=True)
class Report:
    """Everything one run concluded, in a stable order (rule id, then subject)."""

    as_of: str
    export_path: str
    export_digest: str
    rules: tuple[RuleInfo, ...]
    results: tuple[Result, ...]
    pack_version: str = ""
    fail_on: Severity | None = Severity.MINOR
    tool_version: str = field(default="")
    # The evidence inventory (issue: evidence integrity), as its to_dict(); None when not built.
    evidence_inventory: dict[str, Any] | None = None
    organization: str = ""  # the organization's name, as the export gives it
    config_file: str | None = None  # the aimscheck.yaml the run read, if any
    adjustments: tuple[RuleAdjustment, ...] = ()  # rules disabled or re-graded by the config
    vocabulary: tuple[VocabularyExtension, ...] = ()  # values the config adds to vocabularies
    waivers: tuple[WaiverStatus, ...] = ()  # every configured waiver and what it did
    baseline: Baseline | None = None  # known findings that do not fail the run
    # Open minor findings on one requirement from which it is a systemic failure; None: never.
    systemic_after: int | None = SYSTEMIC_AFTER
    # Readiness per framework (--framework), read from these results: aimscheck/frameworks/.
    frameworks: tuple[FrameworkView, ...] = ()

    # These walk every result (hundreds of thousands on a big export), several times per
    # report: enum members and plain attributes are looked up once, not once per result.

    def counts(self) -> dict[str, int]:
        out = {o.value: 0 for o in Outcome}
        for r in self.results:
            out[r.outcome._value_] += 1
        return out

    def failing(self) -> list[Result]:
        """Results that fail the run at the configured threshold (baseline findings do not)."""
        threshold = self.fail_on
        if threshold is None:
            return []
        known = self.baseline.holds if self.baseline is not None else (lambda _: False)
        error, rank = Outcome.ERROR, threshold.rank
        return [
            r
            for r in self.results
            if r.outcome is error
            or (r.outcome._value_ in _FINDINGS and r.rule.severity.rank >= rank and not known(r))
        ]

    @property
    def verdict_errors(self) -> int:
        """Rule errors the certification verdict counts: only of rules citing ISO ids (a
        framework-only rule, the EU AI Act pack's, fails the gate, never the ISO verdict)."""
        error = Outcome.ERROR
        return sum(1 for r in self.results if r.outcome is error and r.rule.iso)

    @property
    def open_majors(self) -> int:
        """Open major findings of rules citing ISO ids (the certification verdict's count)."""
        major = Severity.MAJOR
        return sum(
            1
            for r in self.results
            if r.outcome._value_ in _OPEN and r.rule.severity is major and r.rule.iso
        )

    @functools.cached_property
    def systemic(self) -> tuple[Systemic, ...]:
        """Requirements with `systemic_after` open minor findings or more, most findings first.

        A finding counts on every clause and control its rule cites. Findings known to the
        baseline count (they are still open); waived ones and observations do not (an
        observation is not a nonconformity), nor do majors, which weigh on the verdict already.
        """
        threshold = self.systemic_after
        if threshold is None:
            return ()
        minor = Severity.MINOR
        counts: dict[str, int] = {}
        rules: dict[str, set[str]] = {}
        for r in self.results:
            if r.outcome._value_ not in _NONCONFORMITIES or r.rule.severity is not minor:
                continue
            info = r.rule
            for requirement in dict.fromkeys((*info.clauses, *info.controls)):
                counts[requirement] = counts.get(requirement, 0) + 1
                rules.setdefault(requirement, set()).add(info.id)
        found = [
            Systemic(requirement, n, tuple(sorted(rules[requirement])))
            for requirement, n in counts.items()
            if n >= threshold
        ]
        found.sort(key=lambda s: (-s.findings, requirement_key(s.requirement)))
        return tuple(found)

    @property
    def verdict(self) -> str:
        """The certification verdict: stage 1 readiness needs no error, no open major and no
        systemic failure (many minors on one requirement, see `systemic`)."""
        if self.verdict_errors:
            return "not assessable"
        if self.open_majors or self.systemic:
            return "not ready for stage 1"
        return "ready for stage 1"
