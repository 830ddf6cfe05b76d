"""The engine: every failing line of a subject reported once, each at the line to fix, by both
runners alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from aimscheck import locate
from aimscheck.dsl.ruleset import RuleSet, compile_files, rule_files
from aimscheck.engine import Evaluator
from aimscheck.export.dates import coerce_dates
from aimscheck.export.loader import load_export
from aimscheck.export.model import Export
from aimscheck.resources import default_pack
from aimscheck.results import Outcome, Result

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 20)
AIMS = 'schema_version: "1"\norganization:\n  name: Test Org\n'
HEAD = '  title "t"\n  clause "9.3"\n  severity minor\n  phase monitoring\n'

# ai_systems.yaml: each field on a line of its own, the lines as numbered here.
SYSTEMS = """\
- id: s1
  name: Scoring
  in_scope: true
  risk_tier: high
  human_oversight:
    description: A reviewer checks every decision
  technical_doc_refs: []
"""


def repo(tmp_path: Path, files: dict[str, str | bytes]) -> Export:
    root = tmp_path / "repo"
    for name, text in {"aims.yaml": AIMS, **files}.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text)
    export = load_export(root)
    coerce_dates(export)
    return export


def pack(tmp_path: Path, body: str, head: str = "for sys in ai_systems") -> RuleSet:
    (tmp_path / "t.aims").write_text(f'rule "T-1" {{\n{HEAD}  {head}\n{body}\n}}\n')
    return compile_files([tmp_path / "t.aims"])


def run(ruleset: RuleSet, export: Export) -> list[Result]:
    """The results by closures, after checking that generated code gives the very same:
    outcomes, messages, locations and every failure."""
    closures = Evaluator(export, AS_OF, generate=False).run(ruleset)
    generated = Evaluator(export, AS_OF, generate=True).run(ruleset)
    assert generated == closures
    return closures


def at(result: Result) -> tuple[str, int]:
    assert result.location is not None
    return Path(result.location.file).name, result.location.line


def places(result: Result) -> list[tuple[str, str, int]]:
    out = []
    for failure in result.failures:
        assert failure.location is not None
        where = failure.location
        out.append((failure.outcome.value, Path(where.file).name, where.line))
    return out


def sha(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


# ---- the line to fix ------------------------------------------------------------------------


def test_a_require_on_a_field_points_at_the_fields_line(tmp_path: Path) -> None:
    export = repo(tmp_path, {"ai_systems.yaml": SYSTEMS})
    (result,) = run(pack(tmp_path, '  require sys.risk_tier == "low"'), export)
    assert result.outcome is Outcome.NONCONFORMITY
    assert at(result) == ("ai_systems.yaml", 4)


def test_a_missing_field_points_at_its_record_or_at_the_mapping_that_lacks_it(
    tmp_path: Path,
) -> None:
    export = repo(tmp_path, {"ai_systems.yaml": SYSTEMS})
    (owner,) = run(pack(tmp_path, "  require sys.owner_ref is set"), export)
    assert at(owner) == ("ai_systems.yaml", 1)
    (mode,) = run(pack(tmp_path, "  require sys.human_oversight.mode is set"), export)
    assert at(mode) == ("ai_systems.yaml", 5)


def test_the_decisive_part_of_a_condition_is_the_one_pointed_at(tmp_path: Path) -> None:
    export = repo(tmp_path, {"ai_systems.yaml": SYSTEMS})
    # `and`: the first part that is false; `or`: the part that judges, the last.
    body = '  require sys.name is set and sys.in_scope == true and sys.risk_tier == "low"'
    (both,) = run(pack(tmp_path, body), export)
    assert at(both) == ("ai_systems.yaml", 4)
    body = '  require sys.human_oversight is missing or sys.risk_tier in ["low"]'
    (either,) = run(pack(tmp_path, body), export)
    assert at(either) == ("ai_systems.yaml", 4)


def test_an_all_points_at_the_item_that_breaks_it(tmp_path: Path) -> None:
    roles = "- id: r1\n  name: Owner\n  holder_refs:\n    - p1\n    - p2\n    - p3\n"
    export = repo(tmp_path, {"roles.yaml": roles})
    body = '  require all p in role.holder_refs: p != "p2"'
    (result,) = run(pack(tmp_path, body, "for role in roles"), export)
    assert at(result) == ("roles.yaml", 5)


def test_an_evidence_line_points_at_the_field_that_names_the_unsound_proof(
    tmp_path: Path,
) -> None:
    reviews = (
        "- id: mr-1\n"
        "  held_at: 2026-10-01\n"
        "  minutes_ref: ev-min\n"
        "  evidence_refs:\n"
        "    - ev-ok\n"
        "    - ev-gone\n"
    )
    evidence = (
        "- id: ev-min\n  kind: minutes\n  path: files/absent.md\n"
        "- id: ev-ok\n  kind: minutes\n  path: files/ok.md\n"
        "- id: ev-gone\n  kind: minutes\n  path: files/gone.md\n"
    )
    export = repo(
        tmp_path,
        {"management_reviews.yaml": reviews, "evidence.yaml": evidence, "files/ok.md": "ok"},
    )
    ruleset = pack(
        tmp_path,
        "  evidence r.minutes_ref\n  evidence r.evidence_refs",
        "for r in management_reviews",
    )
    (result,) = run(ruleset, export)
    assert result.outcome is Outcome.MISSING_EVIDENCE
    assert places(result) == [
        ("missing_evidence", "management_reviews.yaml", 3),  # minutes_ref
        ("missing_evidence", "management_reviews.yaml", 6),  # the item ev-gone
    ]
    assert at(result) == ("management_reviews.yaml", 3)


def test_a_proof_that_is_its_own_subject_points_at_its_path_or_sha256(tmp_path: Path) -> None:
    documents = (
        "- id: doc-1\n  type: policy\n  title: Policy\n  path: files/policy.md\n"
        f"  sha256: {sha('the approved text')}\n"
        "- id: doc-2\n  type: policy\n  title: Gone\n  path: files/gone.md\n"
    )
    export = repo(tmp_path, {"documents.yaml": documents, "files/policy.md": "changed since"})
    (altered, gone) = run(pack(tmp_path, "  evidence d.id", "for d in documents"), export)
    assert (altered.evidence[0].status, at(altered)) == ("sha256_mismatch", ("documents.yaml", 5))
    assert (gone.evidence[0].status, at(gone)) == ("file_not_found", ("documents.yaml", 9))


def test_a_rule_without_for_names_the_record_it_is_about(tmp_path: Path) -> None:
    reviews = "- id: mr-old\n  held_at: 2024-06-01\n- id: mr-last\n  held_at: 2025-05-02\n"
    export = repo(tmp_path, {"management_reviews.yaml": reviews})
    body = (
        '  let review = latest(management_reviews, "held_at")\n'
        "  require review is set and age(review.held_at) <= 12 months"
    )
    (result,) = run(pack(tmp_path, body, "when true"), export)
    assert result.subject is None
    assert at(result) == ("management_reviews.yaml", 4)  # held_at of the latest review


def test_a_rule_without_for_and_no_record_to_name_points_at_the_export(tmp_path: Path) -> None:
    export = repo(tmp_path, {})
    body = '  let review = latest(management_reviews, "held_at")\n  require review is set'
    (result,) = run(pack(tmp_path, body, "when true"), export)
    assert at(result) == ("aims.yaml", 1)


def test_fields_of_a_json_export_are_found_on_their_lines(tmp_path: Path) -> None:
    data = {
        "schema_version": "1",
        "organization": {"name": "Test Org"},
        "ai_systems": [{"id": "s1", "name": "Scoring", "in_scope": True, "risk_tier": "high"}],
    }
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(data, indent=2))
    ruleset = pack(tmp_path, '  require sys.risk_tier == "low"')
    (result,) = run(ruleset, load_export(pretty))
    assert at(result) == ("pretty.json", 11)
    assert pretty.read_text().splitlines()[10].strip() == '"risk_tier": "high"'
    machine = tmp_path / "machine.json"  # on one line, as tools write it: the record's line
    machine.write_text(json.dumps(data))
    (result,) = run(ruleset, load_export(machine))
    assert at(result) == ("machine.json", 1)


# ---- no hidden failures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_rules() -> RuleSet:
    return compile_files(rule_files([default_pack()]))


def test_an_overdue_review_with_its_minutes_outside_the_root_gives_both_failures(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    reviews = "- id: mr-1\n  held_at: 2025-06-30\n  minutes_ref: ev-min\n"
    evidence = "- id: ev-min\n  kind: minutes\n  path: ../outside.md\n"
    export = repo(tmp_path, {"management_reviews.yaml": reviews, "evidence.yaml": evidence})
    rule = default_rules.get("AIMS-9.3-01")
    assert rule is not None
    (result,) = run(RuleSet((rule,)), export)
    assert result.outcome is Outcome.NONCONFORMITY  # the worse of the two
    assert places(result) == [
        ("nonconformity", "management_reviews.yaml", 2),  # held_at
        ("missing_evidence", "management_reviews.yaml", 3),  # minutes_ref
    ]
    assert result.message == (
        "No management review in the last 12 months; "
        "The minutes of management review mr-1 are missing or unsound"
    )
    assert [(c.ref, c.status) for c in result.evidence] == [("ev-min", "outside_root")]


def test_with_no_review_at_all_the_lines_after_say_nothing_more(
    tmp_path: Path, default_rules: RuleSet
) -> None:
    export = repo(tmp_path, {"management_reviews.yaml": "[]\n"})
    body = (
        '  let review = latest(management_reviews, "held_at")\n'
        "  require review is set and age(review.held_at) <= 12 months\n"
        '  because "no review"\n'
        "  require exists p in review.attendee_refs where p in organization.top_management_refs\n"
        "  evidence review.minutes_ref"
    )
    (result,) = run(pack(tmp_path, body, "when true"), export)
    assert [(f.outcome, f.message) for f in result.failures] == [
        (Outcome.NONCONFORMITY, "no review")
    ]


def test_a_later_line_about_the_same_field_is_reported_once(tmp_path: Path) -> None:
    export = repo(tmp_path, {"ai_systems.yaml": SYSTEMS})
    body = (
        "  require sys.technical_doc_refs is not empty\n"
        '  because "no documentation"\n'
        "  evidence sys.technical_doc_refs\n"
        "  require sys.owner_ref is set\n"
        '  because "no owner"\n'
        "  require sys.owner_ref -> people is set\n"
        '  because "no owner who is a person"'
    )
    (result,) = run(pack(tmp_path, body), export)
    assert [(f.message, at_line(f)) for f in result.failures] == [
        ("no documentation", 7),
        ("no owner", 1),
    ]
    assert result.message == "no documentation; no owner"


def at_line(failure: object) -> int:
    location = getattr(failure, "location", None)
    assert location is not None
    return int(location.line)


def test_the_worst_failure_decides_the_outcome_and_comes_first(tmp_path: Path) -> None:
    export = repo(tmp_path, {"ai_systems.yaml": SYSTEMS})
    body = (
        '  evidence "EV-NONE"\n  because "no proof"\n'
        '  require sys.risk_tier == "low"\n  because "too risky"'
    )
    (result,) = run(pack(tmp_path, body), export)
    assert result.outcome is Outcome.NONCONFORMITY
    assert result.message == "too risky; no proof"
    assert at(result) == ("ai_systems.yaml", 4)
    assert [f.outcome for f in result.failures] == [
        Outcome.MISSING_EVIDENCE,
        Outcome.NONCONFORMITY,
    ]


def test_an_only_if_after_a_failure_keeps_the_failure(tmp_path: Path) -> None:
    export = repo(tmp_path, {"ai_systems.yaml": SYSTEMS})
    body = (
        '  require sys.risk_tier == "low"\n  because "too risky"\n'
        "  only if sys.owner_ref is set\n"
        "  require sys.owner_ref -> people is set"
    )
    (result,) = run(pack(tmp_path, body), export)
    assert (result.outcome, result.message) == (Outcome.NONCONFORMITY, "too risky")


def test_an_only_if_that_does_not_hold_points_at_the_missing_data(tmp_path: Path) -> None:
    export = repo(tmp_path, {"ai_systems.yaml": SYSTEMS})
    body = "  only if sys.human_oversight.mode is set\n  require false"
    (result,) = run(pack(tmp_path, body), export)
    assert result.outcome is Outcome.NOT_APPLICABLE
    assert at(result) == ("ai_systems.yaml", 5)


def test_a_subject_that_passes_never_looks_for_a_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding the line costs only the subjects that fail or are not judged: on the conforming
    fixture, at most one search per subject an `only if` leaves out, none for a pass."""
    searches: list[object] = []
    original = locate.Locator.__init__

    def counted(self: locate.Locator, *args: Any) -> None:
        searches.append(args)
        original(self, *args)

    monkeypatch.setattr(locate.Locator, "__init__", counted)
    export = load_export(ROOT / "fixtures" / "conforming")
    coerce_dates(export)
    results = Evaluator(export, AS_OF).run(compile_files(rule_files([default_pack()])))
    assert {r.outcome for r in results} <= {Outcome.PASS, Outcome.NOT_APPLICABLE}
    assert sum(r.outcome is Outcome.PASS for r in results) > 500
    assert len(searches) <= sum(r.outcome is Outcome.NOT_APPLICABLE for r in results)
