"""Baselines: the findings of an earlier JSON report, so that only new findings fail a run.

A finding is known when the baseline holds a nonconformity, missing evidence or observation with
the same rule id and subject (the message and the grade may have changed). Evaluation errors are
never known, and a result that was waived in the baseline is not part of it: when its waiver
expires it fails. Reports of format 1 (where an observation-graded finding was written as a
nonconformity) and format 2 both load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimscheck.errors import UsageError
from aimscheck.results import Baseline, Outcome, Report
from aimscheck.source import Location

FORMAT_PREFIX = "aimscheck-report/"
SUPPORTED = ("1", "2")  # the report formats this version reads as a baseline
_FINDINGS = frozenset(
    (Outcome.NONCONFORMITY.value, Outcome.MISSING_EVIDENCE.value, Outcome.OBSERVATION.value)
)
_HINT = "give the --json report of an earlier aimscheck run"


def subject_key(subject: Any) -> str:
    """The subject as Result.key() writes it: `collection/id`, a section name, or ""."""
    if subject is None:
        return ""
    if not isinstance(subject, dict) or not isinstance(subject.get("collection"), str):
        raise ValueError("subject must be null or {collection, id}")
    ident = subject.get("id")
    return subject["collection"] if ident is None else f"{subject['collection']}/{ident}"


def load_baseline(path: Path) -> Baseline:
    """Read a JSON report as a baseline; anything else is a UsageError naming the file."""
    from aimscheck.inputfile import Kind, Refused, read_text
    from aimscheck.yamlfile import display

    shown = display(path)
    try:  # a report of a big export is large: bounded like the whole export
        text = read_text(path, Kind("baseline", "max_export_mb", "it is not a report of aimscheck"))
    except FileNotFoundError:
        raise UsageError(f"baseline not found: {shown}", hint=_HINT) from None
    except Refused as exc:
        raise UsageError(exc.message, Location(shown, 1), hint=exc.hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the baseline {shown}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        from aimscheck.export.jsonparse import syntax_error

        error, _ = syntax_error(exc)  # the same words on every Python version
        where = Location(shown, error.lineno, error.colno)
        raise UsageError(f"the baseline is not JSON: {error.msg}", where, hint=_HINT) from None
    form = data.get("format") if isinstance(data, dict) else None
    if not isinstance(form, str) or not form.startswith(FORMAT_PREFIX):
        raise UsageError(f"{shown} is not an aimscheck JSON report (no 'format')", hint=_HINT)
    if form.removeprefix(FORMAT_PREFIX) not in SUPPORTED:
        readable = " and ".join(FORMAT_PREFIX + version for version in SUPPORTED)
        raise UsageError(
            f"the baseline {shown} is in format {form}; this aimscheck reads {readable}",
            hint="regenerate it with this version of aimscheck",
        )
    results = data.get("results")
    if not isinstance(results, list):
        raise UsageError(f"the baseline {shown} has no 'results' list", hint=_HINT)
    keys: set[tuple[str, str]] = set()
    for index, entry in enumerate(results):
        try:
            if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str):
                raise ValueError("each result needs a 'rule' id")
            if entry.get("outcome") in _FINDINGS:
                keys.add((entry["rule"], subject_key(entry.get("subject"))))
        except ValueError as exc:
            raise UsageError(f"the baseline {shown}: results[{index}]: {exc}") from None
    return Baseline(path=shown, keys=frozenset(keys))


@dataclass(frozen=True, slots=True)
class BaselineCounts:
    """How the run compares with its baseline."""

    known: int  # findings the baseline held that are still there (they do not fail the run)
    new: int  # findings the baseline did not hold
    fixed: int  # baseline findings that no longer occur

    def to_dict(self) -> dict[str, int]:
        return {"known": self.known, "new": self.new, "fixed": self.fixed}

    def sentence(self) -> str:
        """`12 known findings remain, 2 new, 3 fixed`."""
        noun = "finding remains" if self.known == 1 else "findings remain"
        return f"{self.known} known {noun}, {self.new} new, {self.fixed} fixed"


def fixed(report: Report) -> list[tuple[str, str]]:
    """The baseline's findings that no longer occur, sorted (rule id, subject).

    Only for a rule this run evaluated: a rule that is disabled, removed or could not be
    evaluated (an error) fixed nothing, it looked at nothing. A finding now waived is still
    there, so it is not fixed either.
    """
    baseline = report.baseline
    if baseline is None:
        return []
    ran = {rule.id for rule in report.rules} | {r.rule.id for r in report.results}
    present: set[tuple[str, str]] = set()
    for result in report.results:
        outcome = result.outcome
        if outcome is Outcome.ERROR:
            ran.discard(result.rule.id)
        elif outcome._value_ in _FINDINGS or outcome is Outcome.WAIVED:
            present.add(result.key())
    return sorted(key for key in baseline.keys - present if key[0] in ran)


def compare(report: Report) -> BaselineCounts | None:
    """The report against its baseline; None when the run had none."""
    baseline = report.baseline
    if baseline is None:
        return None
    findings = [r for r in report.results if r.outcome.value in _FINDINGS]
    known = sum(1 for r in findings if baseline.holds(r))
    return BaselineCounts(known, len(findings) - known, len(fixed(report)))
