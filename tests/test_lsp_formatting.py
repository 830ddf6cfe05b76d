"""Formatting in `aimscheck lsp`: the buffer laid out exactly as `aimscheck fmt` writes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspdata import GOOD, client, module_loop, open_file, uri, write_pack
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from aimscheck.formatter import format_text

__all__ = ["client"]
pytestmark = module_loop

MESSY = GOOD.replace("  title       ", "title ").replace(
    "  severity    minor", "    severity minor"
)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(tmp_path_factory.mktemp("lsp-formatting") / "pack")


async def edits(client: LanguageClient, path: Path, text: str) -> list[lsp.TextEdit] | None:
    open_file(client, path, text)
    return await client.text_document_formatting_async(
        lsp.DocumentFormattingParams(
            lsp.TextDocumentIdentifier(uri(path)), lsp.FormattingOptions(2, True)
        )
    )


async def test_the_buffer_gets_fmts_layout(client: LanguageClient, pack: Path) -> None:
    found = await edits(client, pack, MESSY)
    assert found is not None and len(found) == 1
    assert found[0].new_text == format_text(MESSY, str(pack)) == GOOD
    assert found[0].range == lsp.Range(lsp.Position(0, 0), lsp.Position(15, 0))


async def test_a_formatted_buffer_needs_no_edit(client: LanguageClient, pack: Path) -> None:
    assert not await edits(client, pack, GOOD)  # no edit (the client reads [] as null)


async def test_a_buffer_with_a_syntax_error_is_left_as_it_is(
    client: LanguageClient, pack: Path
) -> None:
    assert not await edits(client, pack, GOOD.replace("require sys", "require (sys"))
