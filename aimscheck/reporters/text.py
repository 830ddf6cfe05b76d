"""The terminal summary: the verdict and counts first, then the findings worst first."""

from __future__ import annotations

from collections.abc import Sequence

from aimscheck.baseline import compare
from aimscheck.reporters.readiness import GroupReadiness, Readiness, assess, verdict_reasons
from aimscheck.results import Report, Result, Severity
from aimscheck.terminal import visible


def _share(group: GroupReadiness) -> str:
    return f"{group.key} {group.percent}% ({group.passing}/{group.assessed})"


def _readiness_lines(readiness: Readiness) -> list[str]:
    overall = readiness.overall
    if overall.percent is None:
        head = "readiness: no rule assessed"
    else:
        ratio = f"{overall.passing}/{overall.assessed}"
        head = f"readiness: {overall.percent}% of rules passing ({ratio})"
    if overall.not_applicable:
        head += f", {overall.not_applicable} not applicable"
    lines = [head]
    # Only groups with assessed rules: a terminal line per axis, not a table of empty rows.
    for title, groups in (
        ("phases", readiness.phases),
        ("clauses", readiness.clauses),
        ("annex A", readiness.annex_a),
    ):
        shown = [_share(g) for g in groups if g.assessed]
        if shown:
            lines.append(f"  {title}: " + ", ".join(shown))
    if readiness.systemic:
        rule = f"{readiness.systemic_after} or more open minor findings on one requirement"
        found = "; ".join(s.sentence() for s in readiness.systemic)
        lines.append(f"  systemic failures ({rule}): {found}")
    # Rules citing no ISO id (the EU AI Act pack): their own line, outside the ISO figures.
    for group in readiness.frameworks:
        share = f"{group.percent}% ({group.passing}/{group.assessed})" if group.assessed else "-"
        lines.append(f"{group.label} (no ISO clause, not in the verdict): {share} of rules passing")
    return lines


SHOWN_SUBJECTS = 5  # subjects named in the summary line; their findings are listed below it


def subjects_line(findings: list[Result]) -> str:
    """`subjects with findings: 3 (most: ai_systems/credit-scoring 16, risks/R-7 2)`: how the
    findings group by record, as an auditor writes them up (the HTML report lists each group)."""
    counts: dict[str, int] = {}
    for result in findings:
        key = "the whole export" if result.subject is None else result.subject.text
        counts[key] = counts.get(key, 0) + 1
    several = sorted(
        ((key, n) for key, n in counts.items() if n > 1), key=lambda item: (-item[1], item[0])
    )
    if not several:
        return f"subjects with findings: {len(counts)} (one finding each)"
    named = ", ".join(f"{key} {n}" for key, n in several[:SHOWN_SUBJECTS])
    more = f" and {len(several) - SHOWN_SUBJECTS} more" if len(several) > SHOWN_SUBJECTS else ""
    return f"subjects with findings: {len(counts)} (most: {named}{more})"


def _where(result: Result, report: Report) -> str:
    if result.location is None:
        return report.export_path
    return f"{result.location.file}:{result.location.line}"


def finding_key(result: Result) -> tuple[int, str, int, str, str]:
    """Worst first, then by file and line (numerically), then rule and subject."""
    loc = result.location
    return (
        -result.severity.rank,
        loc.file if loc else "",
        loc.line if loc else 0,
        *result.key(),
    )


def _finding_lines(result: Result, report: Report) -> list[str]:
    label = f"[{result.severity.value.upper()}] {result.rule.id} {result.outcome.value}"
    about = f"{result.subject}: " if result.subject is not None else ""
    message = result.message or result.rule.title
    known = report.baseline is not None and report.baseline.holds(result)
    lines = [f"{_where(result, report)}  {label}  {about}{message}{' [known]' if known else ''}"]
    if result.waiver_expired and result.waiver is not None:
        waiver = result.waiver
        where = f" ({waiver.location})" if waiver.location else ""
        lines.append(f"    waiver expired on {waiver.expires}{where}: {waiver.justification}")
    for check in result.evidence:
        if check.ok:
            continue
        path = f" ({check.path})" if check.path else ""
        detail = f": {check.message}" if check.message else ""
        lines.append(f"    evidence {check.ref}{path} {check.status}{detail}")
    return lines


def verdict_line(report: Report) -> str:
    """`verdict: not ready for stage 1 — 3 open majors, 1 systemic failure (clause 7.5.3: 12
    minor findings)`, or what a ready verdict was checked for."""
    reasons = verdict_reasons(report)
    if not reasons:
        checked = "no open major"
        if report.systemic_after is not None:
            checked += ", no systemic failure"
        return f"verdict: {report.verdict} — {checked}"
    return f"verdict: {report.verdict} — {', '.join(reasons)}"


def threshold_line(report: Report) -> str:
    """Whether the run fails at --fail-on, and on how many findings."""
    threshold = "never" if report.fail_on is None else report.fail_on.value
    failing = len(report.failing())
    counts = compare(report)
    known = f" ({counts.known} known, in the baseline)" if counts and counts.known else ""
    new = " new" if counts is not None else ""
    if failing:
        return f"FAILED at --fail-on {threshold}: {failing}{new} finding(s){known}"
    return f"passed at --fail-on {threshold}{known}"


def _waiver_lines(report: Report) -> list[str]:
    lines = []
    for status in report.waivers:
        waiver = status.waiver
        target = waiver.rule + (f" {waiver.subject}" if waiver.subject else "")
        where = f" ({waiver.location})" if waiver.location else ""
        if status.state == "active":
            detail = f"until {waiver.expires}, approved by {waiver.approver}{where}"
            lines.append(f"  active: {target} {detail}: {status.matched} finding(s) waived")
        elif status.state == "expired":
            detail = f"waiver expired on {waiver.expires}{where}"
            lines.append(f"  expired: {target}: {detail}: {status.matched} finding(s) fail again")
        else:
            lines.append(f"  matches nothing: {target}{where}: {status.note}")
    return ["", "waivers:", *lines] if lines else []


def _notes(report: Report) -> list[str]:
    """The configuration's rule changes and the baseline, when there are any."""
    lines = []
    for change in report.adjustments:
        where = f" ({change.location})" if change.location else ""
        what = (
            "disabled"
            if change.change == "disabled"
            else (f"graded {change.after} instead of {change.before}")
        )
        lines.append(f"configuration: {change.rule} {what}{where}: {change.reason}")
    for extension in report.vocabulary:
        where = f" ({extension.location})"
        lines.append(f"configuration: {extension.sentence()}{where}: {extension.reason}")
    counts = compare(report)
    if counts is not None and report.baseline is not None:
        lines.append(f"baseline {report.baseline.path}: {counts.sentence()}")
    return lines


# Findings listed when standard output is a terminal and --max-findings is not given: a screen
# or two. A log or a pipe gets every finding (a CI log is searched, not scrolled).
TERMINAL_FINDINGS = 50


def more_line(hidden: int, full_list: Sequence[str]) -> str:
    """What a capped listing leaves out, and where the whole list is."""
    noun = "finding" if hidden == 1 else "findings"
    if full_list:
        where = f"every finding is in {', '.join(full_list)}; --max-findings 0 lists them here"
    else:
        where = "--max-findings 0 lists them all, or --html FILE writes them all to a report"
    return f"… and {hidden} more {noun}, not listed: {where}"


def render(report: Report, limit: int | None = None, full_list: Sequence[str] = ()) -> str:
    """Plain text for a terminal or a CI log (no colour codes): the verdict and the counts
    first, then at most `limit` findings worst first (all when None), saying how many more
    there are and which of `full_list` (the report files of the run) holds them."""
    version = report.tool_version or "(unknown version)"
    digest = f" ({report.export_digest})" if report.export_digest else ""
    lines = [
        f"aimscheck {version}",
        f"export: {report.export_path}{digest}",
        f"as of: {report.as_of}",
        f"rules evaluated: {len(report.rules)}",
    ]
    if report.config_file:
        lines.insert(3, f"config: {report.config_file}")
    lines += [*_notes(report), ""]
    verdict = [verdict_line(report), threshold_line(report)]
    lines += [*verdict, ""]
    counts = report.counts()
    lines.append("outcomes: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    by_severity = {s: 0 for s in Severity}
    findings = [r for r in report.results if r.outcome.is_finding]
    for result in findings:
        by_severity[result.severity] += 1
    lines.append("findings: " + ", ".join(f"{n} {s.value}" for s, n in by_severity.items()))
    if findings:
        lines.append(subjects_line(findings))
    lines += _readiness_lines(assess(report))
    lines += _waiver_lines(report)
    if report.frameworks:  # readiness per framework (--framework)
        from aimscheck.reporters.frameworks_text import lines as framework_lines

        lines += framework_lines(report)
    if findings:
        shown = sorted(findings, key=finding_key)[:limit]
        lines += ["", "findings, worst first:"]
        for result in shown:
            lines += _finding_lines(result, report)
        if len(shown) < len(findings):
            lines.append(more_line(len(findings) - len(shown), full_list))
        # Both ends of a long listing say how the run ended.
        lines += ["", *verdict]
    # Every line is built from pieces of the repo's data (ids, names, file names, messages):
    # escaped line by line, a newline inside a value is shown as `\\n`, never a new log line.
    return "\n".join(map(visible, lines)) + "\n"
