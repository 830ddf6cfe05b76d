"""The export reference of docs/export.md: generated from the schema, complete, never stale."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from aimscheck.export.fields import load_schema
from aimscheck.export.model import COLLECTIONS, SECTIONS
from aimscheck.exportdoc import (
    END,
    START,
    Part,
    anchor,
    default_reads,
    parts,
    readers_cell,
    refresh_export_doc,
)
from aimscheck.fieldreads import FieldReads

DOC = Path(__file__).resolve().parents[1] / "docs" / "export.md"


@functools.cache
def reads() -> FieldReads:
    return default_reads()


def _nodes(node: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every node that must say what it means: fields, nested objects and list item objects."""
    yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from _nodes(sub, f"{path}.{name}")
    items = node.get("items")
    if isinstance(items, Mapping) and items.get("type") == "object":
        yield from _nodes(items, f"{path}[]")


def test_every_node_of_the_schema_has_a_description() -> None:
    schema = load_schema()
    every: list[tuple[str, Mapping[str, Any]]] = [("(the export)", schema)]
    every += [pair for name, sub in schema["properties"].items() for pair in _nodes(sub, name)]
    every += [
        pair for name, sub in schema["$defs"].items() for pair in _nodes(sub, f"$defs/{name}")
    ]
    missing = [path for path, node in every if not str(node.get("description", "")).strip()]
    assert missing == [], f"schema nodes without a description: {missing}"
    assert len(every) > 390


def test_export_doc_field_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == refresh_export_doc(DOC, reads()), (
        "docs/export.md is stale: run python -m aimscheck.docgen"
    )


def _generated() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(START) : text.index(END)]


def _sections_and_collections() -> list[str]:
    """The top-level names that hold a mapping (sections) or a list of records (collections)."""
    schema = load_schema()
    out = []
    for name, node in schema["properties"].items():
        target = schema["$defs"].get(node.get("$ref", "").removeprefix("#/$defs/"), node)
        if target.get("type") in ("array", "object"):
            out.append(name)
    return out


def test_every_section_and_collection_has_its_section_and_every_link_lands() -> None:
    text = _generated()
    # Every section and collection the loader knows, but the two single values.
    assert set(_sections_and_collections()) == set(SECTIONS + COLLECTIONS) - {
        "schema_version",
        "exported_at",
    }
    for name in _sections_and_collections():
        assert f"\n### {name}\n" in text, name
    headings = {anchor(h) for h in re.findall(r"^#+ (.+)$", DOC.read_text("utf-8"), re.M)}
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets - headings == set()
    assert {"ai_systems", "evidence", "documents", "top-level", "versions-read"} <= targets


def _rows_by_path() -> dict[str, list[str]]:
    """`collection.field` → the cells of its row, read back from the generated doc."""
    found: dict[str, list[str]] = {}
    part = ""
    for line in _generated().splitlines():
        if line.startswith("### "):
            part = "" if line == "### Top level" else line[4:]
        elif line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            field = cells[0].strip("`")
            found[f"{part}.{field}" if part else field] = cells
    return found


def test_every_field_a_rule_of_the_default_pack_reads_is_in_the_reference_with_its_meaning() -> (
    None
):
    rows = _rows_by_path()
    assert len(reads().readers) > 200
    for path, rule_ids in reads().readers.items():
        assert path in rows, f"{path} is read by {rule_ids[0]} but not in docs/export.md"
        _, _, _, _, meaning, read_by = rows[path]
        assert meaning, f"{path} has no meaning in docs/export.md"
        assert rule_ids[0] in read_by, path


def test_rows_say_type_requirement_values_and_targets_in_words() -> None:
    rows = _rows_by_path()
    assert rows["schema_version"][1:4] == ["text", "required", 'one of: "1"']
    assert rows["ai_systems.in_scope"][1:3] == ["true/false", "required"]
    assert rows["ai_systems.risk_tier"][3] == "one of: low, medium, high, critical"
    assert rows["ai_systems.owner_ref"][1:4] == ["id", "optional", "→ [people](#people)"]
    assert rows["changes.reassessment_refs"][1:4] == [
        "list of ids",
        "optional",
        "→ [risks](#risks) or [impact_assessments](#impact_assessments)",
    ]
    assert rows["evidence.about_refs"][3] == "→ any record"
    assert rows["scope.document_ref"][3] == "→ [evidence](#evidence) or [documents](#documents)"
    assert rows["metrics.threshold"][1] == "number or limit text"
    assert rows["metrics.results[].value"][1] == "number"
    assert rows["implementation.leadership_approval.budget"][1] == "number or text"
    assert rows["controls.annex_refs"][3] == "Annex A control ids (A.2.2 … A.10.4)"
    assert rows["changes.at"][1] == "date"
    assert "decision date" in rows["changes.at"][4]
    assert rows["organization.ai_roles"][3].startswith("each one of: provider, developer")


def test_the_reference_follows_the_schema_order_with_records_described() -> None:
    found = parts(load_schema())
    assert [p.name for p in found] == ["", *_sections_and_collections()]
    collections = [p for p in found if p.kind == "collection"]
    assert all(isinstance(p, Part) and p.record and p.rows for p in collections)


def test_long_lists_of_rules_are_cut_with_a_count() -> None:
    assert readers_cell([]) == "-"
    four = ["AIMS-4.1-01", "AIMS-4.1-02", "AIMS-4.1-03", "AIMS-4.1-04"]
    assert readers_cell(four).count("](rules.md#") == 4
    cell = readers_cell([*four, "AIMS-A.6.2.4-01"])
    assert cell == (
        "[AIMS-4.1-01](rules.md#aims-41-01), [AIMS-4.1-02](rules.md#aims-41-02), "
        "[AIMS-4.1-03](rules.md#aims-41-03) +2 more"
    )


def test_a_summary_the_pack_does_not_read_is_read_by_no_rule() -> None:
    # docs/export.md: the change date comes from change records, never from this summary.
    assert "ai_systems.last_significant_change_at" not in reads().readers
