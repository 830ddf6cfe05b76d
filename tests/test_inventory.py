"""The evidence inventory: proof by clause and control, who cites it, orphans, unreferenced."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from evidencedata import AS_OF, load, repo, sha, write_repo

from aimscheck import prooffile
from aimscheck.check import load_ruleset
from aimscheck.engine import Evaluator
from aimscheck.evidence import EvidenceResolver
from aimscheck.export.fields import load_schema
from aimscheck.export.model import Export
from aimscheck.inventory import Inventory, build_inventory

MINUTES_RULE = """\
rule "T-9.3-01" {
  title "Each management review has its minutes"
  clause "9.3.2"
  severity minor
  phase monitoring
  for mr in management_reviews
  evidence mr.minutes_ref
}
"""


def evidence(ident: str, path: str | None = None, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"id": ident, "kind": "record", **extra}
    if path is not None:
        record["path"] = path
    return record


def inventory_of(export: Export, tmp_path: Path, rules: str = "") -> Inventory:
    """Run `rules` (if any) over the export, then build the inventory with the run's resolver."""
    results = []
    evaluator = Evaluator(export, AS_OF)
    if rules:
        folder = tmp_path / "rules"
        folder.mkdir(exist_ok=True)
        (folder / "t.aims").write_text(rules)
        results = evaluator.run(load_ruleset([folder], default_rules=False))
    return build_inventory(export, evaluator.ctx.evidence, results)


def refs(entries: Any) -> list[tuple[str | None, str]]:
    return [(e.check.record, e.check.status) for e in entries]


@pytest.fixture
def governed(tmp_path: Path) -> Export:
    files = {f"files/{n}.md": f"{n}\n" for n in ("ia", "log", "minutes", "policy", "lonely")}
    return repo(
        tmp_path / "repo",
        {
            "documents": [
                {
                    "id": "DOC-POLICY",
                    "type": "ai_policy",
                    "title": "AI policy",
                    "status": "approved",
                    "path": "files/policy.md",
                    "clause_refs": ["5.2"],
                    "control_refs": ["A.2.2"],
                }
            ],
            "evidence": [
                evidence("EV-IA", "files/ia.md", sha256=sha("ia\n")),
                evidence("EV-LOG", "files/log.md", sha256=sha("tampered\n")),
                evidence("EV-MIN", "files/minutes.md", clause_refs=["9.3.3"]),
                evidence("EV-LONELY", "files/lonely.md"),
            ],
            "soa": [
                {"control": "A.5.3", "applicable": True, "evidence_refs": ["EV-IA", "EV-404"]},
                {"control": "A.2.10", "applicable": True, "evidence_refs": ["EV-IA"]},
                {"control": "A.2.9", "applicable": True, "evidence_refs": ["EV-IA"]},
            ],
            "controls": [
                {
                    "id": "ctl-log",
                    "title": "Logs",
                    "annex_refs": ["A.6.2.8"],
                    "evidence_refs": ["EV-LOG"],
                }
            ],
            "management_reviews": [
                {"id": "mr-1", "held_at": "2026-10-01", "minutes_ref": "EV-MIN"}
            ],
        },
        files,
    )


def test_proof_is_listed_under_the_controls_and_clauses_it_supports(
    governed: Export, tmp_path: Path
) -> None:
    inv = inventory_of(governed, tmp_path, MINUTES_RULE)
    assert refs(inv.controls["A.5.3"]) == [("evidence/EV-IA", "ok"), (None, "unknown_reference")]
    assert refs(inv.controls["A.6.2.8"]) == [("evidence/EV-LOG", "sha256_mismatch")]
    assert refs(inv.controls["A.2.2"]) == [("documents/DOC-POLICY", "ok")]  # its own control_refs
    assert refs(inv.clauses["5.2"]) == [("documents/DOC-POLICY", "ok")]
    assert refs(inv.clauses["9.3.3"]) == [("evidence/EV-MIN", "ok")]  # its own clause_refs
    assert refs(inv.clauses["9.3.2"]) == [("evidence/EV-MIN", "ok")]  # through the rule
    assert list(inv.controls) == ["A.2.2", "A.2.9", "A.2.10", "A.5.3", "A.6.2.8"]
    assert list(inv.clauses) == ["5.2", "9.3.2", "9.3.3"]


def test_each_entry_says_who_cites_it(governed: Export, tmp_path: Path) -> None:
    inv = inventory_of(governed, tmp_path, MINUTES_RULE)
    (minutes,) = inv.clauses["9.3.2"]
    assert minutes.cited_by == (
        "management_reviews/mr-1 minutes_ref",
        "rule T-9.3-01 (management_reviews/mr-1)",
    )
    ia = inv.controls["A.5.3"][0]
    assert ia.cited_by == (
        "soa/A.2.10 evidence_refs",
        "soa/A.2.9 evidence_refs",
        "soa/A.5.3 evidence_refs",
    )
    assert ia.location is not None and ia.location.file.endswith("aims.yaml")


def test_missing_proof_is_flagged_with_its_reason(governed: Export, tmp_path: Path) -> None:
    inv = inventory_of(governed, tmp_path)
    assert [(e.check.ref, e.check.status) for e in inv.missing] == [
        ("EV-LOG", "sha256_mismatch"),
        ("EV-404", "unknown_reference"),
    ]
    assert inv.missing[0].cited_by == ("controls/ctl-log evidence_refs",)
    assert inv.missing[1].cited_by == ("soa/A.5.3 evidence_refs",)


def test_records_nothing_refers_to_are_unreferenced(governed: Export, tmp_path: Path) -> None:
    without_rules = inventory_of(governed, tmp_path)
    assert without_rules.unreferenced == ("documents/DOC-POLICY", "evidence/EV-LONELY")
    # A record only a rule looks at is referenced, too.
    picked = 'rule "T-5.2" {\n title "p"\n clause "5.2"\n severity minor\n phase monitoring\n'
    picked += ' for doc in documents where doc.type == "ai_policy"\n evidence doc\n}\n'
    with_rule = inventory_of(governed, tmp_path, picked)
    assert with_rule.unreferenced == ("evidence/EV-LONELY",)
    lonely = next(e for e in with_rule.records if e.check.record == "evidence/EV-LONELY")
    assert (lonely.check.status, lonely.cited_by) == ("ok", ())


def test_a_uri_proof_is_missing_only_when_asked(tmp_path: Path) -> None:
    data = {
        "evidence": [evidence("EV-GRC", uri="https://grc.example/1")],
        "soa": [{"control": "A.5.3", "applicable": True, "evidence_refs": ["EV-GRC"]}],
    }
    export = repo(tmp_path / "repo", data)
    for counts, missing in ((False, ()), (True, ("EV-GRC",))):
        res = EvidenceResolver(export, export.root, AS_OF, uri_counts_missing=counts)
        inv = build_inventory(export, res)
        assert inv.controls["A.5.3"][0].check.status == "unverifiable"
        assert tuple(e.check.ref for e in inv.missing) == missing


# Every field the export schema marks as a proof reference, with the record that holds it;
# `name[]` steps into each item of a list of records (each result of a metric).
PROOF_FIELDS: dict[str, tuple[str, ...]] = {
    "scope": ("document_ref",),
    "risk_methodology": ("document_ref",),
    "audit_programme": ("document_ref",),
    "implementation": (
        "leadership_approval.evidence_refs",
        "certification.readiness_assessment_ref",
    ),
    "interested_parties": ("evidence_refs",),
    "legal_requirements": ("evidence_refs",),
    "roles": ("evidence_refs",),
    "ai_systems": (
        "technical_doc_refs",
        "user_info_doc_refs",
        "verification_evidence_refs",
        "evidence_refs",
    ),
    "models": ("evaluation_evidence_refs", "evidence_refs"),
    "datasets": (
        "provenance_ref",
        "quality_requirements_ref",
        "quality_evidence_refs",
        "evidence_refs",
    ),
    "third_parties": ("contract_ref", "responsibilities_ref", "evidence_refs"),
    "risks": ("evidence_refs",),
    "impact_assessments": ("document_ref", "evidence_refs"),
    "soa": ("evidence_refs",),
    "controls": ("evidence_refs",),
    "objectives": ("evidence_refs", "measurements[].evidence_refs"),
    "competence_records": ("evidence_refs",),
    "communications": ("evidence_refs",),
    "changes": ("evidence_refs",),
    "metrics": ("evidence_refs", "results[].evidence_refs"),
    "incidents": ("evidence_refs",),
    "concerns": ("evidence_refs",),
    "audits": ("report_ref", "evidence_refs"),
    "corrective_actions": ("evidence_refs",),
    "management_reviews": ("minutes_ref", "evidence_refs"),
}


def _schema_proof_fields(node: object, trail: tuple[str, ...] = ()) -> set[str]:
    """`definition field.sub` of every `x-ref: evidence` in the raw schema, read independently
    (`field[].sub` for a field of the items of a list)."""
    found: set[str] = set()
    if isinstance(node, dict):
        if node.get("x-ref") == "evidence":
            steps = [p for p in trail[2:] if p != "properties"]
            found.add(f"{trail[1]} {'.'.join(steps).replace('.items', '[]')}")
        for key, sub in node.items():
            found |= _schema_proof_fields(sub, (*trail, key))
    return found


def test_the_field_list_above_covers_the_whole_schema() -> None:
    listed = {f"{name} {field}" for name, fields in PROOF_FIELDS.items() for field in fields}
    assert _schema_proof_fields(load_schema()["$defs"], ("$defs",)) == listed


def _set(record: dict[str, Any], dotted: str, ref: str) -> None:
    """Sets the field at `dotted` to `ref` (a list of it for `_refs`), making the records on
    the way: a `name[]` step makes a list of one record."""
    *parents, last = dotted.split(".")
    for name in parents:
        if name.endswith("[]"):
            items = record.setdefault(name[:-2], [{}])
            record = items[0]
        else:
            record = record.setdefault(name, {})
    record[last] = [ref] if last.endswith("_refs") else ref


SECTIONS = ("scope", "risk_methodology", "audit_programme", "implementation")


def test_every_proof_field_of_every_record_is_found(tmp_path: Path) -> None:
    data: dict[str, Any] = {"evidence": []}
    expected: set[str] = set()
    for n, (name, fields) in enumerate(PROOF_FIELDS.items()):
        record: dict[str, Any] = {"control": "A.5.3"} if name == "soa" else {"id": f"r{n}"}
        if name in SECTIONS:
            record, owner = {}, name
            data[name] = record
        else:
            owner = f"{name}/{record.get('id', 'A.5.3')}"
            data[name] = [record]
        for m, field in enumerate(fields):
            ref = f"EV-{n}-{m}"
            _set(record, field, ref)
            data["evidence"].append(evidence(ref, f"files/{ref}.md"))
            # The inventory names a field of list items by its path: `results.evidence_refs`.
            expected.add(f"{owner} {field.replace('[]', '')} -> evidence/{ref}")
    files = {f"files/{e['id']}.md": e["id"] for e in data["evidence"]}
    inv = inventory_of(repo(tmp_path / "repo", data, files), tmp_path)
    found = {f"{src} -> {e.check.record}" for e in inv.references for src in e.cited_by}
    assert found == expected
    assert inv.unreferenced == ()
    assert inv.missing == ()


def test_orphans_are_unnamed_files_in_the_evidence_folders(tmp_path: Path) -> None:
    files = {
        "files/minutes/a.md": "a",
        "files/minutes/b.md": "b",  # orphan
        "files/old/report.pdf": "r",  # orphan: in the evidence folder, no record names it
        "files/.gitkeep": "",  # hidden: ignored
        "files/.cache/x.bin": "x",  # hidden folder: ignored
        "evidence-files/c.pdf": "c",
        "evidence-files/d.pdf": "d",  # orphan
        "notes/todo.txt": "t",  # no record path lives in notes/: not an evidence folder
        "README.md": "r",  # the root is no evidence folder
        "documents/files/policy.pdf": "p",
    }
    root = write_repo(tmp_path / "repo", {}, files)
    (root / "documents" / "DOC-1.yaml").write_text(
        "id: DOC-1\ntype: procedure\ntitle: P\npath: documents/files/policy.pdf\n"
    )
    (root / "files" / "alias.md").symlink_to("minutes/a.md")  # the same file as a named one
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "stray.pdf").write_text("s")
    (root / "files" / "linked").symlink_to(outside, target_is_directory=True)
    data = {
        "evidence": [
            evidence("EV-A", "files/minutes/a.md"),
            evidence("EV-C", "evidence-files/c.pdf"),
            evidence("EV-TOP", "README.md"),
            evidence("EV-ESC", "../elsewhere/stray.pdf"),
            evidence("EV-ABS", str(outside / "stray.pdf")),
        ]
    }
    inv = inventory_of(repo(root, data), tmp_path)
    assert inv.orphans == ("evidence-files/d.pdf", "files/minutes/b.md", "files/old/report.pdf")


def test_orphans_are_looked_for_under_the_evidence_root(tmp_path: Path) -> None:
    export = repo(tmp_path / "repo", {"evidence": [evidence("EV-A", "proof/a.pdf")]})
    store = tmp_path / "store"
    (store / "proof").mkdir(parents=True)
    for name in ("a.pdf", "b.pdf"):
        (store / "proof" / name).write_text(name)
    res = EvidenceResolver(export, store, AS_OF)
    inv = build_inventory(export, res)
    assert inv.orphans == ("proof/b.pdf",)
    assert inv.records[0].check.status == "ok"


def test_building_the_inventory_after_a_run_hashes_nothing_again(
    governed: Export, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = prooffile.open_regular

    def counting(
        path: str, follow: bool = True, dir_fd: int | None = None
    ) -> tuple[int, os.stat_result]:
        calls.append(os.path.basename(path))
        return real(path, follow, dir_fd)

    monkeypatch.setattr(prooffile, "open_regular", counting)
    inventory_of(governed, tmp_path, MINUTES_RULE)
    assert sorted(calls) == ["ia.md", "log.md", "lonely.md", "minutes.md", "policy.md"]


def test_to_dict_has_the_documented_shape_and_is_json(governed: Export, tmp_path: Path) -> None:
    data = inventory_of(governed, tmp_path, MINUTES_RULE).to_dict()
    assert list(data) == [
        "summary",
        "controls",
        "clauses",
        "references",
        "records",
        "orphans",
        "unreferenced",
    ]
    assert data["summary"] == {
        "records": 5,
        "references": 4,
        "missing": 2,
        "orphans": 0,
        "unreferenced": 2,
    }
    entry = data["controls"]["A.6.2.8"][0]  # type: ignore[index]
    assert {"ref", "status", "path", "record"} <= set(entry)
    assert (entry["ref"], entry["status"], entry["path"], entry["record"]) == (
        "EV-LOG",
        "sha256_mismatch",
        "files/log.md",
        "evidence/EV-LOG",
    )
    assert entry["missing"] is True
    assert data["unreferenced"] == ["documents/DOC-POLICY", "evidence/EV-LONELY"]
    assert json.loads(json.dumps(data)) == data


def test_an_export_without_proof_gives_an_empty_inventory(tmp_path: Path) -> None:
    export = load(write_repo(tmp_path / "repo", {}))
    inv = build_inventory(export, EvidenceResolver(export, export.root, AS_OF))
    assert inv.to_dict()["summary"] == {
        "records": 0,
        "references": 0,
        "missing": 0,
        "orphans": 0,
        "unreferenced": 0,
    }


def test_the_texts_of_a_record_field_are_taken_once_in_order_through_nested_lists() -> None:
    from aimscheck.inventory import _strings

    record = {"a": ["x", ["y", ["x"]], "", 3, None], "b": "z", "c": None}
    assert _strings(record, ("a", "b", "c", "missing")) == ("x", "y", "z")
