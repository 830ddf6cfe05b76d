"""Governance repos with proof files, built in a temporary folder, for the evidence tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from aimscheck.export.dates import coerce_dates
from aimscheck.export.loader import load_export
from aimscheck.export.model import Export

AS_OF = dt.date(2026, 11, 20)
BASE: dict[str, Any] = {"schema_version": "1", "organization": {"name": "Test Org"}}

# Contract rule for end-to-end runs: one subject per third party, its contract is the proof.
CONTRACT_RULE = """\
rule "T-A.10.3-01" {
  title "Each supplier's contract is on file and sound"
  clause "8.1"
  control "A.10.3"
  severity minor
  phase control_design
  for tp in third_parties
  evidence tp.contract_ref
}
"""


def sha(content: str | bytes) -> str:
    data = content.encode() if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


def write_repo(
    root: Path, data: Mapping[str, Any], files: Mapping[str, str | bytes] | None = None
) -> Path:
    """An export folder: aims.yaml holding BASE and `data`, plus the proof `files` given."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "aims.yaml").write_text(yaml.safe_dump({**BASE, **data}, sort_keys=False))
    for name, content in (files or {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return root


def load(root: Path) -> Export:
    export = load_export(root)
    coerce_dates(export)
    return export


def repo(
    root: Path, data: Mapping[str, Any], files: Mapping[str, str | bytes] | None = None
) -> Export:
    return load(write_repo(root, data, files))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes (links as their target text), to prove no writes."""
    out: dict[str, bytes] = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath, name)
            rel = str(path.relative_to(root))
            out[rel] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return out


# Files opened while `opened()` is active, seen through the interpreter's audit hook: it reports
# every open (builtins.open, io.open, os.open), whatever the code path.
_WATCHING: list[list[str]] = []
_HOOKED = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _WATCHING and isinstance(args[0], str | bytes | os.PathLike):
        _WATCHING[-1].append(os.fsdecode(args[0]))


@contextlib.contextmanager
def opened() -> Iterator[list[str]]:
    """The paths of all files opened inside the block (audit hooks cannot be removed: one)."""
    global _HOOKED
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED = True
    seen: list[str] = []
    _WATCHING.append(seen)
    try:
        yield seen
    finally:
        _WATCHING.pop()


def touched(seen: list[str], target: Path) -> bool:
    """Whether `target` (or the file it resolves to) is among the opened paths."""
    real = os.path.realpath(target)
    return any(os.path.realpath(path) == real for path in seen)
