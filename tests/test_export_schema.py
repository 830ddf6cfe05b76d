"""Tests for export/schema.py and the packaged schema: messages, paths, file:line, strict mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from aimscheck.export.fields import load_schema
from aimscheck.export.loader import load_export
from aimscheck.export.model import COLLECTIONS, ID_FIELD, SECTIONS
from aimscheck.export.schema import closed_schema, json_path, validate_export

DATA = Path(__file__).parent / "data" / "exports"

BAD = """\
schema_version: "1"
organization:
  name: Acme
  ai_roles: [provider, seller]
risks:
  - id: R1
    title: Bias
  - id: R2
    title: Drift
    likelihood: high
    impact: 0
    treatment: {option: mitigate, due: 31/01/2026}
    assessed_at: "2026-02-30"
  - id: R3
soa:
  - control: A.6.2.10
    applicable: true
documents:
  - {id: D1, type: policy, title: P, version: 1.0}
"""


def messages(path: Path, *, strict: bool = False) -> list[str]:
    return [f"{e.location}: {e.message}" for e in validate_export(load_export(path), strict=strict)]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(load_schema())
    Draft202012Validator.check_schema(closed_schema(load_schema()))


def test_schema_declares_every_section_and_collection() -> None:
    schema = load_schema()
    assert schema["required"] == ["schema_version", "organization"]
    for name in SECTIONS:
        assert name in schema["properties"]
    for name in COLLECTIONS:
        assert {k: v for k, v in schema["properties"][name].items() if k != "description"} == {
            "type": "array",
            "items": {"$ref": f"#/$defs/{name}"},
        }
        record = schema["$defs"][name]
        assert record["type"] == "object"
        assert record["additionalProperties"] is True
        assert ID_FIELD[name] in record["required"]
    assert len(schema["$defs"]["annex_a_id"]["enum"]) == 38


def _fields(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (dotted path, property schema) of the $defs, nested objects and list items too."""
    if not isinstance(node, dict):
        return
    for name, sub in node.get("properties", {}).items():
        yield f"{path}.{name}", sub
        yield from _fields(sub, f"{path}.{name}")
        yield from _fields(sub.get("items"), f"{path}.{name}[]")


def test_schema_follows_its_field_conventions() -> None:
    # The rule compiler learns types from these conventions: keep them true everywhere.
    defs = load_schema()["$defs"]
    checked = 0
    for def_name, definition in defs.items():
        for path, sub in _fields(definition, def_name):
            name = path.rsplit(".", 1)[1]
            if name.endswith("_at") or name in ("due", "next_review_due"):
                assert sub["$ref"] == "#/$defs/date" and set(sub) <= {"$ref", "description"}, path
            elif name.endswith("_ref"):
                assert sub["$ref"] == "#/$defs/ref", path
            elif name.endswith("_refs") and name not in (
                "clause_refs",
                "control_refs",
                "annex_refs",
            ):
                assert sub["items"] == {"$ref": "#/$defs/ref"}, path
                assert name in ("about_refs", "reassessment_refs") or "x-ref" in sub, path
            elif name in ("control_refs", "annex_refs"):
                to_controls = def_name in ("soa", "risks") and name == "control_refs"
                assert sub["x-ref"] == ("controls" if to_controls else "annex_a"), path
                annex = {"$ref": "#/$defs/annex_a_id"}
                assert (sub["items"] == annex) is not to_controls, path
            checked += 1
    assert checked > 250


def test_valid_exports_have_no_errors() -> None:
    assert messages(DATA / "single.yaml") == []
    assert messages(DATA / "single.json") == []
    assert messages(DATA / "folder") == []


def test_errors_have_exact_paths_lines_and_human_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.yaml").write_text(BAD, encoding="utf-8")
    assert messages(Path("e.yaml")) == [
        "e.yaml:2: $.organization.ai_roles[1]: must be one of: provider, developer, deployer, "
        'user, customer, partner (got "seller")',
        'e.yaml:8: $.risks[1].likelihood: expected an integer, got "high"',
        "e.yaml:8: $.risks[1].impact: must be at least 1, got 0",
        'e.yaml:8: $.risks[1].treatment.due: expected a date YYYY-MM-DD, got "31/01/2026"',
        'e.yaml:8: $.risks[1].assessed_at: not a real date or time: "2026-02-30"',
        "e.yaml:14: $.risks[2]: missing required field 'title'",
        'e.yaml:16: $.soa[0].control: unknown Annex A control "A.6.2.10": did you mean "A.6.2.8"?',
        "e.yaml:19: $.documents[0].type: must be one of: scope, ai_policy, risk_methodology, "
        "impact_methodology, soa, treatment_plan, objectives, procedure, responsible_use, "
        "data_management, technical_doc, user_info, audit_programme, communication_plan, "
        'document_control, other (got "policy"; did you mean "ai_policy"?)',
        "e.yaml:19: $.documents[0].version: expected a string, got 1.0; put it in quotes",
    ]


def test_schema_version_and_root_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text('schema_version: "2"\norganization: {name: A}\n')
    (tmp_path / "b.yaml").write_text("schema_version: 1\nscope: {}\n")
    assert messages(Path("a.yaml")) == [
        'a.yaml:1: $.schema_version: unsupported schema_version "2": '
        'this aimscheck reads schema_version "1"'
    ]
    assert messages(Path("b.yaml")) == [
        "b.yaml:1: $.schema_version: expected a string, got 1; put it in quotes",
        "b.yaml:1: $: missing required field 'organization'",
        "b.yaml:2: $.scope: missing required field 'statement'",
    ]


def test_errors_are_sorted_by_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    repo = tmp_path / "repo"
    (repo / "risks").mkdir(parents=True)
    (repo / "aims.yaml").write_text('schema_version: "1"\norganization: {name: 5}\n')
    (repo / "risks" / "b.yaml").write_text("id: B\n")
    (repo / "risks" / "a.yaml").write_text("# first\nid: A\ntitle: T\nstatus: done\n")
    (repo / "risks.yaml").write_text("- id: L\n  title: T\n  impact: 2.5\n")
    assert messages(Path("repo")) == [
        "repo/aims.yaml:2: $.organization.name: expected a string, got 5; put it in quotes",
        "repo/risks.yaml:1: $.risks[0].impact: expected an integer, got 2.5",
        "repo/risks/a.yaml:2: $.risks[1].status: must be one of: open, treating, accepted, "
        'closed (got "done")',
        "repo/risks/b.yaml:1: $.risks[2]: missing required field 'title'",
    ]


def test_strict_mode_rejects_custom_fields_default_accepts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        'schema_version: "1"\norganization: {name: A}\nsource: {tool: x, anything: 1}\n'
        "ai_systems:\n  - id: s1\n    name: S\n    business_unit: retail\n    owner: p1\n"
    )
    (tmp_path / "e.yaml").write_text(text)
    assert messages(Path("e.yaml")) == []
    assert messages(Path("e.yaml"), strict=True) == [
        "e.yaml:5: $.ai_systems[0].business_unit: unknown field 'business_unit': "
        "--strict allows only the fields of the export schema",
        "e.yaml:5: $.ai_systems[0].owner: unknown field 'owner' (did you mean 'owner_ref'?): "
        "--strict allows only the fields of the export schema",
    ]


def test_closed_schema_leaves_the_packaged_schema_open() -> None:
    closed = closed_schema(load_schema())
    assert closed["$defs"]["risks"]["additionalProperties"] is False
    assert closed["$defs"]["risks"]["properties"]["treatment"]["additionalProperties"] is False
    assert closed["properties"]["source"]["additionalProperties"] is True  # free-form
    assert load_schema()["$defs"]["risks"]["additionalProperties"] is True


def test_another_validator_can_be_plugged_in() -> None:
    class Fake:
        def iter_errors(self, data: dict[str, Any]) -> Iterator[tuple[str, str]]:
            yield "$.people[1].name", "too short"
            yield "$.nowhere", "somewhere else"

    export = load_export(DATA / "single.yaml")
    errors = validate_export(export, validator=Fake())
    assert [(e.location.line if e.location else 0, e.message) for e in errors] == [
        (1, "$.nowhere: somewhere else"),
        (13, "$.people[1].name: too short"),
    ]


def test_json_path_quotes_keys_that_are_not_identifiers() -> None:
    assert json_path(["risks", 3, "likelihood"]) == "$.risks[3].likelihood"
    assert json_path(["ai_systems", 0, "x-team", "it's"]) == "$.ai_systems[0]['x-team']['it\\'s']"
