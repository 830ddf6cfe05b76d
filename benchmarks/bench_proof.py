"""Proof files: what hashing costs up to `max_proof_mb`, and what opening them safely costs.

Run: python benchmarks/bench_proof.py [--mb 512] [--files 10000]

Measures, in this process, through the evidence resolver that `aimscheck check` uses:
  - hashing one proof file of `--mb` MB (the default limit, the most one file may cost);
  - a 1 TB sparse proof file, refused as `too_large` from its size before a byte is read;
  - checking `--files` distinct small proof files three folders deep, each opened from the
    evidence root one folder at a time without following links, against the same files opened
    by their resolved path (the cost of the openat walk).
Sparse files read back as zeros from the kernel: the hashing figure is the hash's own speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from aimscheck import prooffile
from aimscheck.evidence import EvidenceResolver
from aimscheck.export.model import Export
from aimscheck.limits import Limits, use

AS_OF_DAY = dt.date(2026, 11, 20)


def _export(root: Path, paths: list[str]) -> Export:
    records: list[dict[str, Any]] = [
        {"id": f"EV-{n}", "kind": "record", "path": path} for n, path in enumerate(paths)
    ]
    return Export(root, root / "aims.yaml", {"evidence": records})


def _timed(root: Path, paths: list[str]) -> tuple[float, list[str]]:
    resolver = EvidenceResolver(_export(root, paths), root, AS_OF_DAY)
    start = time.perf_counter()
    statuses = [resolver.check(f"EV-{n}").status for n in range(len(paths))]
    return time.perf_counter() - start, statuses


def _sparse(path: Path, size: int) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "wb") as handle:
            handle.truncate(size)
    except OSError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=512, help="size of the hashed file (MB)")
    parser.add_argument("--files", type=int, default=10_000, help="small proof files to open")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aimscheck-proof-") as tmp, use(Limits()):
        root = Path(tmp)
        _sparse(root / "files" / "big.bin", args.mb * 2**20)
        took, (status,) = _timed(root, ["files/big.bin"])
        print(f"hash {args.mb} MB: {took:.2f} s ({args.mb / took:.0f} MB/s), {status}")

        if _sparse(root / "files" / "huge.bin", 2**40):
            took, (status,) = _timed(root, ["files/huge.bin"])
            print(f"1 TB sparse file: {took * 1000:.2f} ms, {status}")
        else:
            print("1 TB sparse file: this file system cannot hold one")

        paths = [f"a/b/c{n % 100}/f{n}.pdf" for n in range(args.files)]
        for path in paths:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"proof\n")
        stepwise, statuses = _timed(root, paths)
        assert set(statuses) == {"ok"}, set(statuses)
        stepwise_on = prooffile._STEPWISE
        prooffile._STEPWISE = False  # the resolved path, opened with O_NOFOLLOW only
        try:
            plain, _ = _timed(root, paths)
        finally:
            prooffile._STEPWISE = stepwise_on
        per = (stepwise - plain) / args.files * 1e6
        print(
            f"{args.files} small proof files: {stepwise:.2f} s opened folder by folder, "
            f"{plain:.2f} s by resolved path ({per:+.1f} µs per file)"
        )


if __name__ == "__main__":
    main()
