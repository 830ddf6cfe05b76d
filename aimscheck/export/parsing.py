"""What the YAML and JSON readers share: documents, problems, decoding and the nesting bound."""

from __future__ import annotations

import codecs
from array import array
from dataclasses import dataclass, field
from typing import Any

from aimscheck.limits import how_to_raise
from aimscheck.source import render_snippet

# Duplicate keys found while parsing, as (message, line, column); parsing goes on.
Duplicates = list[tuple[str, int, int]]
# Past this many characters, a snippet shows a window of the line around the caret.
SNIPPET_WIDTH = 100
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16: its BOM starts with UTF-16's
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed file: its data and where its top-level keys and list items start (1-based).

    `size` is a YAML file's size in bytes once every alias is written out, or 0 when that is
    the file's own size (JSON, YAML without anchors): what the export's size budget is charged.
    `lines` holds the line of every key and list item of `data`, in the order of a depth-first
    walk of it (`model.field_lines`); empty when unknown (JSON, YAML with anchors).
    """

    display: str
    data: Any
    line: int
    keys: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[int]] = field(default_factory=dict)  # top-level mapping's lists
    top_items: list[int] = field(default_factory=list)  # top-level list's items
    size: int = 0
    lines: array[int] = field(default_factory=lambda: array("I"))


class Problem(Exception):
    """A parse problem at a line and column (0: unknown), turned into an ExportLoadError.

    `final`: a limit of the whole export was reached, and no further file should be read.
    """

    def __init__(
        self, message: str, line: int, column: int = 0, hint: str = "", final: bool = False
    ) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint
        self.final = final


def decode(raw: bytes) -> str:
    """The text of a file; raises Problem for binary files, other encodings and empty files."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise Problem(f"the file is {name} text: save it as UTF-8", 1)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        if b"\x00" in raw[:8192]:
            raise Problem(_BINARY, 1) from None
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        message = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8"
        raise Problem(message, line, column) from None
    if "\x00" in text[:8192]:
        raise Problem(_BINARY, 1)
    if not text.strip():
        raise Problem("empty file: remove it or give it content", 1)
    return text


_BINARY = "a binary file, not YAML or JSON text: remove it, or give it a name aimscheck skips"


def snippet(text: str, line: int, column: int) -> str:
    """The caret snippet of `render_snippet`, cut to a window around the column on long lines."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    end = text.find("\n", start)
    source = text[start : end if end >= 0 else len(text)]
    if len(source) > SNIPPET_WIDTH:
        begin = max(0, min(column - 1 - SNIPPET_WIDTH // 2, len(source) - SNIPPET_WIDTH))
        cut = source[begin : begin + SNIPPET_WIDTH]
        head, tail = ("…" if begin else ""), ("…" if begin + SNIPPET_WIDTH < len(source) else "")
        return render_snippet(head + cut + tail, 1, column - begin + len(head))
    return render_snippet(source, 1, column)


def too_deep(limit: int, line: int, column: int = 0) -> Problem:
    """The problem of data nested past `max_depth` (at the first container past it)."""
    return Problem(
        f"data nested more than {limit} levels deep (max_depth): "
        "an export's records nest a few levels; flatten this value",
        line,
        column,
        how_to_raise("max_depth"),
    )


# A whole number past what Python writes out (4,300 digits): only with max_number_digits raised.
HUGE_NUMBER = "a number of thousands of digits is not data: quote it if it is text"


def number_too_long(length: int, limit: int) -> str:
    """The message of a number written with more characters than `max_number_digits`."""
    return (
        f"a number written with {length:,} characters, past the limit of {limit:,} "
        "(max_number_digits): no data holds such a number; quote it if it is text"
    )


# (records a file may still hold, the export's max_records): the first bounds, the second is told.
Records = tuple[int, int]


def too_many(limit: int, line: int, column: int = 0) -> Problem:
    """The problem of an export holding more records than `max_records` (at the first past it)."""
    return Problem(
        f"the export holds more than {limit:,} records (max_records): reading stopped here",
        line,
        column,
        how_to_raise("max_records"),
        final=True,
    )


def depth_over(data: Any, limit: int) -> bool:
    """Whether mappings and lists sit more than `limit` deep in `data`, walked level by level.

    Iterative on purpose: data nested thousands deep must not reach Python's recursion limit.
    """
    level = [data] if isinstance(data, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[Any] = []
        extend = below.extend
        for value in level:
            values = value.values() if type(value) is dict else value
            extend([v for v in values if type(v) is dict or type(v) is list])
        level = below
    return False


def deep_line(doc: Document, limit: int) -> int:
    """The line of the top-level entry (or list item) that holds data nested past `limit`."""
    data = doc.data
    if isinstance(data, list):
        for index, item in enumerate(data):
            if depth_over(item, limit - 1):
                return doc.top_items[index]
        return doc.line
    for key, value in data.items() if isinstance(data, dict) else ():
        lines = doc.items.get(key, [])
        if isinstance(value, list) and len(lines) == len(value):
            for index, item in enumerate(value):
                if depth_over(item, limit - 2):
                    return lines[index]
        if depth_over(value, limit - 1):
            return doc.keys.get(key, doc.line)
    return doc.line
