"""Diagnostics: what `aimscheck lint` reports for the pack of an open file, by file."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from aimscheck.errors import AimscheckError
from aimscheck.lint import Problem, _from_error, lint
from aimscheck.lsp.pack import TESTS, Pack, read
from aimscheck.lsp.units import Units

if TYPE_CHECKING:
    from aimscheck.dsl.memo import Memo
    from aimscheck.dsl.ruleset import CompiledRule, RuleSet
    from aimscheck.ruletests import Case, Vocabulary

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


class CheckedTestFiles:
    """Each test file's problems (what `ruletests.test_file_problems` says of it), kept for
    the file's text and for what its check reads of the rules: a keystroke in a rule file
    then validates no case's export again (3,714 in the default pack: most of a lint's time).

    A file is checked again when its text changes, or what it is checked against: which of
    the rules its cases name exist (and, when one does not, every rule id: the did-you-mean
    is among them), the requirements of each rule a `failed:` names (numbered and quoted
    from them), the fields the pack declares and the configuration's vocabulary (what the
    exports are validated against). Typing in a rule then checks no test file again, unless
    it changes one of these. Called as `test_file_problems` is (`lint(tests=...)`), with
    the cases of `cases`."""

    def __init__(self, cases: CaseCache) -> None:
        self.cases = cases
        self._kept: dict[Path, tuple[object, set[str], list[AimscheckError]]] = {}
        self.checked = 0  # test files checked, not taken from the cache (the tests count it)

    def __call__(
        self,
        paths: Iterable[Path],
        ruleset: RuleSet,
        load: Callable[[Path], list[Case]] | None = None,
        vocabulary: Vocabulary = (),
    ) -> tuple[set[str], list[AimscheckError]]:
        from aimscheck.ruletests import _once, test_file_problems

        if load != self.cases.load:  # another reader's cases: the text is not the key
            return test_file_problems(paths, ruleset, load, vocabulary)
        rules: dict[str, CompiledRule] = {}
        for rule in ruleset.rules:
            rules.setdefault(rule.info.id, rule)  # the one `ruleset.get` gives
        ids = tuple(r.info.id for r in ruleset.rules)
        shared = (ruleset.declared_fields, vocabulary)
        tested: set[str] = set()
        errors: list[AimscheckError] = []
        for path in paths:
            key = self._key(path, rules, ids, shared)
            kept = self._kept.get(path)
            if key is None or kept is None or kept[0] != key:
                self.checked += 1
                kept = (key, *test_file_problems([path], ruleset, load, vocabulary))
                if key is not None:
                    self._kept[path] = kept
            tested |= kept[1]
            errors += kept[2]
        return tested, _once(errors)  # each once across the files, as one call says them

    def _key(
        self, path: Path, rules: Mapping[str, CompiledRule], ids: tuple[str, ...], shared: object
    ) -> object:
        """What the file's problems depend on; None for a file that cannot be read (its one
        error is cheap to find again)."""
        from aimscheck.testexpect import requirements

        text = read(path, self.cases.buffers)
        if text is None:
            return None
        try:
            cases = self.cases.load(path)
        except AimscheckError:
            cases = []
        unknown = any(c.rule not in rules for c in cases)
        named = {c.rule for c in cases if any(e.failed is not None for e in c.details.values())}
        written = tuple(
            (rid, tuple(requirements(rule)))
            for rid in sorted(named)
            if (rule := rules.get(rid)) is not None
        )
        return (text, shared, written, ids if unknown else None)


def problems(
    pack: Pack,
    focus: Path,
    buffers: Mapping[Path, str],
    cases: CaseCache,
    memo: Memo | None = None,
    tests: CheckedTestFiles | None = None,
) -> dict[Path, list[Problem]]:
    """Lint's problems for every rule and test file of the pack (an empty list for a file
    without any, so that the editor clears what it showed); a problem that names no file is
    shown on `focus`. `memo`: the pack's parses and compiles from its last lint, reused for
    the files (and rules) whose text and dependencies did not change; `tests`: the test
    files' problems from the last lint (built on `cases`), for those that did not change.

    The cyclic garbage collector is off meanwhile: it would rescan the pack's syntax trees
    and closures again and again in the middle of the lint (a third of its time). The caller
    collects the cycles later (the server: when the editor is quiet)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _problems(pack, focus, buffers, cases, memo, tests)
    finally:
        if enabled:
            gc.enable()


def _problems(
    pack: Pack,
    focus: Path,
    buffers: Mapping[Path, str],
    cases: CaseCache,
    memo: Memo | None,
    tests: CheckedTestFiles | None,
) -> dict[Path, list[Problem]]:
    cases.buffers = buffers
    on_disk = any(p.is_file() for p in pack.own)
    targets = [pack.folder] if on_disk else list(pack.own)
    found: dict[Path, list[Problem]] = {p: [] for p in pack.own}
    for file in sorted(pack.folder.rglob(f"*{TESTS}")):
        found[file] = []
    try:
        report = lint(
            targets, list(pack.builtin), texts=buffers, load=cases.load, memo=memo, tests=tests
        )
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
