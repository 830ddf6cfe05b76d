"""`matches` with RE2: linear-time matching, so no pattern can backtrack catastrophically."""

from __future__ import annotations

import functools
from typing import Any

from aimscheck.errors import EvaluationError
from aimscheck.values import MISSING, kind

# Text longer than this is not searched: a rule about a field never needs megabytes of it.
MAX_SUBJECT = 100_000
MAX_PATTERN = 1_000


class RegexError(ValueError):
    """A pattern RE2 cannot compile (syntax error, backreference, lookaround, too large)."""


class Regex:
    """A compiled pattern; `search` is missing-safe and refuses text that is not text."""

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled

    def search(self, value: object) -> bool:
        if value is MISSING or value is None:
            return False
        if not isinstance(value, str):
            raise EvaluationError(f"'matches' needs text, got {kind(value)}")
        if len(value) > MAX_SUBJECT:
            raise EvaluationError(
                f"text of {len(value)} characters is longer than 'matches' reads ({MAX_SUBJECT})"
            )
        return self._compiled.search(value) is not None


@functools.cache
def compile_regex(pattern: str) -> Regex:
    if len(pattern) > MAX_PATTERN:
        raise RegexError(f"pattern longer than {MAX_PATTERN} characters")
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20  # bounds the automaton RE2 may build for one pattern
    try:
        return Regex(pattern, re2.compile(pattern, options))
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RegexError(str(detail)) from None
