"""The text output's readiness tables, one per framework asked for (`--framework`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aimscheck.frameworks.view import FrameworkView, RequirementView
    from aimscheck.results import Report, Result

LABELS: dict[str, str] = {
    "shown": "shown",
    "partly_shown": "partly shown",
    "gaps": "gaps",
    "cannot_show": "cannot show",
    "not_applicable": "not applicable",
}
# Findings or unstated systems listed under one requirement; the JSON report has them all.
SHOWN = 3


def tally_sentence(view: FrameworkView) -> str:
    """`31 obligations: 2 shown, 4 partly shown, 1 gaps, 20 cannot show, 4 not applicable`."""
    tally = view.tally()
    parts = ", ".join(f"{n} {LABELS[status]}" for status, n in tally.items() if n)
    count = len(view.rows)
    unit = view.framework.unit if count == 1 else view.framework.units
    return f"{count} {unit}: {parts}"


def lines(report: Report) -> list[str]:
    """Each framework's table: requirement, status, backing rules, systems reached, and the
    records to fix (a finding's line, or the system whose role or class is not stated)."""
    out: list[str] = []
    for view in report.frameworks:
        framework = view.framework
        out += ["", f"{framework.title} readiness ({framework.edition}): {tally_sentence(view)}"]
        out += _unstated(view)
        width = max((len(row.label) for row in view.rows), default=0)
        for row in view.rows:
            out.append(f"  {row.label:<{width}}  {LABELS[row.status]:<14} {_detail(row)}")
            out += [f"  {'':<{width}}    {line}" for line in _records(row)]
    if report.frameworks:
        out.append("  (readiness from the ISO 42001 evidence, not a conformity assessment)")
    return out


def _detail(row: RequirementView) -> str:
    rules = len(row.backing)
    parts = [f"{rules} rule{'' if rules == 1 else 's'}" if rules else "no rule"]
    reached = row.reached("applies")
    if reached:
        parts.append("systems: " + _ids([r.system.id for r in reached]))
    if row.in_force_note:
        parts.append(row.in_force_note)
    if row.status not in ("shown", "partly_shown") or row.requirement.by_class:
        parts.append(row.explanation)
    if row.unchecked:
        parts.append(row.unchecked)
    if row.unstated_note:
        parts.append(row.unstated_note)
    return "; ".join(parts)


def notes(row: RequirementView) -> list[str]:
    """A table's note cell (HTML, Markdown), unescaped: why the row has its status (unless the
    rules show it), what the unrun pack would check, the systems not stated, the dates to come."""
    out = []
    if row.status not in ("shown", "partly_shown") or row.requirement.by_class:
        out.append(row.explanation)
    return out + [note for note in (row.unchecked, row.unstated_note, row.in_force_note) if note]


def worst(row: RequirementView) -> list[Result]:
    """The requirement's open findings worst first (as the findings list orders them), at most
    SHOWN of them."""
    from aimscheck.reporters.text import finding_key

    return sorted(row.findings, key=finding_key)[:SHOWN]


def _records(row: RequirementView) -> list[str]:
    out: list[str] = []
    for finding in worst(row):
        where = f" ({finding.location.file}:{finding.location.line})" if finding.location else ""
        subject = f" {finding.subject}" if finding.subject else ""
        out.append(f"fix: {finding.rule.id}{subject}{where}")
    more = len(row.findings) - SHOWN
    if more > 0:
        out.append(f"… and {more} more finding{'' if more == 1 else 's'} (see the JSON report)")
    return out


def _unstated(view: FrameworkView) -> list[str]:
    """Once per framework, not under every requirement: the systems whose facts are missing,
    with the fields to write and where."""
    missing: dict[str, set[str]] = {}
    places = {}
    for row in view.rows:
        for r in row.reached("not_stated"):
            missing.setdefault(r.system.id, set()).add(r.missing)
            places[r.system.id] = r.system.location
    out = []
    for system, fields in missing.items():
        loc = places[system]
        where = f" ({loc.file}:{loc.line})" if loc else ""
        out.append(f"  not stated: {', '.join(sorted(fields))} for ai_systems/{system}{where}")
    return out


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown + (f" +{len(ids) - SHOWN} more" if len(ids) > SHOWN else "")
