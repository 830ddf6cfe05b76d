"""The whole check as a library call: load rules and export, validate, evaluate, report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from aimscheck import __version__
from aimscheck.errors import AimscheckError, UsageError, raise_all
from aimscheck.export.dates import today
from aimscheck.results import SYSTEMIC_AFTER, Report, Result, RuleAdjustment, Severity
from aimscheck.source import Location

if TYPE_CHECKING:
    from aimscheck.config import Config
    from aimscheck.dsl.ruleset import RuleSet
    from aimscheck.export.contract import Extensions, VocabularyExtension
    from aimscheck.export.model import Export
    from aimscheck.frameworks.view import FrameworkView
    from aimscheck.progress import Progress

PACK_VERSION = f"iso42001-{__version__}"


@dataclass(frozen=True)
class CheckOptions:
    """What one `aimscheck check` is asked to do.

    `config` adds its packs after the built-in pack and before `rules`, its parameters under
    `params` (which win), and brings severity changes, disabled rules and waivers.
    """

    path: Path
    rules: Sequence[Path] = ()
    default_rules: bool = True
    as_of: dt.date = field(default_factory=today)  # today in UTC, as every command's default
    fail_on: Severity | None = Severity.MINOR
    systemic_after: int | None = SYSTEMIC_AFTER  # minor findings on one requirement; None: off
    strict: bool = False
    evidence_root: Path | None = None
    params: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    config: Config | None = None
    baseline: Path | None = None
    inventory: bool = True  # build the evidence inventory (hashes every proof file once)
    uri_counts_missing: bool = False  # proof kept in another system (a uri) counts as missing
    require_sha256: bool = False  # a proof file whose record gives no sha256 counts as missing
    allow_hard_links: bool = False  # proof files with other names count (the CI operator's call)
    # Called with the export as soon as it is read, before any rule runs (the check command
    # refuses there a report path that is one of its files or proof files).
    on_export: Callable[[Export], None] | None = None
    # Frameworks to show readiness for (aimscheck/frameworks/), and application dates replaced.
    frameworks: tuple[str, ...] = ()
    framework_dates: Mapping[str, dt.date] = field(default_factory=dict)


def load_ruleset(
    rules: Sequence[Path],
    default_rules: bool = True,
    params: Mapping[str, Mapping[str, object]] | None = None,
    vocabulary: tuple[VocabularyExtension, ...] = (),
) -> RuleSet:
    """The built-in pack (unless left out) and `rules`, compiled with the configuration's
    parameters and the values it adds to closed vocabularies."""
    from aimscheck.dsl.ruleset import compile_files, rule_files
    from aimscheck.resources import default_pack

    builtin = rule_files([default_pack()]) if default_rules else []
    if not builtin and not rules:
        raise UsageError("no rules to run: --no-default-rules needs at least one --rules DIR")
    files = [*builtin, *rules]
    ruleset = compile_files(files, params, builtin_count=len(builtin), vocabulary=vocabulary)
    if not default_rules:
        return ruleset
    # The checks built into the tool belong to the default pack (integrity.py).
    from aimscheck.integrity import RULE

    taken = ruleset.get(RULE.id)
    if taken is not None:
        raise UsageError(
            f"rule id {RULE.id} is the built-in integrity check's",
            taken.info.location,
            hint="give the rule its own id",
        )
    return dataclasses.replace(ruleset, builtins=(RULE,))


def extensions(ruleset: RuleSet, config: Config | None) -> Extensions:
    """What the run adds to the export contract: the configuration's vocabulary values and
    the fields its rule packs declare."""
    from aimscheck.export.contract import Extensions

    vocabulary = config.vocabulary if config is not None else ()
    return Extensions(vocabulary=vocabulary, fields=ruleset.declared_fields)


def settings_problems(
    config: Config,
    rules: Sequence[Path] = (),
    default_rules: bool = True,
    params: Mapping[str, Mapping[str, object]] | None = None,
) -> list[AimscheckError]:
    """What the configuration's rule settings contradict in the rules `check` would run with it
    (its packs, `rules`, the built-in pack unless either leaves it out), read against the rules
    without the file's values (`params`: those given on the command line): a rule id no pack
    has, a misspelt parameter, a value of the wrong type or outside the vocabulary compared
    with. None when the rules do not compile: their own mistakes are told at the rule files."""
    from aimscheck.config import rule_problems
    from aimscheck.dsl.ruleset import rule_files
    from aimscheck.resources import default_pack

    builtin = default_rules and config.default_pack
    try:
        packed = rule_files([default_pack()]) if builtin else []
        kept = {p.resolve() for p in packed}  # load_ruleset adds them itself
        # Each file once (a pack named both by `rules` and by the configuration).
        files = [p for p in rule_files([*config.packs, *rules]) if p.resolve() not in kept]
        bare = load_ruleset(files, builtin, params or {}, config.vocabulary)
    except AimscheckError:
        return []
    return rule_problems(config, bare, types=True)


def _configured_ruleset(options: CheckOptions) -> RuleSet:
    """The rules with the configuration's packs and parameters; its errors at its lines."""
    from aimscheck.config import rule_problems

    config = options.config
    if config is None:
        ruleset = load_ruleset(options.rules, options.default_rules, options.params)
        return _dated(
            ruleset,
            options,
            options.params,
            lambda p: load_ruleset(options.rules, options.default_rules, p),
        )
    params = {rule: dict(values) for rule, values in config.parameters.items()}
    for rule, values in options.params.items():
        params.setdefault(rule, {}).update(values)
    packs = [*config.packs, *options.rules]
    try:
        ruleset = load_ruleset(
            packs, options.default_rules and config.default_pack, params, config.vocabulary
        )
    except UsageError as exc:
        if not config.parameters:
            raise
        # A value the rules refuse: every mistake of the configuration's rule settings is told
        # at once, at its line, read against the rules without the file's values (this path
        # only: the rules are compiled twice only when the configuration is wrong).
        found = settings_problems(config, options.rules, options.default_rules, options.params)
        raise_all(found or [exc])
        raise
    raise_all(rule_problems(config, ruleset))
    return _dated(
        ruleset,
        options,
        params,
        lambda p: load_ruleset(
            packs, options.default_rules and config.default_pack, p, config.vocabulary
        ),
    )


def _dated(
    ruleset: RuleSet,
    options: CheckOptions,
    params: Mapping[str, Mapping[str, object]],
    again: Callable[[dict[str, dict[str, object]]], RuleSet],
) -> RuleSet:
    """The rules again, with their packs' date parameters bound to the run's application dates
    (`options.framework_dates`) where no parameter setting names them: one date moves both
    the view and the rules (aimscheck/frameworks/dates.py). Compiled twice only then."""
    from aimscheck.frameworks.dates import pack_bindings

    bound = pack_bindings(ruleset, options.framework_dates, params)
    if not bound:
        return ruleset
    merged = {rule: dict(values) for rule, values in params.items()}
    for rule, values in bound.items():
        merged.setdefault(rule, {}).update(values)
    return again(merged)


def _unknown_rule(rule: str, known: set[str], where: Location, setting: str) -> UsageError:
    close = difflib.get_close_matches(rule, sorted(known), n=1, cutoff=0.8)
    return UsageError(
        f"{setting} names rule {rule}, which is not loaded",
        where,
        hint=f"did you mean {close[0]}?" if close else "check the rule id against the packs",
    )


def adjust(ruleset: RuleSet, config: Config | None) -> tuple[RuleSet, tuple[RuleAdjustment, ...]]:
    """Apply the configuration's severity changes and disabled rules, keeping their reasons.

    The packs' rules and the built-in checks are graded and disabled alike, by id."""
    if config is None or not (config.severity or config.disabled):
        return ruleset, ()
    infos = {info.id: info for info in ruleset.infos}
    errors: list[AimscheckError] = []
    adjustments: list[RuleAdjustment] = []
    for change in config.severity:
        original = infos.get(change.rule)
        if original is None:
            errors.append(_unknown_rule(change.rule, set(infos), change.location, "rules.severity"))
            continue
        infos[change.rule] = dataclasses.replace(original, severity=change.severity)
        adjustments.append(
            RuleAdjustment(
                change.rule,
                original.title,
                "severity",
                change.reason,
                original.severity.value,
                change.severity.value,
                change.location,
            )
        )
    for off in config.disabled:
        info = infos.pop(off.rule, None)
        if info is None:
            errors.append(_unknown_rule(off.rule, set(infos), off.location, "rules.disabled"))
            continue
        adjustments.append(
            RuleAdjustment(off.rule, info.title, "disabled", off.reason, location=off.location)
        )
    raise_all(errors)
    kept = tuple(
        r if infos[r.info.id] is r.info else dataclasses.replace(r, info=infos[r.info.id])
        for r in ruleset.rules
        if r.info.id in infos
    )
    checks = tuple(infos[i.id] for i in ruleset.builtins if i.id in infos)
    return dataclasses.replace(ruleset, rules=kept, builtins=checks), tuple(adjustments)


def run_check(options: CheckOptions, progress: Progress | None = None) -> Report:
    """Raises an AimscheckError (exit 2) for any input problem; otherwise the full report."""
    from aimscheck.baseline import load_baseline
    from aimscheck.engine import Evaluator
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.export.schema import validate_export
    from aimscheck.progress import Progress
    from aimscheck.waivers import apply_waivers

    show = progress if progress is not None else Progress()
    try:
        show.stage("loading rules")
        ruleset, adjustments = adjust(_configured_ruleset(options), options.config)
        baseline = load_baseline(options.baseline) if options.baseline is not None else None
        show.stage("loading the export")
        export = load_export(options.path)
        if options.on_export is not None:
            options.on_export(export)
        show.stage("validating the export")
        added = extensions(ruleset, options.config)
        raise_all(list(validate_export(export, strict=options.strict, extensions=added)))
        coerce_dates(export, ruleset.custom_date_fields)
        if options.evidence_root is not None and not options.evidence_root.is_dir():
            raise UsageError(f"--evidence-root {options.evidence_root} is not a folder")
        evaluator = Evaluator(
            export,
            options.as_of,
            options.evidence_root,
            uri_counts_missing=options.uri_counts_missing,
            require_sha256=options.require_sha256,
            allow_hard_links=options.allow_hard_links,
        )
        evaluator.prepare(ruleset)
        results: list[Result] = []
        total = len(ruleset.rules)
        for done, rule in enumerate(ruleset.rules):
            show.step(done, total, "evaluating rules", rule.info.id)
            results.extend(evaluator.evaluate(rule))
    finally:
        show.close()
    inventory = None
    if options.inventory:
        from aimscheck.inventory import build_inventory

        inventory = build_inventory(export, evaluator.ctx.evidence, results).to_dict()
    if ruleset.builtins:  # after the rules: it does not repeat what their findings report
        from aimscheck.integrity import RULE_ID, integrity_results

        for info in ruleset.builtins:
            if info.id == RULE_ID:
                default = export.default_location()
                found = integrity_results(info, evaluator.ctx.evidence, results, default)
                results.extend(found)
    results.sort(key=Result.key)
    config = options.config
    waivers = config.waivers if config is not None else ()
    disabled = {a.rule for a in adjustments if a.change == "disabled"}
    ids = {info.id for info in ruleset.infos}
    results, statuses = apply_waivers(results, waivers, options.as_of, ids, disabled)
    organization = export.data.get("organization")
    name = organization.get("name") if isinstance(organization, dict) else None
    views: tuple[FrameworkView, ...] = ()
    if options.frameworks:
        from aimscheck.frameworks import build_views

        views = build_views(
            options.frameworks,
            export,
            ruleset.infos,
            results,
            options.as_of,
            options.framework_dates,
        )
    return Report(
        as_of=options.as_of.isoformat(),
        export_path=str(options.path),
        export_digest=export.digest,
        rules=ruleset.infos,
        results=tuple(results),
        pack_version=PACK_VERSION,
        fail_on=options.fail_on,
        systemic_after=options.systemic_after,
        tool_version=__version__,
        organization=name if isinstance(name, str) else "",
        config_file=None if config is None or config.path is None else _shown(config.path),
        adjustments=adjustments,
        vocabulary=config.vocabulary if config is not None else (),
        waivers=statuses,
        baseline=baseline,
        evidence_inventory=inventory,
        frameworks=views,
    )


def _shown(path: Path) -> str:
    from aimscheck.yamlfile import display

    return display(path)
