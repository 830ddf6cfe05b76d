"""Huge YAML numbers: refused by their text's length before conversion, in milliseconds.

Run: python benchmarks/bench_scalars.py [--pyyaml]

Writes one-record exports whose record holds a number that PyYAML converts slowly or into a
huge value (a sexagesimal integer `1:59:59:...` of 1.2 MB and 6 MB, converted in time quadratic
in its length; hex, binary and decimal integers of 100,000 digits) and times aimscheck's
`load_export` on each, in this process: each must be refused at its line (max_number_digits).
`--pyyaml` also times PyYAML's own conversion of the 1.2 MB sexagesimal integer (about 25 s:
what issue 16 measured), to show what the limit saves.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aimscheck.errors import ExportLoadError  # noqa: E402
from aimscheck.export.loader import load_export  # noqa: E402
from aimscheck.limits import Limits  # noqa: E402

NUMBERS = {
    "sexagesimal, 1.2 MB": "1" + ":59" * 400_000,
    "sexagesimal, 6 MB": "1" + ":59" * 2_000_000,
    "hex, 100,000 digits": "0x" + "f" * 100_000,
    "binary, 100,000 digits": "0b" + "1" * 100_000,
    "decimal, 100,000 digits": "9" * 100_000,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyyaml", action="store_true", help="also time PyYAML's conversion")
    args = parser.parse_args()
    failures = 0
    limits = Limits(max_file_mb=64, max_yaml_mb=64)  # the file must be read to be refused
    with tempfile.TemporaryDirectory(prefix="aimscheck-scalars-") as tmp:
        root = Path(tmp)
        (root / "aims.yaml").write_text('schema_version: "1"\norganization: {name: Acme}\n')
        record = root / "risks.yaml"
        for name, number in NUMBERS.items():
            record.write_text(f"- id: r1\n  impact: {number}\n")
            started = time.perf_counter()
            try:
                load_export(root, limits)
                outcome = "ACCEPTED (a failure)"
                failures += 1
            except ExportLoadError as exc:
                ok = "max_number_digits" in exc.message and exc.location is not None
                outcome = f"refused at line {exc.location.line}" if ok else exc.message[:80]
                failures += not ok
            took = time.perf_counter() - started
            print(f"{name:26} {took * 1000:9.1f} ms  {outcome}")
    if args.pyyaml:
        import yaml

        started = time.perf_counter()
        yaml.load(f"x: {NUMBERS['sexagesimal, 1.2 MB']}\n", Loader=yaml.CSafeLoader)
        print(f"{'PyYAML, 1.2 MB sexagesimal':26} {time.perf_counter() - started:9.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
