"""Source locations (`file:line:col`) and caret snippets that point at them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file: 1-based line, 1-based column (0 when only the line is known)."""

    file: str
    line: int
    column: int = 0

    def __str__(self) -> str:
        if self.column:
            return f"{self.file}:{self.line}:{self.column}"
        return f"{self.file}:{self.line}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True, slots=True)
class Span:
    """Where a piece of rule text starts and ends (1-based lines and columns)."""

    line: int
    column: int
    end_line: int
    end_column: int


# The most characters of a source line a snippet shows: a longer line is cut to a window
# around the column, marked with "…" at each cut end, so that messages stay readable and
# small whatever the line (one error per item of a 1 MB line would otherwise print gigabytes).
SNIPPET_WINDOW = 120


def render_snippet(text: str, line: int, column: int, width: int = 1) -> str:
    """The source line at `line` with a caret under `column`, ready to print under a message.

    Lines are split at "\n" only, as the parsers count them. A line longer than
    SNIPPET_WINDOW is shown as a window around the column (caret under the same character).
    """
    start = _line_start(text, line)
    if start < 0:
        return ""
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    if end > start and text[end - 1] == "\r":  # a CRLF file
        end -= 1
    size = end - start
    col = max(1, min(column, size + 1))
    head = tail = ""
    begin, stop = 0, size
    if size > SNIPPET_WINDOW:
        begin = max(0, min(col - 1 - SNIPPET_WINDOW // 2, size - SNIPPET_WINDOW))
        stop = begin + SNIPPET_WINDOW
        head = "…" if begin else ""
        tail = "…" if stop < size else ""
    source = text[start + begin : start + stop].replace("\t", " ")
    at = col - begin  # the caret's column in the window shown
    span = max(1, min(width, len(source) - at + 1))
    return f"  {head}{source}{tail}\n  {' ' * (len(head) + at - 1)}{'^' * span}"


def span_snippet(text: str, span: Span) -> str:
    """The caret snippet under a whole span (under its first character if it runs on)."""
    width = span.end_column - span.column if span.end_line == span.line else 1
    return render_snippet(text, span.line, span.column, width)


def _line_start(text: str, line: int) -> int:
    """The offset where 1-based `line` starts in `text`, or -1 past its last line."""
    if len(text) < 4096:  # most snippets: a short text, walked directly
        pos = 0
        for _ in range(max(line, 1) - 1):
            pos = text.find("\n", pos) + 1
            if pos == 0:
                return -1
    else:  # a whole file with many errors: its line starts are found once
        starts = _line_starts(text)
        pos = starts[line - 1] if 1 <= line <= len(starts) else -1
    return -1 if line < 1 or pos >= len(text) else pos


@functools.lru_cache(maxsize=16)
def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]
