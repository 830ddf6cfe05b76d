"""The clause and Annex A catalogue: every id has a title, in our words."""

from __future__ import annotations

from aimscheck.iso42001 import (
    ANNEX_A,
    ANNEX_GROUPS,
    ANNEX_TITLES,
    CLAUSE_GROUPS,
    CLAUSE_TITLES,
    CLAUSES,
    annex_group,
    title,
)


def test_every_clause_and_control_has_a_title() -> None:
    assert list(CLAUSE_TITLES) == list(CLAUSES)
    assert list(ANNEX_TITLES) == list(ANNEX_A)
    assert all(title(code).strip() for code in (*CLAUSES, *ANNEX_A))


def test_a_title_is_found_by_its_id_and_an_unknown_id_has_none() -> None:
    assert title("A.6.2.8") == "Event logs of AI systems kept"
    assert title("9.2.2") == "The audit plan: how often, how, against what, reported to whom"
    assert title("A.1.1") == ""


def test_titles_are_paraphrases_not_the_standards_headings() -> None:
    # A few of the standard's own headings: ours must not repeat them word for word.
    theirs = {
        "AI policy",
        "Internal audit",
        "Management review",
        "Leadership and commitment",
        "AI system impact assessment",
        "Data provenance",
        "Suppliers",
        "Customers",
    }
    assert not theirs & {*CLAUSE_TITLES.values(), *ANNEX_TITLES.values()}


def test_group_names_are_ours_not_the_standards_headings() -> None:
    # The standard's own headings of clauses 4-10 and of the Annex A groups: reports print our
    # group names (JUnit suites, readiness tables, hovers), so none may repeat one of these.
    theirs = {
        "Context of the organization",
        "Leadership",
        "Planning",
        "Support",
        "Operation",
        "Performance evaluation",
        "Improvement",
        "Policies related to AI",
        "Internal organization",
        "Resources for AI systems",
        "Assessing impacts of AI systems",
        "AI system life cycle",
        "Data for AI systems",
        "Information for interested parties of AI systems",
        "Information for interested parties",
        "Use of AI systems",
        "Third-party and customer relationships",
    }
    ours = {*CLAUSE_GROUPS.values(), *ANNEX_GROUPS.values()}
    assert not {h.casefold() for h in theirs} & {name.casefold() for name in ours}
    # Every clause and control falls in a named group.
    assert {code.split(".")[0] for code in CLAUSES} == set(CLAUSE_GROUPS)
    assert {annex_group(code) for code in ANNEX_A} == set(ANNEX_GROUPS)
