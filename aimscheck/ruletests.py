"""Rule tests: YAML files beside the rules, giving small exports and expected outcomes."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aimscheck.errors import AimscheckError, RuleTestError
from aimscheck.results import Outcome
from aimscheck.source import Location

TEST_SUFFIX = ".tests.yaml"
OUTCOMES = tuple(o.value for o in Outcome)
WHOLE_EXPORT = "export"  # the subject key of a result about the whole export


@dataclass(frozen=True)
class Case:
    """One test case: a rule, an export, the as-of date and the expected outcome per subject."""

    file: Path
    line: int
    name: str
    rule: str
    export: dict[str, Any]
    files: dict[str, str]
    as_of: dt.date
    expect: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.name}"


@dataclass(frozen=True)
class CaseResult:
    """What running a case found; `diff` lists every subject whose outcome differs."""

    case: Case
    actual: dict[str, str]
    diff: tuple[str, ...] = field(default=())
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.diff and not self.error


def _load_yaml(path: Path) -> Any:
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader_cls)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        raise RuleTestError(f"not valid YAML: {exc.problem}", Location(str(path), line)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleTestError(f"cannot read test file: {exc}", Location(str(path), 1)) from None


def _case_lines(path: Path) -> list[int]:
    """1-based line of each case in the `cases:` list (for messages that point at the case)."""
    lines = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text.startswith("  - ") or text.startswith("- "):
            lines.append(number)
    return lines


def load_cases(path: Path) -> list[Case]:
    doc = _load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise RuleTestError(
            "a rule test file is a mapping with a 'cases' list", Location(str(path), 1)
        )
    base = doc.get("base") or {}
    files = doc.get("files") or {}
    default_as_of = doc.get("as_of")
    lines = _case_lines(path)
    cases = []
    for index, raw in enumerate(doc["cases"]):
        line = lines[index] if index < len(lines) else 1
        where = Location(str(path), line)
        if not isinstance(raw, dict):
            raise RuleTestError("each case is a mapping", where)
        missing = [k for k in ("name", "rule", "expect") if k not in raw]
        if missing:
            raise RuleTestError(f"case lacks {', '.join(missing)}", where)
        as_of = raw.get("as_of", default_as_of)
        if isinstance(as_of, str):
            as_of = dt.date.fromisoformat(as_of)
        if not isinstance(as_of, dt.date):
            raise RuleTestError("every case needs an as_of date (in the case or the file)", where)
        expect = {str(k): str(v) for k, v in (raw.get("expect") or {}).items()}
        bad = [v for v in expect.values() if v not in OUTCOMES]
        if bad:
            raise RuleTestError(
                f"unknown outcome {bad[0]!r}; use one of {', '.join(OUTCOMES)}", where
            )
        export = {**base, **(raw.get("export") or {})}
        cases.append(
            Case(
                path,
                line,
                str(raw["name"]),
                str(raw["rule"]),
                export,
                {**files, **(raw.get("files") or {})},
                as_of,
                expect,
            )
        )
    return cases


def find_test_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(path.rglob(f"*{TEST_SUFFIX}")))
        elif path.name.endswith(TEST_SUFFIX):
            out.append(path)
    return out


def _plain(value: Any) -> Any:
    """YAML dates back to text, so the case's export is written exactly as a user would."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def run_case(case: Case, ruleset: Any) -> CaseResult:
    """Write the case's export to a temporary folder, load it like a user's, run the one rule."""
    from aimscheck.engine import Evaluator
    from aimscheck.errors import raise_all
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.export.schema import validate_export

    rule = ruleset.get(case.rule)
    if rule is None:
        return CaseResult(case, {}, error=f"no rule with id {case.rule}")
    with tempfile.TemporaryDirectory(prefix="aimscheck-test-") as tmp:
        root = Path(tmp)
        (root / "aims.yaml").write_text(
            yaml.safe_dump(_plain(case.export), sort_keys=False), encoding="utf-8"
        )
        for name, content in case.files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(str(content), encoding="utf-8")
        try:
            export = load_export(root)
            raise_all(list(validate_export(export)))
            coerce_dates(export, ruleset.custom_date_fields)
        except AimscheckError as exc:
            return CaseResult(case, {}, error=f"the case's export is invalid: {exc.render()}")
        results = list(Evaluator(export, case.as_of).evaluate(rule))
    actual = {
        (WHOLE_EXPORT if r.subject is None else str(r.subject)): r.outcome.value for r in results
    }
    diff = tuple(
        f"{subject}: expected {case.expect.get(subject, '(no result)')}, "
        f"got {actual.get(subject, '(no result)')}"
        for subject in sorted(set(actual) | set(case.expect))
        if actual.get(subject) != case.expect.get(subject)
    )
    messages = {
        (WHOLE_EXPORT if r.subject is None else str(r.subject)): r.message
        for r in results
        if r.message
    }
    detail = tuple(
        f"{d} ({messages[d.split(':')[0]]})" if d.split(":")[0] in messages else d for d in diff
    )
    return CaseResult(case, actual, detail)


def run_tests(paths: Sequence[Path], ruleset: Any) -> tuple[list[CaseResult], list[str]]:
    """Run every case of the test files; also return the ids of rules no case names."""
    results = []
    tested: set[str] = set()
    for path in find_test_files(paths):
        for case in load_cases(path):
            tested.add(case.rule)
            results.append(run_case(case, ruleset))
    untested = [r.info.id for r in ruleset.rules if r.info.id not in tested]
    return results, untested


def junit_report(results: Sequence[CaseResult]) -> str:
    """The rule test results as one JUnit XML document (one testcase per case)."""
    from junit_xml import TestCase, TestSuite, to_xml_report_string

    cases = []
    for result in results:
        tc = TestCase(result.case.name, classname=f"aimscheck.tests.{result.case.rule}")
        if result.error:
            tc.add_error_info(message=result.error)
        elif result.diff:
            tc.add_failure_info(message="unexpected outcomes", output="\n".join(result.diff))
        cases.append(tc)
    return str(to_xml_report_string([TestSuite("aimscheck rule tests", cases)]))
