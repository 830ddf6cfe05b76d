"""The whole check as a library call: load rules and export, validate, evaluate, report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aimscheck import __version__
from aimscheck.errors import UsageError, raise_all
from aimscheck.results import Report, Severity

if TYPE_CHECKING:
    from aimscheck.dsl.ruleset import RuleSet

PACK_VERSION = f"iso42001-{__version__}"


@dataclass(frozen=True)
class CheckOptions:
    """What one `aimscheck check` is asked to do."""

    path: Path
    rules: Sequence[Path] = ()
    default_rules: bool = True
    as_of: dt.date = field(default_factory=dt.date.today)
    fail_on: Severity | None = Severity.MINOR
    strict: bool = False
    evidence_root: Path | None = None
    params: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


def load_ruleset(
    rules: Sequence[Path],
    default_rules: bool = True,
    params: Mapping[str, Mapping[str, object]] | None = None,
) -> RuleSet:
    from aimscheck.dsl.ruleset import compile_files, rule_files
    from aimscheck.resources import default_pack

    builtin = rule_files([default_pack()]) if default_rules else []
    if not builtin and not rules:
        raise UsageError("no rules to run: --no-default-rules needs at least one --rules DIR")
    return compile_files([*builtin, *rules], params, builtin_count=len(builtin))


def run_check(options: CheckOptions) -> Report:
    """Raises an AimscheckError (exit 2) for any input problem; otherwise the full report."""
    from aimscheck.engine import evaluate
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.export.schema import validate_export

    ruleset = load_ruleset(options.rules, options.default_rules, options.params)
    export = load_export(options.path)
    raise_all(list(validate_export(export, strict=options.strict)))
    coerce_dates(export, ruleset.custom_date_fields)
    if options.evidence_root is not None and not options.evidence_root.is_dir():
        raise UsageError(f"--evidence-root {options.evidence_root} is not a folder")
    results = evaluate(ruleset, export, options.as_of, options.evidence_root)
    results.sort(key=lambda r: (r.rule.id, "" if r.subject is None else str(r.subject)))
    return Report(
        as_of=options.as_of.isoformat(),
        export_path=str(options.path),
        export_digest=export.digest,
        rules=tuple(r.info for r in ruleset.rules),
        results=tuple(results),
        pack_version=PACK_VERSION,
        fail_on=options.fail_on,
        tool_version=__version__,
    )
