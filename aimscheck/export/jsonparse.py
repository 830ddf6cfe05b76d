"""JSON reading by the C decoder, with the line of every top-level key and list item."""

from __future__ import annotations

import bisect
import functools
import json
import re
from array import array
from collections.abc import Iterator
from contextlib import suppress
from json.decoder import scanstring  # type: ignore[attr-defined]  # typeshed omits it
from typing import Any, NoReturn

from aimscheck.export.model import Lines
from aimscheck.export.parsing import (
    HUGE_NUMBER,
    Document,
    Duplicates,
    Problem,
    Records,
    deep_line,
    depth_over,
    number_too_long,
    too_deep,
    too_many,
)
from aimscheck.limits import current, how_to_raise

_WS = re.compile(r"[ \t\n\r]*")
# After a list item: blanks, then `,` and blanks (group 1 set) or the closing `]`.
_NEXT = re.compile(r"[ \t\n\r]*(?:(,)[ \t\n\r]*|\])")
_ID_KEY = re.compile(r'[ \t\n\r]*"(?:id|control)"[ \t\n\r]*:')
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _skip(text: str, offset: int) -> int:
    """The offset of the first non-blank character at or after `offset`."""
    return _WS.match(text, offset).end()  # type: ignore[union-attr]  # `*` always matches


class _Json:
    """JSON by the C decoder, but the top level and its lists are walked here to learn lines."""

    def __init__(self, text: str, records: Records, max_depth: int, max_number: int) -> None:
        self.text, self.duplicates, self.at = text, Duplicates(), 0
        self.max_depth, self.max_number = max_depth, max_number
        # Values that may nest past the limit, with the depth each may have: a value whose text
        # opens fewer brackets than that cannot, and is never walked (nearly every record).
        self.suspects: list[tuple[Any, int]] = []
        self.left, self.max_records = records  # counting the items of top-level lists
        # Numbers reach these hooks as their text: refused by its length before conversion
        # (`int` of 4,300 digits, `float` of any), and a float must come out finite.
        decoder = json.JSONDecoder(
            object_pairs_hook=self.pairs,
            parse_constant=self.constant,
            parse_int=self.whole,
            parse_float=self.fraction,
        )
        # scan_once: the C scanner raw_decode calls (JSONDecoder sets it; typeshed omits it).
        self.decode, self.scan = decoder.raw_decode, decoder.scan_once  # type: ignore[attr-defined]
        self.counted = (0, 1)  # (offset, its line): newlines are counted forward, once
        self.keys: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}

    def document(self, display: str) -> Document:
        text, top = self.text, list[int]()
        start = _skip(text, 0)
        data: Any
        if text.startswith("{", start):
            data, end = self.mapping(start)
        elif text.startswith("[", start):
            data, end = self.array(start, top, self.max_depth - 1)
        else:
            data, end = self.decode(text, start)
        if _skip(text, end) != len(text):
            raise json.JSONDecodeError("Extra data", text, _skip(text, end))
        return Document(display, data, self.item_line(start), self.keys, self.items, top)

    def mapping(self, offset: int) -> tuple[dict[str, Any], int]:
        """The top-level object at `offset` (its `{`) and the offset after it."""
        text, data = self.text, dict[str, Any]()
        offset = _skip(text, offset + 1)
        while not (text.startswith("}", offset) and not data):
            if not text.startswith('"', offset):
                raise json.JSONDecodeError("Expecting property name", text, offset)
            key, offset = self.decode(text, offset)
            line = self.line(offset)
            if key in data:
                message = f"duplicate key {key!r} (first at line {self.keys[key]})"
                self.duplicates.append((message, line, 0))
            self.keys[key], self.items[key] = line, []
            offset = self.expect(":", offset)
            if text.startswith("[", offset):
                data[key], offset = self.array(offset, self.items[key], self.max_depth - 2)
            else:
                self.at = offset
                data[key], offset = self.decode(text, offset)
                self.suspects.append((data[key], self.max_depth - 1))
            offset = _skip(text, offset)
            if text.startswith("}", offset):
                break
            offset = self.expect(",", offset)
        return data, offset + 1

    def array(self, offset: int, lines: list[int], depth: int) -> tuple[list[Any], int]:
        """The list at `offset` (its `[`) and the offset after it; notes each item's line, and
        the items that open more than `depth` brackets (they may nest too deep)."""
        text, items, scan, after = self.text, list[Any](), self.scan, _NEXT.match
        count = text.count
        record_key, suspects = _ID_KEY.match, self.suspects
        offset = _skip(text, offset + 1)
        if text.startswith("]", offset):
            return items, offset + 1
        while True:  # the hot loop, once per record: keep it lean
            self.left -= 1
            if self.left < 0:
                raise too_many(self.max_records, self.item_line(offset))
            # The item's line: that of `"id":` when it is a record's first key (as `- id:` in
            # YAML), else that of its start; newlines are counted forward from the last one.
            found = record_key(text, offset + 1) if text.startswith("{", offset) else None
            at = found.end() - 1 if found else offset
            start, line = self.counted if at >= self.counted[0] else (0, 1)
            self.counted = (at, line + count("\n", start, at))
            lines.append(self.counted[1])
            self.at = offset
            try:
                item, end = scan(text, offset)  # a trailing comma fails here, as in JSON
            except StopIteration as stop:  # what the decoder's raw_decode turns into this:
                raise json.JSONDecodeError("Expecting value", text, stop.value) from None
            items.append(item)
            if count("{", offset, end) + count("[", offset, end) > depth:
                suspects.append((item, depth))
            found = after(text, end)
            if found is None:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, _skip(text, end))
            offset = found.end()
            if found.group(1) is None:  # the closing bracket
                return items, offset

    def expect(self, delimiter: str, offset: int) -> int:
        """The offset after `delimiter` (which must come next) and the blanks after it."""
        offset = _skip(self.text, offset)
        if not self.text.startswith(delimiter, offset):
            raise json.JSONDecodeError(f"Expecting '{delimiter}' delimiter", self.text, offset)
        return _skip(self.text, offset + 1)

    def line(self, offset: int) -> int:
        start, line = self.counted if offset >= self.counted[0] else (0, 1)
        self.counted = (offset, line + self.text.count("\n", start, offset))
        return self.counted[1]

    def item_line(self, offset: int) -> int:
        """The line of `"id":` when it is a record's first key (as `- id:` in YAML), else here."""
        match = _ID_KEY.match(self.text, offset + 1) if self.text.startswith("{", offset) else None
        return self.line(match.end() - 1 if match else offset)

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            keys = [key for key, _ in pairs]
            name = next(key for i, key in enumerate(keys) if key in keys[:i])
            # The decoder gives no positions: point at the record (or value) being decoded.
            message = f"duplicate key {name!r} in this record: keep one (JSON keeps the last)"
            self.duplicates.append((message, self.line(self.at), 0))
        return obj

    def constant(self, name: str) -> NoReturn:
        """NaN and Infinity: Python's decoder takes them, JSON does not."""
        raise Problem(f"{name} is not JSON: give a number, or quote it", self.line(self.at))

    def whole(self, text: str) -> int:
        if len(text) > self.max_number:
            raise self.too_long(text)
        try:
            return int(text)
        except ValueError:  # more digits than Python converts (4,300): only past a raised limit
            raise Problem(HUGE_NUMBER, self.number_line(text)) from None

    def fraction(self, text: str) -> float:
        if len(text) > self.max_number:
            raise self.too_long(text)
        value = float(text)
        if value - value != 0:  # infinity (`1e400`): NaN cannot be written as a JSON number
            message = (
                f"the number {text} is out of range (past ±1.8e308, it would be infinity): "
                "no data holds such a number; quote it if it is text"
            )
            raise Problem(message, self.number_line(text))
        return value

    def too_long(self, text: str) -> Problem:
        message = number_too_long(len(text), self.max_number)
        return Problem(message, self.number_line(text), hint=how_to_raise("max_number_digits"))

    def number_line(self, text: str) -> int:
        """The line of a number the decoder is reading: the hooks get its text, not where it
        is, so it is looked for from the start of the value being decoded."""
        found = self.text.find(text, self.at)
        return self.line(found if found >= 0 else self.at)


def parse_json(
    text: str, display: str, max_depth: int, records: Records, max_number: int | None = None
) -> tuple[Document, Duplicates]:
    """Parse one JSON file within the limits: nesting, the items of top-level lists (the
    records) and the characters of a number (`max_number`, default: the limit in force).
    Numbers and text stay as JSON defines them."""
    limit = current().max_number_digits if max_number is None else max_number
    reader = _Json(text, records, max_depth, limit)
    try:
        doc = reader.document(display)
    except json.JSONDecodeError as exc:
        exc, hint = syntax_error(exc)
        raise Problem(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno, hint) from None
    except RecursionError:  # the C decoder stops near Python's recursion limit: far past ours
        raise too_deep(max_depth, reader.line(reader.at)) from None
    if any(depth_over(value, depth) for value, depth in reader.suspects):
        raise too_deep(max_depth, deep_line(doc, max_depth))
    if "\\u" in text:
        _lone_surrogate(text)
    return doc, reader.duplicates


def syntax_error(exc: json.JSONDecodeError) -> tuple[json.JSONDecodeError, str]:
    """The decoder's error, and a hint, in words that do not change with the Python version:
    a trailing comma is "Illegal trailing comma" at the comma from 3.13, and before it what
    was expected after the comma, at the bracket; both become one message at the comma."""
    text, at = exc.doc, exc.pos
    closing = _skip(text, at + 1) if text.startswith(",", at) else at
    comma = closing
    while comma > 0 and text[comma - 1] in " \t\n\r":
        comma -= 1
    comma -= 1
    if comma >= 0 and text[comma] == "," and text.startswith(("}", "]"), closing):
        message = f"a comma before the closing '{text[closing]}'"
        hint = "remove the comma: JSON allows none after the last item"
        return json.JSONDecodeError(message, text, comma), hint
    return exc, "check the commas, brackets and quotes here and on the line before"


def _lone_surrogate(text: str) -> None:
    """Refuse `\\ud800` without its pair: such text cannot be written as UTF-8 (reports)."""
    for match in _SURROGATE.finditer(text):
        start = before = match.start()
        while before and text[before - 1] == "\\":
            before -= 1
        if (start - before) % 2:  # `\\ud800` is a backslash and letters, not an escape
            continue
        high = match.group()[3].lower() in "89ab"
        pair = text[match.end() : match.end() + 6] if high else text[start - 6 : start]
        partner = _SURROGATE.fullmatch(pair)
        if partner is None or (partner.group()[3].lower() in "89ab") == high:
            line = text.count("\n", 0, start) + 1
            message = f"{match.group()} is half of a character (a lone surrogate): fix the text"
            raise Problem(message, line, start - text.rfind("\n", 0, start))


# ---- where the keys and items of JSON text are, asked only for the fields of an error

# (key or index, offset of the key or item, offset of its value)
_Entry = tuple[str | int, int, int]


@functools.lru_cache(maxsize=4)
def _breaks(text: str) -> array[int]:
    """The offset of every line break of `text`, found once per text: the lines of a file's
    records are asked record by record (each finding about a field), in any order, and
    counting from the start of a big file each time would cost its size per record."""
    out: array[int] = array("q")
    find, at = text.find, text.find("\n")
    while at >= 0:
        out.append(at)
        at = find("\n", at + 1)
    return out


class _Walk:
    """JSON text read again beside the data it was decoded to, to learn lines (error path)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner
        self.at = 0  # where reading goes on: after the value last read

    def line(self, offset: int) -> int:
        return bisect.bisect_left(_breaks(self.text), offset) + 1

    def skip(self, offset: int) -> None:
        """Read past the value at `offset` (the C scanner reads it)."""
        self.at = int(self.scan(self.text, offset)[1])

    def entries(self, offset: int) -> Iterator[_Entry]:
        """The entries of the mapping or list at `offset`, in order; before asking for the next
        one, the caller reads past the value (`skip`, or the entries of a mapping or list)."""
        text = self.text
        closing = "}" if text.startswith("{", offset) else "]"
        self.at = _skip(text, offset + 1)
        index = 0
        while not text.startswith(closing, self.at):
            if index:
                if not text.startswith(",", self.at):
                    raise ValueError("not the text of this data")
                self.at = _skip(text, self.at + 1)
            if closing == "}":
                key, end = scanstring(text, self.at + 1)
                yield key, self.at, _skip(text, _skip(text, end) + 1)
            else:
                yield index, self.at, self.at
            index += 1
            self.at = _skip(text, self.at)
        self.at += 1


_MISMATCH = (ValueError, LookupError, TypeError, StopIteration)  # text that is not this data


def starts(text: str, data: Any) -> dict[int, int]:
    """`id()` -> offset in `text` of its data, of each value of a top-level mapping and of each
    item of a top-level list (records and sections); the C scanner skips over the values."""
    walk = _Walk(text)
    at = _skip(text, 0)
    out = {id(data): at}
    with suppress(*_MISMATCH):
        if isinstance(data, dict | list):
            for key, _, value_at in walk.entries(at):
                value = data[key]  # type: ignore[index]
                out[id(value)] = value_at
                if isinstance(value, list) and isinstance(data, dict):
                    for index, item_at, _ in walk.entries(value_at):
                        out[id(value[int(index)])] = item_at
                        walk.skip(item_at)
                else:
                    walk.skip(value_at)
    return out


def field_lines(text: str, offset: int, node: Any) -> Lines:
    """The line of every key and item of `node` and of the mappings and lists inside it, read
    from its JSON text at `offset`; {} when the text is not that of the node."""
    walk, out = _Walk(text), Lines()
    stack = [(node, walk.entries(offset))]
    out[id(node)] = {} if isinstance(node, dict) else []
    try:
        while stack:
            current, entries = stack[-1]
            own = out[id(current)]
            for key, key_at, value_at in entries:
                if isinstance(own, dict):
                    own[str(key)] = walk.line(key_at)
                else:
                    own.append(walk.line(key_at))
                value = current[key]
                if isinstance(value, dict | list) and text[value_at] in "{[":
                    out[id(value)] = {} if isinstance(value, dict) else []
                    stack.append((value, walk.entries(value_at)))
                    break
                walk.skip(value_at)
            else:
                stack.pop()
    except _MISMATCH:
        return {}
    return out
