"""Shared by the hostile-input tests: small exports and rule packs, runners and tree snapshots."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aimscheck.cli import main
from aimscheck.errors import AimscheckError, ErrorGroup
from aimscheck.export.loader import load_export
from aimscheck.limits import Limits

ROOT = Path(__file__).resolve().parents[1]
AS_OF = ("--as-of", "2026-11-20")
AIMS = 'schema_version: "1"\norganization: {name: Acme}\n'
SYSTEM = "id: s1\nname: Scoring\nin_scope: true\n"
RULE = """\
rule "T-4.3-01" {
  title "Every AI system has a name"
  clause "4.3"
  severity minor
  phase scope_definition
  for sys in ai_systems
  require sys.name is set
}
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path → text or bytes) under `root`; return `root`."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def repo(root: Path, **extra: str | bytes) -> Path:
    """A valid one-system export folder, plus `extra` files (`ai_systems__x.yaml` is a path)."""
    files: dict[str, str | bytes] = {"aims.yaml": AIMS, "ai_systems/s1.yaml": SYSTEM}
    files.update({name.replace("__", "/"): body for name, body in extra.items()})
    return write(root, files)


def rules(root: Path, text: str = RULE, name: str = "pack.aims") -> Path:
    folder = root / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def check(export: Path, pack: Path, *extra: str | Path) -> Result:
    """`aimscheck check` with only the given rules, pinned to a date."""
    return run("check", export, "--no-default-rules", "--rules", pack, *AS_OF, *extra)


def process(
    *args: str | Path, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """A real `python -m aimscheck` process: what CI runs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("AIMSCHECK_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "aimscheck", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )


def problems(path: Path, limits: Limits | None = None) -> list[str]:
    """The `location: message` lines of a load that must fail."""
    with pytest.raises(AimscheckError) as caught:
        load_export(path, limits)
    error = caught.value
    errors = error.errors if isinstance(error, ErrorGroup) else [error]
    return [f"{e.location}: {e.message}" for e in errors]


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str, int]]:
    """Every entry under `root`: its kind, content (or link target) and permission bits."""
    out: dict[str, tuple[str, bytes | str, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            mode = stat.S_IMODE(info.st_mode)
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path), mode)
            elif path.is_dir():
                out[rel] = ("dir", b"", mode)
            else:
                out[rel] = ("file", path.read_bytes(), mode)
    return out


def no_traceback(result: Result) -> None:
    """The run ended by itself (no uncaught exception) and printed no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
