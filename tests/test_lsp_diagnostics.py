"""Diagnostics of `aimscheck lsp`: exactly lint's problems, for the unsaved buffer and its pack."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspdata import (
    GOOD,
    change,
    client,
    diagnostics_of,
    module_loop,
    open_file,
    render,
    write_pack,
)
from pytest_lsp import LanguageClient

from aimscheck.dsl.ruleset import rule_files
from aimscheck.lint import lint
from aimscheck.lsp.diagnostics import diagnostic
from aimscheck.resources import default_pack

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
