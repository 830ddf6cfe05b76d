"""Whole-process `aimscheck check`: a governance repo, the held-out-sized export, and 10x that.

Run: python benchmarks/bench_check.py [--runs 11] [--big-runs 3] [--no-10x]

Targets (issue 7), each printed with its figure:
Each check is the CI command: text summary to the log and `--junit report.xml`.
  1. fixtures/conforming with the full default pack: median at most 2.5x the median of
     `python -c "import yaml, lark, click, junit_xml"`, measured interleaved in the same run;
  2. the held-out-sized export (3,000 AI systems, 10,000 risks, 31,000 evidence records,
     16,000 controls, evidence files resolving; see gen_export.py) in at most 5 s; ten times
     that data in at most 12x the time; peak memory at most 25x the export's size on disk.
Needs aimscheck installed in this interpreter (pip install -e .). The rule cache is warmed by
the first run, as on any machine that has run a check before.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, aimscheck_command, ensure_bytecode, median_run, paired_medians
from gen_export import AS_OF, counts, generate, size_mb, write


def check_command(path: Path, junit: Path) -> list[str]:
    """The CI command: the text summary (to the log, here discarded) and a JUnit report."""
    return [
        *aimscheck_command(),
        *("check", str(path), "--as-of", AS_OF, "--fail-on", "never", "--junit", str(junit)),
    ]


def small(runs: int) -> None:
    floor_cmd = [sys.executable, "-c", "import yaml, lark, click, junit_xml"]
    with tempfile.TemporaryDirectory(prefix="aimscheck-bench-") as tmp:
        cmd = check_command(ROOT / "fixtures" / "conforming", Path(tmp) / "junit.xml")
        floor, took = paired_medians([floor_cmd, cmd], runs)
    ratio = took / floor
    print(f"import floor (python -c 'import yaml, lark, click, junit_xml'): {floor * 1000:.0f} ms")
    verdict = "ok" if ratio <= 2.5 else "OVER"
    print(
        f"small check (fixtures/conforming, {runs} runs): {took * 1000:.0f} ms = "
        f"{ratio:.2f}x the floor (target <= 2.5x: {verdict})"
    )


def big(runs: int, tenfold: bool) -> None:
    # At 10x the export passes the default max_file_mb, max_export_mb and max_records.
    env = {
        **os.environ,
        "AIMSCHECK_MAX_FILE_MB": "4096",
        "AIMSCHECK_MAX_EXPORT_MB": "8192",
        "AIMSCHECK_MAX_RECORDS": "10000000",
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="aimscheck-bench-") as tmp:
        for scale in (1, 10) if tenfold else (1,):
            out = Path(tmp) / f"x{scale}"
            data = generate(out, scale=scale)
            write(out, data)
            described = counts(data)
            size = size_mb(out)
            del data
            junit = Path(tmp) / "junit.xml"
            run = median_run(check_command(out, junit), runs if scale == 1 else 1, env)
            results.append((scale, size, run))
            print(
                f"export x{scale}: {described}, {size:.1f} MB JSON: {run.seconds:.2f} s "
                f"(exit {run.code}), peak {run.peak_mb:.0f} MB = {run.peak_mb / size:.1f}x "
                f"its size (target <= 25x: {'ok' if run.peak_mb / size <= 25 else 'OVER'})"
            )
    first = results[0][2].seconds
    print(f"held-out scale: {first:.2f} s (target <= 5 s: {'ok' if first <= 5 else 'OVER'})")
    if len(results) > 1:
        ratio = results[1][2].seconds / first
        print(f"10x data: {ratio:.1f}x the time (target <= 12x: {'ok' if ratio <= 12 else 'OVER'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11, help="runs of the small check")
    parser.add_argument("--big-runs", type=int, default=3, help="runs at the held-out scale")
    parser.add_argument("--no-10x", action="store_true", help="skip the 10x export (minutes)")
    parser.add_argument("--no-big", action="store_true", help="only the small check")
    args = parser.parse_args()
    ensure_bytecode()
    small(args.runs)
    if not args.no_big:
        big(args.big_runs, not args.no_10x)


if __name__ == "__main__":
    main()
