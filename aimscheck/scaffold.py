"""`aimscheck init`: a governance repo that passes `aimscheck check` from the very first run.

The template (`templates/init/`) is a complete small AIMS: an example organization with one
AI system in a pilot scope, every record the default pack looks for, and the proof files its
evidence points at. Its dates are written for TEMPLATE_DATE; `init` moves every date by the
days between that and today, so that nothing is overdue or in the future on the day a
newcomer runs it. Beside the export: one custom rule with its tests (`rules/`), an
`aimscheck.yaml` that loads them, and CI snippets for GitHub Actions and GitLab.

`tests/test_scaffold.py` checks that the scaffold passes the current default pack on many
days of the year. When the pack grows, refresh the export part of the template from the
`pilot` fixture (kept passing by its own tests): `python -m aimscheck.scaffold fixtures/pilot`.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

from aimscheck.errors import UsageError

TEMPLATE = Path(__file__).resolve().parent / "templates" / "init"
TEMPLATE_DATE = dt.date(2026, 11, 20)
# Template names that packaging would skip (dotted) → the name written.
RENAMES = {"_github": ".github"}
# Files of the template that are ours, not copied from the pilot fixture on refresh.
OWN = ("README.md", "aimscheck.yaml", "rules", "_github", "ci")
# A whole date value: not part of a file name (`2026-11-04-minutes.md`) or of an id.
_DATE = re.compile(r"(?<![\w/.-])(\d{4})-(\d{2})-(\d{2})(?=T|(?![\w/.-]))")
_HEADER = """\
# The AIMS export of an example organization, made by `aimscheck init`: a small health-tech
# company with one AI system (triage-assistant) in a pilot scope, and two systems kept outside
# it. Every record here passes the default ISO/IEC 42001 rule pack; replace them with your own,
# one collection at a time, and run `aimscheck check` as you go. See README.md.
"""


def shift_dates(text: str, days: int) -> str:
    """Every date of a YAML text moved by `days` (file names and ids left alone)."""

    def move(m: re.Match[str]) -> str:
        try:
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return m.group(0)
        return (day + dt.timedelta(days=days)).isoformat()

    return _DATE.sub(move, text) if days else text


def _target_name(relative: Path) -> Path:
    return Path(*(RENAMES.get(part, part) for part in relative.parts))


def plan(target: Path) -> list[tuple[Path, Path]]:
    """(template file, file to write) for every file of the scaffold."""
    if not TEMPLATE.is_dir():
        raise UsageError(
            f"the init template is not installed ({TEMPLATE})",
            hint="reinstall aimscheck; the template ships inside the package",
        )
    return [
        (source, target / _target_name(source.relative_to(TEMPLATE)))
        for source in sorted(TEMPLATE.rglob("*"))
        if source.is_file() and "__pycache__" not in source.parts
    ]


# What a folder may already hold and still count as empty: a fresh `git init` leaves `.git`.
_IGNORED = frozenset({".git"})
_NAMED = 3  # entries named in a message; the rest are counted


def folder_name(target: Path) -> str:
    """`the current folder` for `.` (however written), else the path as given."""
    try:
        here = target.resolve() == Path.cwd().resolve()
    except OSError:
        here = False
    return "the current folder" if here else str(target)


def _listed(names: list[str], one: str, many: str) -> str:
    shown = ", ".join(names[:_NAMED])
    more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return f"{len(names)} {one if len(names) == 1 else many} ({shown}{more})"


def _refuse_non_empty(target: Path, files: list[tuple[Path, Path]]) -> None:
    """A folder that holds anything (but `.git`) is refused: init makes a new repo, and mixing
    85 example files into someone's work is never what they meant."""
    held = sorted(
        child.name + ("/" if child.is_dir() else "")
        for child in target.iterdir()
        if child.name not in _IGNORED
    )
    if not held:
        return
    clashes = [str(dest.relative_to(target)) for _, dest in files if dest.exists()]
    overwrite = (
        f"overwriting {_listed(clashes, 'file', 'files')}"
        if clashes
        else "overwriting none of them"
    )
    raise UsageError(
        f"{folder_name(target)} is not empty: it holds "
        f"{_listed(held, 'file or folder', 'files and folders')}; init writes "
        "a new governance repo into an empty folder",
        hint=f"give a new folder (aimscheck init my-aims), or add --force to write the "
        f"scaffold among these files, {overwrite}",
    )


def scaffold(target: Path, today: dt.date, force: bool = False) -> list[Path]:
    """Write the scaffold into `target` (made if missing); refuse a folder that is not empty
    unless `force`, which overwrites the files the scaffold shares with it."""
    files = plan(target)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file; give a folder for the new governance repo")
    if target.is_dir() and not force:
        _refuse_non_empty(target, files)
    days = (today - TEMPLATE_DATE).days
    written = []
    for source, dest in files:
        dest.parent.mkdir(parents=True, exist_ok=True)
        is_export = source.suffix == ".yaml" and source.relative_to(TEMPLATE).parts[0] not in OWN
        if is_export:
            dest.write_text(shift_dates(source.read_text(encoding="utf-8"), days), encoding="utf-8")
        else:
            shutil.copyfile(source, dest)  # proof files keep their bytes: their sha256 holds
        written.append(dest)
    return written


def refresh_template(pilot: Path) -> None:
    """Replace the export part of the template with the pilot fixture (a checkout-only task)."""
    for child in TEMPLATE.iterdir():
        if child.name not in OWN:
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for source in sorted(pilot.rglob("*")):
        if source.is_file():
            dest = TEMPLATE / source.relative_to(pilot)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    main = TEMPLATE / "aims.yaml"
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(lines[next(i for i, line in enumerate(lines) if not line.startswith("#")) :])
    main.write_text(_HEADER + body, encoding="utf-8")


if __name__ == "__main__":
    refresh_template(Path(sys.argv[1]))
