"""Readiness per framework requirement, read from the results of one check (no new judging).

A requirement is backed by the rules whose clauses or Annex A controls its crosswalk rows name
(or that carry its tag, `eu-ai-act:26(6)`). Its status says what their results show:

- `shown`: every backing rule holds, and one of them covers the requirement fully;
- `partly_shown`: every backing rule holds, but they cover only part of the requirement;
- `gaps`: a backing rule has open findings (or an error) for what the requirement reaches;
- `cannot_show`: the export cannot show it either way (no rule backs it, the export cannot
  carry what it needs, every backing rule was not applicable, none of their results is about
  what it reaches, or the systems' role or class is not stated);
- `not_applicable`: the requirement reaches none of the systems in scope.

Only results about what the requirement reaches count (`_counts`): the systems it reaches and
the records linked to them (frameworks/links.py), and the organisation's own records only for an
obligation of the whole organisation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
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
from aimscheck.frameworks.links import Links

if TYPE_CHECKING:
    from aimscheck.results import Result, RuleInfo

STATUSES: tuple[str, ...] = ("shown", "partly_shown", "gaps", "cannot_show", "not_applicable")
# Why a requirement cannot be shown: the reason codes reports carry.
NO_RULE = "no_rule"
RULES_NOT_APPLICABLE = "rules_not_applicable"
NOT_STATED_REASON = "not_stated"
NOT_IN_EXPORT = "not_in_export"
NO_RESULT = "no_result_in_reach"

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
    unchecked: str = ""  # what the framework's pack would check, when it was not run
    # When the reached systems' dates differ (an Annex III system and an Annex I product): each
    # system whose date is after the as-of date, with its date; () otherwise.
    system_starts: tuple[tuple[str, dt.date], ...] = ()

    @property
    def in_force_note(self) -> str:
        """`not yet in force (applies from 2027-12-02)` for a date after the as-of date, and
        the systems whose own date is later still (`; product-x from 2028-08-02`)."""
        later = [f"{system} from {day.isoformat()}" for system, day in self.system_starts]
        if self.in_force or self.starts is None:
            return f"not yet in force for {', '.join(later)}" if later else ""
        note = f"not yet in force (applies from {self.starts.isoformat()})"
        later = [
            f"{system} from {day.isoformat()}"
            for system, day in self.system_starts
            if day != self.starts
        ]
        return note + (f"; {', '.join(later)}" if later else "")

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
    links: Links | None = None,
) -> FrameworkView:
    """The framework's view of one run. `dates` replaces application dates by key; `links`
    says which systems each record concerns (frameworks/links.py; none: no record is linked)."""
    effective = {key: d.date for key, d in framework.dates.items()} | dict(dates or {})
    by_rule: dict[str, list[Result]] = {}
    for result in results:
        by_rule.setdefault(result.rule.id, []).append(result)
    infos = tuple(rules)
    rows = tuple(
        _row(framework, req, infos, by_rule, systems, as_of, effective, links or Links())
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
    links: Links,
) -> RequirementView:
    per_system = req.applies.per_system
    reaches = tuple(reach(req.applies, s) for s in systems) if per_system else ()
    applying = [r.system for r in reaches if r.state == APPLIES]
    starts = _starts(req, applying, dates)
    each = [(s.id, dates[k]) for s in applying if (k := start_date(req.starts, s, dates))]
    differ = len({day for _, day in each}) > 1
    system_starts = tuple((s, day) for s, day in each if day > as_of) if differ else ()
    in_force = starts is None or starts <= as_of  # a requirement with no date applies now
    counts = _counter(req, applying, links) if per_system else None
    backing: list[Backing] = []
    findings: list[Result] = []
    backers = _backers(framework, req, infos)
    for info, strength, via in backers:
        kept = [r for r in by_rule.get(info.id, ()) if counts is None or counts(r)]
        tally = Counter(r.outcome.value for r in kept)
        backing.append(Backing(info.id, info.title, strength, via, tuple(sorted(tally.items()))))
        findings.extend(r for r in kept if r.outcome.value in _OPEN)
    if req.by_class:
        status, reason, why = _by_class(reaches)
    else:
        status, reason, why = _status(framework, req, reaches, backing)
    tag = framework.tag(req)
    unchecked = ""
    if (
        req.pack_checks
        and framework.pack
        and status != "not_applicable"
        and (applying or not per_system)
        and not any(tag in info.tags for info, _, _ in backers)
    ):
        unchecked = f"run with the {framework.pack} pack to check {req.pack_checks}"
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
        unchecked=unchecked,
        system_starts=system_starts,
    )


def _counter(
    req: Requirement, applying: list[SystemFacts], links: Links
) -> Callable[[Result], bool]:
    """Whether a result counts for the requirement: its subject is a system the requirement
    reaches or a record linked to one; for an obligation of the whole organisation, also a
    result about no record or a record linked to no system; for Art. 26(2), also one about a
    person who oversees a reached system, or that person's competence record."""
    reached = frozenset(s.id for s in applying)
    people: set[str] = set()
    if req.overseers:
        for person in {p for s in applying for p in s.overseers}:
            people.add(f"people/{person}")
            people.update(links.people.get(person, ()))

    def counts(result: Result) -> bool:
        subject = result.subject
        if subject is None:
            return req.organisation_wide
        if subject.collection == "ai_systems":
            return subject.id in reached
        if subject.text in people:
            return True
        linked = links.systems.get(subject.text)
        if linked is None:
            return req.organisation_wide
        return not linked.isdisjoint(reached)

    return counts


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
        if req.not_in_export:
            return (
                "cannot_show",
                NOT_IN_EXPORT,
                f"the export cannot carry it yet: {req.not_in_export} (docs/frameworks.md)",
            )
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
    if not any(b.outcomes for b in backing):
        return (
            "cannot_show",
            NO_RESULT,
            "no result of the rules that back it is about the systems it reaches",
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


def _by_class(reaches: tuple[Reach, ...]) -> tuple[str, str, str]:
    """Art. 5, from the classes recorded (any operator is bound, so only `risk_class` counts):
    a system recorded as prohibited is the gap; none, with every class stated, is shown."""
    if not reaches:
        return "not_applicable", "no_system", "no AI system is in scope"
    recorded = [r.system.id for r in reaches if r.system.risk_class == "prohibited"]
    if recorded:
        return (
            "gaps",
            "",
            f"recorded as a prohibited practice (risk_class: prohibited): {', '.join(recorded)}",
        )
    unstated = [r for r in reaches if r.system.risk_class is None]
    if unstated:
        return (
            "cannot_show",
            NOT_STATED_REASON,
            f"whether it applies is not stated (eu_ai_act.risk_class missing for "
            f"{_systems(unstated)})",
        )
    return "shown", "", "no prohibited practice recorded: every system has another risk_class"


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
