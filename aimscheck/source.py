"""Source locations (`file:line:col`) and caret snippets that point at them."""

from __future__ import annotations

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


def render_snippet(text: str, line: int, column: int, width: int = 1) -> str:
    """The source line at `line` with a caret under `column`, ready to print under a message."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1].rstrip("\n").replace("\t", " ")
    col = max(1, min(column, len(source) + 1))
    span = max(1, min(width, len(source) - col + 1))
    return f"  {source}\n  {' ' * (col - 1)}{'^' * span}"
