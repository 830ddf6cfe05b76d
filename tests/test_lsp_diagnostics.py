"""Diagnostics of `aimscheck lsp`: exactly lint's problems, for the unsaved buffer and its pack."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspdata import (
    GOOD,
    TESTS,
    change,
    client,
    diagnostics_of,
    module_loop,
    open_file,
    render,
    write_pack,
)
from pytest_lsp import LanguageClient

from aimscheck import ruletests
from aimscheck.dsl.memo import Memo
from aimscheck.dsl.ruleset import rule_files
from aimscheck.errors import AimscheckError
from aimscheck.lint import Problem, lint
from aimscheck.lsp.diagnostics import CaseCache, CheckedTestFiles, diagnostic, problems
from aimscheck.lsp.pack import pack_of
from aimscheck.resources import default_pack
from aimscheck.ruletests import Case

__all__ = ["client"]
pytestmark = module_loop

BROKEN = GOOD.replace("require sys.human", "requre sys.human").replace(
    'mode == "human_in_the_loop"', 'mode == "human_in_the_lop"'
)
UNTESTED_RULE = """
rule "ORG-2" {
  title    "Systems have an owner"
  clause   "5.3"
  severity major
  phase    deployment
  for sys in ai_systems
  require sys.owner_ref is set
}
"""


def lint_lines(path: Path) -> list[str]:
    """What `aimscheck lint` reports for the file, as the client shows it."""
    report = lint([path.parent], rule_files([default_pack()]))
    return [
        render(diagnostic(p))
        for p in report.problems
        if p.location is not None and Path(p.location.file) == path
    ]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp-diagnostics")


async def test_a_file_with_mistakes_gets_lints_errors_and_warnings(
    client: LanguageClient, folder: Path
) -> None:
    path = write_pack(folder / "mistakes", BROKEN + UNTESTED_RULE)
    open_file(client, path)
    shown = await diagnostics_of(client, path)
    assert shown == lint_lines(path)
    assert any("AIMS-E" in line and "did you mean 'require'?" in line for line in shown)
    assert any("warning no-test: rule ORG-2 has no test" in line for line in shown)
    assert any("warning no-because" in line for line in shown)


async def test_an_edit_updates_the_diagnostics_from_the_unsaved_buffer(
    client: LanguageClient, folder: Path
) -> None:
    path = write_pack(folder / "edited")
    open_file(client, path)
    assert await diagnostics_of(client, path) == []
    broken = GOOD.replace("in_scope(sys)", "in_scop(sys)")
    change(client, path, broken, 2)
    shown = await diagnostics_of(client, path)
    assert len(shown) == 1 and shown[0].startswith("9:31: error AIMS-E")
    assert "in_scop" in shown[0] and "did you mean 'in_scope'?" in shown[0]
    change(client, path, GOOD, 3)
    assert await diagnostics_of(client, path) == []


async def test_the_pack_is_checked_with_the_file(client: LanguageClient, folder: Path) -> None:
    """A duplicate id across two files of the pack is reported in the file that is not open."""
    path = write_pack(folder / "pack")
    other = path.with_name("other.aims")
    other.write_text(GOOD, encoding="utf-8")
    open_file(client, path)
    shown = await diagnostics_of(client, other)
    assert [line.split(": error ")[0] for line in shown] == ["1:6"]
    assert "duplicate rule id 'ORG-1'" in shown[0]


async def test_a_rule_overriding_a_builtin_one_needs_overrides(
    client: LanguageClient, folder: Path
) -> None:
    text = GOOD.replace('"ORG-1"', '"AIMS-9.3-01"')
    path = write_pack(folder / "override", text, tests=None)
    open_file(client, path)
    shown = await diagnostics_of(client, path)
    assert shown == lint_lines(path)
    assert any("duplicate rule id 'AIMS-9.3-01'" in line for line in shown)


async def test_a_test_file_naming_an_unknown_rule_is_an_error(
    client: LanguageClient, folder: Path
) -> None:
    path = write_pack(folder / "tests")
    tests = path.with_name("org.tests.yaml")
    text = tests.read_text("utf-8").replace("rule: ORG-1", "rule: ORG-9")
    open_file(client, tests, text)
    shown = await diagnostics_of(client, tests)
    assert shown == [
        "4:1: error AIMS-E006: case 'a system without oversight fails' names rule ORG-9, "
        "which no loaded rule has\nhint: did you mean ORG-1?"
    ]


async def test_bad_yaml_in_a_test_file_is_shown_at_its_line(
    client: LanguageClient, folder: Path
) -> None:
    path = write_pack(folder / "yaml")
    tests = path.with_name("org.tests.yaml")
    open_file(client, tests, "as_of: 2026-11-20\ncases:\n  - name: [unclosed\n")
    shown = await diagnostics_of(client, tests)
    assert len(shown) == 1 and shown[0].startswith("4:1: error")
    assert "invalid YAML in test file" in shown[0]


async def test_removing_a_rule_makes_its_open_test_case_an_error(
    client: LanguageClient, folder: Path
) -> None:
    """The test file's problems are kept between lints, yet follow an edit of the rules."""
    path = write_pack(folder / "renamed")
    tests = path.with_name("org.tests.yaml")
    open_file(client, tests)
    open_file(client, path)
    assert await diagnostics_of(client, tests) == []
    change(client, path, GOOD.replace('"ORG-1"', '"ORG-7"'), 2)
    assert await diagnostics_of(client, tests) == [
        "4:1: error AIMS-E006: case 'a system without oversight fails' names rule ORG-1, "
        "which no loaded rule has\nhint: did you mean ORG-7?"
    ]
    change(client, path, GOOD, 3)
    assert await diagnostics_of(client, tests) == []


# A field the pack declares, used by the test's export, and a `failed:` naming requirement 2.
DECLARED = GOOD + 'field ai_systems.tier: one of "low", "high"\n'
TIERED = TESTS.replace("in_scope: true}", "in_scope: true, tier: low}").replace(
    "{ai_systems/S1: nonconformity}", "{ai_systems/S1: {outcome: nonconformity, failed: [1]}}"
)
TWO = TIERED.replace("failed: [1]", "failed: [2]")
# The second requirement gone, its two lines kept as comments: the field stays where it was.
ONE_REQUIRE = DECLARED.replace(
    '  require age(review.held_at) <= max_age\n  because "The review is older than {max_age}"\n',
    "  # no second requirement\n  #\n",
)


class Counted:
    """`ruletests.data_problems`, counting the cases whose export it validates."""

    def __init__(self) -> None:
        self.calls = 0
        self.real = ruletests.data_problems

    def __call__(self, case: Case, *args: object) -> list[AimscheckError]:
        self.calls += 1
        return self.real(case, *args)  # type: ignore[arg-type]


def lines(found: dict[Path, list[Problem]]) -> dict[Path, list[str]]:
    return {path: [p.render() for p in ps] for path, ps in found.items()}


async def test_an_unchanged_test_file_is_not_validated_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_pack(folder / "counted", DECLARED, TIERED)
    tests = path.with_name("org.tests.yaml")
    counted = Counted()
    monkeypatch.setattr(ruletests, "data_problems", counted)
    cases = CaseCache()
    cache, memo, pack = CheckedTestFiles(cases), Memo(), pack_of(path)
    assert lines(problems(pack, path, {path: DECLARED}, cases, memo, cache))[tests] == []
    assert (counted.calls, cache.checked) == (1, 1)
    for typed in ("# a comment\n", "# another\n"):  # keystrokes in the rule file only
        problems(pack, path, {path: DECLARED + typed}, cases, memo, cache)
    assert (counted.calls, cache.checked) == (1, 1)
    edited = TIERED.replace("name: Chat", "name: Chat bot")
    problems(pack, path, {path: DECLARED, tests: edited}, cases, memo, cache)
    assert (counted.calls, cache.checked) == (2, 2)


# Edits of the rules, each with what the test file then gets (the start of each line).
EDITS = [
    (DECLARED, TIERED, []),
    (GOOD, TIERED, ["error: $.ai_systems[0].tier: unknown field 'tier'"]),
    (
        DECLARED.replace('"ORG-1"', '"ORG-2"'),
        TIERED,
        ["error: case 'a system without oversight fails' names rule ORG-1, which no loaded"],
    ),
    (
        DECLARED.replace('"ORG-1"', '"ORG-3"'),  # the did-you-mean follows
        TIERED,
        ["error: case 'a system without oversight fails' names rule ORG-1, which no loaded"],
    ),
    (DECLARED, TWO, []),
    (ONE_REQUIRE, TWO, ["error: ai_systems/S1: failed: 2 is not a requirement of the rule"]),
    (DECLARED, TIERED, []),
    (DECLARED.replace("minor", "major"), TIERED, []),  # nothing the test file reads
    (DECLARED + UNTESTED_RULE, TIERED, []),  # a new rule no case names: nor this
]


async def test_the_kept_test_file_problems_follow_each_edit_of_the_rules(folder: Path) -> None:
    """One cache through every edit, in order: each time, what a fresh lint gives."""
    path = write_pack(folder / "kept", DECLARED, TIERED)
    test_file = path.with_name("org.tests.yaml")
    cases = CaseCache()
    cache, memo, pack = CheckedTestFiles(cases), Memo(), pack_of(path)
    for rules, tests, expected in EDITS:
        buffers = {path: rules, test_file: tests}
        found = lines(problems(pack, path, buffers, cases, memo, cache))
        assert found == lines(problems(pack, path, buffers, CaseCache()))
        shown = [line.split(": ", 1)[1].split("\n")[0] for line in found[test_file]]
        assert [line[: len(e)] for line, e in zip(shown, expected, strict=False)] == expected
        assert len(shown) == len(expected)
    assert cache.checked == 7  # each time its text or what it is checked against changed
