"""Tests for export/fields.py (the schema as a type model) and export/dates.py (date coercion)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aimscheck.export.dates import coerce_dates
from aimscheck.export.fields import FieldType, export_type, record_type
from aimscheck.export.loader import load_export
from aimscheck.export.model import COLLECTIONS, SECTIONS, Export
from aimscheck.export.schema import validate_export

DATA = Path(__file__).parent / "data" / "exports"


def field_at(*path: str) -> FieldType:
    """The type at a path; list steps go to their item type, as a rule's `x.f` would."""
    current = export_type()
    for name in path:
        if current.kind == "list" and current.item is not None:
            current = current.item
        found = current.fields.get(name)
        assert found is not None, f"no field {name!r} in {path}"
        current = found
    return current


def test_export_type_has_every_section_and_collection() -> None:
    top = export_type()
    assert top.kind == "object" and top.open
    for name in COLLECTIONS:
        collection = top.fields[name]
        assert collection.kind == "list"
        assert collection.item is not None and collection.item.kind == "object"
        assert record_type(name) is collection.item
    for name in SECTIONS:
        assert name in top.fields
    assert record_type("nope") is None
    assert export_type() is export_type()  # built once


def test_scalar_kinds() -> None:
    assert field_at("ai_systems", "in_scope").kind == "boolean"
    assert field_at("ai_systems", "name").kind == "string"
    assert field_at("risks", "likelihood").kind == "integer"
    assert field_at("metrics", "lower_limit").kind == "number"
    # A number or a limit text (">= 95%"), and a number or a free text: no one kind.
    assert field_at("objectives", "target").kind == "any"
    assert field_at("implementation", "leadership_approval", "budget").kind == "any"
    assert field_at("exported_at").kind == "date"
    assert field_at("risks", "treatment", "due").kind == "date"
    assert field_at("objectives", "measurements", "at").kind == "date"
    assert field_at("ai_systems", "event_logging", "retention_days").kind == "integer"


def test_enums() -> None:
    assert field_at("schema_version") == FieldType("string", enum=("1",))
    assert field_at("risks", "status").enum == ("open", "treating", "accepted", "closed")
    assert field_at("management_reviews", "inputs_covered").item == FieldType(
        "string",
        enum=(
            "prior_actions",
            "context_changes",
            "interested_party_needs",
            "nonconformity_trends",
            "monitoring_results",
            "audit_results",
            "improvement_opportunities",
        ),
    )


def test_references_carry_what_they_point_at() -> None:
    assert field_at("risks", "owner_ref") == FieldType("string", ref="people")
    model_refs = field_at("ai_systems", "model_refs")
    assert model_refs == FieldType("list", item=FieldType("string", ref="models"), ref="models")
    assert field_at("risks", "treatment", "control_refs").ref == "controls"
    assert field_at("soa", "control_refs").ref == "controls"
    assert field_at("management_reviews", "minutes_ref").ref == "evidence"
    assert field_at("impact_assessments", "ai_system_ref").ref == "ai_systems"
    assert field_at("changes", "reassessment_refs").ref is None  # mixed targets
    assert field_at("findings", "clause_refs") == FieldType("list", item=FieldType("string"))


def test_annex_a_ids_are_an_enum_of_38() -> None:
    control = field_at("soa", "control")
    assert control.kind == "string" and control.ref == "annex_a"
    assert len(control.enum) == 38 and "A.6.2.4" in control.enum and "A.3.4" not in control.enum
    for path in (("documents", "control_refs"), ("controls", "annex_refs")):
        refs = field_at(*path)
        assert refs.ref == "annex_a"
        assert refs.item is not None and refs.item.enum == control.enum


def test_objects_are_open_with_known_fields() -> None:
    treatment = field_at("risks", "treatment")
    assert treatment.kind == "object" and treatment.open
    assert set(treatment.fields) == {"option", "control_refs", "plan", "due", "owner_ref"}
    assert field_at("source") == FieldType("object")  # free-form


# ---- dates.coerce_dates


def test_coerce_dates_converts_nested_paths_in_place() -> None:
    export = load_export(DATA / "single.yaml")
    risk = export.collection("risks")[0]
    location = export.location_of(risk)
    coerce_dates(export)
    assert export.data["exported_at"] == date(2026, 11, 20)
    assert export.data["scope"]["approved_at"] == date(2026, 1, 31)  # quoted in the file
    assert risk["treatment"]["due"] == date(2026, 12, 1)
    assert export.collection("ai_systems")[0]["deployed_at"] == date(2026, 3, 1)  # timestamp
    assert [m["at"] for m in export.collection("objectives")[0]["measurements"]] == [
        date(2026, 6, 30),
        date(2026, 9, 30),
    ]
    assert export.collection("objectives")[0]["measurements"][0]["value"] == 7
    assert export.location_of(export.collection("risks")[0]) == location  # same objects


def test_coerce_dates_leaves_bad_values_and_non_dates_alone(tmp_path: Path) -> None:
    text = (
        'schema_version: "1"\norganization: {name: A}\n'
        "risks:\n  - id: R1\n    title: T\n    assessed_at: 31/01/2026\n"
        '    accepted_at: "2026-02-30"\n    next_review_due: 2026-W05-1\n'
        '    title_at_note: "2026-01-01"\n    treatment: {due: "2026-03-01T23:30:00-05:00"}\n'
    )
    path = tmp_path / "e.yaml"
    path.write_text(text)
    export = load_export(path)
    coerce_dates(export)
    risk = export.collection("risks")[0]
    assert risk["assessed_at"] == "31/01/2026"
    assert risk["accepted_at"] == "2026-02-30"
    assert risk["next_review_due"] == "2026-W05-1"
    assert risk["title_at_note"] == "2026-01-01"  # a custom field: not declared a date
    assert risk["treatment"]["due"] == date(2026, 3, 2)  # its day in UTC: 2026-03-02T04:30Z


def test_coerce_dates_with_extra_declared_paths(tmp_path: Path) -> None:
    text = (
        'schema_version: "1"\norganization: {name: A}\n'
        "ai_systems:\n  - id: s1\n    name: S\n    in_scope: true\n    retired_at: 2026-05-01\n"
        "    review: {last: 2026-04-01, dates: [2026-01-01, 2026-02-01]}\n"
        "    deployed_at: 2026-03-01\n"
    )
    path = tmp_path / "e.yaml"
    path.write_text(text)
    export = load_export(path)
    assert validate_export(export) == []
    extra = [("ai_systems", "retired_at"), ("ai_systems", "review", "last")]
    coerce_dates(export, [*extra, ("ai_systems", "review", "dates")])
    system = export.collection("ai_systems")[0]
    assert system["retired_at"] == date(2026, 5, 1)
    assert system["review"] == {
        "last": date(2026, 4, 1),
        "dates": [date(2026, 1, 1), date(2026, 2, 1)],
    }
    assert system["deployed_at"] == date(2026, 3, 1)  # the schema's dates still apply


def test_coerce_dates_twice_is_harmless() -> None:
    export = Export(
        Path("."), Path("x.yaml"), {"risks": [{"id": "R", "assessed_at": "2026-01-02"}]}
    )
    coerce_dates(export)
    coerce_dates(export)
    assert export.collection("risks")[0]["assessed_at"] == date(2026, 1, 2)
