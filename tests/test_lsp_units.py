"""Positions in the client's units: UTF-16 code units by default (LSP), UTF-32 when offered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lspdata import GOOD, SERVER, client, module_loop, open_file, uri, write_pack
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from aimscheck.lsp.units import UTF8, UTF16, UTF32, Units

__all__ = ["client"]

# Two emoji (each two UTF-16 units, one character) before a mistake and a function.
LINE = '  require sys.human_oversight.mode != "🚀🚀" and in_scope(sys) and sys.bogus is set'
EMOJI = GOOD.replace('  require sys.human_oversight.mode == "human_in_the_loop"', LINE)


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client32(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A client that offers to count in UTF-32 (characters), as some editors do."""
    general = lsp.GeneralClientCapabilities(position_encodings=[lsp.PositionEncodingKind.Utf32])
    answer = await lsp_client.initialize_session(
        lsp.InitializeParams(capabilities=lsp.ClientCapabilities(general=general))
    )
    assert answer.capabilities.position_encoding == lsp.PositionEncodingKind.Utf32
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp-units")


def test_columns_count_as_each_encoding_does() -> None:
    line = "a🚀é b"
    assert [Units(e).count(line) for e in (UTF8, UTF16, UTF32)] == [9, 6, 5]
    assert Units(UTF16).chars(line, 3) == 2  # after the emoji's two units: the é
    assert Units(UTF16).chars(line, 2) == 1  # inside the emoji: the emoji
    assert Units(UTF8).chars(line, 7) == 3
    text = f"x\n{line}\n"
    at = Units(UTF16).position(text, 1, 4)
    assert (at.line, at.character) == (1, 5)
    assert Units(UTF16).offset(text, lsp.Position(1, 5)) == len("x\n") + 4
    assert Units(UTF16).position("", 3, 7).character == 7  # no text: one unit a character


async def _diagnostic_and_hover(
    who: LanguageClient, path: Path, units: Units
) -> tuple[lsp.Diagnostic, lsp.Hover]:
    open_file(who, path, EMOJI)
    row = EMOJI.split("\n").index(LINE)
    at = LINE.index("in_scope") + len("in_scope") - 1  # its last letter
    found = await who.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri(path)), units.position(EMOJI, row, at))
    )
    assert found is not None
    shown = [d for d in who.diagnostics[uri(path)] if "bogus" in d.message]
    assert len(shown) == 1 and shown[0].range.start.line == row
    return shown[0], found


@module_loop
async def test_an_emoji_before_a_mistake_counts_two_utf16_units(
    client: LanguageClient, folder: Path
) -> None:
    path = write_pack(folder / "utf16", EMOJI, tests=None)
    diagnostic, found = await _diagnostic_and_hover(client, path, Units(UTF16))
    column = LINE.index("bogus")
    assert diagnostic.range.start.character == column + 2
    assert diagnostic.range.end.character == column + 2 + len("bogus")
    assert isinstance(found.contents, lsp.MarkupContent)
    assert found.contents.value.startswith("**in_scope**(…)")
    assert found.range is not None
    assert found.range.start.character == LINE.index("in_scope") + 2


@module_loop
async def test_a_client_offering_utf32_gets_characters(
    client32: LanguageClient, folder: Path
) -> None:
    path = write_pack(folder / "utf32", EMOJI, tests=None)
    diagnostic, found = await _diagnostic_and_hover(client32, path, Units(UTF32))
    assert diagnostic.range.start.character == LINE.index("bogus")
    assert found.range is not None and found.range.start.character == LINE.index("in_scope")


@module_loop
async def test_formatting_ends_at_the_last_units_of_the_text(
    client: LanguageClient, folder: Path
) -> None:
    text = GOOD.replace("  clause      ", "  clause ") + "# 🚀🚀"
    path = write_pack(folder / "format", text, tests=None)
    open_file(client, path, text)
    edits = await client.text_document_formatting_async(
        lsp.DocumentFormattingParams(
            lsp.TextDocumentIdentifier(uri(path)), lsp.FormattingOptions(2, True)
        )
    )
    assert edits is not None and len(edits) == 1
    end = edits[0].range.end
    assert (end.line, end.character) == (text.count("\n"), len("# ") + 4)
