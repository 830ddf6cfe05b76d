"""Tests for export/references.py: which fields are references, and dangling ids as errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimscheck.export import references
from aimscheck.export.fields import load_schema
from aimscheck.export.loader import load_export
from aimscheck.export.model import COLLECTIONS
from aimscheck.export.references import PROOF, RefField, dangling, ref_fields
from aimscheck.export.schema import validate_export

FIXTURES = Path(__file__).parent.parent / "fixtures"

EXPORT = """\
schema_version: "1"
organization: {name: A, top_management_refs: [j.smith]}
implementation:
  team:
    - {person_ref: j.smith}
    - {person_ref: j.smiht}
people:
  - {id: j.smith, name: J}
ai_systems:
  - id: s1
    name: S
    in_scope: true
    owner_ref: j.smiht
    model_refs: [m-1, m-2]
    technical_doc_refs: [doc-1, ev-1, ev-2]
controls:
  - {id: ctl-1, title: C, annex_refs: [A.6.2.4]}
risks:
  - id: r1
    title: R
    ai_system_refs: [s1]
    treatment: {control_refs: [ctl-1, ctl-2]}
soa:
  - {control: A.6.2.4, applicable: true, control_refs: [ctl-1]}
evidence:
  - {id: ev-1, kind: report, about_refs: [s1, A.6.2.4, r1, nowhere]}
documents:
  - {id: doc-1, title: D, type: ai_policy}
metrics:
  - id: m1
    name: M
    results:
      - {at: 2026-01-01, value: 1, evidence_refs: [ev-1]}
      - {at: 2026-02-01, value: 1, evidence_refs: [ev-3]}
changes:
  - {id: c1, reassessment_refs: [r1, ia-9]}
"""


def test_reference_fields_come_from_the_schema_nested_ones_too() -> None:
    fields = {(f.owner, ".".join(f.steps)): f for f in ref_fields(load_schema())}
    assert fields["ai_systems", "owner_ref"] == RefField(
        "ai_systems", ("owner_ref",), ("people",), False
    )
    assert fields["risks", "treatment.control_refs"].targets == ("controls",)
    assert fields["implementation", "team.person_ref"].targets == ("people",)
    assert fields["metrics", "results.evidence_refs"] == RefField(
        "metrics", ("results", "evidence_refs"), PROOF, True
    )
    assert fields["changes", "reassessment_refs"].targets == ("risks", "impact_assessments")
    assert fields["evidence", "about_refs"].targets == COLLECTIONS
    # Annex A ids are canonical control ids checked by their enum, not records.
    assert ("evidence", "control_refs") not in fields
    assert ("controls", "annex_refs") not in fields
    assert ("soa", "control") not in fields
    assert len(fields) >= 90


def test_every_dangling_id_is_an_error_at_its_field_with_the_closest_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("e.yaml").write_text(EXPORT, encoding="utf-8")
    messages = [f"{e.location}: {e.message}" for e in validate_export(load_export(Path("e.yaml")))]
    assert messages == [
        "e.yaml:6: $.implementation.team[1].person_ref: names 'j.smiht', which is not an id of "
        "people (did you mean 'j.smith'?)",
        "e.yaml:13: $.ai_systems[0].owner_ref: names 'j.smiht', which is not an id of people "
        "(did you mean 'j.smith'?)",
        "e.yaml:14: $.ai_systems[0].model_refs[0]: names 'm-1', which is not an id of models",
        "e.yaml:14: $.ai_systems[0].model_refs[1]: names 'm-2', which is not an id of models",
        "e.yaml:15: $.ai_systems[0].technical_doc_refs[2]: names 'ev-2', which is not an id of "
        "evidence or documents (did you mean 'ev-1'?)",
        "e.yaml:22: $.risks[0].treatment.control_refs[1]: names 'ctl-2', which is not an id of "
        "controls (did you mean 'ctl-1'?)",
        "e.yaml:26: $.evidence[0].about_refs[3]: names 'nowhere', which is not the id of any "
        "record",
        "e.yaml:34: $.metrics[0].results[1].evidence_refs[0]: names 'ev-3', which is not an id "
        "of evidence or documents (did you mean 'ev-1'?)",
        "e.yaml:36: $.changes[0].reassessment_refs[1]: names 'ia-9', which is not an id of "
        "risks or impact_assessments",
    ]


def test_values_of_the_wrong_type_are_left_to_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        'schema_version: "1"\norganization: {name: A}\npeople: [{id: p1, name: P}, 7]\n'
        "ai_systems:\n  - {id: s1, name: S, in_scope: true, owner_ref: [p1], model_refs: m-1}\n"
        "  - {id: s2, name: S, in_scope: true, owner_ref: 5, dataset_refs: [{id: d}, 3]}\n"
        "scope: {statement: S, ai_system_refs: s1, approved_by_ref: {id: p1}}\n"
    )
    export = load_export(path)
    assert dangling(export, ref_fields(load_schema())) == []  # each is a type error instead
    assert [e.message for e in validate_export(export)] == [
        "$.people[1]: expected a mapping, got 7",
        "$.ai_systems[0].owner_ref: expected a string, got a list",
        '$.ai_systems[0].model_refs: expected a list, got "m-1"',
        "$.ai_systems[1].owner_ref: expected a string, got 5; put it in quotes",
        "$.ai_systems[1].dataset_refs[0]: expected a string, got a mapping",
        "$.ai_systems[1].dataset_refs[1]: expected a string, got 3; put it in quotes",
        '$.scope.ai_system_refs: expected a list, got "s1"',
        "$.scope.approved_by_ref: expected a string, got a mapping",
    ]


def test_the_bundled_fixtures_name_only_existing_records() -> None:
    folders = sorted(path for path in FIXTURES.iterdir() if (path / "aims.yaml").is_file())
    assert len(folders) >= 3
    for folder in folders:
        assert validate_export(load_export(folder)) == [], folder.name


def test_suggestions_stop_after_the_first_dangling_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(references, "_SUGGESTED", 2)
    path = tmp_path / "e.yaml"
    people = "".join(f"  - {{id: p{i}, name: P}}\n" for i in range(1, 5))
    path.write_text(
        'schema_version: "1"\norganization: {name: A, top_management_refs: [p11, p12, p13, p11]}\n'
        f"people:\n{people}"
    )
    assert [e.message for e in validate_export(load_export(path))] == [
        f"$.organization.top_management_refs[{i}]: names '{ident}', which is not an id of people"
        + hint
        for i, (ident, hint) in enumerate(
            [
                ("p11", " (did you mean 'p1'?)"),
                ("p12", " (did you mean 'p2'?)"),
                ("p13", ""),  # past the limit: no comparison with every id
                ("p11", " (did you mean 'p1'?)"),  # asked before: remembered
            ]
        )
    ]


def test_a_reference_in_another_unicode_form_names_its_record(tmp_path: Path) -> None:
    """`josé` written with a combining accent (NFD) in one place and as one letter (NFC) in
    the other is one id: the reference resolves, and is kept in NFC so that joins find it."""
    composed, decomposed, unknown = "jos\u00e9", "jose\u0301", "rene\u0301"
    path = tmp_path / "e.yaml"
    path.write_text(
        'schema_version: "1"\n'
        f"organization: {{name: A, top_management_refs: [{decomposed}, zo\u00eb]}}\n"
        f"implementation: {{team: [{{person_ref: {decomposed}}}]}}\n"
        f"people: [{{id: {composed}, name: J}}, {{id: zoe\u0308, name: Z}}]\n"
        "ai_systems:\n"
        f"  - {{id: s1, name: S, in_scope: true, owner_ref: {decomposed}}}\n"
        f"  - {{id: s2, name: S, in_scope: true, owner_ref: {unknown}}}\n",
        encoding="utf-8",
    )
    export = load_export(path)
    assert [f"{e.location.line}: {e.message}" for e in validate_export(export)] == [
        f"7: $.ai_systems[1].owner_ref: names '{unknown}', which is not an id of people"
    ]
    data = export.data
    assert data["organization"]["top_management_refs"] == [composed, "zo\u00eb"]
    assert data["implementation"]["team"][0]["person_ref"] == composed
    assert [s["owner_ref"] for s in data["ai_systems"]] == [composed, unknown]
