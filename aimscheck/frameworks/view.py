"""Readiness per framework requirement, read from the results of one check (no new judging).

A requirement is backed by the rules whose clauses or Annex A controls its crosswalk rows name
(or that carry its tag, `eu-ai-act:26(6)`). Its status says what their results show:

- `shown`: every backing rule holds, and one of them covers the requirement fully;
- `partly_shown`: every backing rule holds, but they cover only part of the requirement;
- `gaps`: a backing rule has open findings (or an error) for what the requirement reaches;
- `cannot_show`: the export cannot show it either way (no rule backs it, every backing rule
  was not applicable, or the systems' role or class is not stated);
- `not_applicable`: the requirement reaches none of the systems in scope.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aimscheck.frameworks.applicability import (
    APPLIES,
    NOT_STATED,
    OUTSIDE,
    Reach,
    SystemFacts,
    reach,
    start_date,
)
from aimscheck.frameworks.catalog import Framework, Requirement

if TYPE_CHECKING:
    from aimscheck.results import Result, RuleInfo

STATUSES: tuple[str, ...] = ("shown", "partly_shown", "gaps", "cannot_show", "not_applicable")
# Why a requirement cannot be shown: the reason codes reports carry.
NO_RULE = "no_rule"
RULES_NOT_APPLICABLE = "rules_not_applicable"
NOT_STATED_REASON = "not_stated"

_OPEN = frozenset(("nonconformity", "missing_evidence", "observation", "error"))


@dataclass(frozen=True, slots=True)
class Backing:
    """A rule that gives evidence for a requirement: how (ISO ids or its tag), how much, and
    how its results came out (outcome: count, only the results the requirement reaches)."""

    rule: str
    title: str
    strength: str
    via: tuple[str, ...]
    outcomes: tuple[tuple[str, int], ...]

    @property
    def open(self) -> int:
        return sum(n for outcome, n in self.outcomes if outcome in _OPEN)

    @property
    def passed(self) -> int:
        return dict(self.outcomes).get("pass", 0)


@dataclass(frozen=True, slots=True)
class RequirementView:
    """One requirement's readiness: status, reason, backing rules, systems and open findings."""

    requirement: Requirement
    label: str
    status: str
    reason: str  # a code for cannot_show and not_applicable ("" otherwise)
    explanation: str  # the status in a sentence, for people
    backing: tuple[Backing, ...]
    systems: tuple[Reach, ...]
    findings: tuple[Result, ...]  # the open findings behind a `gaps` status, each with its line
    starts: dt.date | None = None
    in_force: bool = True

    def reached(self, state: str) -> tuple[Reach, ...]:
        return tuple(r for r in self.systems if r.state == state)

    @property
    def unstated_note(self) -> str:
        """`not stated for 1 system: fraud-detection` when the requirement reaches some systems
        but whether it reaches others is not stated ("" otherwise)."""
        if self.reason == NOT_STATED_REASON:
            return ""  # the explanation says so already
        ids = [r.system.id for r in self.reached(NOT_STATED)]
        if not ids:
            return ""
        return f"not stated for {len(ids)} system{'' if len(ids) == 1 else 's'}: {', '.join(ids)}"


@dataclass(frozen=True)
class FrameworkView:
    """A framework's requirements with their readiness, in the crosswalk's order."""

    framework: Framework
    rows: tuple[RequirementView, ...]
    as_of: str
    dates: Mapping[str, dt.date]

    def tally(self) -> dict[str, int]:
        counts = Counter(row.status for row in self.rows)
        return {status: counts.get(status, 0) for status in STATUSES}


def build_view(
    framework: Framework,
    rules: Iterable[RuleInfo],
    results: Iterable[Result],
    systems: tuple[SystemFacts, ...],
    as_of: dt.date,
    dates: Mapping[str, dt.date] | None = None,
) -> FrameworkView:
    """The framework's view of one run. `dates` replaces application dates by key."""
    effective = {key: d.date for key, d in framework.dates.items()} | dict(dates or {})
    by_rule: dict[str, list[Result]] = {}
    for result in results:
        by_rule.setdefault(result.rule.id, []).append(result)
    infos = tuple(rules)
    rows = tuple(
        _row(framework, req, infos, by_rule, systems, as_of, effective)
        for req in framework.requirements
    )
    return FrameworkView(framework, rows, as_of.isoformat(), effective)


def _matches(mapped: str, cited: str) -> bool:
    """A row naming `7.5` is backed by rules citing 7.5 or one of its sub-clauses (7.5.3)."""
    return cited == mapped or cited.startswith(mapped + ".")


def _backers(
    framework: Framework, req: Requirement, infos: tuple[RuleInfo, ...]
) -> list[tuple[RuleInfo, str, tuple[str, ...]]]:
    tag = framework.tag(req)
    out: list[tuple[RuleInfo, str, tuple[str, ...]]] = []
    for info in infos:
        if tag in info.tags:
            out.append((info, "full", (tag,)))
            continue
        cited = (*info.clauses, *info.controls)
        rows = [m for m in req.maps if any(_matches(m.iso, c) for c in cited)]
        if rows:
            strength = "full" if any(m.strength == "full" for m in rows) else "partial"
            out.append((info, strength, tuple(dict.fromkeys(m.iso for m in rows))))
    return out


def _row(
    framework: Framework,
    req: Requirement,
    infos: tuple[RuleInfo, ...],
    by_rule: dict[str, list[Result]],
    systems: tuple[SystemFacts, ...],
    as_of: dt.date,
    dates: dict[str, dt.date],
) -> RequirementView:
    per_system = req.applies.per_system
    reaches = tuple(reach(req.applies, s) for s in systems) if per_system else ()
    applying = [r.system for r in reaches if r.state == APPLIES]
    reached_ids = {f"ai_systems/{s.id}" for s in applying}
    starts = _starts(req, applying, dates)
    in_force = starts is None or starts <= as_of  # a requirement with no date applies now
    backing: list[Backing] = []
    findings: list[Result] = []
    for info, strength, via in _backers(framework, req, infos):
        # A result about an AI system the requirement does not reach says nothing about it.
        kept = [
            r
            for r in by_rule.get(info.id, ())
            if not per_system
            or r.subject is None
            or r.subject.collection != "ai_systems"
            or r.subject.text in reached_ids
        ]
        counts = Counter(r.outcome.value for r in kept)
        backing.append(Backing(info.id, info.title, strength, via, tuple(sorted(counts.items()))))
        findings.extend(r for r in kept if r.outcome.value in _OPEN)
    status, reason, why = _status(framework, req, reaches, backing)
    return RequirementView(
        requirement=req,
        label=framework.label(req),
        status=status,
        reason=reason,
        explanation=why,
        backing=tuple(backing),
        systems=reaches,
        findings=tuple(findings) if status == "gaps" else (),
        starts=starts,
        in_force=in_force,
    )


def _starts(
    req: Requirement, applying: list[SystemFacts], dates: dict[str, dt.date]
) -> dt.date | None:
    if req.starts is None:
        return None
    keys = {start_date(req.starts, s, dates) for s in applying} or {
        start_date(req.starts, None, dates)
    }
    return min(dates[k] for k in keys if k is not None)


def _status(
    framework: Framework, req: Requirement, reaches: tuple[Reach, ...], backing: list[Backing]
) -> tuple[str, str, str]:
    if req.applies.per_system:
        if not reaches:
            return "not_applicable", "no_system", "no AI system is in scope"
        if not any(r.state == APPLIES for r in reaches):
            unstated = [r for r in reaches if r.state == NOT_STATED]
            if unstated:
                fields = ", ".join(sorted({r.missing for r in unstated}))
                return (
                    "cannot_show",
                    NOT_STATED_REASON,
                    f"whether it applies is not stated ({fields} missing for {_systems(unstated)})",
                )
            return (
                "not_applicable",
                "not_reached",
                "it reaches none of the systems in scope, by their role and class",
            )
    if not backing:
        if req.maps:
            return (
                "cannot_show",
                NO_RULE,
                "no rule of the packs run checks the ISO requirements it maps to",
            )
        tag = framework.tag(req)
        return (
            "cannot_show",
            NO_RULE,
            f"ISO/IEC 42001 has no requirement for it; a rule tagged {tag} can show it",
        )
    if any(b.open for b in backing):
        count = sum(b.open for b in backing)
        return (
            "gaps",
            "",
            f"{count} open finding{'s' if count != 1 else ''} in the rules that back it",
        )
    if not any(b.passed for b in backing):
        return (
            "cannot_show",
            RULES_NOT_APPLICABLE,
            "every rule that backs it was not applicable (or waived)",
        )
    if any(b.strength == "full" and b.passed for b in backing):
        return "shown", "", "the rules that back it hold"
    return "partly_shown", "", "the rules that back it hold, but cover only part of it"


def _systems(reaches: list[Reach]) -> str:
    count = len(reaches)
    return f"{count} system{'' if count == 1 else 's'}"


__all__ = [
    "APPLIES",
    "NOT_STATED",
    "OUTSIDE",
    "STATUSES",
    "Backing",
    "FrameworkView",
    "RequirementView",
    "build_view",
]
