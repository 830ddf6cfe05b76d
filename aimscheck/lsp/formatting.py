"""Formatting: `aimscheck fmt`'s layout of the buffer, as one edit of the whole text."""

from __future__ import annotations

from lsprotocol import types as lsp

from aimscheck.errors import AimscheckError
from aimscheck.formatter import format_text


def formatting(text: str, path: str) -> list[lsp.TextEdit] | None:
    """The edit that lays the buffer out as `fmt` would; none when it already is, None (the
    editor keeps the text) when it does not parse: the diagnostics say why."""
    try:
        result = format_text(text, path)
    except AimscheckError:
        return None
    if result == text:
        return []
    lines = text.split("\n")
    end = lsp.Position(len(lines) - 1, len(lines[-1]))
    return [lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), end), new_text=result)]
