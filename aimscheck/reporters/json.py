"""The versioned JSON report (`aimscheck-report/2`): the machine interface, stable in shape."""

from __future__ import annotations

import json

from aimscheck.baseline import compare
from aimscheck.reporters.readiness import assess
from aimscheck.results import Baseline, Outcome, Report, Result, RuleInfo, Severity

# Bump the number on any change a consumer could trip over. 2: findings of rules graded
# `observation` have the outcome `observation` (in 1 they were nonconformity or missing_evidence),
# they no longer fail a rule in readiness, and the verdict counts systemic failures
# (summary.readiness.systemic). Baselines of format 1 still load (aimscheck/baseline.py).
FORMAT = "aimscheck-report/2"


def _rule_fields(rule: RuleInfo) -> dict[str, object]:
    return {
        "severity": rule.severity.value,
        "clauses": list(rule.clauses),
        "controls": list(rule.controls),
        "phase": rule.phase,
    }


def _result(result: Result, baseline: Baseline | None) -> dict[str, object]:
    rule = result.rule
    out: dict[str, object] = {
        "rule": rule.id,
        "title": rule.title,
        "outcome": result.outcome.value,
        **_rule_fields(rule),
        "subject": None if result.subject is None else result.subject.to_dict(),
        "location": None if result.location is None else result.location.to_dict(),
        "message": result.message,
        "evidence": [check.to_dict() for check in result.evidence],
        # Every line of the rule that failed for the subject, each at its own place.
        "failures": [failure.to_dict() for failure in result.failures],
    }
    if result.outcome is Outcome.WAIVED:
        # What the waiver hides must stay visible, so that nobody waives blind.
        raw = result.raw_outcome
        out["raw_outcome"] = None if raw is None else raw.value
    if result.waiver is not None:
        # On a waived result the waiver in force; on a finding, the one that expired.
        out["waiver"] = {**result.waiver.to_dict(), "expired": result.waiver_expired}
    if baseline is not None and result.outcome.is_finding:
        out["baseline"] = "known" if baseline.holds(result) else "new"
    return out


def _rules(report: Report) -> list[dict[str, object]]:
    rules = {rule.id: rule for rule in report.rules}
    counts: dict[str, dict[str, int]] = {}
    for result in report.results:
        rules.setdefault(result.rule.id, result.rule)
        per_rule = counts.setdefault(result.rule.id, {o.value: 0 for o in Outcome})
        per_rule[result.outcome.value] += 1
    return [
        {
            "id": rule.id,
            "title": rule.title,
            **_rule_fields(rule),
            "tags": list(rule.tags),
            "counts": counts.get(rule.id, {o.value: 0 for o in Outcome}),
        }
        for rule in sorted(rules.values(), key=lambda r: r.id)
    ]


def to_dict(report: Report) -> dict[str, object]:
    """The report as plain JSON-ready data, keys in their documented order."""
    counts = compare(report)
    baseline_path = report.baseline.path if report.baseline is not None else None
    by_severity = {s.value: 0 for s in Severity}
    for result in report.results:
        if result.outcome.is_finding:
            by_severity[result.severity.value] += 1
    out: dict[str, object] = {
        "format": FORMAT,
        "tool": {"name": "aimscheck", "version": report.tool_version},
        "pack": {"version": report.pack_version},
        "as_of": report.as_of,
        "export": {"path": report.export_path, "digest": report.export_digest},
        "summary": {
            "counts": report.counts(),
            "by_severity": by_severity,
            "verdict": report.verdict,
            "fail_on": "never" if report.fail_on is None else report.fail_on.value,
            "failed": bool(report.failing()),
            "readiness": assess(report).to_dict(),
            "baseline": None if counts is None else {"path": baseline_path, **counts.to_dict()},
        },
        "rules": _rules(report),
        "results": [
            _result(r, report.baseline)
            for r in sorted(report.results, key=Result.key)
            if r.outcome is not Outcome.PASS
        ],
        "waivers": [status.to_dict() for status in report.waivers],
        "adjustments": [change.to_dict() for change in report.adjustments],
        "vocabulary": [extension.to_dict() for extension in report.vocabulary],
        "config": report.config_file,
        "evidence_inventory": report.evidence_inventory,
    }
    if report.frameworks:  # only when asked for (--framework): aimscheck/frameworks/
        from aimscheck.reporters.frameworks_json import section

        out["frameworks"] = section(report)
    return out


def render(report: Report) -> str:
    """The JSON document, indented, UTF-8 characters kept as they are, newline-terminated."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
