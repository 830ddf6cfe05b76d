"""The `frameworks` section of the JSON report: readiness per framework requirement."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aimscheck.frameworks.view import FrameworkView, RequirementView
    from aimscheck.results import Report


def section(report: Report) -> list[dict[str, object]]:
    """One entry per framework asked for (`--framework`), in the order asked."""
    return [_framework(view) for view in report.frameworks]


def _framework(view: FrameworkView) -> dict[str, object]:
    framework = view.framework
    return {
        "name": framework.name,
        "title": framework.title,
        "edition": framework.edition,
        "unit": framework.unit,
        "as_of": view.as_of,
        "tally": view.tally(),
        "application_dates": {
            key: {
                "date": view.dates[key].isoformat(),
                "source": start.source,
                "note": start.note,
            }
            for key, start in framework.dates.items()
        },
        "sources": {
            key: {"cites": source.cites, "url": source.url}
            for key, source in framework.sources.items()
        },
        "requirements": [_requirement(row) for row in view.rows],
    }


def _requirement(row: RequirementView) -> dict[str, object]:
    req = row.requirement
    return {
        "id": req.id,
        "label": row.label,
        "title": req.title,
        "status": row.status,
        "reason": row.reason or None,
        "explanation": row.explanation,
        "unchecked": row.unchecked or None,
        "applies_from": None if row.starts is None else row.starts.isoformat(),
        "in_force": row.in_force,
        "maps": [{"iso": m.iso, "strength": m.strength, "source": m.source} for m in req.maps],
        "rules": [
            {
                "rule": b.rule,
                "title": b.title,
                "strength": b.strength,
                "via": list(b.via),
                "outcomes": dict(b.outcomes),
            }
            for b in row.backing
        ],
        "systems": [
            {
                "id": r.system.id,
                "reach": r.state,
                "missing": r.missing or None,
                "location": None if r.system.location is None else r.system.location.to_dict(),
            }
            for r in row.systems
        ],
        "findings": [
            {
                "rule": f.rule.id,
                "outcome": f.outcome.value,
                "subject": None if f.subject is None else f.subject.to_dict(),
                "location": None if f.location is None else f.location.to_dict(),
            }
            for f in row.findings
        ],
    }
