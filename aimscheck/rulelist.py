"""Selecting rules by their metadata and printing them as a list, a catalogue or a matrix."""

from __future__ import annotations

import json
from collections.abc import Sequence

from aimscheck.results import RuleInfo


def _under(ident: str, wanted: Sequence[str]) -> bool:
    """`6.1.2` is under `6.1` and `6`; `A.5.2` under `A.5`."""
    return any(ident == w or ident.startswith(w + ".") for w in wanted)


def select(
    rules: Sequence[RuleInfo],
    clauses: Sequence[str] = (),
    controls: Sequence[str] = (),
    phases: Sequence[str] = (),
    tags: Sequence[str] = (),
    severities: Sequence[str] = (),
) -> list[RuleInfo]:
    """The rules every given filter admits (values of one filter are alternatives)."""
    out = []
    for rule in rules:
        if clauses and not any(_under(c, clauses) for c in rule.clauses):
            continue
        if controls and not any(_under(c, controls) for c in rule.controls):
            continue
        if phases and rule.phase not in phases:
            continue
        if tags and not set(tags) & set(rule.tags):
            continue
        if severities and rule.severity.value not in severities:
            continue
        out.append(rule)
    return out


def table(rules: Sequence[RuleInfo]) -> str:
    """One line per rule: id, severity, phase, clauses and controls, title."""
    rows = [
        (
            r.id,
            r.severity.value,
            r.phase,
            ", ".join((*r.clauses, *r.controls)),
            r.title,
        )
        for r in rules
    ]
    if not rows:
        return "no rule matches"
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    ]
    return "\n".join(lines) + f"\n{len(rows)} rule(s)"


def coverage_text(rules: Sequence[RuleInfo]) -> str:
    from aimscheck.docgen import coverage_rows

    rows = coverage_rows(rules)
    width = max(len(ident) for ident, _, _ in rows)
    missing = [ident for ident, _, ok in rows if not ok]
    lines = [f"{ident.ljust(width)}  {text}" for ident, text, _ in rows]
    lines.append(
        f"{len(rows) - len(missing)} of {len(rows)} covered"
        + (f"; not covered: {', '.join(missing)}" if missing else "")
    )
    return "\n".join(lines)


def render(rules: Sequence[RuleInfo], fmt: str, matrix: bool = False) -> str:
    """`text`, `markdown` (the catalogue) or `json`, of the rules or of their coverage."""
    from aimscheck.docgen import coverage, coverage_markdown, coverage_rows, rules_markdown

    if matrix:
        if fmt == "markdown":
            return coverage_markdown(rules) + "\n"
        if fmt == "json":
            rows = coverage_rows(rules)
            return json.dumps(
                {
                    "coverage": {k: list(v) for k, v in coverage(rules).items()},
                    "not_covered": [ident for ident, _, ok in rows if not ok],
                },
                indent=2,
            )
        return coverage_text(rules)
    if fmt == "markdown":
        return rules_markdown(rules)
    if fmt == "json":
        return json.dumps(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "severity": r.severity.value,
                    "phase": r.phase,
                    "clauses": list(r.clauses),
                    "controls": list(r.controls),
                    "tags": list(r.tags),
                    "description": r.description,
                    "fix": r.fix,
                    "location": None if r.location is None else str(r.location),
                }
                for r in rules
            ],
            indent=2,
        )
    return table(rules)
