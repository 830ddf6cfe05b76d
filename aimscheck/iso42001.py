"""The canonical ISO/IEC 42001:2023 clause and Annex A control ids (ids only; labels are ours)."""

from __future__ import annotations

CLAUSES: tuple[str, ...] = (
    "4.1", "4.2", "4.3", "4.4",
    "5.1", "5.2", "5.3",
    "6.1", "6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.2", "6.3",
    "7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3",
    "8.1", "8.2", "8.3", "8.4",
    "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3",
    "10.1", "10.2",
)  # fmt: skip

# The 38 Annex A controls (the x.1 entry of each group is its objective, not a control).
ANNEX_A: tuple[str, ...] = (
    "A.2.2", "A.2.3", "A.2.4",
    "A.3.2", "A.3.3",
    "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6",
    "A.5.2", "A.5.3", "A.5.4", "A.5.5",
    "A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7",
    "A.6.2.8",
    "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6",
    "A.8.2", "A.8.3", "A.8.4", "A.8.5",
    "A.9.2", "A.9.3", "A.9.4",
    "A.10.2", "A.10.3", "A.10.4",
)  # fmt: skip

CLAUSE_GROUPS: dict[str, str] = {
    "4": "Context of the organization",
    "5": "Leadership",
    "6": "Planning",
    "7": "Support",
    "8": "Operation",
    "9": "Performance evaluation",
    "10": "Improvement",
}

ANNEX_GROUPS: dict[str, str] = {
    "A.2": "Policies related to AI",
    "A.3": "Internal organization",
    "A.4": "Resources for AI systems",
    "A.5": "Assessing impacts of AI systems",
    "A.6": "AI system life cycle",
    "A.7": "Data for AI systems",
    "A.8": "Information for interested parties",
    "A.9": "Use of AI systems",
    "A.10": "Third-party and customer relationships",
}


def annex_group(control: str) -> str:
    """`A.6.2.4` → `A.6`."""
    return ".".join(control.split(".")[:2])


def annex_records() -> list[dict[str, object]]:
    """The catalogue as rules see it (`annex_a_controls`): one record per control."""
    return [{"id": c, "group": annex_group(c)} for c in ANNEX_A]
