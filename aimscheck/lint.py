"""Lints rule files: every error of every file, plus warnings about untested or unclear rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aimscheck.dsl import nodes as n
from aimscheck.dsl.ruleset import CompiledRule, RuleSet
from aimscheck.dsl.substitute import walk
from aimscheck.errors import AimscheckError, ErrorGroup
from aimscheck.source import Location, Span, span_snippet

if TYPE_CHECKING:
    from aimscheck.config import Config
    from aimscheck.dsl.memo import Memo
    from aimscheck.export.contract import VocabularyExtension
    from aimscheck.ruletests import Case

    # What reads the test files' problems: `ruletests.test_file_problems`, or a cache of it.
    TestFileProblems = Callable[
        [list[Path], RuleSet, Callable[[Path], list[Case]] | None, tuple[VocabularyExtension, ...]],
        tuple[set[str], list[AimscheckError]],
    ]

# Warning codes and what each one is about (the lint reference in docs/language.md).
WARNINGS: dict[str, str] = {
    "no-test": "a rule that no case of a *.tests.yaml file names",
    "no-because": "a require, evidence or only if line without a 'because' message",
    "unused-let": "a let whose name no later line reads",
    "unused-param": "a param the rule never reads",
    "unused-definition": "a shared definition no rule uses (its body is checked only where used)",
}

# How each statement that takes a `because` is written.
_WORDS: dict[type, str] = {n.Require: "require", n.EvidenceStmt: "evidence", n.OnlyIf: "only if"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One lint finding: an error (the rules cannot run) or a warning (they can, but...)."""

    level: str  # "error" or "warning"
    code: str  # AIMS-E00x for errors, a WARNINGS key for warnings
    message: str
    location: Location | None
    snippet: str = ""
    hint: str = ""

    def render(self) -> str:
        head = f"{self.location}: " if self.location else ""
        tag = f" [{self.code}]" if self.level == "warning" else ""
        parts = [f"{head}{self.level}: {self.message}{tag}"]
        if self.snippet:
            parts.append(self.snippet)
        if self.hint:
            parts.append(f"  hint: {self.hint}")
        return "\n".join(parts)

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.message) if loc else ("", 0, 0, self.message)

    def to_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "location": None
            if loc is None
            else {"file": loc.file, "line": loc.line, "column": loc.column},
            "hint": self.hint or None,
        }


@dataclass(frozen=True, slots=True)
class LintReport:
    """Everything lint found, in file order, and what it looked at."""

    problems: tuple[Problem, ...]
    files: tuple[str, ...]
    rules: int

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def summary(self) -> str:
        if not self.problems:
            return f"{len(self.files)} file(s), {self.rules} rule(s): no problems"
        return (
            f"{self.errors} error(s), {self.warnings} warning(s) "
            f"in {len(self.files)} file(s), {self.rules} rule(s)"
        )


def _from_error(error: AimscheckError) -> list[Problem]:
    if isinstance(error, ErrorGroup):
        return [p for e in error.errors for p in _from_error(e)]
    return [Problem("error", error.code, error.message, error.location, error.snippet, error.hint)]


class _Warner:
    """Collects warnings for one file's rules, with the source line under each."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.found: list[Problem] = []

    def warn(self, code: str, span: Span, message: str, hint: str = "") -> None:
        self.found.append(
            Problem(
                "warning",
                code,
                message,
                Location(self.path, span.line, span.column),
                span_snippet(self.text, span),
                hint,
            )
        )

    def rule(self, rule: n.Rule, unused: Iterable[str], tested: bool, tests_file: str) -> None:
        if not tested:
            self.warn(
                "no-test",
                rule.span,
                f"rule {rule.id} has no test",
                f"add a case with 'rule: {rule.id}' to {tests_file}",
            )
        for stmt in rule.body:
            if isinstance(stmt, n.Require | n.EvidenceStmt | n.OnlyIf) and stmt.message is None:
                word = _WORDS[type(stmt)]
                result = "a finding" if word != "only if" else "a not_applicable result"
                what = "what is wrong" if word != "only if" else "why it cannot be judged"
                self.warn(
                    "no-because",
                    Span(
                        stmt.span.line,
                        stmt.span.column,
                        stmt.span.line,
                        stmt.span.column + len(word),
                    ),
                    f"this {word} line has no 'because' message: {result} would show only "
                    "the condition as written",
                    f'add on the next line: because "{what}, for {{the subject}}"',
                )
        names = set(unused)
        for stmt in rule.body:
            if isinstance(stmt, n.Let) and stmt.name in names:
                self.warn(
                    "unused-let",
                    stmt.span,
                    f"'{stmt.name}' is never used",
                    "remove the let, or use the name in a later line",
                )
        for param in rule.params:
            if param.name in names:
                self.warn(
                    "unused-param",
                    param.span,
                    f"parameter '{param.name}' is never used",
                    "remove it, or use it in the rule",
                )


def _tested_rules(
    rule_paths: Sequence[Path],
    targets: Sequence[Path],
    ruleset: RuleSet,
    load: Callable[[Path], list[Case]] | None,
    vocabulary: tuple[VocabularyExtension, ...] = (),
    tests: TestFileProblems | None = None,
) -> tuple[set[str], list[Problem]]:
    """Rule ids named by the test files beside the linted rules; every problem of those files
    (their cases' inline data, requirements and rule ids too) is an error, as `test` says it."""
    from aimscheck.ruletests import find_test_files, test_file_problems

    files = find_test_files([*targets, *rule_paths])
    tested, errors = (tests or test_file_problems)(files, ruleset, load, vocabulary)
    return tested, [p for e in errors for p in _from_error(e)]


def _broken_rules(rules: Iterable[CompiledRule], problems: Iterable[Problem]) -> set[str]:
    """Ids of rules an error points into: their warnings would only add noise."""
    starts: dict[str, list[tuple[int, str]]] = {}
    for rule in rules:
        if rule.info.location is not None:
            starts.setdefault(rule.info.location.file, []).append(
                (rule.info.location.line, rule.info.id)
            )
    broken: set[str] = set()
    for problem in problems:
        loc = problem.location
        if problem.level != "error" or loc is None:
            continue
        before = [(line, rid) for line, rid in starts.get(loc.file, []) if line <= loc.line]
        if before:
            broken.add(max(before)[1])
    return broken


def _unused_definitions(
    ruleset: RuleSet, mine: Callable[[str], bool], texts: Mapping[Path, str]
) -> list[Problem]:
    """A warning at each definition of the linted files that no rule uses, even through
    another definition: a mistake in its body would otherwise go unseen until its first use."""
    used: set[str] = set()
    for rule in ruleset.rules:
        used |= _names(rule.written or rule.ast)
    for d in ruleset.definitions.values():
        used |= _names(d.node.body) - {d.node.name}
    found: list[Problem] = []
    for name, d in ruleset.definitions.items():
        if name in used or not mine(d.path):
            continue
        warner = _Warner(d.path, texts.get(Path(d.path), d.text))
        warner.warn(
            "unused-definition",
            d.node.span,
            f"definition '{name}' is used by no rule",
            "use it in a rule, or remove it",
        )
        found += warner.found
    return found


class _Mine:
    """Whether a file is one of the linted ones: each path resolved once, not once a rule."""

    def __init__(self, mine: set[Path]) -> None:
        self.mine = mine
        self.seen: dict[str, bool] = {}

    def __call__(self, file: str) -> bool:
        if file not in self.seen:
            self.seen[file] = Path(file).resolve() in self.mine
        return self.seen[file]


# The names of the ASTs walked lately, by identity (each with its AST, so the id stays its
# own): the language server lints the same compiled rules again after each keystroke.
_NAMES: dict[int, tuple[object, frozenset[str]]] = {}


def _names(root: object) -> set[str]:
    """Every name read and function called in an AST."""
    kept = _NAMES.get(id(root))
    if kept is not None and kept[0] is root:
        return set(kept[1])
    if len(_NAMES) > 4096:
        _NAMES.clear()
    found = _walk_names(root)
    _NAMES[id(root)] = (root, frozenset(found))
    return found


def _walk_names(root: object) -> set[str]:
    out: set[str] = set()
    for node in walk(root):
        if isinstance(node, n.Name):
            out.add(node.name)
        elif isinstance(node, n.Call):
            out.add(node.func)
    return out


def lint(
    paths: Sequence[Path],
    builtin: Sequence[Path] = (),
    texts: Mapping[Path, str] | None = None,
    load: Callable[[Path], list[Case]] | None = None,
    vocabulary: tuple[VocabularyExtension, ...] = (),
    memo: Memo | None = None,
    tests: TestFileProblems | None = None,
) -> LintReport:
    """Lint the rule files at `paths`; `builtin` files are loaded beside them (for `overrides`
    and duplicate ids) but only the given files are warned about.

    For the language server: `texts` gives a rule file's text by its path, read instead of
    the file (an unsaved buffer); `load` reads a test file's cases instead of
    `ruletests.load_cases` (its buffer, or cases it kept from the last edit); `memo` keeps
    parses and compiles from one lint to the next (aimscheck.dsl.memo); `tests` reads the
    test files' problems instead of `ruletests.test_file_problems` (a cache of its results,
    aimscheck.lsp.diagnostics.CheckedTestFiles)."""
    from aimscheck.dsl.ruleset import compile_collect, rule_files

    own = rule_files(paths)
    mine = {p.resolve() for p in own}
    pack = [p for p in builtin if p.resolve() not in mine]
    ruleset, errors = compile_collect(
        [*pack, *own], builtin_count=len(pack), vocabulary=vocabulary, texts=texts, memo=memo
    )
    ours = _Mine(mine)
    problems = [p for e in errors for p in _from_error(e)]
    tested, test_problems = _tested_rules(own, paths, ruleset, load, vocabulary, tests)
    problems += test_problems
    read: dict[str, str] = {}
    broken = _broken_rules(ruleset.rules, problems)
    for rule in ruleset.rules:
        loc = rule.info.location
        if loc is None or not ours(loc.file) or rule.info.id in broken:
            continue
        if loc.file not in read:
            given = (texts or {}).get(Path(loc.file))
            read[loc.file] = given if given is not None else Path(loc.file).read_text("utf-8")
        warner = _Warner(loc.file, read[loc.file])
        tests_file = Path(loc.file).stem + ".tests.yaml"
        untested = rule.info.id not in tested and not test_problems
        warner.rule(rule.ast, rule.unused, not untested, tests_file)
        problems += warner.found
    if not any(p.level == "error" for p in problems):  # with errors, some uses did not compile
        problems += _unused_definitions(ruleset, ours, texts or {})
    ordered = tuple(sorted(problems, key=lambda p: p.sort_key()))
    own_ids = {
        r.info.id
        for r in ruleset.rules
        if r.info.location is not None and ours(r.info.location.file)
    }
    return LintReport(ordered, tuple(str(p) for p in own), len(own_ids))


def with_config(report: LintReport, config: Config, linted: Sequence[Path] = ()) -> LintReport:
    """`report` with what the configuration says of the rules that they contradict (a rule id
    no pack has, a misspelt parameter, a value of the wrong type or outside the vocabulary
    the rule compares it with), found as `check` finds them, each once, at its line. The
    rules are the `linted` files and the packs the configuration loads: a configuration
    given beside a pack it does not name (`check --rules`) is checked against that pack."""
    from aimscheck.check import settings_problems

    found = [p for e in settings_problems(config, linted) for p in _from_error(e)]
    ordered = tuple(sorted([*report.problems, *found], key=lambda p: p.sort_key()))
    return dataclasses.replace(report, problems=ordered)
