"""Generate a large, valid AIMS export by replicating the conforming fixture, references intact.

Run: python benchmarks/gen_export.py OUT [--systems 3000] [--scale 1] [--yaml]

Every record of `fixtures/conforming` is copied with its id suffixed (`-7` for copy 7), and
every reference (any string equal to a known id, in records and sections) is rewritten to the
copy of the same number that exists, so joins, reverse joins and evidence resolution all
work as in a real governance repo. Collections grow to the counts of the held-out scale test
(3,000 AI systems, 10,000 risks, 31,000 evidence records, 16,000 controls; about 27 MB of
JSON) times `--scale`, the other per-system collections at half that pace; organization-wide
collections (the SoA, people, documents, ...) stay single.
The proof files are copied once: every evidence record resolves to a real file and hash.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "conforming"
AS_OF = "2026-11-20"  # the fixture's as-of date: check generated exports with --as-of AS_OF

# Held-out scale, per 1.0 of --scale; collections not named grow with the AI systems.
TARGETS = {"ai_systems": 3000, "risks": 10_000, "evidence": 31_000, "controls": 16_000}
# Organization-wide: one copy, whatever the scale.
SINGLE = (
    "soa",
    "people",
    "documents",
    "competence_records",
    "communications",
    "roles",
    "interested_parties",
    "legal_requirements",
    "audits",
    "management_reviews",
    "objectives",
)

# Prose (text with spaces) in copies is cut to this many characters: the fixture's long titles
# and rationales would otherwise make the export twice the held-out size per record.
PROSE = 24


def _load_fixture() -> dict[str, Any]:
    from aimscheck.export.loader import load_export

    data = load_export(FIXTURE).data
    return json.loads(json.dumps(data, default=str))  # plain JSON values only


class _Replicator:
    """Copies records with ids suffixed and references pointed at existing copies."""

    def __init__(self, data: dict[str, Any], copies: dict[str, int], kept: dict[str, int]) -> None:
        from aimscheck.export.model import COLLECTIONS, ID_FIELD

        self.copies = copies
        # id -> number of copies of it the export holds (the last copy of a collection cut to
        # its target count holds only its first records): references name only those
        self.owner: dict[str, int] = {}
        for name in COLLECTIONS:
            records = data.get(name, [])
            for index, record in enumerate(records):
                ident = record.get(ID_FIELD[name])
                if isinstance(ident, str):
                    n = copies.get(name, 1)
                    if name in kept:
                        n = min(n, max(1, -(-(kept[name] - index) // len(records))))
                    self.owner[ident] = n

    def ref(self, value: str, k: int) -> str:
        n = self.owner.get(value)
        if n is None:
            return value
        j = k % n
        return value if j == 0 else f"{value}-{j}"

    def copy(self, value: Any, k: int) -> Any:
        if isinstance(value, str):
            if k and " " in value and len(value) > PROSE:  # keep copies of prose short
                return value[:PROSE]
            return self.ref(value, k)
        if isinstance(value, list):
            return [self.copy(v, k) for v in value]
        if isinstance(value, dict):
            return {key: self.copy(v, k) for key, v in value.items()}
        return value

    def every(self, value: Any) -> Any:
        """A section: each reference listed becomes the references of all copies."""
        if isinstance(value, list):
            out: list[Any] = []
            for v in value:
                n = self.owner.get(v) if isinstance(v, str) else None
                if n is None:
                    out.append(self.every(v))
                else:
                    out.extend(self.ref(v, k) for k in range(n))
            return out
        if isinstance(value, dict):
            return {key: self.every(v) for key, v in value.items()}
        return value


def generate(out: Path, systems: int = 3000, scale: float = 1.0) -> dict[str, Any]:
    """Copy the fixture's proof files under `out` and return the export data."""
    from aimscheck.export.model import COLLECTIONS

    base = _load_fixture()
    factor = scale * systems / TARGETS["ai_systems"]
    # The other collections (models, datasets, incidents, ...) at half the AI systems' pace.
    per_system = max(1, round(TARGETS["ai_systems"] * factor / len(base["ai_systems"]) / 2))
    copies: dict[str, int] = {}
    for name in COLLECTIONS:
        have = len(base.get(name, []))
        if not have:
            continue
        if name in SINGLE:
            copies[name] = 1
        elif name in TARGETS:
            copies[name] = max(1, math.ceil(TARGETS[name] * factor / have))
        else:
            copies[name] = per_system
    kept = {name: round(target * factor) for name, target in TARGETS.items()}
    rep = _Replicator(base, copies, kept)
    data: dict[str, Any] = {}
    for key, value in base.items():
        if key in COLLECTIONS:
            data[key] = [rep.copy(r, k) for k in range(copies.get(key, 1)) for r in value]
            if key in kept:
                del data[key][kept[key] :]
        else:
            data[key] = rep.every(value)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(FIXTURE / "files", out / "files")
    return data


def write(out: Path, data: dict[str, Any], fmt: str = "json") -> Path:
    """Write the export: one `aims.json`, or for YAML a governance repo (`aims.yaml` with the
    sections, a `<collection>.yaml` list per collection: no YAML file passes max_yaml_mb)."""
    if fmt != "yaml":
        target = out / "aims.json"
        with target.open("w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False)
        return target
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    sections = {k: v for k, v in data.items() if not isinstance(v, list)}
    files = [("aims", sections), *((k, v) for k, v in data.items() if k not in sections)]
    for name, value in files:
        with (out / f"{name}.yaml").open("w", encoding="utf-8") as stream:
            yaml.dump(value, stream, Dumper=dumper, sort_keys=False, allow_unicode=True)
    return out / "aims.yaml"


def size_mb(out: Path) -> float:
    """The export's size on disk: its .json/.yaml files (the proof files are not counted)."""
    files = [p for p in out.iterdir() if p.suffix in (".json", ".yaml")]
    return sum(p.stat().st_size for p in files) / 1e6


def counts(data: dict[str, Any]) -> str:
    """`3000 ai_systems, 10000 risks, ...`: the sizes that matter, for a benchmark's output."""
    total = sum(len(v) for v in data.values() if isinstance(v, list))
    named = ", ".join(f"{len(data[k])} {k}" for k in TARGETS)
    return f"{total} records ({named})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="folder to create (replaced if it exists)")
    parser.add_argument("--systems", type=int, default=TARGETS["ai_systems"])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    parser.add_argument(
        "--yaml", action="store_true", help="write YAML files (aims.yaml + one per collection)"
    )
    args = parser.parse_args()
    data = generate(args.out, args.systems, args.scale)
    target = write(args.out, data, "yaml" if args.yaml else "json")
    size = size_mb(args.out)
    print(f"wrote {target.parent}: {counts(data)}, {size:.1f} MB; check with --as-of {AS_OF}")


if __name__ == "__main__":
    main()
