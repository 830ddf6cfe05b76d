"""The HTML report's readiness section, one table per framework asked for (`--framework`)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from aimscheck.reporters.frameworks_text import LABELS, SHOWN, notes, tally_sentence, worst

if TYPE_CHECKING:
    from aimscheck.frameworks.view import FrameworkView, RequirementView
    from aimscheck.results import Report

# Badge classes the page's style already has (html_style.py): no new CSS.
_BADGES: dict[str, str] = {
    "shown": "ok",
    "partly_shown": "observation",
    "gaps": "major",
    "cannot_show": "minor",
    "not_applicable": "known",
}


def section(report: Report) -> str:
    """The section, or "" when no framework was asked for."""
    if not report.frameworks:
        return ""
    tables = "".join(_framework(view) for view in report.frameworks)
    return (
        '<section class="card" id="frameworks"><h2>Framework readiness</h2>'
        '<p class="lead">What the ISO/IEC 42001 evidence and rules already show for each '
        "requirement of another framework, what they cannot show either way, and which systems "
        "each one reaches. Readiness, not a conformity assessment or legal advice.</p>"
        f"{tables}</section>"
    )


def _framework(view: FrameworkView) -> str:
    framework = view.framework
    rows = "".join(_row(row) for row in view.rows)
    return (
        f"<h3>{escape(framework.title)}</h3>"
        f'<p class="note">{escape(framework.edition)}: {escape(tally_sentence(view))}</p>'
        f"<table><thead><tr><th>{escape(framework.unit.capitalize())}</th><th>Status</th>"
        "<th>Backed by</th><th>Systems</th><th>Note</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _row(row: RequirementView) -> str:
    badge = f'<span class="badge {_BADGES[row.status]}">{escape(LABELS[row.status])}</span>'
    backing = ", ".join(f"<code>{escape(b.rule)}</code>" for b in row.backing[:SHOWN])
    if len(row.backing) > SHOWN:
        backing += f" +{len(row.backing) - SHOWN}"
    systems = ", ".join(f"<code>{escape(r.system.id)}</code>" for r in row.reached("applies"))
    said = [escape(note) for note in notes(row)]
    for finding in worst(row):
        where = f" at {finding.location.file}:{finding.location.line}" if finding.location else ""
        said.append(f"fix <code>{escape(finding.rule.id)}</code>{escape(where)}")
    return (
        f'<tr data-status="{row.status}"><td><code>{escape(row.label)}</code> '
        f"{escape(row.requirement.title)}</td><td>{badge}</td><td>{backing or '—'}</td>"
        f"<td>{systems or '—'}</td><td>{'<br>'.join(said)}</td></tr>"
    )
