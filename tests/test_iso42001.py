"""The clause and Annex A catalogue: every id has a title, in our words."""

from __future__ import annotations

from aimscheck.iso42001 import ANNEX_A, ANNEX_TITLES, CLAUSE_TITLES, CLAUSES, title


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
