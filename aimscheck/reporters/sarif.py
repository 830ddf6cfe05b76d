"""SARIF 2.1.0 for code scanning (GitHub): one result per finding at its YAML file and line."""

from __future__ import annotations

import json
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from aimscheck.reporters.readiness import verdict_reasons
from aimscheck.results import Outcome, Report, Result, RuleAdjustment, RuleInfo, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "aimscheckFinding/v1"  # rule id + subject: stable across runs and line moves
LEVELS = {Severity.MAJOR: "error", Severity.MINOR: "warning", Severity.OBSERVATION: "note"}
# GitHub's own grading, shown as the alert's severity in code scanning.
PROBLEM_SEVERITY = {
    Severity.MAJOR: "error",
    Severity.MINOR: "warning",
    Severity.OBSERVATION: "recommendation",
}
_REPORTED = (
    Outcome.NONCONFORMITY,
    Outcome.MISSING_EVIDENCE,
    Outcome.OBSERVATION,  # level `note`: an opportunity for improvement, not a nonconformity
    Outcome.ERROR,
    Outcome.WAIVED,
)


def artifact_uri(file: str) -> str:
    """A relative path as a relative URI (`fixtures/gaps/risks.yaml`), an absolute one as file:."""
    windows = PureWindowsPath(file)
    path: PurePath = windows if windows.drive else PurePosixPath(file.replace("\\", "/"))
    if path.is_absolute():
        return path.as_uri()
    return quote(path.as_posix(), safe="/-._~")


def _help(rule: RuleInfo, adjustment: RuleAdjustment | None) -> dict[str, str]:
    about = rule.description.strip() or rule.title
    fix = [f"How to fix: {rule.fix}"] if rule.fix else []
    refs = [*rule.clauses, *rule.controls]
    where = f"ISO/IEC 42001 {', '.join(refs)}; phase {rule.phase.replace('_', ' ')}."
    graded = (
        [
            f"Graded {adjustment.after} (the pack says {adjustment.before}) by the "
            f"configuration: {adjustment.reason}"
        ]
        if adjustment is not None
        else []
    )
    text = "\n\n".join([about, *fix, where, *graded])
    md_where = f"ISO/IEC 42001 {', '.join(f'`{r}`' for r in refs)} · phase `{rule.phase}`"
    markdown = "\n\n".join([f"**{rule.title}**", about, *fix, md_where, *graded])
    return {"text": text, "markdown": markdown}


def _rule(rule: RuleInfo, adjustment: RuleAdjustment | None) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": rule.id.replace("-", "_").replace(".", "_"),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description.strip() or rule.title},
        "help": _help(rule, adjustment),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            # SARIF wants unique tags; a rule may tag itself with its own phase.
            "tags": list(
                dict.fromkeys(["iso42001", *rule.clauses, *rule.controls, rule.phase, *rule.tags])
            ),
            "problem.severity": PROBLEM_SEVERITY[rule.severity],
            "precision": "very-high",
            "aimscheck.severity": rule.severity.value,
        },
    }


def _message(result: Result) -> str:
    text = result.message or result.rule.title
    if result.outcome is Outcome.WAIVED and result.raw_outcome is not None:
        text = f"{text} [{result.raw_outcome.value.replace('_', ' ')}, waived]"
    elif result.outcome is Outcome.ERROR:
        text = f"rule could not be evaluated: {text}"
    if result.waiver_expired and result.waiver is not None:
        text += f" (waiver expired on {result.waiver.expires.isoformat()})"
    problems = [c for c in result.evidence if not c.ok]
    for check in problems:
        path = f" ({check.path})" if check.path else ""
        text += f"\n- evidence {check.ref or '(none)'}{path}: {check.status}"
    return text


def _result(result: Result, index: int, report: Report) -> dict[str, object]:
    out: dict[str, object] = {
        "ruleId": result.rule.id,
        "ruleIndex": index,
        "kind": "fail",
        "level": "error" if result.outcome is Outcome.ERROR else LEVELS[result.severity],
        "message": {"text": _message(result)},
    }
    if result.location is not None:
        out["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(result.location.file)},
                    "region": {"startLine": max(1, result.location.line)},
                }
            }
        ]
    out["partialFingerprints"] = {FINGERPRINT: "|".join(result.key())}
    if result.waiver is not None and result.outcome is Outcome.WAIVED:
        waiver = result.waiver
        out["suppressions"] = [
            {
                "kind": "external",
                "justification": f"{waiver.justification} (approved by {waiver.approver}, "
                f"until {waiver.expires.isoformat()})",
            }
        ]
    if report.baseline is not None and result.outcome is not Outcome.WAIVED:
        out["baselineState"] = "unchanged" if report.baseline.holds(result) else "new"
    out["properties"] = {
        "outcome": result.outcome.value,
        "severity": result.severity.value,
        "subject": None if result.subject is None else str(result.subject),
        **({"rawOutcome": result.raw_outcome.value} if result.raw_outcome else {}),
    }
    return out


def to_dict(report: Report) -> dict[str, object]:
    """The SARIF log as plain data: one run, every rule, one result per finding."""
    rules = {rule.id: rule for rule in report.rules}
    for result in report.results:
        rules.setdefault(result.rule.id, result.rule)
    ordered = sorted(rules.values(), key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(ordered)}
    changed = {a.rule: a for a in report.adjustments if a.change == "severity"}
    results = [
        _result(r, index[r.rule.id], report)
        for r in sorted(report.results, key=Result.key)
        if r.outcome in _REPORTED
    ]
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "aimscheck",
                "version": report.tool_version or "0",
                "rules": [_rule(rule, changed.get(rule.id)) for rule in ordered],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "properties": {
                    "asOf": report.as_of,
                    "packVersion": report.pack_version,
                    "exportDigest": report.export_digest,
                    "failOn": "never" if report.fail_on is None else report.fail_on.value,
                    "verdict": report.verdict,
                    "verdictReasons": verdict_reasons(report),
                },
            }
        ],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
