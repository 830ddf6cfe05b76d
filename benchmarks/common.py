"""Shared by the benchmarks: whole-process timing with peak memory, and a fair installation."""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    """One whole-process measurement: wall time, peak resident memory, exit code."""

    seconds: float
    peak_mb: float
    code: int


def run_once(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to its end; its own peak RSS comes from wait4 (not the benchmark's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or os.environ.copy()
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode)


def median_run(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> Run:
    """The median of `runs` runs after one warm-up run (which also fills the rule cache)."""
    run_once(cmd, env)
    done = [run_once(cmd, env) for _ in range(runs)]
    return Run(
        statistics.median(r.seconds for r in done),
        max(r.peak_mb for r in done),
        done[-1].code,
    )


def paired_medians(cmds: list[list[str]], runs: int) -> list[float]:
    """Median seconds of each command, run interleaved (A B A B ...) so drift hits all alike."""
    for cmd in cmds:
        run_once(cmd)
    times: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            times[i].append(run_once(cmd).seconds)
    return [statistics.median(t) for t in times]


def aimscheck_command() -> list[str]:
    """The installed console script beside this interpreter (how users run it)."""
    script = Path(sys.executable).with_name("aimscheck")
    if script.exists():
        return [str(script)]
    found = shutil.which("aimscheck")
    if found is None:
        raise SystemExit("install aimscheck first: pip install -e . (or pip install .)")
    return [found]


def ensure_bytecode() -> None:
    """Byte-compile the installed package, as `pip install .` does.

    With PYTHONDONTWRITEBYTECODE=1 (set in some shells) an editable install never writes its
    .pyc files, and every run would pay for compiling the package from source.
    """
    import aimscheck

    package = Path(aimscheck.__file__).parent
    compileall.compile_dir(str(package), quiet=1)
