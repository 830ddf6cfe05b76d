"""Whole-process medians of `aimscheck check` on a bundled fixture and a large generated export.

Run: python benchmarks/bench_check.py [--runs 5] [--systems 10000 --risks 50000 --evidence 100000]
Needs aimscheck installed in the running interpreter (the README's test install does that).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_export import generate  # noqa: E402


def median_seconds(cmd: list[str], runs: int) -> tuple[float, int]:
    """Median wall time of `runs` runs after one warm-up; also the exit code seen."""
    code = subprocess.run(cmd, capture_output=True).returncode
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(cmd, capture_output=True).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--systems", type=int, default=10_000)
    parser.add_argument("--risks", type=int, default=50_000)
    parser.add_argument("--evidence", type=int, default=100_000)
    args = parser.parse_args()
    check = [
        sys.executable,
        "-m",
        "aimscheck",
        "check",
        "--as-of",
        "2026-11-20",
        "--fail-on",
        "never",
        "--quiet",
    ]
    floor, _ = median_seconds(
        [sys.executable, "-c", "import yaml, lark, click, junit_xml"], args.runs
    )
    print(f"import floor (yaml, lark, click, junit_xml): {floor * 1000:.0f} ms")
    small, code = median_seconds([*check, str(ROOT / "fixtures" / "conforming")], args.runs)
    print(f"fixtures/conforming: {small * 1000:.0f} ms (exit {code}, {small / floor:.2f}x floor)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "big"
        data = generate(out, args.systems, args.risks, args.evidence)
        import json

        (out / "aims.json").write_text(json.dumps(data))
        size = (out / "aims.json").stat().st_size / 1e6
        records = sum(len(v) for v in data.values() if isinstance(v, list))
        big, code = median_seconds([*check, str(out)], max(1, args.runs // 2))
        print(
            f"generated export ({records} records, {size:.1f} MB JSON): {big:.2f} s (exit {code})"
        )


if __name__ == "__main__":
    main()
