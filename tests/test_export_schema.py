"""Tests for export/schema.py and the packaged schema: messages, paths, file:line, strict mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from aimscheck.export.contract import DeclaredField, Extensions, VocabularyExtension
from aimscheck.export.fields import load_schema
from aimscheck.export.loader import load_export
from aimscheck.export.model import COLLECTIONS, ID_FIELD, SECTIONS
from aimscheck.export.schema import (
    KNOWN_VERSIONS,
    closed_schema,
    json_path,
    steps,
    validate_export,
)
from aimscheck.source import Location

DATA = Path(__file__).parent / "data" / "exports"
CONFORMING = Path(__file__).parent.parent / "fixtures" / "conforming"

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
        "e.yaml:4: $.organization.ai_roles[1]: must be one of: provider, developer, deployer, "
        'user, customer, partner (got "seller")',
        'e.yaml:10: $.risks[1].likelihood: expected an integer, got "high"',
        "e.yaml:11: $.risks[1].impact: must be at least 1, got 0",
        'e.yaml:12: $.risks[1].treatment.due: expected a date YYYY-MM-DD, got "31/01/2026"',
        'e.yaml:13: $.risks[1].assessed_at: not a real date or time: "2026-02-30"',
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
    # An unknown version is the only error: the rest follows a contract this release cannot read.
    (tmp_path / "a.yaml").write_text('# v2\nschema_version: "2"\norganization: {name: 5}\n')
    (tmp_path / "b.yaml").write_text("schema_version: 1\nscope: {}\n")
    (tmp_path / "c.yaml").write_text("organization: {name: A}\n")
    assert KNOWN_VERSIONS == ("1",)
    assert messages(Path("a.yaml")) == [
        'a.yaml:2: $.schema_version: unsupported schema_version "2": '
        'this aimscheck reads schema_version "1"'
    ]
    assert messages(Path("b.yaml")) == [
        "b.yaml:1: $.schema_version: expected a string, got 1; put it in quotes",
        "b.yaml:1: $: missing required field 'organization'",
        "b.yaml:2: $.scope: missing required field 'statement'",
    ]
    assert messages(Path("c.yaml")) == [
        "c.yaml:1: $: missing required field 'schema_version' "
        '(this aimscheck reads schema_version "1")'
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
        "repo/risks.yaml:3: $.risks[0].impact: expected an integer, got 2.5",
        "repo/risks/a.yaml:4: $.risks[1].status: must be one of: open, treating, accepted, "
        'closed (got "done")',
        "repo/risks/b.yaml:1: $.risks[2]: missing required field 'title'",
    ]


def test_strict_mode_rejects_custom_fields_default_accepts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        'schema_version: "1"\norganization: {name: A}\nsource: {tool: x, anything: 1}\n'
        "ai_systems:\n  - id: s1\n    name: S\n    in_scope: true\n    business_unit: retail\n"
        "    owner: p1\n"
    )
    (tmp_path / "e.yaml").write_text(text)
    assert messages(Path("e.yaml")) == []
    allowed = "--strict allows only the fields the export schema defines or a rule pack declares"
    assert messages(Path("e.yaml"), strict=True) == [
        f"e.yaml:8: $.ai_systems[0].business_unit: unknown field 'business_unit': {allowed}",
        f"e.yaml:9: $.ai_systems[0].owner: unknown field 'owner' (did you mean 'owner_ref'?): "
        f"{allowed}",
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
        (14, "$.people[1].name: too short"),
    ]


def test_json_path_quotes_keys_that_are_not_identifiers() -> None:
    assert json_path(["risks", 3, "likelihood"]) == "$.risks[3].likelihood"
    assert json_path(["ai_systems", 0, "x-team", "it's"]) == "$.ai_systems[0]['x-team']['it\\'s']"
    for parts in (["risks", 3, "likelihood"], ["ai_systems", 0, "x-team", "it's", "a\\b"], []):
        assert steps(json_path(parts)) == parts  # errors are located from their paths


# ---- errors point at the line of the field


def _marks(
    node: yaml.Node, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], int]]:
    """(path, line) of every key and list item under a composed YAML (or JSON) node."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield (*path, key.value), key.start_mark.line + 1
            yield from _marks(value, (*path, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield (*path, index), item.start_mark.line + 1
            yield from _marks(item, (*path, index))


def test_every_field_of_a_yaml_repo_is_located_at_its_own_line() -> None:
    export = load_export(CONFORMING)
    checked = 0
    for file in sorted(CONFORMING.rglob("*.yaml")):
        node = yaml.compose(file.read_text(encoding="utf-8"))
        collection = file.stem if file.parent == CONFORMING else file.parent.name
        if file.name == "aims.yaml":
            found = list(_marks(node, ()))
        elif file.parent == CONFORMING:  # a list of records: located by their ids
            ids = [r[ID_FIELD[collection]] for r in export.collection(collection)]
            found = [
                ((collection, ids.index(item.value[0][1].value), *path[1:]), line)
                for index, item in enumerate(node.value)
                for path, line in _marks(item, (index,))
            ]
        else:  # one record per file
            (index,) = [
                i for i, r in enumerate(export.collection(collection)) if r["id"] == file.stem
            ]
            found = list(_marks(node, (collection, index)))
        for path, line in found:
            assert export.location_at(path).line == line, (file, path)
            checked += 1
    assert checked > 2000


def test_every_field_of_a_json_export_is_located_at_its_own_line(tmp_path: Path) -> None:
    data = json.loads(json.dumps(load_export(CONFORMING).data, default=str))
    text = json.dumps(data, indent=2)
    (tmp_path / "export.json").write_text(text, encoding="utf-8")
    export = load_export(tmp_path / "export.json")
    checked = 0
    for path, line in _marks(yaml.compose(text), ()):
        if len(path) == 2 and path[0] in ID_FIELD:
            continue  # a record is located at its `"id":` line (test_export_loader)
        assert export.location_at(path).line == line, path
        checked += 1
    assert checked > 2000
    # Minified JSON: all on line 1, and the text is read once per file however many errors.
    (tmp_path / "export.json").write_text(json.dumps(data), encoding="utf-8")
    export = load_export(tmp_path / "export.json")
    assert export.location_at(["risks", 2, "treatment", "control_refs", 0]).line == 1


def test_a_yaml_file_with_anchors_gives_the_line_of_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.yaml").write_text(
        'schema_version: "1"\norganization: {name: A}\n'
        "defaults: &d {in_scope: true, risk_tier: hgh}\n"
        "ai_systems:\n  - id: s1\n    name: S\n    <<: *d\n"
    )
    assert messages(Path("e.yaml")) == [
        "e.yaml:5: $.ai_systems[0].risk_tier: must be one of: low, medium, high, critical "
        '(got "hgh"; did you mean "high"?)'
    ]


# ---- closed vocabularies


def test_a_value_outside_a_closed_vocabulary_is_named_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    repo = tmp_path / "repo"
    (repo / "ai_systems").mkdir(parents=True)
    (repo / "aims.yaml").write_text(
        'schema_version: "1"\norganization:\n  name: A\n'
        "  ai_roles:\n    - provider\n    - deployr\n"
    )
    (repo / "ai_systems" / "s1.yaml").write_text(
        "id: s1\nname: S\nin_scope: true\nrisk_tier: hgh\n"
        "human_oversight:\n  mode: human-in-the-loop\n"
    )
    expected = [
        "repo/ai_systems/s1.yaml:4: $.ai_systems[0].risk_tier: must be one of: low, medium, high, "
        'critical (got "hgh"; did you mean "high"?)',
        "repo/ai_systems/s1.yaml:6: $.ai_systems[0].human_oversight.mode: must be one of: "
        "human_in_the_loop, human_on_the_loop, human_in_command, none "
        '(got "human-in-the-loop"; did you mean "human_in_the_loop"?)',
        "repo/aims.yaml:6: $.organization.ai_roles[1]: must be one of: provider, developer, "
        'deployer, user, customer, partner (got "deployr"; did you mean "deployer"?)',
    ]
    assert messages(Path("repo")) == expected
    assert messages(Path("repo"), strict=True) == expected


def test_a_limit_needs_a_number_or_a_direction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.yaml").write_text(
        'schema_version: "1"\norganization: {name: A}\n'
        "implementation: {leadership_approval: {budget: 2 FTE and 40k EUR}}\n"
        "metrics:\n"
        "  - {id: m1, name: AUC, threshold: 0.8}\n"
        '  - {id: m2, name: Recall, threshold: ">= 0.85", lower_limit: 0.8}\n'
        "  - {id: m3, name: Error rate, threshold: at most 0.05}\n"
        "  - {id: m4, name: Bias gap, threshold: [0.1]}\n"
        "objectives:\n"
        '  - {id: o1, statement: Complaints answered, target: "≥ 95%"}\n'
        "  - {id: o2, statement: Fewer incidents, target: 2 or fewer}\n"
    )
    limit = 'expected a number or a limit with its direction, such as ">= 0.85" or "<= 0.05"'
    assert messages(Path("e.yaml")) == [
        f'e.yaml:7: $.metrics[2].threshold: {limit} (got "at most 0.05")',
        f"e.yaml:8: $.metrics[3].threshold: {limit} (got a list)",
        f'e.yaml:11: $.objectives[1].target: {limit} (got "2 or fewer")',
    ]


# ---- what a run adds: vocabulary values and declared fields


HERE = Location("aimscheck.yaml", 3)


def test_values_added_to_a_vocabulary_are_accepted_there_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.yaml").write_text(
        'schema_version: "1"\norganization: {name: A, ai_roles: [importer]}\n'
        "ai_systems:\n  - {id: s1, name: S, in_scope: true, risk_tier: very_high}\n"
        "incidents:\n  - {id: i1, severity: very_high}\n"
    )
    added = Extensions(
        vocabulary=(
            VocabularyExtension(("ai_systems", "risk_tier"), ("very_high",), "POL-7", HERE),
            VocabularyExtension(("organization", "ai_roles"), ("importer",), "EU AI Act", HERE),
        )
    )
    export = load_export(Path("e.yaml"))
    for strict in (False, True):
        errors = validate_export(export, strict=strict, extensions=added)
        assert [f"{e.location}: {e.message}" for e in errors] == [
            "e.yaml:6: $.incidents[0].severity: must be one of: low, medium, high, critical "
            '(got "very_high")'
        ]
    assert len(validate_export(export)) == 3  # without the extensions
    assert load_schema()["$defs"]["ai_systems"]["properties"]["risk_tier"]["enum"] == [
        "low",
        "medium",
        "high",
        "critical",
    ]  # the packaged schema is never changed


def test_fields_a_pack_declares_are_checked_and_allowed_under_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.yaml").write_text(
        'schema_version: "1"\norganization: {name: A}\n'
        "people:\n"
        "  - id: p1\n    name: P\n    status: lft\n    mentor_ref: p2\n"
        '    since: "2026-02-30"\n    level: 2.5\n    badges: [a, b]\n'
        "  - id: p3\n    name: Q\n    status: active\n    mentor_ref: p1\n    level: 3\n"
        "    reviewers: [p1, p9]\n"
    )
    declared = Extensions(
        fields=(
            DeclaredField(("people", "status"), "string", HERE, values=("active", "left")),
            DeclaredField(("people", "mentor_ref"), "string", HERE, ref="people"),
            DeclaredField(("people", "since"), "date", HERE),
            DeclaredField(("people", "level"), "integer", HERE),
            DeclaredField(("people", "badges"), "list", HERE),
            DeclaredField(("people", "reviewers"), "list", HERE, ref="people"),
        )
    )
    expected = [
        "e.yaml:6: $.people[0].status: must be one of: active, left "
        '(got "lft"; did you mean "left"?)',
        "e.yaml:7: $.people[0].mentor_ref: names 'p2', which is not an id of people",
        'e.yaml:8: $.people[0].since: not a real date or time: "2026-02-30"',
        "e.yaml:9: $.people[0].level: expected an integer, got 2.5",
        "e.yaml:16: $.people[1].reviewers[1]: names 'p9', which is not an id of people",
    ]
    export = load_export(Path("e.yaml"))
    for strict in (False, True):
        errors = validate_export(export, strict=strict, extensions=declared)
        assert [f"{e.location}: {e.message}" for e in errors] == expected
    assert len(validate_export(export, strict=True)) == 9  # undeclared: 9 unknown fields
