"""Whole outputs printed for a terminal or CI log: the repo's data shown, never acted on."""

from __future__ import annotations

import re
import sys

# What a terminal or a CI log would act on instead of showing, beyond the C0 controls (ESC starts
# terminal sequences, BEL rings, NUL cuts the line, a newline starts a line of its own): DEL and
# the C1 controls, the line and paragraph separators, and the bidirectional controls that reorder
# what is displayed.
_ACTED_ON = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSEEN = re.compile(f"[\x00-\x1f{_ACTED_ON}]")
# Azure's `##vso[` and `##[`, TeamCity's `##teamcity[`: anywhere in a line.
_CI_COMMAND = r"##(?=[A-Za-z]*\[)"
# CI workflow commands: also GitHub's `::name ...::` at the start of a line (blanks before it are
# skipped by the runner).
_COMMAND = re.compile(rf"^(\s*)::|{_CI_COMMAND}")
# What JSON leaves as it is (it escapes C0 itself); its `##` is only ever inside a string.
_JSON_UNSEEN = re.compile(f"[{_ACTED_ON}]")
_JSON_COMMAND = re.compile(_CI_COMMAND)
JSON_FORMATS = frozenset({"json", "sarif"})


def visible(text: str) -> str:
    """`text` as data to show in a terminal or CI log, never to act on: each control character
    as its code (`\\x1b`, `\\n`, `\\u202e`), so that a value never starts a line of its own, and
    a CI workflow command broken by writing one character as its code (`\\x3a:error`)."""
    if text.isprintable() and "::" not in text and "##" not in text:
        return text  # nearly every text: one C-level scan
    return _COMMAND.sub(_defuse, _UNSEEN.sub(_code, text))


def _code(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _defuse(match: re.Match[str]) -> str:
    blanks = match.group(1)
    return "\\x23#" if blanks is None else f"{blanks}\\x3a:"


def printable(text: str, fmt: str = "text") -> str:
    """`text`, a whole output in format `fmt`, as it may be printed.

    JSON stays the same JSON: a character a terminal would act on becomes its `\\uXXXX`
    escape and a CI command's `##` is written `#\\u0023` (both only ever inside strings,
    which read back the same). Any other format is escaped line by line (`visible`): its
    lines stay lines, and control characters and workflow commands in them are shown. A
    newline inside a value must be escaped where the value is put in a line; this is the
    last guard of a whole output, not a substitute for that.
    """
    if fmt in JSON_FORMATS:
        if text.isascii() and "\x7f" not in text and "##" not in text:
            return text  # nearly every output: one C-level scan
        return _JSON_COMMAND.sub("#\\\\u0023", _JSON_UNSEEN.sub(_unicode_escape, text))
    return "\n".join(map(visible, text.split("\n")))


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def stdout_is_terminal() -> bool:
    """Standard output is a terminal someone reads (not a pipe, a file or a CI log)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced or closed: not a terminal
        return False
