"""A compact Markdown summary for CI job summaries and merge-request comments."""

from __future__ import annotations

import re

from aimscheck.baseline import compare
from aimscheck.reporters.readiness import GroupReadiness, assess
from aimscheck.reporters.text import finding_key, threshold_line
from aimscheck.results import Outcome, Report, Result, Severity

TOP = 10  # findings listed; the rest are counted and left to the HTML or JSON report
BAR = 10  # characters of a readiness bar
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#@!])")
_ICON = {Severity.MAJOR: "🔴", Severity.MINOR: "🟠", Severity.OBSERVATION: "🔵"}
_OUTCOMES = (
    (Outcome.PASS, "✅ pass"),
    (Outcome.NONCONFORMITY, "❌ nonconformity"),
    (Outcome.MISSING_EVIDENCE, "📄 missing evidence"),
    (Outcome.NOT_APPLICABLE, "➖ not applicable"),
    (Outcome.WAIVED, "🛡️ waived"),
    (Outcome.ERROR, "⚠️ error"),
)


def text(value: str) -> str:
    """Plain text safe in Markdown and in a table cell: no markup, no mentions, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(value.split()))


def code(value: str) -> str:
    """Inline code that survives a table cell (a backtick in the value cannot close it)."""
    return "`" + " ".join(value.split()).replace("`", "'").replace("|", "\\|") + "`"


def _headline(report: Report) -> str:
    failed = bool(report.failing())
    icon = "❌" if failed else "✅"
    gate = "failed" if failed else "passed"
    return f"## {icon} aimscheck {gate}: {report.verdict}"


def _tally(report: Report) -> str:
    by = {s: 0 for s in Severity}
    for result in report.results:
        if result.outcome in (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE):
            by[result.severity] += 1
    errors = report.counts()[Outcome.ERROR.value]
    parts = [f"**{by[Severity.MAJOR]} major**", f"{by[Severity.MINOR]} minor"]
    parts += [f"{by[Severity.OBSERVATION]} observation", f"{errors} rule error(s)"]
    return " · ".join(parts) + f" — {text(threshold_line(report))}"


def _context(report: Report) -> str:
    who = f"{text(report.organization)} · " if report.organization else ""
    config = f" · config {code(report.config_file)}" if report.config_file else ""
    return (
        f"{who}export {code(report.export_path)} · as of {report.as_of} · "
        f"{len(report.rules)} rules · pack {code(report.pack_version or 'unknown')}{config}"
    )


def _counts(report: Report) -> list[str]:
    counts = report.counts()
    return [
        "| " + " | ".join(label for _, label in _OUTCOMES) + " |",
        "|" + "---:|" * len(_OUTCOMES),
        "| " + " | ".join(str(counts[o.value]) for o, _ in _OUTCOMES) + " |",
    ]


def _where(result: Result) -> str:
    loc = result.location
    return code(f"{loc.file}:{loc.line}") if loc is not None else "—"


def _finding_row(result: Result, report: Report) -> str:
    severity = f"{_ICON[result.severity]} {result.severity.value}"
    if result.outcome is Outcome.ERROR:
        severity = "⚠️ error"
    message = text(result.message or result.rule.title)
    if result.waiver_expired and result.waiver is not None:
        message += f" *(waiver expired on {result.waiver.expires.isoformat()})*"
    if report.baseline is not None and report.baseline.holds(result):
        message += " *(known: in the baseline)*"
    subject = code(str(result.subject)) if result.subject is not None else "whole export"
    cells = [severity, code(result.rule.id), subject, _where(result), message]
    return "| " + " | ".join(cells) + " |"


def _findings(report: Report) -> list[str]:
    findings = sorted((r for r in report.results if r.outcome.is_finding), key=finding_key)
    if not findings:
        return ["### Findings", "", "None: every rule that applies passes."]
    shown = findings[:TOP]
    lines = [f"### Top findings ({len(shown)} of {len(findings)})", ""]
    lines += ["| Severity | Rule | Subject | Where | Finding |", "|---|---|---|---|---|"]
    lines += [_finding_row(r, report) for r in shown]
    if len(findings) > TOP:
        lines += ["", f"…and {len(findings) - TOP} more in the full report (HTML or JSON)."]
    return lines


def bar(group: GroupReadiness) -> str:
    """`████████░░ 80%`, or `not assessed` for a group without an assessed rule."""
    if group.percent is None:
        return "not assessed"
    filled = group.passing * BAR // group.assessed
    return f"`{'█' * filled}{'░' * (BAR - filled)}` {group.percent}%"


def short_label(group: GroupReadiness) -> str:
    """`6 · Planning`, `A.5 · Assessing impacts of AI systems`, `Risk assessment`."""
    if group.key.isdigit():
        return group.label.replace(f"Clause {group.key} ", f"{group.key} · ", 1)
    if group.key.startswith("A."):
        return group.label.replace(f"{group.key} ", f"{group.key} · ", 1)
    return group.key.replace("_", " ").capitalize()


def _readiness_table(title: str, groups: tuple[GroupReadiness, ...]) -> list[str]:
    rows = [f"| {title} | Readiness | Rules passing |", "|---|---|---:|"]
    for g in groups:
        label = text(short_label(g))
        na = f" (+{g.not_applicable} n/a)" if g.not_applicable else ""
        rows.append(f"| {label} | {bar(g)} | {g.passing}/{g.assessed}{na} |")
    return rows


def _readiness(report: Report) -> list[str]:
    readiness = assess(report)
    overall = readiness.overall
    head = "### Readiness by clause"
    if overall.percent is not None:
        head += f" (overall {overall.percent}%: {overall.passing} of {overall.assessed} rules)"
    lines = [head, "", *_readiness_table("Clause", readiness.clauses), ""]
    lines += ["<details><summary>Readiness by Annex A group and lifecycle phase</summary>", ""]
    lines += _readiness_table("Annex A group", readiness.annex_a)
    lines += ["", *_readiness_table("Lifecycle phase", readiness.phases), "", "</details>"]
    return lines


def _notes(report: Report) -> list[str]:
    notes: list[str] = []
    counts = compare(report)
    if counts is not None and report.baseline is not None:
        notes.append(f"- **Baseline** {code(report.baseline.path)}: {counts.sentence()}.")
    if report.waivers:
        states = [w.state for w in report.waivers]
        summary = ", ".join(
            f"{states.count(s)} {s}" for s in ("active", "expired", "unmatched") if s in states
        )
        notes.append(f"- **Waivers**: {summary}.")
        for status in report.waivers:
            waiver = status.waiver
            target = code(waiver.rule) + (f" {code(waiver.subject)}" if waiver.subject else "")
            where = f" ({code(str(waiver.location))})" if waiver.location else ""
            if status.state == "expired":
                notes.append(f"  - ⏰ {target}: waiver expired on {waiver.expires}{where}")
            elif status.state == "unmatched":
                notes.append(f"  - ❓ {target} matches nothing: {text(status.note)}{where}")
    for change in report.adjustments:
        what = (
            "disabled"
            if change.change == "disabled"
            else f"graded {change.after} (pack: {change.before})"
        )
        notes.append(f"- **Configuration**: {code(change.rule)} {what} — {text(change.reason)}")
    for extension in report.vocabulary:
        values = ", ".join(code(value) for value in extension.values)
        notes.append(
            f"- **Configuration**: {code(extension.name)} also accepts {values} "
            f"— {text(extension.reason)}"
        )
    return ["### Notes", "", *notes] if notes else []


def render(report: Report) -> str:
    """The summary: verdict and gate, counts, top findings, readiness by clause, notes."""
    lines = [_headline(report), "", _tally(report), "", _context(report), ""]
    lines += [*_counts(report), "", *_findings(report), "", *_readiness(report)]
    notes = _notes(report)
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"
