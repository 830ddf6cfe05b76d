"""Positions as the editor counts them: UTF-16 code units unless it offered UTF-8 or UTF-32."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


@dataclass(frozen=True, slots=True)
class Units:
    """The position encoding agreed with the client (LSP's `positionEncoding`); the server
    counts columns in characters (code points), lines at each "\\n" as lint does."""

    encoding: str = UTF16

    def count(self, chars: str) -> int:
        """How many of the client's units `chars` takes."""
        if self.encoding == UTF32 or chars.isascii():
            return len(chars)
        if self.encoding == UTF8:
            return len(chars.encode("utf-8", "surrogatepass"))
        return len(chars) + sum(1 for c in chars if ord(c) > 0xFFFF)  # a surrogate pair

    def chars(self, line: str, units: int) -> int:
        """The character column of the client's column `units` on `line` (clamped to it;
        inside a character, the column of that character)."""
        if self.encoding == UTF32 or line.isascii():
            return min(units, len(line))
        taken = 0
        for i, c in enumerate(line):
            taken += self.count(c)
            if taken > units:
                return i
        return len(line)

    def position(self, text: str, line: int, column: int) -> lsp.Position:
        """The client's position of a 0-based line and character column of `text` (columns
        past the line's end, or with no text, count one unit a character)."""
        row, column = _line(text, line)[1], max(column, 0)
        return lsp.Position(line, self.count(row[:column]) + max(column - len(row), 0))

    def position_at(self, text: str, offset: int) -> lsp.Position:
        """The client's position of a character offset of `text`."""
        start = text.rfind("\n", 0, offset) + 1
        return lsp.Position(text.count("\n", 0, offset), self.count(text[start:offset]))

    def range(self, text: str, line: int, column: int, end_line: int, end_column: int) -> lsp.Range:
        return lsp.Range(
            self.position(text, line, column), self.position(text, end_line, end_column)
        )

    def offset(self, text: str, position: lsp.Position) -> int:
        """The character offset of a client's position in `text` (clamped to the text)."""
        start, row = _line(text, position.line)
        return start + self.chars(row, position.character)


def _line(text: str, line: int) -> tuple[int, str]:
    """The offset where line `line` (0-based) of `text` starts, and its text; the text's end
    and "" past its last line."""
    start = 0
    for _ in range(line):
        found = text.find("\n", start)
        if found < 0:
            return len(text), ""
        start = found + 1
    end = text.find("\n", start)
    return start, text[start : len(text) if end < 0 else end]


def agreed(encoding: object) -> Units:
    """The units of the encoding pygls agreed with the client (UTF-16 when in doubt)."""
    value = getattr(encoding, "value", encoding)
    return Units(value if value in (UTF8, UTF16, UTF32) else UTF16)
