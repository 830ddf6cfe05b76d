"""Exact rule tests: what a case asserts of one subject besides its outcome, and the check.

A subject's expectation is an outcome (`nonconformity`), or a mapping that also asserts the
finding's message (`message`, exact; `message_matches`, a pattern found in it), which
requirements failed (`failed`: numbers counting the rule's `require` and `evidence` lines from
1, or the text of the line's condition) and the reason codes of its proofs (`reasons`).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimscheck.results import Result

EXPECT_KEYS = ("outcome", "message", "message_matches", "failed", "reasons")


@dataclass(frozen=True)
class Expectation:
    """One subject's expected result; None: not asserted."""

    outcome: str
    message: str | None = None
    pattern: str | None = None  # `message_matches`: an RE2 pattern searched in the message
    failed: tuple[int | str, ...] | None = None  # as written: numbers or condition texts
    reasons: tuple[str, ...] | None = None
    failed_line: int = 0  # of `failed:` in the test file


def problems(value: dict[Any, Any]) -> list[tuple[object, str]]:
    """Every way a mapping expectation is malformed: (its key, or None for the mapping; why)."""
    found: list[tuple[object, str]] = []
    for key in value:
        if key not in EXPECT_KEYS:
            close = difflib.get_close_matches(str(key), EXPECT_KEYS, n=1, cutoff=0.6)
            guess = f"did you mean '{close[0]}'?" if close else f"use {', '.join(EXPECT_KEYS)}"
            found.append((key, f"unknown key '{key}' in an expected result: {guess}"))
    if "outcome" not in value:
        found.append(
            (None, "an expected result given as a mapping needs its outcome: outcome: ...")
        )
    return found


def requirements(rule: Any) -> list[str]:
    """The conditions of the rule's requirements as written, on one line each (its `require`
    and `evidence` lines, in order: the numbers `failed:` counts)."""
    from aimscheck.dsl import nodes as n
    from aimscheck.dsl.sourcetext import expression_text

    where = rule.info.location
    # The text compiled; a rule built without it (by hand, in a test) is read from its file.
    lines = rule.text.splitlines() if rule.text or where is None else _lines(where.file)
    out: list[str] = []
    for stmt in rule.ast.body:
        if isinstance(stmt, n.Require | n.EvidenceStmt):
            e = stmt.cond if isinstance(stmt, n.Require) else stmt.expr
            out.append(" ".join(expression_text(lines, e).split()))
    return out


@functools.lru_cache(maxsize=64)
def _lines(file: str) -> list[str]:
    try:
        return Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):  # read when the rules were: gone since
        return []


def resolve(failed: Sequence[int | str], written: list[str]) -> tuple[list[int], str | None]:
    """The requirement numbers `failed` names, or why one names none of the rule's."""
    numbers: list[int] = []
    for item in failed:
        if isinstance(item, int):
            if not 1 <= item <= len(written):
                return [], (
                    f"failed: {item} is not a requirement of the rule: it has {len(written)} "
                    "(its require and evidence lines, counted from 1)"
                )
            numbers.append(item)
            continue
        text = " ".join(item.split())
        found = [i for i, source in enumerate(written, 1) if source == text]
        found = found or [i for i, source in enumerate(written, 1) if text in source]
        if len(found) != 1:
            close = difflib.get_close_matches(text, written, n=1, cutoff=0.6)
            why = "is the text of none" if not found else "is in several"
            guess = f": did you mean '{close[0]}'?" if close and not found else ""
            return [], f"failed: '{text}' {why} of the rule's requirements{guess}"
        numbers.append(found[0])
    return sorted(set(numbers)), None


def failed_numbers(result: Result) -> list[int]:
    """The requirements a result's finding lists as failed."""
    return sorted({f.requirement for f in result.failures if f.requirement})


def reason_codes(result: Result) -> list[str]:
    """The reason codes of the subject's proofs that are not sound (`ok` left out)."""
    return sorted({check.status for check in result.evidence if not check.ok})


def differences(
    subject: str, expected: Expectation, result: Result, numbers: list[int] | None
) -> list[str]:
    """What differs between an expectation and the subject's result, expected vs actual."""
    from aimscheck.dsl.regex import compile_regex

    out: list[str] = []
    got = result.message
    if expected.message is not None and got != expected.message:
        out.append(f'{subject}: message: expected "{expected.message}", got "{got}"')
    if expected.pattern is not None and not compile_regex(expected.pattern).search(got):
        out.append(f'{subject}: message: expected a match of /{expected.pattern}/, got "{got}"')
    if numbers is not None and failed_numbers(result) != numbers:
        out.append(
            f"{subject}: failed requirements: expected {_listed(numbers)}, "
            f"got {_listed(failed_numbers(result))}"
        )
    if expected.reasons is not None and reason_codes(result) != sorted(set(expected.reasons)):
        out.append(
            f"{subject}: evidence reasons: expected {_listed(sorted(set(expected.reasons)))}, "
            f"got {_listed(reason_codes(result))}"
        )
    return out


def _listed(items: Sequence[object]) -> str:
    return "[" + ", ".join(map(str, items)) + "]" if items else "none"
