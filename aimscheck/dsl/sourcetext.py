"""The text an expression was written as, found from the spans of its nodes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aimscheck.dsl import nodes as n
from aimscheck.source import Span


# Not in nodes.py: no parsed file holds one (the parse cache stores nodes.py's classes only).
@dataclass(frozen=True, slots=True)
class DefSpan(Span):
    """A span in a definition's body once it is substituted into a rule: it names the file
    the definition is written in, so that a mistake in the body is reported there. (With
    `definition` empty: an argument of such a call, in the caller's own text.)"""

    path: str = field(default="", compare=False)
    text: str = field(default="", compare=False, repr=False)
    definition: str = field(default="", compare=False)  # the name of the definition
    # On the top node of a body: where the call it stands for is written, in the caller's text.
    call: Span | None = field(default=None, compare=False)
    called: str = field(default="", compare=False)  # and that call as written: `active(sys)`
    # On an argument put in a body: where the body writes it, as a parameter (its name).
    params: tuple[Span, ...] = field(default=(), compare=False)


def expression_text(lines: list[str], e: object) -> str:
    """The text an expression was written as, on one line, brackets it opened closed.

    A part of a shared definition's body is read from the definition's own file."""
    own = getattr(e, "span", None)
    if isinstance(own, DefSpan) and own.text:
        lines = own.text.splitlines()
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
    """The span from the first to the last character of an expression (children included).

    Only the children written in the same place count: an argument substituted into a shared
    definition's body is not part of the body's text, nor the body part of the call's."""
    own = getattr(e, "span", None)
    origin = _origin(own)
    starts: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif hasattr(node, "__dataclass_fields__"):
            span = getattr(node, "span", n.NO_SPAN)
            call = span.call if isinstance(span, DefSpan) else None
            if node is not e and call is not None and _origin(span) != origin:
                # a definition used here: the call as written, not the body put in its place
                starts.append((call.line, call.column))
                ends.append((call.end_line, call.end_column))
                continue
            param = next((p for p in getattr(span, "params", ()) if _origin(p) == origin), None)
            if node is not e and param is not None and _origin(span) != origin:
                # an argument put in this body: the parameter's name, as the body writes it
                starts.append((param.line, param.column))
                ends.append((param.end_line, param.end_column))
                continue
            if span != n.NO_SPAN and _origin(span) == origin:
                starts.append((span.line, span.column))
                ends.append((span.end_line, span.end_column))
            stack.extend(getattr(node, f) for f in node.__dataclass_fields__ if f != "span")
    if not starts:
        return n.NO_SPAN
    (line, col), (end_line, end_col) = min(starts), max(ends)
    return Span(line, col, end_line, end_col)


def _origin(span: object) -> tuple[str, str] | None:
    """The definition a span is in (its file and name), None for a rule's own text."""
    if isinstance(span, DefSpan) and span.definition:
        return (span.path, span.definition)
    return None
