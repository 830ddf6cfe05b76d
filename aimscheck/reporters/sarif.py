"""SARIF 2.1.0 for code scanning (GitHub): one result per finding at its YAML file and line."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from aimscheck.basis import framework_of
from aimscheck.docgen import PACK_DOCS, anchor
from aimscheck.errors import UsageError
from aimscheck.reporters.readiness import group_label, verdict_reasons
from aimscheck.resources import rules_root
from aimscheck.results import Outcome, Report, Result, RuleAdjustment, RuleInfo, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# Artifact URIs are relative to this base: the repository holding the export (see source_root).
# Code scanning reads a relative URI as a path from the repository's root, so that is the root.
ROOT_ID = "SRCROOT"
# Where docs/rules.md is read online: each built-in rule's helpUri is its entry there. The
# project's public address is fixed at its first release; until then, and for a fork or a
# mirror, AIMSCHECK_DOCS_URL names the folder that holds rules.md.
DOCS_URL = "https://github.com/your-org/aimscheck/blob/main/docs"
DOCS_ENV = "AIMSCHECK_DOCS_URL"
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


def source_root(export_path: str) -> Path:
    """The folder artifact URIs are relative to: the git work tree that holds the export, or
    the export's own folder when it is in none. Not the working folder: a run from a subfolder
    would write `../risks.yaml`, one from outside the repo `file:///…`, and code scanning would
    place neither on the repository's file."""
    export = Path(export_path).resolve()
    start = export if export.is_dir() or not export.suffix else export.parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


class _Artifacts:
    """Each file's artifactLocation, worked out once per file (a file holds many findings)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cwd = Path.cwd().resolve()
        self.known: dict[str, dict[str, str]] = {}

    def location(self, file: str) -> dict[str, str]:
        found = self.known.get(file)
        if found is None:
            found = self.known[file] = self._locate(file)
        return found

    def _locate(self, file: str) -> dict[str, str]:
        windows = PureWindowsPath(file)
        if windows.drive and os.name != "nt":  # a Windows path read on another system
            return {"uri": artifact_uri(file)}
        path = (self.cwd / file).resolve()
        try:
            inside = path.relative_to(self.root)
        except ValueError:  # outside the repository (a proof file elsewhere): absolute, no base
            return {"uri": path.as_uri()}
        return {"uri": artifact_uri(inside.as_posix()), "uriBaseId": ROOT_ID}


def _root_uri(root: Path) -> str:
    uri = root.as_uri()
    return uri if uri.endswith("/") else uri + "/"  # SARIF: a base URI ends with a slash


def automation_id(report: Report, root: Path) -> str:
    """`aimscheck/iso42001/governance/`: the tool, the pack and the export's folder in the
    repository, ending with `/` (the whole id is code scanning's category). Stable from run to
    run; two exports of one repository keep apart, as a later upload of a category replaces its
    alerts."""
    parts = ["aimscheck"]
    pack = report.pack_version.rpartition("-")[0]
    if pack:
        parts.append(pack)
    folder = Path(report.export_path).resolve()
    if folder.is_relative_to(root) and folder != root:
        parts.append(folder.relative_to(root).as_posix())
    return "/".join(parts) + "/"


def docs_url() -> str:
    """The folder holding rules.md online: AIMSCHECK_DOCS_URL, or the project's."""
    given = os.environ.get(DOCS_ENV, "").strip()
    if not given:
        return DOCS_URL
    if not re.match(r"https?://[^\s/]+", given) or any(c.isspace() for c in given):
        raise UsageError(
            f"{DOCS_ENV} is not a web address: {given[:80]!r}",
            hint="give the http(s) address of the folder holding rules.md, or unset it",
        )
    return given.rstrip("/")


def _catalogue(rule: RuleInfo, packs: dict[Path, str]) -> str | None:
    """The catalogue in docs/ with an entry for the rule: rules.md for the built-in checks and
    the default pack's rules, its own file for each bundled pack (docgen.PACK_DOCS); None for an
    organization's own rules."""
    if rule.location is None:
        return packs[rules_root().resolve() / "iso42001"]
    where = Path(rule.location.file).resolve()
    return next((doc for folder, doc in packs.items() if where.is_relative_to(folder)), None)


def _at(docs: str, catalogue: str | None) -> str | None:
    return None if catalogue is None else f"{docs}/{catalogue}"


def _help(rule: RuleInfo, adjustment: RuleAdjustment | None) -> dict[str, str]:
    about = rule.description.strip() or rule.title
    fix = [f"How to fix: {rule.fix}"] if rule.fix else []
    refs = [*rule.clauses, *rule.controls]
    basis = "ISO/IEC 42001"
    if not rule.iso:  # a rule of a framework's pack: its basis is its tag (`eu-ai-act:26(6)`)
        refs = [t for t in rule.tags if framework_of(t)]
        basis = group_label(rule.group)
    where = f"{basis} {', '.join(refs)}; phase {rule.phase.replace('_', ' ')}."
    graded = (
        [
            f"Graded {adjustment.after} (the pack says {adjustment.before}) by the "
            f"configuration: {adjustment.reason}"
        ]
        if adjustment is not None
        else []
    )
    text = "\n\n".join([about, *fix, where, *graded])
    md_where = f"{basis} {', '.join(f'`{r}`' for r in refs)} · phase `{rule.phase}`"
    markdown = "\n\n".join([f"**{rule.title}**", about, *fix, md_where, *graded])
    return {"text": text, "markdown": markdown}


def _rule(rule: RuleInfo, adjustment: RuleAdjustment | None, docs: str | None) -> dict[str, object]:
    """`docs`: the address of the rule's catalogue (docs/rules.md), None when it has none."""
    return {
        "id": rule.id,
        "name": rule.id.replace("-", "_").replace(".", "_"),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description.strip() or rule.title},
        **({"helpUri": f"{docs}#{anchor(rule.id)}"} if docs is not None else {}),
        "help": _help(rule, adjustment),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            # SARIF wants unique tags; a rule may tag itself with its own phase.
            "tags": list(
                dict.fromkeys(
                    [
                        "iso42001" if rule.iso else rule.group,
                        *rule.clauses,
                        *rule.controls,
                        rule.phase,
                        *rule.tags,
                    ]
                )
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


def _result(result: Result, index: int, report: Report, artifacts: _Artifacts) -> dict[str, object]:
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
                    "artifactLocation": artifacts.location(result.location.file),
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
    root = source_root(report.export_path)
    artifacts = _Artifacts(root)
    packs = {(rules_root() / name).resolve(): doc for name, doc in PACK_DOCS.items()}
    docs = docs_url()
    results = [
        _result(r, index[r.rule.id], report, artifacts)
        for r in sorted(report.results, key=Result.key)
        if r.outcome in _REPORTED
    ]
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "aimscheck",
                "version": report.tool_version or "0",
                "rules": [
                    _rule(rule, changed.get(rule.id), _at(docs, _catalogue(rule, packs)))
                    for rule in ordered
                ],
            }
        },
        "automationDetails": {"id": automation_id(report, root)},
        "originalUriBaseIds": {
            ROOT_ID: {
                "uri": _root_uri(root),
                "description": {"text": "The root of the repository that holds the export"},
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
