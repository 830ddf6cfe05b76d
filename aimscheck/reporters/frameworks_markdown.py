"""The Markdown summary's readiness tables, one per framework asked for (`--framework`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aimscheck.reporters.frameworks_text import LABELS, SHOWN, notes, tally_sentence, worst
from aimscheck.reporters.markdown import code, text

if TYPE_CHECKING:
    from aimscheck.frameworks.view import FrameworkView, RequirementView
    from aimscheck.results import Report

_ICONS: dict[str, str] = {
    "shown": "✅",
    "partly_shown": "🟡",
    "gaps": "❌",
    "cannot_show": "❔",
    "not_applicable": "➖",
}


def section(report: Report) -> list[str]:
    """A heading and a collapsed table per framework; [] when none was asked for."""
    out: list[str] = []
    for view in report.frameworks:
        out += ["", *_framework(view)]
    if out:
        out += [
            "",
            "Readiness read from the ISO/IEC 42001 evidence and rules: not a conformity "
            "assessment and not legal advice (docs/frameworks.md).",
        ]
    return out


def _framework(view: FrameworkView) -> list[str]:
    framework = view.framework
    unit = framework.unit.capitalize()
    rows = [
        f"### {text(framework.title)} readiness",
        "",
        f"{text(framework.edition)}: {text(tally_sentence(view))}.",
        "",
        f"<details><summary>{unit} by {unit.lower()}</summary>",
        "",
        f"| {unit} | Status | Backed by | Systems | Note |",
        "|---|---|---|---|---|",
    ]
    rows += [_row(row) for row in view.rows]
    return [*rows, "", "</details>"]


def _row(row: RequirementView) -> str:
    status = f"{_ICONS[row.status]} {LABELS[row.status]}"
    backing = ", ".join(code(b.rule) for b in row.backing[:SHOWN])
    if len(row.backing) > SHOWN:
        backing += f" +{len(row.backing) - SHOWN}"
    systems = ", ".join(code(r.system.id) for r in row.reached("applies")[:SHOWN])
    said = [text(note) for note in notes(row)]
    for finding in worst(row):
        where = f"{finding.location.file}:{finding.location.line}" if finding.location else ""
        said.append(
            f"fix {code(finding.rule.id)} at {code(where)}" if where else code(finding.rule.id)
        )
    title = f"{code(row.label)} {text(row.requirement.title)}"
    return f"| {title} | {status} | {backing or '—'} | {systems or '—'} | {'; '.join(said)} |"
