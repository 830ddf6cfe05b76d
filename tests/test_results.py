"""The result records: the engine's fast makers give exactly what the dataclasses give."""

from __future__ import annotations

import dataclasses

from aimscheck.results import (
    EvidenceCheck,
    Outcome,
    Result,
    RuleInfo,
    Severity,
    Subject,
    passed,
    subject_of,
)
from aimscheck.source import Location

INFO = RuleInfo("AIMS-4.3-01", "t", Severity.MINOR, "scope_definition", ("4.3",), ())
WHERE = Location("aims.yaml", 12)


def test_passed_is_the_passing_result_the_dataclass_makes() -> None:
    proof = (EvidenceCheck("EV-1", "ok"),)
    made = passed(INFO, subject_of("ai_systems", "credit"), WHERE, proof)
    expected = Result(INFO, Outcome.PASS, Subject("ai_systems", "credit"), WHERE, "", proof)
    assert made == expected
    assert hash(made.subject) == hash(expected.subject)
    # Every field is set: a field added to Result must be added to the maker as well.
    assert {f.name: getattr(made, f.name) for f in dataclasses.fields(Result)} == {
        f.name: getattr(expected, f.name) for f in dataclasses.fields(Result)
    }


def test_subject_of_keeps_the_text_reports_group_by() -> None:
    for ident, text in (("credit", "ai_systems/credit"), (None, "ai_systems")):
        made = subject_of("ai_systems", ident)
        assert made == Subject("ai_systems", ident)
        assert str(made) == made.text == text
        assert {f.name: getattr(made, f.name) for f in dataclasses.fields(Subject)} == {
            "collection": "ai_systems",
            "id": ident,
            "text": text,
        }
