"""Outcomes, severities and the result records every reporter reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from aimscheck.source import Location


class Outcome(enum.Enum):
    """What one rule concluded for one subject."""

    PASS = "pass"
    NONCONFORMITY = "nonconformity"
    MISSING_EVIDENCE = "missing_evidence"
    NOT_APPLICABLE = "not_applicable"
    WAIVED = "waived"
    ERROR = "error"

    @property
    def is_finding(self) -> bool:
        return self in (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE, Outcome.ERROR)


class Severity(enum.Enum):
    """How a certification auditor would grade the finding (ISO/IEC 17021-1 logic)."""

    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"

    @property
    def rank(self) -> int:
        return {"major": 3, "minor": 2, "observation": 1}[self.value]


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
    def group(self) -> str:
        """The clause group (`6`) or Annex A group (`A.5`) the rule reports under."""
        if self.controls and not self.clauses:
            return ".".join(self.controls[0].split(".")[:2])
        if self.clauses:
            return self.clauses[0].split(".")[0]
        return "other"


@dataclass(frozen=True, slots=True)
class Subject:
    """The record a result is about: its collection and id (id is None for a section)."""

    collection: str
    id: str | None

    def __str__(self) -> str:
        return self.collection if self.id is None else f"{self.collection}/{self.id}"

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
class Result:
    """The outcome of one rule for one subject (or for the whole export when subject is None)."""

    rule: RuleInfo
    outcome: Outcome
    subject: Subject | None = None
    location: Location | None = None
    message: str = ""
    evidence: tuple[EvidenceCheck, ...] = ()
    raw_outcome: Outcome | None = None  # the outcome before a waiver, for WAIVED results

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def key(self) -> tuple[str, str]:
        """Stable identity across runs: rule id and subject, never the message."""
        return (self.rule.id, "" if self.subject is None else str(self.subject))


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

    def counts(self) -> dict[str, int]:
        out = {o.value: 0 for o in Outcome}
        for r in self.results:
            out[r.outcome.value] += 1
        return out

    def failing(self) -> list[Result]:
        """Results that fail the run at the configured threshold."""
        threshold = self.fail_on
        if threshold is None:
            return []
        return [
            r
            for r in self.results
            if r.outcome is Outcome.ERROR
            or (r.outcome.is_finding and r.severity.rank >= threshold.rank)
        ]

    @property
    def open_majors(self) -> int:
        return sum(
            1
            for r in self.results
            if r.outcome in (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE)
            and r.severity is Severity.MAJOR
        )

    @property
    def verdict(self) -> str:
        """The certification verdict: stage 1 readiness needs no open major and no error."""
        if any(r.outcome is Outcome.ERROR for r in self.results):
            return "not assessable"
        return "ready for stage 1" if self.open_majors == 0 else "not ready for stage 1"
