"""Go to definition in `aimscheck lsp`: shared definitions, parameters, overridden rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspdata import GOOD, TESTS, client, module_loop, open_file, position, uri, write_pack
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from aimscheck.resources import default_pack

__all__ = ["client"]
pytestmark = module_loop

SHARED = """\
define overseen(s) = s.human_oversight.mode != "none"
"""
USES_SHARED = GOOD.replace(
    'require sys.human_oversight.mode == "human_in_the_loop"', "require overseen(sys)"
)
OVERRIDE = GOOD.replace('rule "ORG-1" {', 'rule "AIMS-9.3-01" {\n  overrides')


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_pack(tmp_path_factory.mktemp("lsp-definition") / "pack", USES_SHARED)
    path.with_name("shared.aims").write_text(SHARED, encoding="utf-8")
    return path


async def goto(
    client: LanguageClient, path: Path, text: str, needle: str, into: int
) -> tuple[str, int, int]:
    open_file(client, path, text)
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri(path)), position(text, needle, into))
    )
    assert isinstance(found, lsp.Location)
    return found.uri, found.range.start.line, found.range.start.character


async def test_a_shared_definition_in_another_file_of_the_pack(
    client: LanguageClient, pack: Path
) -> None:
    found = await goto(client, pack, USES_SHARED, "overseen(sys)", 2)
    assert found == (uri(pack.with_name("shared.aims")), 0, 7)


async def test_a_parameter_read_by_a_require(client: LanguageClient, pack: Path) -> None:
    found = await goto(client, pack, USES_SHARED, "max_age\n  because", 1)
    assert found == (uri(pack), 6, 14)  # `param       max_age = 365 days`


async def test_the_builtin_rule_a_rule_overrides(client: LanguageClient, pack: Path) -> None:
    path = pack.with_name("override.aims")
    file, line, _ = await goto(client, path, OVERRIDE, "overrides", 2)
    target = default_pack() / "clause9.aims"
    assert file == uri(target)
    assert target.read_text("utf-8").split("\n")[line].startswith('rule "AIMS-9.3-01" {')


async def test_the_rule_a_test_case_names(client: LanguageClient, pack: Path) -> None:
    found = await goto(client, pack.with_name("org.tests.yaml"), TESTS, "ORG-1", 1)
    assert found == (uri(pack), 0, 5)
