"""Regenerate the golden reports of the bundled fixtures: python tests/fixture_reports/regen.py.

The files are written by this script only, never edited by hand; review their diff like code.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
FIXTURES = (
    "conforming",
    "pilot",
    "gaps",
    "staldhelm",
    "northcove",
    "larchfield",
    "staldhelm-gaps",
    "northcove-gaps",
    "larchfield-gaps",
    "euaia-provider",
    "euaia-deployer",
    "veltrana",
    "morlach",
)
AS_OF = dt.date(2026, 11, 20)


def report(name: str) -> dict[str, Any]:
    """The fixture's JSON report, without what changes with every release (tool versions)."""
    from aimscheck.check import CheckOptions, run_check
    from aimscheck.reporters import render

    cwd = os.getcwd()
    os.chdir(ROOT)  # report paths are relative to the repo root
    try:
        data: dict[str, Any] = json.loads(
            render("json", run_check(CheckOptions(path=Path("fixtures") / name, as_of=AS_OF)))
        )
    finally:
        os.chdir(cwd)
    data.pop("tool", None)
    data.pop("pack", None)
    return data


def main() -> None:
    sys.path.insert(0, str(ROOT))
    for name in FIXTURES:
        target = HERE / f"{name}.json"
        target.write_text(json.dumps(report(name), indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
