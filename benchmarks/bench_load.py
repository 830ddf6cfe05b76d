"""Loading a big export: aimscheck's YAML and JSON loaders against the bare parsers.

Run: python benchmarks/bench_load.py [--scale 1] [--runs 3]

Writes the held-out-sized export (gen_export.py) twice, as a YAML governance repo (aims.yaml
plus one file per collection) and as one JSON file, then times in fresh processes:
  - PyYAML's `yaml.load(Loader=CSafeLoader)` of the same YAML files with the garbage collector
    paused (the bar: issue 7 asks aimscheck's YAML loading to be at least as fast as this);
  - aimscheck's `load_export` of the YAML repo, which also keeps every record's file and line;
  - `json.load` of the JSON file, and aimscheck's `load_export` of it (lines kept too).
Also validates both loads the same records (and that aimscheck located every record).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_export import counts, generate, size_mb, write

# Each loader runs in its own process and prints: seconds, records, located records.
PROBES = {
    "yaml.load(CSafeLoader), gc paused": """
import gc, sys, time, yaml
from pathlib import Path
start = time.perf_counter()
gc.disable()
data = {}
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    with path.open("rb") as stream:
        value = yaml.load(stream, Loader=yaml.CSafeLoader)
    data.update(value if path.stem == "aims" else {path.stem: value})
took = time.perf_counter() - start
print(took, sum(len(v) for v in data.values() if isinstance(v, list)), 0)
""",
    "aimscheck load_export (YAML repo)": """
import sys, time
from pathlib import Path
from aimscheck.export.loader import load_export
start = time.perf_counter()
export = load_export(Path(sys.argv[1]))
took = time.perf_counter() - start
records = [r for v in export.data.values() if isinstance(v, list) for r in v]
print(took, len(records), sum(1 for r in records if export.location_of(r) is not None))
""",
    "json.load, gc paused": """
import gc, json, sys, time
from pathlib import Path
start = time.perf_counter()
gc.disable()
with (Path(sys.argv[2]) / "aims.json").open("rb") as stream:
    data = json.load(stream)
took = time.perf_counter() - start
print(took, sum(len(v) for v in data.values() if isinstance(v, list)), 0)
""",
    "aimscheck load_export (JSON file)": """
import sys, time
from pathlib import Path
from aimscheck.export.loader import load_export
start = time.perf_counter()
export = load_export(Path(sys.argv[2]) / "aims.json")
took = time.perf_counter() - start
records = [r for v in export.data.values() if isinstance(v, list) for r in v]
print(took, len(records), sum(1 for r in records if export.location_of(r) is not None))
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aimscheck-load-") as tmp:
        yaml_dir, json_dir = Path(tmp) / "yaml", Path(tmp) / "json"
        data = generate(yaml_dir, scale=args.scale)
        write(yaml_dir, data, "yaml")
        json_dir.mkdir()
        write(json_dir, data)  # loading reads no proof file: none copied
        print(
            f"export: {counts(data)}; YAML {size_mb(yaml_dir):.1f} MB, "
            f"JSON {size_mb(json_dir):.1f} MB"
        )
        del data
        medians = {}
        for name, code in PROBES.items():
            runs = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, "-c", code, str(yaml_dir), str(json_dir)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()
                runs.append((float(out[0]), int(out[1]), int(out[2])))
            medians[name] = statistics.median(r[0] for r in runs)
            records, located = runs[-1][1], runs[-1][2]
            where = f", {located} located" if located else ""
            print(f"{name}: {medians[name]:.2f} s ({records} records{where})")
    bar = medians["yaml.load(CSafeLoader), gc paused"]
    ours = medians["aimscheck load_export (YAML repo)"]
    verdict = "ok" if ours <= bar else "SLOWER"
    print(f"YAML: aimscheck / CSafeLoader = {ours / bar:.2f} (target <= 1: {verdict})")
    print(f"JSON loads {ours / medians['aimscheck load_export (JSON file)']:.0f}x faster than YAML")


if __name__ == "__main__":
    main()
