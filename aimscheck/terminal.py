"""Whole outputs printed for a terminal or CI log: the repo's data shown, never acted on."""

from __future__ import annotations

import re

# What JSON leaves as it is but a terminal or CI log would act on: DEL and the C1 controls, the
# line and paragraph separators and the bidirectional controls (JSON escapes C0 itself).
_JSON_UNSEEN = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Azure's `##vso[` and `##[`, TeamCity's `##teamcity[`: in JSON, only ever inside a string.
_JSON_COMMAND = re.compile(r"##(?=[A-Za-z]*\[)")
JSON_FORMATS = frozenset({"json", "sarif"})


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
    from aimscheck.reporters.text import visible

    return "\n".join(map(visible, text.split("\n")))


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"
