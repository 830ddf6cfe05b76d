"""The not-assessed view: which rules could not judge which records of an export, and why."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from aimscheck.engine import SOA_EXCLUSION, WHEN_NOT_MET
from aimscheck.results import Outcome, Report, Result, RuleInfo
from aimscheck.source import Location

FORMAT = "aimscheck-not-assessed/1"
# SOA_EXCLUSION and WHEN_NOT_MET are the messages the engine gives a rule that is not applicable
# as a whole by decision rather than for want of data: the SoA excludes every control it names,
# or its `when` does not hold for this export. Every other not_applicable result comes from an
# `only if` that did not hold: the record lacks what the rule needs to judge it.


@dataclass(frozen=True, slots=True)
class Unjudged:
    """One record (or the whole export) a rule could not judge, with the rule's reason."""

    subject: str  # "metrics/MET-1", "scope" or "export"
    location: Location | None
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "location": None if self.location is None else self.location.to_dict(),
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class NotAssessed:
    """A rule and the records it could not judge."""

    rule: RuleInfo
    records: tuple[Unjudged, ...]


@dataclass(frozen=True, slots=True)
class Decided:
    """Rules not applicable as a whole for one reason: an SoA exclusion or their `when`."""

    reason: str  # "soa_exclusion" or "when"
    message: str
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class View:
    """What `aimscheck rules --not-assessed PATH` shows."""

    export: str
    as_of: str
    not_assessed: tuple[NotAssessed, ...]
    decided: tuple[Decided, ...]


def decided_reason(result: Result) -> str | None:
    """`soa_exclusion` or `when` for a rule not applicable by decision; None for a data gap."""
    if result.subject is not None:
        return None
    if result.rule.controls and result.message.startswith(SOA_EXCLUSION):
        return "soa_exclusion"
    if result.message == WHEN_NOT_MET:
        return "when"
    return None


def build(report: Report, rules: Collection[str] | None = None) -> View:
    """The view of `report`, over the rules named in `rules` (all when None)."""
    gaps: dict[str, list[Unjudged]] = {}
    decided: dict[tuple[str, str], list[str]] = {}
    infos: dict[str, RuleInfo] = {}
    for result in report.results:
        rule = result.rule.id
        if result.outcome is not Outcome.NOT_APPLICABLE or (
            rules is not None and rule not in rules
        ):
            continue
        reason = decided_reason(result)
        if reason is not None:
            decided.setdefault((reason, result.message), []).append(rule)
            continue
        infos[rule] = result.rule
        subject = "export" if result.subject is None else result.subject.text
        gaps.setdefault(rule, []).append(Unjudged(subject, result.location, result.message))
    return View(
        export=report.export_path,
        as_of=report.as_of,
        not_assessed=tuple(
            NotAssessed(infos[rule], tuple(records)) for rule, records in sorted(gaps.items())
        ),
        # Exclusions first, then `when`, each group's rules in id order.
        decided=tuple(
            Decided(reason, message, tuple(sorted(ids)))
            for (reason, message), ids in sorted(
                decided.items(), key=lambda item: (item[0][0] != "soa_exclusion", item[0][1])
            )
        ),
    )


def _where(location: Location | None) -> str:
    return "" if location is None else f"{location.file}:{location.line}"


def render(view: View, fmt: str) -> str:
    """`text`, `markdown` or `json`."""
    if fmt == "json":
        return _json(view)
    if fmt == "markdown":
        return _markdown(view)
    return _text(view)


def _counts(view: View) -> str:
    records = sum(len(n.records) for n in view.not_assessed)
    return f"{len(view.not_assessed)} rule(s) could not judge {records} record(s) for want of data"


def _decided_lines(
    decided: Sequence[Decided], bullet: str, show: Callable[[str], str]
) -> list[str]:
    """One line per reason: the rules, then why they do not apply to this export."""
    lines = []
    for group in decided:
        lines.append(f"{bullet}{', '.join(group.rules)}: {show(group.message)}")
    return lines


def _text(view: View) -> str:
    from aimscheck.terminal import visible

    lines = [f"Not assessed on {visible(view.export)} as of {view.as_of}: what the data lacks", ""]
    for item in view.not_assessed:
        lines.append(f"{item.rule.id}  {item.rule.title}")
        for record in item.records:
            lines.append(
                f"  {visible(record.subject)}  {visible(_where(record.location))}".rstrip()
            )
            lines.append(f"    {visible(record.message)}")
        lines.append("")
    if not view.not_assessed:
        lines += ["Every rule could judge every record it looks at.", ""]
    lines.append(_counts(view) + ".")
    if view.decided:
        lines += ["", "Not applicable by decision, not for want of data:"]
        lines += _decided_lines(view.decided, "  ", visible)
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    """Text inside a Markdown table cell: one line, no column break, no markup from the data."""
    from aimscheck.reporters.markdown import text

    return text(value)


def _markdown(view: View) -> str:
    lines = [f"# Not assessed on {_cell(view.export)} as of {view.as_of}", ""]
    if view.not_assessed:
        lines += ["| rule | record | where | why not assessed |", "|---|---|---|---|"]
        for item in view.not_assessed:
            for record in item.records:
                lines.append(
                    f"| {item.rule.id} | {_cell(record.subject)} | "
                    f"{_cell(_where(record.location))} | {_cell(record.message)} |"
                )
        lines.append("")
    lines.append(_counts(view) + ".")
    if view.decided:
        lines += ["", "## Not applicable by decision, not for want of data", ""]
        lines += _decided_lines(view.decided, "- ", _cell)
    return "\n".join(lines) + "\n"


def _json(view: View) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "export": view.export,
            "as_of": view.as_of,
            "not_assessed": [
                {
                    "rule": item.rule.id,
                    "title": item.rule.title,
                    "clauses": list(item.rule.clauses),
                    "controls": list(item.rule.controls),
                    "records": [record.to_dict() for record in item.records],
                }
                for item in view.not_assessed
            ],
            "not_applicable_by_decision": [
                {"reason": group.reason, "message": group.message, "rules": list(group.rules)}
                for group in view.decided
            ],
        },
        indent=2,
        ensure_ascii=False,
    )
