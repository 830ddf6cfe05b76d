"""The long fuzz run: the properties of tests/test_fuzz.py with many more, random, examples.

Run: python benchmarks/fuzz.py [--examples 5000] [-k exports]

Each property gets `--examples` new random examples (CI runs the same properties with 30 fixed
ones). A failure prints the smallest input hypothesis found, and is saved in .hypothesis/ so
that the next run (and CI, once the example is pasted into a test) tries it first. Needs the
test extras (pytest, hypothesis) in the running interpreter.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per property")
    parser.add_argument("-k", dest="select", default="", help="only properties matching this")
    args = parser.parse_args()
    env = {**os.environ, "AIMSCHECK_FUZZ_EXAMPLES": str(args.examples)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "tests" / "test_fuzz.py"),
        "-q",
        "-p",
        "no:randomly",
        "--hypothesis-show-statistics",
        "--durations=0",
        *(["-k", args.select] if args.select else []),
    ]
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env=env)
    minutes = (time.monotonic() - started) / 60
    verdict = "no failure found" if code == 0 else "FAILURES: see the falsifying examples above"
    print(f"\nfuzzed {args.examples} examples per property in {minutes:.1f} min: {verdict}")
    return code


if __name__ == "__main__":
    sys.exit(main())
