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

# The groups' names, in our own words: short paraphrases a compliance reader still recognises,
# never the standard's headings (its text is copyrighted). Reports print them (`Clause 6 Planning
# for risks and objectives`, JUnit suite names), so a change here renames those too.
CLAUSE_GROUPS: dict[str, str] = {
    "4": "The organisation and its AIMS scope",
    "5": "Top management's commitment",
    "6": "Planning for risks and objectives",
    "7": "Resources, competence and documents",
    "8": "Running AI operations",
    "9": "Measuring and reviewing the AIMS",
    "10": "Fixing and improving",
}

ANNEX_GROUPS: dict[str, str] = {
    "A.2": "Setting and reviewing AI policy",
    "A.3": "Who does what, and raising concerns",
    "A.4": "What AI systems are built and run with",
    "A.5": "Effects of AI on people and society",
    "A.6": "AI systems from design to operation",
    "A.7": "The data behind AI systems",
    "A.8": "Telling people about AI systems",
    "A.9": "Putting AI to use as intended",
    "A.10": "Suppliers, partners and customers",
}


# A short title for each clause and control, in our own words (a paraphrase for an editor's
# hover and the docs, never the standard's wording: its text is copyrighted).
CLAUSE_TITLES: dict[str, str] = {
    "4.1": "The organisation's situation and the issues that bear on its AI",
    "4.2": "What interested parties need and expect",
    "4.3": "Where the AI management system applies, and where it stops",
    "4.4": "Setting up, running and improving the management system",
    "5.1": "Top management takes charge and commits",
    "5.2": "An AI policy set by top management",
    "5.3": "Who is responsible for what, assigned and made known",
    "6.1": "Dealing with risks and opportunities",
    "6.1.1": "Planning for risks and opportunities as a whole",
    "6.1.2": "How AI risks are assessed",
    "6.1.3": "How AI risks are treated, and which controls apply",
    "6.1.4": "How the effects of AI systems on people and society are assessed",
    "6.2": "What the organisation aims for with AI, and how it plans to get there",
    "6.3": "Changes to the management system, made as planned",
    "7.1": "Giving the management system what it needs to run",
    "7.2": "People with the skills their AI work needs",
    "7.3": "People knowing the policy and their part in it",
    "7.4": "Deciding what is told, when, and to whom",
    "7.5": "The documents and records the system keeps",
    "7.5.1": "Which documents and records are needed",
    "7.5.2": "Writing and revising documents: named, reviewed, approved",
    "7.5.3": "Keeping documents at hand, protected and under control",
    "8.1": "Planning and controlling the system's day-to-day work",
    "8.2": "AI risk assessments run as planned and when things change",
    "8.3": "The AI risk treatment plan carried out",
    "8.4": "AI system impact assessments run as planned and when things change",
    "9.1": "Watching and measuring how well the system works",
    "9.2": "Auditing the system from within",
    "9.2.1": "Internal audits held at planned intervals",
    "9.2.2": "The audit plan: how often, how, against what, reported to whom",
    "9.3": "Top management reviews the system",
    "9.3.1": "Reviews by top management at planned intervals",
    "9.3.2": "What a management review looks at",
    "9.3.3": "What a management review decides, on record",
    "10.1": "Making the system better over time",
    "10.2": "Fixing what does not conform, and its causes",
}

ANNEX_TITLES: dict[str, str] = {
    "A.2.2": "A written policy for building or using AI",
    "A.2.3": "The AI policy fits the organisation's other policies",
    "A.2.4": "The AI policy reviewed on a schedule",
    "A.3.2": "Duties for AI defined and given to people",
    "A.3.3": "A way for staff to raise concerns about AI",
    "A.4.2": "What each AI system relies on, listed",
    "A.4.3": "Data that AI systems rely on, documented",
    "A.4.4": "Tools that AI systems are built with, documented",
    "A.4.5": "Computing that AI systems run on, documented",
    "A.4.6": "People and skills that AI systems need, documented",
    "A.5.2": "A process for judging what an AI system may cause",
    "A.5.3": "Impact assessment results written down and kept",
    "A.5.4": "Effects on individuals and groups judged",
    "A.5.5": "Effects on society judged",
    "A.6.1.2": "Goals for building AI responsibly",
    "A.6.1.3": "How AI is designed and built responsibly, as a defined process",
    "A.6.2.2": "Requirements set down for a new AI system or a change",
    "A.6.2.3": "How an AI system was designed and built, documented",
    "A.6.2.4": "AI systems checked against their requirements before use",
    "A.6.2.5": "A plan for putting AI systems into service",
    "A.6.2.6": "AI systems run and watched once in service",
    "A.6.2.7": "Technical documentation for those who need it",
    "A.6.2.8": "Event logs of AI systems kept",
    "A.7.2": "Data managed for building and improving AI systems",
    "A.7.3": "How data is obtained, on record",
    "A.7.4": "Data quality demands set and met",
    "A.7.5": "Where data comes from, traced",
    "A.7.6": "How data is made ready for use, defined",
    "A.8.2": "What users are told about an AI system",
    "A.8.3": "A way for outsiders to report harm",
    "A.8.4": "Incidents told to users as planned",
    "A.8.5": "What interested parties must be told, told",
    "A.9.2": "How AI is put to use responsibly, as a defined process",
    "A.9.3": "Goals for using AI responsibly",
    "A.9.4": "AI systems used only as meant",
    "A.10.2": "Duties shared out with partners, suppliers and customers",
    "A.10.3": "Suppliers held to the organisation's approach to AI",
    "A.10.4": "Customers' needs taken into account",
}


def title(code: str) -> str:
    """A clause's or control's title in our words (`A.6.2.8` → `Event logs of AI systems
    kept`); "" for an id the standard does not have."""
    return CLAUSE_TITLES.get(code) or ANNEX_TITLES.get(code, "")


def annex_group(control: str) -> str:
    """`A.6.2.4` → `A.6`."""
    return ".".join(control.split(".")[:2])


def annex_records() -> list[dict[str, object]]:
    """The catalogue as rules see it (`annex_a_controls`): one record per control."""
    return [{"id": c, "group": annex_group(c)} for c in ANNEX_A]
