"""`matches` with RE2: linear-time matching, so no pattern can backtrack catastrophically.

Python's `re` backtracks: `(a+)+$` on forty `a`s and a `!` runs for minutes, and no timeout can
stop it from Python. RE2 (google-re2) runs a DFA, falling back to a bounded NFA simulation: the
time of a search grows with (text length x program size), never exponentially. It refuses
backreferences and lookaround, which need backtracking. What is left bounded here: the pattern's
length (max_regex_pattern), the program's and automaton's memory (1 MB), the text searched
(max_regex_subject) and the total work, charged to the rule's evaluation budget before each
search at its measured worst case (benchmarks/bench_regex.py).
"""

from __future__ import annotations

import functools
from typing import Any

from aimscheck.budget import charge
from aimscheck.errors import EvaluationError
from aimscheck.limits import current, how_to_raise
from aimscheck.values import MISSING, kind

# Bounds the program and the automaton RE2 may build for one pattern: a program of up to about
# 40,000 instructions (larger ones are refused when the rule is read: they would cost too much
# to search anyway) and a DFA cache of about 0.4 MB. With 8 MB, a DFA kept 3 MB per pattern,
# and a pack of a few hundred patterns could hold a gigabyte within its budget.
MAX_MEMORY = 1 << 20
# The charge of one search, in budget steps: 1 + (bytes of the text) x (program size +
# PER_BYTE) / STEP_WORK. Calibrated on RE2's slow path by benchmarks/bench_regex.py (see
# docs/security.md, "Regular expressions"): when its DFA runs out of memory, RE2 simulates the
# NFA, as slowly as 155 to 240 program instructions x bytes per microsecond (patterns such as
# ([a!]*a){1000}[xy]: 13 to 19 us per byte), and small patterns that blow the DFA up, such as
# (a|b)*a(a|b){100}c (107 instructions), take up to 0.6 us per byte: the cost per byte that
# PER_BYTE stands for. One step is then at most about a quarter of a microsecond of the slowest
# search measured (an evaluation step takes about half of one): the rule's budget bounds the
# real worst case, and a search its budget cannot pay for is never started.
PER_BYTE = 50
STEP_WORK = 50


class RegexError(ValueError):
    """A pattern RE2 cannot compile (syntax error, backreference, lookaround, too large)."""


class Regex:
    """A compiled pattern; `search` is missing-safe and refuses text that is not text."""

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled
        # The forward program finds where a match ends, the reverse one where it starts.
        self.size: int = max(compiled.programsize, compiled.reverseprogramsize)

    def search(self, value: object) -> bool:
        if value is MISSING or value is None:
            return False
        if not isinstance(value, str):
            raise EvaluationError(f"'matches' needs text, got {kind(value)}")
        limit = current().max_regex_subject
        if len(value) > limit:
            raise EvaluationError(
                f"text of {len(value)} characters is longer than 'matches' reads ({limit}, "
                f"max_regex_subject); {how_to_raise('max_regex_subject')}"
            )
        steps = self.cost(value)
        # Advice only for searches that cost something (making it costs about a microsecond).
        charge(steps, self._advice(len(value), steps) if steps > 1_000 else "")
        return self._compiled.search(value) is not None

    def _advice(self, length: int, steps: int) -> str:
        """What to say when a search is what spends the budget (only costly ones can)."""
        return (
            f"searching {length:,} characters with '{self.pattern[:60]}"
            f"{'…' if len(self.pattern) > 60 else ''}' ({self.size:,} instructions) costs "
            f"{steps:,} steps at RE2's worst; a pattern with fewer counted repetitions "
            "(such as {1000} or .{0,100}) or a shorter text costs less"
        )

    def cost(self, text: str) -> int:
        """The budget steps a search of `text` is charged: its worst case (see STEP_WORK)."""
        # RE2 reads UTF-8: a character is 1 to 4 bytes (isascii is free: CPython knows).
        size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        return 1 + size * (self.size + PER_BYTE) // STEP_WORK


def compile_regex(pattern: str) -> Regex:
    """The compiled pattern; raises RegexError, with RE2's reason, when it cannot be."""
    limit = current().max_regex_pattern
    if len(pattern) > limit:
        # No ": " in this message: the compiler keeps RE2's reason up to the first one.
        raise RegexError(
            f"pattern longer than {limit} characters (max_regex_pattern, set by "
            "AIMSCHECK_MAX_REGEX_PATTERN or --limit max_regex_pattern=N)"
        )
    return _compile(pattern)


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> Regex:
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_MEMORY
    options.never_capture = True  # `matches` only asks whether: no groups to extract (slow)
    try:
        return Regex(pattern, re2.compile(pattern, options))
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RegexError(str(detail)) from None
