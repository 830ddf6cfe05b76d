"""Regenerate the expected messages of the broken-rule corpus: `python tests/golden/regen.py`.

Each `cases/<name>.aims` holds one typical mistake and, on its first line, where the message
must point (`# expect: LINE:COL`, written by hand). `cases/<name>.expected` is what
`aimscheck lint` reports for it: review the diff of every regenerated file before committing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CASES = Path(__file__).resolve().parent / "cases"


def errors_of(name: str) -> str:
    """The error messages `aimscheck lint --no-default-rules <name>.aims` prints, in order."""
    sys.path.insert(0, str(CASES.parents[2]))
    from aimscheck.lint import lint

    here = Path.cwd()
    os.chdir(CASES)  # messages name the file as a user would type it
    try:
        report = lint([Path(f"{name}.aims")])
    finally:
        os.chdir(here)
    return "\n".join(p.render() for p in report.problems if p.level == "error") + "\n"


def main() -> None:
    for path in sorted(CASES.glob("*.aims")):
        path.with_suffix(".expected").write_text(errors_of(path.stem), encoding="utf-8")
        print(f"wrote {path.with_suffix('.expected').name}")


if __name__ == "__main__":
    main()
