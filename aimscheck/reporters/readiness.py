"""Readiness: the share of rules passing per clause group, Annex A group and lifecycle phase."""

# Only rules citing ISO ids count here and in the verdict; a rule citing none (the EU AI Act
# pack) counts in the gate and under its framework (`Readiness.frameworks`): an AI Act gap is no
# ISO nonconformity.

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from aimscheck.iso42001 import ANNEX_GROUPS, CLAUSE_GROUPS
from aimscheck.results import PHASES, Outcome, Report, RuleInfo, Systemic

# The clause and Annex A groups' labels are ours, not the standard's headings; they live with the
# canonical ids.
CLAUSE_TITLES: dict[str, str] = CLAUSE_GROUPS
ANNEX_A_TITLES: dict[str, str] = ANNEX_GROUPS

# An observation is not among them: it is not a nonconformity (ISO/IEC 17021-1), so a rule whose
# only findings are observations conforms.
_FAILING = (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE, Outcome.ERROR)
SHOWN_SYSTEMIC = 3  # systemic requirements named in a verdict line; the rest are counted

# The place of rules that cite no ISO id, by the framework their tags give as basis.
FRAMEWORK_PACKS: dict[str, str] = {
    "eu-ai-act": "EU AI Act pack",
    "nist-ai-rmf": "NIST AI RMF pack",
}


class RuleStatus(enum.Enum):
    """Where one rule stands for readiness, over all its subjects."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"


def group_label(group: str) -> str:
    """`Clause 6 Planning for risks and objectives`, `A.5 Effects of AI on people and society`;
    unknown groups keep their key."""
    if group in CLAUSE_TITLES:
        return f"Clause {group} {CLAUSE_TITLES[group]}"
    if group in ANNEX_A_TITLES:
        return f"{group} {ANNEX_A_TITLES[group]}"
    if group.isdigit():
        return f"Clause {group}"
    return FRAMEWORK_PACKS.get(group, group)


def group_sort_key(group: str) -> tuple[int, tuple[int, ...], str]:
    """Natural order: clauses 4..10, then A.2..A.10, then anything else by name."""
    if group.isdigit():
        return (0, (int(group),), "")
    match = re.fullmatch(r"A\.(\d+)", group)
    if match:
        return (1, (int(match.group(1)),), "")
    return (2, (), group)


def clause_group(clause: str) -> str:
    """`6.1.3` → `6`."""
    return clause.split(".")[0]


def annex_group(control: str) -> str:
    """`A.6.2.4` → `A.6`."""
    return ".".join(control.split(".")[:2])


def rule_statuses(report: Report) -> dict[str, tuple[RuleInfo, RuleStatus]]:
    """Each rule's status, keyed and ordered by rule id, including rules that had no result.

    A rule fails when any of its results is a nonconformity, missing evidence or an error; it is
    not applicable only when it has results and all are not_applicable; otherwise it passes (an
    observation, a waived finding and a rule with no subject in scope all count as passing).
    """
    rules: dict[str, RuleInfo] = {rule.id: rule for rule in report.rules}
    # Outcomes by their value (texts hash in C; a result per subject: hundreds of thousands).
    outcomes: dict[str, set[str]] = {rule_id: set() for rule_id in rules}
    rule_id: str | None = None
    seen: set[str] = set()
    for result in report.results:
        if result.rule.id is not rule_id:  # results come rule by rule: look up once per run
            rule_id = result.rule.id
            # A result whose rule is missing from report.rules must still be counted.
            rules.setdefault(rule_id, result.rule)
            seen = outcomes.setdefault(rule_id, set())
        seen.add(result.outcome._value_)
    failing = {o.value for o in _FAILING}
    statuses: dict[str, tuple[RuleInfo, RuleStatus]] = {}
    for rule_id in sorted(rules):
        seen = outcomes[rule_id]
        if seen & failing:
            status = RuleStatus.FAIL
        elif seen == {Outcome.NOT_APPLICABLE.value}:
            status = RuleStatus.NOT_APPLICABLE
        else:
            status = RuleStatus.PASS
        statuses[rule_id] = (rules[rule_id], status)
    return statuses


@dataclass(frozen=True, slots=True)
class GroupReadiness:
    """The share of assessed rules passing in one clause group, Annex A group or phase."""

    key: str
    label: str
    passing: int
    assessed: int  # rules in the denominator: all but the wholly not applicable
    not_applicable: int

    @property
    def share(self) -> float | None:
        """Passing / assessed, or None when no rule was assessed (0/0 is not 0%)."""
        return self.passing / self.assessed if self.assessed else None

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded down so that 199/200 never shows as 100%."""
        return self.passing * 100 // self.assessed if self.assessed else None

    def to_dict(self) -> dict[str, object]:
        share = self.share
        return {
            "label": self.label,
            "passing": self.passing,
            "assessed": self.assessed,
            "not_applicable": self.not_applicable,
            "share": None if share is None else round(share, 4),
            "percent": self.percent,
        }


@dataclass(frozen=True, slots=True)
class Readiness:
    """Readiness overall and by clause group, Annex A group and phase, with the verdict and the
    requirements whose many minor findings make a systemic failure."""

    verdict: str
    open_majors: int
    overall: GroupReadiness
    clauses: tuple[GroupReadiness, ...]
    annex_a: tuple[GroupReadiness, ...]
    phases: tuple[GroupReadiness, ...]
    systemic: tuple[Systemic, ...] = ()
    systemic_after: int | None = None
    # Rules citing no ISO id, per framework they are tagged with: outside the ISO figures.
    frameworks: tuple[GroupReadiness, ...] = ()

    def to_dict(self) -> dict[str, object]:
        # `frameworks` only when a rule cites no ISO id: reports of the ISO pack keep their shape.
        extra = {"frameworks": {g.key: g.to_dict() for g in self.frameworks}}
        return {
            "verdict": self.verdict,
            "open_majors": self.open_majors,
            "systemic_after": self.systemic_after,
            "systemic": [s.to_dict() for s in self.systemic],
            "overall": self.overall.to_dict(),
            "clauses": {g.key: g.to_dict() for g in self.clauses},
            "annex_a": {g.key: g.to_dict() for g in self.annex_a},
            "phases": {g.key: g.to_dict() for g in self.phases},
            **(extra if self.frameworks else {}),
        }


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 open major`, `4 open majors`."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def systemic_phrase(systemic: tuple[Systemic, ...]) -> str:
    """`1 systemic failure (clause 7.5.3: 12 minor findings)`; past three, the rest counted."""
    shown = "; ".join(s.sentence() for s in systemic[:SHOWN_SYSTEMIC])
    if len(systemic) > SHOWN_SYSTEMIC:
        shown += f"; {len(systemic) - SHOWN_SYSTEMIC} more"
    return f"{plural(len(systemic), 'systemic failure')} ({shown})"


def verdict_reasons(report: Report) -> list[str]:
    """What stands between the organization and stage 1: rule errors, open majors, systemic
    failures (`["4 open majors", "1 systemic failure (clause 7.5.3: 12 minor findings)"]`)."""
    reasons = []
    errors = report.verdict_errors
    if errors:
        reasons.append(plural(errors, "rule error"))
    if report.open_majors:
        reasons.append(plural(report.open_majors, "open major"))
    if report.systemic:
        reasons.append(systemic_phrase(report.systemic))
    return reasons


def _bucket(key: str, label: str, statuses: Iterable[RuleStatus]) -> GroupReadiness:
    listed = list(statuses)
    na = listed.count(RuleStatus.NOT_APPLICABLE)
    return GroupReadiness(key, label, listed.count(RuleStatus.PASS), len(listed) - na, na)


def _buckets(
    known: Iterable[str], members: dict[str, list[RuleStatus]], *, labelled: bool = True
) -> tuple[GroupReadiness, ...]:
    # Known groups always appear (a stable shape for machines); unknown ones follow, sorted.
    keys = list(known)
    keys += sorted((k for k in members if k not in keys), key=group_sort_key)
    return tuple(_bucket(k, group_label(k) if labelled else k, members.get(k, ())) for k in keys)


def assess(report: Report) -> Readiness:
    """Aggregate the report's results into readiness per group and phase."""
    clauses: dict[str, list[RuleStatus]] = {}
    annex: dict[str, list[RuleStatus]] = {}
    phases: dict[str, list[RuleStatus]] = {}
    frameworks: dict[str, list[RuleStatus]] = {}
    statuses = rule_statuses(report)
    iso = [(rule, status) for rule, status in statuses.values() if rule.iso]
    for rule, status in statuses.values():
        if not rule.iso:
            frameworks.setdefault(rule.group, []).append(status)
    for rule, status in iso:
        # A rule counts towards every group it cites: an impact-assessment rule citing clause
        # 6.1.4 and control A.5.2 is evidence for both Clause 6 and A.5.
        for group in dict.fromkeys(clause_group(c) for c in rule.clauses):
            clauses.setdefault(group, []).append(status)
        for group in dict.fromkeys(annex_group(c) for c in rule.controls):
            annex.setdefault(group, []).append(status)
        phases.setdefault(rule.phase, []).append(status)
    return Readiness(
        verdict=report.verdict,
        open_majors=report.open_majors,
        overall=_bucket("overall", "All rules", (s for _, s in iso)),
        clauses=_buckets(CLAUSE_TITLES, clauses),
        annex_a=_buckets(ANNEX_A_TITLES, annex),
        phases=_buckets(PHASES, phases, labelled=False),
        systemic=report.systemic,
        systemic_after=report.systemic_after,
        frameworks=_buckets((), frameworks),
    )
