"""Generate a large, valid, seeded AIMS export (JSON or YAML) with evidence files that resolve."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
from pathlib import Path
from typing import Any

ANNEX_A = [
    "A.2.2",
    "A.2.3",
    "A.2.4",
    "A.3.2",
    "A.3.3",
    "A.4.2",
    "A.4.3",
    "A.4.4",
    "A.4.5",
    "A.4.6",
    "A.5.2",
    "A.5.3",
    "A.5.4",
    "A.5.5",
    "A.6.1.2",
    "A.6.1.3",
    "A.6.2.2",
    "A.6.2.3",
    "A.6.2.4",
    "A.6.2.5",
    "A.6.2.6",
    "A.6.2.7",
    "A.6.2.8",
    "A.7.2",
    "A.7.3",
    "A.7.4",
    "A.7.5",
    "A.7.6",
    "A.8.2",
    "A.8.3",
    "A.8.4",
    "A.8.5",
    "A.9.2",
    "A.9.3",
    "A.9.4",
    "A.10.2",
    "A.10.3",
    "A.10.4",
]
AS_OF = dt.date(2026, 11, 20)
FILES = 200  # distinct proof files; evidence records share them (each file is hashed once)


def day(rng: random.Random, back: int = 300, ahead: int = 0) -> str:
    return (AS_OF + dt.timedelta(days=rng.randint(-back, ahead))).isoformat()


def generate(root: Path, systems: int, risks: int, evidence: int, seed: int = 42) -> dict[str, Any]:
    """Write the proof files under root/files and return the export as a dict."""
    rng = random.Random(seed)
    files = []
    (root / "files").mkdir(parents=True, exist_ok=True)
    for i in range(FILES):
        body = f"proof {i}\n".encode() * 50
        path = f"files/proof-{i:04d}.txt"
        (root / path).write_bytes(body)
        files.append((path, hashlib.sha256(body).hexdigest()))
    people = [{"id": f"p{i}", "name": f"Person {i}", "department": "ops"} for i in range(200)]
    controls = [
        {
            "id": f"CTL-{i}",
            "title": f"Control {i}",
            "type": "technical",
            "annex_refs": [ANNEX_A[i % len(ANNEX_A)]],
            "owner_ref": f"p{i % 200}",
            "status": rng.choice(["implemented"] * 4 + ["planned"]),
            "implemented_at": day(rng),
            "evidence_refs": [f"EV-{rng.randrange(evidence)}"],
        }
        for i in range(max(100, systems // 2))
    ]
    evidence_records = []
    for i in range(evidence):
        path, sha = files[i % FILES]
        evidence_records.append(
            {
                "id": f"EV-{i}",
                "kind": "record",
                "title": f"Evidence {i}",
                "path": path,
                "sha256": sha if i % 97 else "0" * 64,
                "collected_at": day(rng),
                "expires_at": day(rng, back=30, ahead=400),
            }
        )
    documents = [
        {
            "id": f"DOC-{t}",
            "type": t,
            "title": t,
            "version": "1",
            "status": "approved",
            "owner_ref": "p1",
            "approved_by_ref": "p0",
            "approved_at": day(rng, back=100),
            "review_interval_days": 365,
            "next_review_due": day(rng, back=0, ahead=200),
            "path": files[0][0],
            "sha256": files[0][1],
        }
        for t in (
            "scope",
            "ai_policy",
            "risk_methodology",
            "impact_methodology",
            "soa",
            "treatment_plan",
            "objectives",
            "audit_programme",
        )
    ]
    ai_systems = []
    datasets = []
    impact = []
    for i in range(systems):
        ds_id = f"DS-{i}"
        datasets.append(
            {
                "id": ds_id,
                "name": f"Dataset {i}",
                "function": "training",
                "license": "internal" if i % 13 else None,
                "provenance_ref": f"EV-{i}",
            }
        )
        ai_systems.append(
            {
                "id": f"SYS-{i}",
                "name": f"System {i}",
                "intended_purpose": "scoring",
                "in_scope": i % 10 != 0,
                "lifecycle_stage": rng.choice(["operation", "deployment"]),
                "owner_ref": f"p{i % 200}",
                "dataset_refs": [ds_id],
                "event_logging": {"enabled": i % 17 != 0, "retention_days": 365},
                "last_significant_change_at": day(rng, back=500) if i % 5 == 0 else None,
                "verification_evidence_refs": [f"EV-{rng.randrange(evidence)}"],
            }
        )
        if i % 8:
            impact.append(
                {
                    "id": f"IA-{i}",
                    "ai_system_ref": f"SYS-{i}",
                    "status": "approved",
                    "affected_parties": ["individuals", "society"],
                    "performed_at": day(rng),
                    "approved_at": day(rng, back=400),
                    "approved_by_ref": "p0",
                    "evidence_refs": [f"EV-{i}"],
                }
            )
    for record in datasets + ai_systems:
        for key in [k for k, v in record.items() if v is None]:
            del record[key]
    risk_records = []
    for i in range(risks):
        sys_id = f"SYS-{rng.randrange(systems)}"
        risk_records.append(
            {
                "id": f"R-{i}",
                "title": f"Risk {i}",
                "category": "bias",
                "ai_system_refs": [sys_id],
                "owner_ref": f"p{i % 200}",
                "likelihood": rng.randint(1, 5),
                "impact": rng.randint(1, 5),
                "treatment": {
                    "option": "mitigate",
                    "control_refs": [f"CTL-{rng.randrange(len(controls))}"],
                },
                "status": "treating",
                "assessed_at": day(rng),
                "next_review_due": day(rng, 10, 300),
            }
        )
    soa = [
        {
            "control": c,
            "applicable": True,
            "status": "implemented",
            "control_refs": [f"CTL-{k}"],
            "evidence_refs": [f"EV-{k}"],
        }
        for k, c in enumerate(ANNEX_A)
    ]
    return {
        "schema_version": "1",
        "exported_at": AS_OF.isoformat(),
        "organization": {"name": "Benchmark Org", "top_management_refs": ["p0"]},
        "scope": {
            "statement": "All AI systems",
            "document_ref": "DOC-scope",
            "ai_system_refs": [s["id"] for s in ai_systems if s["in_scope"]],
        },
        "risk_methodology": {
            "document_ref": "DOC-risk_methodology",
            "likelihood_scale": 5,
            "impact_scale": 5,
            "acceptance_threshold": 9,
        },
        "audit_programme": {"period_days": 365, "document_ref": "DOC-audit_programme"},
        "people": people,
        "documents": documents,
        "evidence": evidence_records,
        "ai_systems": ai_systems,
        "datasets": datasets,
        "risks": risk_records,
        "impact_assessments": impact,
        "soa": soa,
        "controls": controls,
        "management_reviews": [
            {"id": "MR-1", "held_at": day(rng, 100), "attendee_refs": ["p0"], "minutes_ref": "EV-0"}
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="folder to create")
    parser.add_argument("--systems", type=int, default=10_000)
    parser.add_argument("--risks", type=int, default=50_000)
    parser.add_argument("--evidence", type=int, default=100_000)
    parser.add_argument("--yaml", action="store_true", help="write aims.yaml instead of JSON")
    args = parser.parse_args()
    data = generate(args.out, args.systems, args.risks, args.evidence)
    if args.yaml:
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        (args.out / "aims.yaml").write_text(yaml.dump(data, Dumper=dumper, sort_keys=False))
    else:
        (args.out / "aims.json").write_text(json.dumps(data))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
