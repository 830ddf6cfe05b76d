"""A compact Markdown summary for CI job summaries and merge-request comments."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote, unquote

from aimscheck.baseline import compare
from aimscheck.reporters.readiness import GroupReadiness, Readiness, assess, verdict_reasons
from aimscheck.reporters.subjects import SubjectFindings, by_subject, subject_label
from aimscheck.reporters.text import finding_key, threshold_line
from aimscheck.results import Outcome, Report, Result, Severity

TOP = 10  # subjects listed; the rest are counted and left to the HTML or JSON report
PER_SUBJECT = 20  # findings listed under one subject
BAR = 10  # characters of a readiness bar
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#@!])")
_ICON = {Severity.MAJOR: "🔴", Severity.MINOR: "🟠", Severity.OBSERVATION: "🔵"}
_OUTCOMES = (
    (Outcome.PASS, "✅ pass"),
    (Outcome.NONCONFORMITY, "❌ nonconformity"),
    (Outcome.MISSING_EVIDENCE, "📄 missing evidence"),
    (Outcome.OBSERVATION, "🔵 observation"),
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
    """`## ❌ aimscheck: gate failed · certification verdict: ready for stage 1`: the pipeline
    gate and the verdict are two answers, each named, never one read as the other's cause."""
    failed = bool(report.failing())
    icon = "❌" if failed else "✅"
    gate = "failed" if failed else "passed"
    return f"## {icon} aimscheck: gate {gate} · certification verdict: {report.verdict}"


def relative_link(target: Path, folder: Path) -> str:
    """The URL of `target` from a document in `folder`: relative, `/`-separated, escaped."""
    try:
        relative = os.path.relpath(os.path.abspath(target), os.path.abspath(folder))
    except ValueError:  # another drive (Windows): no relative path exists
        return Path(os.path.abspath(target)).as_uri()
    return quote(Path(relative).as_posix())


def _full_report(html: str | None) -> list[str]:
    """A link to the HTML report, named by its file: in a CI job summary, where the link
    leads nowhere, the name is what to look for among the job's artifacts."""
    if html is None:
        return []
    name = text(unquote(html.rsplit("/", 1)[-1]))
    return [
        f"📄 Full report, every finding with how to fix it: [{name}]({html}) (beside this "
        "summary, or among the CI job's artifacts)",
        "",
    ]


def _tally(report: Report) -> str:
    by = {s: 0 for s in Severity}
    counted = (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE, Outcome.OBSERVATION)
    for result in report.results:
        if result.outcome in counted:
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


def _reasons(report: Report) -> list[str]:
    """What keeps the organization from stage 1, when anything does."""
    reasons = verdict_reasons(report)
    return (
        [f"**{report.verdict.capitalize()}**: {text(', '.join(reasons))}.", ""] if reasons else []
    )


def _grade(result: Result) -> str:
    if result.outcome is Outcome.ERROR:
        return "⚠️ error"
    return f"{_ICON[result.severity]} {result.severity.value}"


def _finding_item(result: Result, report: Report) -> str:
    """`  - 🔴 major `AIMS-A.5.2-01` at `ai_systems.yaml:12`: message`."""
    message = text(result.message or result.rule.title)
    if result.waiver_expired and result.waiver is not None:
        message += f" *(waiver expired on {result.waiver.expires.isoformat()})*"
    if report.baseline is not None and report.baseline.holds(result):
        message += " *(known: in the baseline)*"
    loc = result.location
    where = f" at {code(f'{loc.file}:{loc.line}')}" if loc is not None else ""
    return f"  - {_grade(result)} {code(result.rule.id)}{where}: {message}"


def _entry(entry: SubjectFindings, report: Report) -> list[str]:
    icon = "⚠️" if entry.worst == "error" else _ICON[Severity(entry.worst)]
    lines = [f"- {icon} **{subject_label(entry.subject, code)}**: {entry.tally()}"]
    lines += [_finding_item(r, report) for r in entry.findings[:PER_SUBJECT]]
    if len(entry.findings) > PER_SUBJECT:
        lines.append(f"  - …and {len(entry.findings) - PER_SUBJECT} more")
    return lines


def _findings(report: Report, html: str | None) -> list[str]:
    """One entry per subject, as an auditor writes a finding up, each listing its rules."""
    findings = sorted((r for r in report.results if r.outcome.is_finding), key=finding_key)
    if not findings:
        return ["### Findings", "", "None: every rule that applies passes."]
    entries = by_subject(findings)
    subjects = "subject" if len(entries) == 1 else "subjects"
    counted = f"{len(findings)} finding{'' if len(findings) == 1 else 's'}"
    lines = [f"### Findings by subject ({counted} on {len(entries)} {subjects})", ""]
    for entry in entries[:TOP]:
        lines += _entry(entry, report)
    if len(entries) > TOP:
        rest = entries[TOP:]
        count = sum(len(e.findings) for e in rest)
        full = f"the [HTML report]({html})" if html else "the full report (HTML or JSON)"
        lines += ["", f"…and {len(rest)} more subjects ({count} findings) in {full}."]
    return lines


def bar(group: GroupReadiness) -> str:
    """`████████░░ 80%`, or `not assessed` for a group without an assessed rule."""
    if group.percent is None:
        return "not assessed"
    filled = group.passing * BAR // group.assessed
    return f"`{'█' * filled}{'░' * (BAR - filled)}` {group.percent}%"


def short_label(group: GroupReadiness) -> str:
    """`6 · Planning for risks and objectives`, `A.5 · Effects of AI on people and society`,
    `Risk assessment`."""
    if group.key.isdigit():
        return group.label.replace(f"Clause {group.key} ", f"{group.key} · ", 1)
    if group.key.startswith("A."):
        return group.label.replace(f"{group.key} ", f"{group.key} · ", 1)
    if group.label != group.key:  # a framework's pack: `EU AI Act pack`
        return group.label
    return group.key.replace("_", " ").capitalize()


def _readiness_table(title: str, groups: tuple[GroupReadiness, ...]) -> list[str]:
    rows = [f"| {title} | Readiness | Rules passing |", "|---|---|---:|"]
    for g in groups:
        label = text(short_label(g))
        na = f" (+{g.not_applicable} n/a)" if g.not_applicable else ""
        rows.append(f"| {label} | {bar(g)} | {g.passing}/{g.assessed}{na} |")
    return rows


def _systemic(readiness: Readiness) -> list[str]:
    if not readiness.systemic:
        return []
    rows = [
        f"**Systemic failures** ({readiness.systemic_after} or more open minor findings on one "
        "requirement count like a major):",
        "",
        "| Requirement | Minor findings | Rules |",
        "|---|---:|---|",
    ]
    for found in readiness.systemic:
        rules = ", ".join(code(rule) for rule in found.rules)
        rows.append(f"| {found.kind} {code(found.requirement)} | {found.findings} | {rules} |")
    return [*rows, ""]


def _readiness(report: Report) -> list[str]:
    readiness = assess(report)
    overall = readiness.overall
    head = "### Readiness by clause"
    if overall.percent is not None:
        head += f" (overall {overall.percent}%: {overall.passing} of {overall.assessed} rules)"
    lines = [head, "", *_systemic(readiness), *_readiness_table("Clause", readiness.clauses), ""]
    lines += ["<details><summary>Readiness by Annex A group and lifecycle phase</summary>", ""]
    lines += _readiness_table("Annex A group", readiness.annex_a)
    lines += ["", *_readiness_table("Lifecycle phase", readiness.phases), "", "</details>"]
    if readiness.frameworks:  # rules citing no ISO id: outside the clauses and the verdict
        lines += ["", "### Rules citing no ISO clause (not in the certification verdict)", ""]
        lines += _readiness_table("Pack", readiness.frameworks)
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


def render(report: Report, html: str | None = None) -> str:
    """The summary: gate and verdict, counts, top findings, readiness by clause, notes; with
    `html`, the URL of the HTML report of the same run (relative_link), a link to it."""
    lines = [_headline(report), "", _tally(report), "", *_reasons(report), _context(report), ""]
    lines += [*_full_report(html), *_counts(report), "", *_findings(report, html)]
    lines += ["", *_readiness(report)]
    if report.frameworks:  # readiness per framework (--framework)
        from aimscheck.reporters.frameworks_markdown import section

        lines += section(report)
    notes = _notes(report)
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"
