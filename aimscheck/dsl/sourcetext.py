"""The text an expression was written as, found from the spans of its nodes."""

from __future__ import annotations

import re

from aimscheck.dsl import nodes as n
from aimscheck.source import Span


def expression_text(lines: list[str], e: object) -> str:
    """The text an expression was written as, on one line, brackets it opened closed."""
    span: Span = extent(e)
    if not 1 <= span.line <= span.end_line <= len(lines):
        return ""
    chunk = lines[span.line - 1 : span.end_line]
    rest = chunk[-1][span.end_column - 1 :]
    chunk[-1] = chunk[-1][: span.end_column - 1]
    chunk[0] = chunk[0][span.column - 1 :]
    text = " ".join(" ".join(chunk).split())
    # A call's or list's closing bracket lies past the last child's span: take it from the line.
    masked = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    missing = masked.count("(") - masked.count(")") + masked.count("[") - masked.count("]")
    for ch in rest:
        if missing <= 0:
            break
        text += ch
        missing -= ch in ")]"
    return text


def extent(e: object) -> Span:
    """The span from the first to the last character of an expression (children included)."""
    starts: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__"):
            span = getattr(node, "span", n.NO_SPAN)
            if span != n.NO_SPAN:
                starts.append((span.line, span.column))
                ends.append((span.end_line, span.end_column))
            stack.extend(getattr(node, f) for f in node.__dataclass_fields__ if f != "span")
    if not starts:
        return n.NO_SPAN
    (line, col), (end_line, end_col) = min(starts), max(ends)
    return Span(line, col, end_line, end_col)
