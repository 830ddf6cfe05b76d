"""Diagnostics: what `aimscheck lint` reports for the pack of an open file, by file."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from aimscheck.errors import AimscheckError
from aimscheck.lint import Problem, _from_error, lint
from aimscheck.lsp.pack import TESTS, Pack, read
from aimscheck.lsp.units import Units

if TYPE_CHECKING:
    from aimscheck.dsl.memo import Memo
    from aimscheck.ruletests import Case

SOURCE = "aimscheck"


class CaseCache:
    """The cases of each test file, kept for its text: a keystroke in a rule file does not
    read every test file's YAML again (most of lint's time on the default pack)."""

    def __init__(self) -> None:
        self._kept: dict[Path, tuple[str, list[Case] | AimscheckError]] = {}
        self.buffers: Mapping[Path, str] = {}

    def load(self, path: Path) -> list[Case]:
        from aimscheck.ruletests import load_cases

        text = read(path, self.buffers)
        if text is None:
            return load_cases(path)  # raises the message lint gives for an unreadable file
        kept = self._kept.get(path)
        if kept is None or kept[0] != text:
            try:
                result: list[Case] | AimscheckError = load_cases(path, text)
            except AimscheckError as exc:
                result = exc
            kept = (text, result)
            self._kept[path] = kept
        if isinstance(kept[1], AimscheckError):
            raise kept[1]
        return kept[1]


def problems(
    pack: Pack,
    focus: Path,
    buffers: Mapping[Path, str],
    cases: CaseCache,
    memo: Memo | None = None,
) -> dict[Path, list[Problem]]:
    """Lint's problems for every rule and test file of the pack (an empty list for a file
    without any, so that the editor clears what it showed); a problem that names no file is
    shown on `focus`. `memo`: the pack's parses and compiles from its last lint, reused for
    the files (and rules) whose text and dependencies did not change.

    The cyclic garbage collector is off meanwhile: it would rescan the pack's syntax trees
    and closures again and again in the middle of the lint (a third of its time). The caller
    collects the cycles later (the server: when the editor is quiet)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _problems(pack, focus, buffers, cases, memo)
    finally:
        if enabled:
            gc.enable()


def _problems(
    pack: Pack, focus: Path, buffers: Mapping[Path, str], cases: CaseCache, memo: Memo | None
) -> dict[Path, list[Problem]]:
    cases.buffers = buffers
    on_disk = any(p.is_file() for p in pack.own)
    targets = [pack.folder] if on_disk else list(pack.own)
    found: dict[Path, list[Problem]] = {p: [] for p in pack.own}
    for tests in sorted(pack.folder.rglob(f"*{TESTS}")):
        found[tests] = []
    try:
        report = lint(targets, list(pack.builtin), texts=buffers, load=cases.load, memo=memo)
        listed = list(report.problems)
    except AimscheckError as exc:  # the pack cannot be read (a refused file, a bad link)
        listed = _from_error(exc)
    for problem in listed:
        where = Path(problem.location.file) if problem.location else focus
        if where.is_relative_to(pack.folder):
            found.setdefault(where, []).append(problem)
    return found


def diagnostic(problem: Problem, text: str = "", units: Units | None = None) -> lsp.Diagnostic:
    """A lint problem as the editor shows it: its code, message and hint, at its caret.

    Lint counts columns in characters; the client in `units` (UTF-16 by default) over the
    file's `text`."""
    loc = problem.location
    line = max((loc.line if loc else 1) - 1, 0)
    column = max((loc.column if loc else 1) - 1, 0)
    width = _caret_width(problem.snippet)
    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    return lsp.Diagnostic(
        range=(units or Units()).range(text, line, column, line, column + width),
        message=message,
        severity=lsp.DiagnosticSeverity.Error
        if problem.level == "error"
        else lsp.DiagnosticSeverity.Warning,
        code=problem.code,
        source=SOURCE,
    )


def _caret_width(snippet: str) -> int:
    """How many characters the snippet's caret line marks (1 when it has none)."""
    last = snippet.rstrip("\n").rsplit("\n", 1)[-1] if snippet else ""
    return max(last.count("^"), 1)
