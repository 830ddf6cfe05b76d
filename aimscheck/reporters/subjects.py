"""Findings grouped by the record they are about, as an auditor writes them up."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from aimscheck.reporters.readiness import plural
from aimscheck.results import Outcome, Result, Subject

# Our own names for one record of each collection of the export (docs/export.md).
RECORD_NAMES: dict[str, str] = {
    "interested_parties": "Interested party",
    "legal_requirements": "Legal requirement",
    "people": "Person",
    "roles": "Role",
    "documents": "Document",
    "evidence": "Evidence record",
    "ai_systems": "AI system",
    "models": "Model",
    "datasets": "Dataset",
    "third_parties": "Third party",
    "risks": "Risk",
    "impact_assessments": "Impact assessment",
    "soa": "SoA entry",
    "controls": "Control",
    "objectives": "Objective",
    "competence_records": "Competence record",
    "communications": "Communication",
    "changes": "Change",
    "metrics": "Metric",
    "incidents": "Incident",
    "concerns": "Concern",
    "audits": "Audit",
    "findings": "Audit finding",
    "corrective_actions": "Corrective action",
    "management_reviews": "Management review",
}
WHOLE_EXPORT = "The whole export"
# Worst first: an entry that holds a rule error or a major is read before one of minors only.
_RANK = {"error": 0, "major": 1, "minor": 2, "observation": 3}


def subject_label(subject: Subject | None, shown: Callable[[str], str] = str) -> str:
    """`AI system credit-scoring`, `Section scope`, `The whole export`; the record's id, the
    section's name or the subject's text as `shown` writes it (as code, in Markdown)."""
    if subject is None:
        return WHOLE_EXPORT
    if subject.id is None:
        return f"Section {shown(subject.collection)}"
    name = RECORD_NAMES.get(subject.collection)
    return f"{name} {shown(subject.id)}" if name else shown(subject.text)


def grade_of(result: Result) -> str:
    """`error` for a rule error, else the severity: the grade an entry is sorted by."""
    return "error" if result.outcome is Outcome.ERROR else result.severity.value


@dataclass(frozen=True, slots=True)
class SubjectFindings:
    """One record's findings (or the whole export's), worst first, as one auditor's entry."""

    subject: Subject | None
    findings: tuple[Result, ...]

    @property
    def key(self) -> str:
        return "" if self.subject is None else self.subject.text

    @property
    def label(self) -> str:
        return subject_label(self.subject)

    @property
    def worst(self) -> str:
        return min((grade_of(r) for r in self.findings), key=_RANK.__getitem__)

    def tally(self) -> str:
        """`16 gaps`, `2 gaps, 1 observation`, `1 rule error`: an observation is never a gap."""
        outcomes = [r.outcome for r in self.findings]
        gaps = sum(1 for o in outcomes if o in (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE))
        observations = outcomes.count(Outcome.OBSERVATION)
        errors = outcomes.count(Outcome.ERROR)
        counted = ((gaps, "gap"), (observations, "observation"), (errors, "rule error"))
        return ", ".join(plural(n, noun) for n, noun in counted if n)

    def grades(self) -> str:
        """`2 major, 13 minor, 1 observation`: the entry's findings by grade."""
        grades = [grade_of(r) for r in self.findings]
        shown = [(g, grades.count(g)) for g in _RANK if g in grades]
        return ", ".join(f"{n} {'rule error' if g == 'error' else g}" for g, n in shown)


def by_subject(findings: Iterable[Result]) -> list[SubjectFindings]:
    """The findings grouped by subject, each group's findings in the order given (callers pass
    them worst first); groups with the worst grade first, then the most findings, then
    the subject's first file and line."""
    groups: dict[str, list[Result]] = {}
    subjects: dict[str, Subject | None] = {}
    for result in findings:
        key = "" if result.subject is None else result.subject.text
        groups.setdefault(key, []).append(result)
        subjects.setdefault(key, result.subject)
    entries = [SubjectFindings(subjects[key], tuple(found)) for key, found in groups.items()]
    entries.sort(key=_entry_key)
    return entries


def _entry_key(entry: SubjectFindings) -> tuple[int, int, str, int, str]:
    located = [r.location for r in entry.findings if r.location is not None]
    first = min(located, key=lambda loc: (loc.file, loc.line)) if located else None
    return (
        _RANK[entry.worst],
        -len(entry.findings),
        first.file if first else "",
        first.line if first else 0,
        entry.key,
    )
