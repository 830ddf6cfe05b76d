"""The sections of the HTML report below the charts: gaps, waivers, changes, evidence, n/a."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from aimscheck.basis import framework_of
from aimscheck.reporters.readiness import group_label
from aimscheck.reporters.subjects import SubjectFindings, by_subject, grade_of
from aimscheck.reporters.text import finding_key
from aimscheck.results import Outcome, Report, Result, Severity

KINDS = {
    Outcome.NONCONFORMITY: "Nonconformity",
    Outcome.MISSING_EVIDENCE: "Missing evidence",
    Outcome.OBSERVATION: "Opportunity for improvement",
    Outcome.ERROR: "Could not be evaluated",
}


def _where(file: str, line: int | None) -> str:
    """`file:line` in code type, breakable after each slash (long paths must not overflow)."""
    shown = file if line is None else f"{file}:{line}"
    return f"<code>{escape(shown).replace('/', '/<wbr>')}</code>"


def toc(report: Report) -> str:
    links = [("readiness", "Readiness"), ("gaps", "Findings")]
    if report.frameworks:
        links.insert(1, ("frameworks", "Frameworks"))
    if report.waivers:
        links.append(("waivers", "Waivers"))
    if report.adjustments:
        links.append(("changes", "Rule changes"))
    if report.vocabulary:
        links.append(("vocabulary", "Vocabulary"))
    if report.evidence_inventory is not None:
        links.append(("evidence", "Evidence inventory"))
    if any(r.outcome is Outcome.NOT_APPLICABLE for r in report.results):
        links.append(("not-applicable", "Not applicable"))
    items = "".join(f'<a href="#{k}">{escape(v)}</a>' for k, v in links)
    return f'<nav class="toc" aria-label="Sections">{items}</nav>'


def _badge(grade: str) -> str:
    return "Rule error" if grade == "error" else grade.capitalize()


def _gap_row(result: Result, report: Report, number: int) -> str:
    rule = result.rule
    group = grade_of(result)
    badge = _badge(group)
    known = report.baseline is not None and report.baseline.holds(result)
    flags = '<span class="badge known">in baseline</span>' if known else ""
    refs = ", ".join([*rule.clauses, *rule.controls])
    if not rule.iso:  # its basis is a framework's (`EU AI Act pack eu-ai-act:26(6)`), not ISO's
        refs = ", ".join(t for t in rule.tags if framework_of(t))
    basis = f"ISO/IEC 42001 {refs}" if rule.iso else f"{group_label(rule.group)} {refs}"
    parts = [
        f'<div class="gap-title">{escape(rule.title)}</div>',
        f'<div class="gap-rule">{escape(rule.id)} · {escape(basis)}</div>',
        f'<div class="gap-message">{escape(result.message or rule.title)}</div>',
    ]
    problems = [c for c in result.evidence if not c.ok]
    if problems:
        items = "".join(
            (
                f"<li><b>{escape(c.ref)}</b>{' (' + escape(c.path) + ')' if c.path else ''}: "
                if c.ref
                else "<li>"
            )
            + f"{escape(c.message or c.status.replace('_', ' '))}</li>"
            for c in problems
        )
        parts.append(f'<ul class="proofs">{items}</ul>')
    if rule.fix and result.outcome is not Outcome.ERROR:
        parts.append(f'<div class="gap-fix"><b>How to fix:</b> {escape(rule.fix)}</div>')
    if result.waiver_expired and result.waiver is not None:
        waiver = result.waiver
        parts.append(
            f'<div class="note">Waiver expired on {escape(waiver.expires.isoformat())} '
            f"(approved by {escape(waiver.approver)}: {escape(waiver.justification)})</div>"
        )
    for change in report.adjustments:
        if change.rule == rule.id and change.change == "severity":
            parts.append(
                f'<div class="note">Graded {escape(change.after)} instead of '
                f"{escape(change.before)} by the configuration: {escape(change.reason)}</div>"
            )
    loc = result.location
    where = _where(loc.file, loc.line) if loc is not None else escape(report.export_path)
    return (
        f'<tr class="sev-{group}" id="gap-{number}" data-severity="{group}">'
        f'<td><span class="badge {group}">{badge}</span>'
        f'<span class="kind">{KINDS[result.outcome]}</span>{flags}</td>'
        f"<td>{''.join(parts)}</td>"
        f'<td class="where">{where}</td></tr>'
    )


def _subject_entry(entry: SubjectFindings, report: Report, index: int, first: int) -> str:
    """One subject as an auditor writes it up: `AI system credit-scoring: 16 gaps`, then each
    rule's finding with the file and line to fix (rows numbered from `first`)."""
    worst = entry.worst
    # The grades only add to the badge and the tally when there are several findings.
    grades = entry.grades() if len(entry.findings) > 1 else ""
    rows = "".join(
        _gap_row(result, report, number)
        for number, result in enumerate(entry.findings, start=first)
    )
    return (
        f'<div class="subject sev-{worst}" id="subject-{index}" '
        f'data-subject="{escape(entry.key)}" data-severity="{worst}" '
        f'data-findings="{len(entry.findings)}">'
        f'<h3><span class="badge {worst}">{_badge(worst)}</span> '
        f'<span class="subject-title">{escape(entry.label)}: {escape(entry.tally())}</span>'
        f'<span class="grades">{escape(grades)}</span></h3>'
        '<table class="gaps"><colgroup><col class="c-sev"><col><col class="c-where">'
        "</colgroup><thead><tr><th>Grade</th><th>Finding</th><th>Fix in</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></div>"
    )


def gaps(report: Report) -> str:
    """The findings, one entry per subject record (worst first), each listing its rules'
    findings with the file and line to fix."""
    findings = sorted((r for r in report.results if r.outcome.is_finding), key=finding_key)
    head = '<section class="card" id="gaps"><h2>Findings by subject</h2>'
    if not findings:
        return head + '<p class="empty">No gap: every rule that applies passes.</p></section>'
    entries = by_subject(findings)
    subjects = "subject" if len(entries) == 1 else "subjects"
    out = [
        head,
        f'<p class="lead">{len(findings)} finding(s) on {len(entries)} {subjects}: one entry '
        "per record, as an auditor writes it up, the most severe first. Each finding names the "
        "file and line to correct in the governance repository.</p>",
    ]
    number = 1
    for index, entry in enumerate(entries, start=1):
        out.append(_subject_entry(entry, report, index, number))
        number += len(entry.findings)
    return "".join(out) + "</section>"


def waivers(report: Report) -> str:
    if not report.waivers:
        return ""
    rows = []
    for status in report.waivers:
        waiver = status.waiver
        state = {
            "active": f"waives {status.matched}",
            "expired": f"expired on {waiver.expires.isoformat()}",
            "unmatched": "matches nothing",
        }[status.state]
        note = f'<div class="note">{escape(status.note)}</div>' if status.note else ""
        where = _where(waiver.location.file, waiver.location.line) if waiver.location else ""
        rows.append(
            f'<tr data-state="{status.state}"><td><span class="badge {status.state}">'
            f"{escape(state)}</span></td>"
            f"<td><code>{escape(waiver.rule)}</code><br>{escape(waiver.subject or 'all subjects')}"
            f"</td><td>{escape(waiver.justification)}{note}</td>"
            f'<td>{escape(waiver.approver)}</td><td class="date">{waiver.expires.isoformat()}</td>'
            f'<td class="where">{where}</td></tr>'
        )
    return (
        '<section class="card" id="waivers"><h2>Waivers</h2>'
        '<p class="lead">Accepted exceptions. A waiver covers its findings through the end of '
        "its expiry day (UTC); once expired, the findings count again.</p>"
        "<table><thead><tr><th>State</th><th>Rule and subject</th><th>Justification</th>"
        "<th>Approver</th><th>Expires</th><th>Written at</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def adjustments(report: Report) -> str:
    if not report.adjustments:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(a.rule)}</code><br>{escape(a.title)}</td><td>"
        + (
            "disabled"
            if a.change == "disabled"
            else f"graded {escape(a.after)} (pack: {escape(a.before)})"
        )
        + f'</td><td>{escape(a.reason)}</td><td class="where">'
        + (_where(a.location.file, a.location.line) if a.location else "")
        + "</td></tr>"
        for a in report.adjustments
    )
    return (
        '<section class="card" id="changes"><h2>Rule changes by the configuration</h2>'
        '<p class="lead">Rules this organization switched off or graded differently, with the '
        "reasons it gave. An auditor may ask about each.</p>"
        "<table><thead><tr><th>Rule</th><th>Change</th><th>Reason</th><th>Set at</th></tr>"
        f"</thead><tbody>{rows}</tbody></table></section>"
    )


def vocabulary(report: Report) -> str:
    if not report.vocabulary:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(v.name)}</code></td><td>"
        + ", ".join(f"<code>{escape(value)}</code>" for value in v.values)
        + f'</td><td>{escape(v.reason)}</td><td class="where">'
        + _where(v.location.file, v.location.line)
        + "</td></tr>"
        for v in report.vocabulary
    )
    return (
        '<section class="card" id="vocabulary"><h2>Vocabulary added by the configuration</h2>'
        '<p class="lead">Values this organization accepts beyond the closed vocabularies of '
        "the export, with the reasons it gave. Rules of the built-in pack do not treat them as "
        "any of their own values.</p>"
        "<table><thead><tr><th>Field</th><th>Added values</th><th>Reason</th><th>Set at</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _entries(value: Any) -> list[dict[str, Any]]:
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _chip(entry: dict[str, Any]) -> tuple[bool, str]:
    """A proof as a chip: its id, and what is wrong with it; the file and record on hover."""
    status = str(entry.get("status", ""))
    sound = status == "ok"
    ref = str(entry.get("ref") or entry.get("record") or "?")
    hover = " · ".join(
        str(v) for v in (entry.get("record"), entry.get("path"), entry.get("message")) if v
    )
    label = escape(ref) if sound else f"{escape(ref)} · {escape(status.replace('_', ' '))}"
    css = "ok" if sound else "bad"
    return sound, f'<span class="proof {css}" title="{escape(hover)}">{label}</span>'


def _proof_rows(groups: Any, label: str) -> list[str]:
    """One row per control or clause: its proofs as chips, problems first, and a tally."""
    rows: list[str] = []
    if not isinstance(groups, dict):
        return rows
    for ident, found in groups.items():
        chips = [_chip(entry) for entry in _entries(found)]
        if not chips:
            continue
        chips.sort(key=lambda chip: chip[0])  # problems first
        sound = sum(1 for ok, _ in chips if ok)
        state = "ok" if sound == len(chips) else "bad"
        rows.append(
            f'<tr class="inv-{state}" data-requirement="{escape(str(ident))}">'
            f'<td class="req">{label} {escape(str(ident))}</td>'
            f"<td>{''.join(chip for _, chip in chips)}</td>"
            f'<td class="tally">{sound} of {len(chips)}</td></tr>'
        )
    return rows


def _plain_list(title: str, items: Iterable[object], empty: str) -> str:
    listed = [str(i) for i in items]
    body = (
        '<ul class="plain">'
        + "".join(f"<li><code>{escape(i)}</code></li>" for i in listed)
        + "</ul>"
        if listed
        else f'<p class="empty">{escape(empty)}</p>'
    )
    return f"<div><h3>{escape(title)} ({len(listed)})</h3>{body}</div>"


def inventory(data: dict[str, Any] | None) -> str:
    """The evidence behind each control and clause, and the files and records nothing uses."""
    if data is None:
        return ""
    rows = _proof_rows(data.get("controls"), "Control") + _proof_rows(data.get("clauses"), "Clause")
    weak = sum(1 for row in rows if 'class="inv-bad"' in row)
    table = (
        '<table class="inventory"><colgroup><col class="c-req"><col><col class="c-tally">'
        "</colgroup><thead><tr><th>Requirement</th><th>Evidence</th><th>Sound</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="empty">No evidence is referenced for any control or clause.</p>'
    )
    orphans = _plain_list(
        "Files no record points at", _entries_or_text(data.get("orphans")), "None."
    )
    unused = _plain_list(
        "Evidence records nothing refers to", _entries_or_text(data.get("unreferenced")), "None."
    )
    return (
        '<section class="card" id="evidence"><h2>Evidence inventory</h2>'
        '<p class="lead">The proof the organization will show for each Annex A control and '
        "clause, and whether it holds up: present, unaltered, in date and approved. "
        f"{len(rows)} controls and clauses have evidence; {weak} rely on proof that does not "
        "hold up (shown first, in red; hover a proof for its file).</p>"
        f'{table}<div class="cols">{orphans}{unused}</div></section>'
    )


def _entries_or_text(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def not_applicable(report: Report) -> str:
    reasons: dict[str, tuple[str, str, int]] = {}
    for result in report.results:
        if result.outcome is Outcome.NOT_APPLICABLE:
            title, why, count = reasons.get(result.rule.id, (result.rule.title, result.message, 0))
            reasons[result.rule.id] = (title, why, count + 1)
    if not reasons:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(rule)}</code></td><td>{escape(title)}</td>"
        f"<td>{escape(why)}{f' ({count} subjects)' if count > 1 else ''}</td></tr>"
        for rule, (title, why, count) in sorted(reasons.items())
    )
    return (
        '<section class="card" id="not-applicable"><details><summary>Not applicable: '
        f"{len(reasons)} rule(s)</summary><table><thead><tr><th>Rule</th><th>Checks</th>"
        f"<th>Why it does not apply</th></tr></thead><tbody>{rows}</tbody></table>"
        "</details></section>"
    )


def footer(report: Report) -> str:
    levels = ", ".join(s.value for s in Severity)
    systemic = (
        f", no requirement has {report.systemic_after} or more open minor findings (a "
        "systemic failure)"
        if report.systemic_after is not None
        else ""
    )
    return (
        "<footer><p>Severities follow certification-audit grading ("
        f"{escape(levels)}): a major gap means a requirement is not met at all or a process "
        "has broken down; a minor gap is a single lapse; an observation is an opportunity for "
        "improvement, not a nonconformity. The verdict is <em>ready for stage 1</em> when no "
        f"major gap is open{escape(systemic)} and every rule could be evaluated.</p>"
        "<p>Generated by aimscheck "
        f"{escape(report.tool_version)} from the export {escape(report.export_path)} "
        f"({escape(report.export_digest)}) as of {escape(report.as_of)}. Clause and control "
        "ids refer to ISO/IEC 42001:2023; all titles and texts are aimscheck's own wording."
        "</p></footer>"
    )
