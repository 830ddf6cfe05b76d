"""Caret snippets under messages: the right line, the caret under the right character, and
bounded however long the line."""

from __future__ import annotations

import time

import pytest

from aimscheck.source import SNIPPET_WINDOW, Location, render_snippet

ALPHABET = "".join(chr(ord("a") + i % 26) for i in range(1000))  # a long line, no two alike


def caret_char(snippet: str) -> str:
    """The character the caret points at (what the eye reads above it)."""
    source, caret = snippet.split("\n")
    return source[caret.index("^")] if caret.index("^") < len(source) else ""


def test_a_short_line_is_shown_whole() -> None:
    text = 'rule "A" {\n  require\tsys.name == 1\n}\n'
    assert render_snippet(text, 2, 11, 8) == "    require sys.name == 1\n            ^^^^^^^^"


@pytest.mark.parametrize(
    ("line", "column", "expected"),
    [
        (0, 1, ""),  # no such line
        (4, 1, ""),  # past the last line (the text ends with a newline)
        (3, 1, "  }\n  ^"),
        (1, 99, "  a\n   ^"),  # a column past the end: the caret just after the line
        (1, 0, "  a\n  ^"),  # no column: the start of the line
    ],
)
def test_lines_and_columns_out_of_range(line: int, column: int, expected: str) -> None:
    assert render_snippet("a\n\n}\n", line, column) == expected


def test_lines_are_counted_as_the_parsers_count_them() -> None:
    # \r\n ends a line; a form feed or \u2028 inside a line does not start another one.
    text = "one\r\ntwo\x0cstill two\u2028and two\r\nthree"
    assert render_snippet(text, 2, 1) == "  two\x0cstill two\u2028and two\n  ^"
    assert render_snippet(text, 3, 3) == "  three\n    ^"


@pytest.mark.parametrize("column", [1, 2, 60, 61, 62, 500, 880, 940, 941, 999, 1000, 1001])
def test_a_long_line_is_windowed_around_the_column(column: int) -> None:
    snippet = render_snippet(ALPHABET, 1, column, 3)
    source, caret = snippet.split("\n")
    # at most the window and one "…" at each end, plus the two-space indent
    assert len(source) <= 2 + SNIPPET_WINDOW + 2
    assert source.startswith("  …") == (column > SNIPPET_WINDOW // 2 + 1)
    assert source.endswith("…") == (column <= len(ALPHABET) - SNIPPET_WINDOW // 2)
    assert caret.strip() == "^" * min(3, max(1, len(ALPHABET) - column + 1))
    if column <= len(ALPHABET):
        assert caret_char(snippet) == ALPHABET[column - 1]
    else:
        assert caret_char(snippet) == ""  # just after the line's last character


def test_the_caret_of_a_wide_span_stops_at_the_window() -> None:
    snippet = render_snippet(ALPHABET, 1, 500, 10_000)
    source, caret = snippet.split("\n")
    assert caret_char(snippet) == ALPHABET[499]
    assert caret.index("^") + caret.count("^") == len(source) - 1  # up to the "…"


def test_a_megabyte_line_gives_a_small_snippet_fast() -> None:
    # One error per item of such a line used to print the whole line, and a caret line as
    # long, for each: 200 errors made 400 MB of message.
    line = '  require [nope, "' + "x" * 1_000_000 + '"] is set'
    text = 'rule "A" {\n' * 6 + line + "\n}\n"
    started = time.perf_counter()
    snippets = [render_snippet(text, 7, 12, 1_000_000) for _ in range(1000)]
    assert time.perf_counter() - started < 2
    assert all(s == snippets[0] for s in snippets)
    assert len(snippets[0]) < 2 * (SNIPPET_WINDOW + 10)
    assert caret_char(snippets[0]) == "n"
    source = snippets[0].split("\n")[0]
    assert source.startswith("    require [nope") and source.endswith("…")


def test_a_location_prints_as_file_line_column() -> None:
    assert str(Location("r.aims", 3, 7)) == "r.aims:3:7"
    assert str(Location("r.aims", 3)) == "r.aims:3"
