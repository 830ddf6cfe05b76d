"""`matches` with RE2: linear-time matching, so no pattern can backtrack catastrophically.

Python's `re` backtracks: `(a+)+$` on forty `a`s and a `!` runs for minutes, and no timeout can
stop it from Python. RE2 (google-re2) runs a DFA, falling back to a bounded NFA simulation: the
time of a search grows with (text length x program size), never exponentially. It refuses
backreferences and lookaround, which need backtracking. What is left bounded here: the pattern's
length (max_regex_pattern), the automaton's memory (8 MB), the text searched
(max_regex_subject) and the total work, charged to the rule's evaluation budget.
"""

from __future__ import annotations

import functools
from typing import Any

from aimscheck.budget import charge
from aimscheck.errors import EvaluationError
from aimscheck.limits import current, how_to_raise
from aimscheck.values import MISSING, kind

MAX_MEMORY = 8 << 20  # bounds the automaton RE2 may build for one pattern
# A search's worst case costs about (text length x program size) / STEP_WORK budget steps: the
# NFA fallback runs about 2,000 such units in the time of one evaluation step (a microsecond).
STEP_WORK = 2_000


class RegexError(ValueError):
    """A pattern RE2 cannot compile (syntax error, backreference, lookaround, too large)."""


class Regex:
    """A compiled pattern; `search` is missing-safe and refuses text that is not text."""

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled
        self._size: int = compiled.programsize

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
        charge(len(value) * self._size // STEP_WORK)
        return self._compiled.search(value) is not None


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
    try:
        return Regex(pattern, re2.compile(pattern, options))
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RegexError(str(detail)) from None
