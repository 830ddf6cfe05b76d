"""`aimscheck check`: evaluate the rules on an export and write the reports."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from aimscheck.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    allow_hard_links_option,
    as_of_option,
    config_option,
    evidence_root_option,
    exit_now,
    guarded,
    limit_option,
    no_config_option,
    rules_option,
)

if TYPE_CHECKING:
    from aimscheck.reportpaths import Inputs, Targets
    from aimscheck.results import Report

FORMATS = ("text", "json", "junit", "sarif", "markdown", "html")
F = TypeVar("F", bound=Callable[..., Any])


def _collector_paused(func: F) -> F:
    """Run with the cyclic garbage collector paused (and skip its pass at the process's exit).

    A check builds the rules, the export and the results, keeps them all to the end and makes
    no garbage cycles: each collection would only rescan them (over a tenth of a small check).
    Reference counting still frees everything as usual.
    """

    @functools.wraps(func)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if not _EXIT_HOOK:
            _EXIT_HOOK.append(atexit.register(gc.freeze))  # at exit nothing needs collecting
        collecting = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return paused  # type: ignore[return-value]


_EXIT_HOOK: list[object] = []


@click.command("check")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@rules_option
@click.option("--no-default-rules", is_flag=True, help="Run only the --rules packs.")
@as_of_option(
    "The date every date rule and waiver is judged against, to the end of that day in UTC "
    "(default: today in UTC)."
)
@click.option(
    "--fail-on",
    type=click.Choice(["major", "minor", "observation", "never"]),
    default=None,
    help="The lowest severity that fails the run (exit 1)  [default: the config's, else minor]",
)
@click.option(
    "--systemic-after",
    metavar="N|never",
    default=None,
    help="Open minor findings on one clause or control from which it is a systemic failure, "
    "counted like a major in the verdict  [default: the config's, else 5]",
)
@config_option()
@no_config_option
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A JSON report of an earlier run: only findings it does not hold fail the run.",
)
@click.option("--junit", type=click.Path(path_type=Path), help="Write a JUnit XML report here.")
@click.option(
    "--json", "json_path", type=click.Path(path_type=Path), help="Write the JSON report here."
)
@click.option("--sarif", type=click.Path(path_type=Path), help="Write a SARIF 2.1.0 report here.")
@click.option(
    "--markdown", type=click.Path(path_type=Path), help="Write a Markdown summary here (for CI)."
)
@click.option(
    "--html", type=click.Path(path_type=Path), help="Write the HTML readiness report here."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="What to print on standard output, even with --quiet  [default: text]",
)
@click.option(
    "--max-findings",
    type=click.IntRange(min=0),
    metavar="N",
    default=None,
    help="Findings the text output lists; 0: all  [default: 50 on a terminal, else all]",
)
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    metavar="NAME",
    help="Also show readiness for another framework from the same results: eu-ai-act or "
    "nist-ai-rmf (repeatable).",
)
@evidence_root_option
@click.option(
    "--uri-counts-missing",
    is_flag=True,
    help="Count proof kept in another system (a uri, never fetched) as missing evidence.",
)
@allow_hard_links_option
@limit_option
@click.option("--strict", is_flag=True, help="Refuse export fields the schema does not know.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print nothing but errors (no progress), unless --format is given.",
)
@guarded
@_collector_paused
def command(
    path: Path,
    rules: tuple[Path, ...],
    no_default_rules: bool,
    as_of: dt.date,
    fail_on: str | None,
    systemic_after: str | None,
    config_path: Path | None,
    no_config: bool,
    baseline: Path | None,
    junit: Path | None,
    json_path: Path | None,
    sarif: Path | None,
    markdown: Path | None,
    html: Path | None,
    fmt: str | None,
    max_findings: int | None,
    frameworks: tuple[str, ...],
    evidence_root: Path | None,
    uri_counts_missing: bool,
    allow_hard_links: bool,
    limit_settings: tuple[str, ...],
    strict: bool,
    quiet: bool,
) -> None:
    """Check the AIMS export at PATH (a governance repo folder or one YAML/JSON file)."""
    from aimscheck.check import CheckOptions, run_check, settings_problems
    from aimscheck.config import Config, find_config, read_config, systemic_threshold
    from aimscheck.errors import UsageError, raise_all
    from aimscheck.limits import configured, use
    from aimscheck.progress import Progress
    from aimscheck.reportpaths import Targets
    from aimscheck.results import SYSTEMIC_AFTER, Severity

    given = {"junit": junit, "json": json_path, "sarif": sarif, "markdown": markdown, "html": html}
    asked = {name: out for name, out in given.items() if out is not None}
    # The reports asked for so far, checked: on exit 2, earlier reports at their paths go.
    targets = Targets.of({}, {})
    try:
        if no_config and config_path is not None:
            raise UsageError("--config and --no-config contradict each other: give one")
        systemic = None if systemic_after is None else systemic_threshold(systemic_after)
        if systemic_after is not None and systemic is None:
            raise UsageError(
                f"--systemic-after must be a whole number of 2 or more, or never (got "
                f"{systemic_after!r})",
                hint="one finding is not a pattern: 5 is the usual threshold",
            )
        limits = configured(limit_settings)
        from aimscheck.frameworks import resolve  # before any work: a mistyped name exits 2

        asked_frameworks = resolve(frameworks)
        inputs = _inputs(path, baseline, rules, evidence_root)
        found = None if no_config else config_path or find_config(path)
        if found is not None:
            inputs.add_config(found)
        # Each check replaces the last (before it can fail): a path it refuses is never removed.
        targets = Targets.of(asked, {})
        targets.check(inputs)
        with use(limits):  # the limits apply to the configuration and its waiver files too
            config, problems = read_config(found) if found is not None else (Config(), [])
        if problems:  # with what the rules say of its sound settings: every mistake in one run
            raise_all([*problems, *settings_problems(config, rules)])
        outputs = {**config.outputs, **asked}
        baseline = baseline or config.baseline
        inputs.add_configured(config, baseline)
        named = {name: at for name, at in config.output_locations.items() if name not in asked}
        targets = Targets.of(outputs, named)
        targets.check(inputs)
        level = fail_on or config.fail_on or "minor"
        # The configuration's views first, then those --framework adds.
        asked_frameworks = resolve((*config.frameworks, *asked_frameworks))
        threshold = systemic or config.systemic_after or SYSTEMIC_AFTER
        options = CheckOptions(
            path=path,
            rules=rules,
            default_rules=not no_default_rules,
            as_of=as_of,
            fail_on=None if level == "never" else Severity(level),
            systemic_after=None if threshold == "never" else int(threshold),
            strict=strict,
            evidence_root=evidence_root,
            # What counts as proof: the pack's choice, aimscheck.yaml's `evidence:`, the flag.
            uri_counts_missing=not config.evidence_policy(uri_counts_missing).uri_counts,
            require_sha256=config.evidence_policy().require_sha256,
            allow_hard_links=allow_hard_links,
            config=config,
            baseline=baseline,
            # Hashing every proof file is only worth it when a report shows the inventory.
            inventory=bool({"json", "html"} & {*outputs, fmt or "text"}),
            on_export=functools.partial(targets.check_export, inputs, evidence_root),
            frameworks=asked_frameworks,
            framework_dates=config.framework_dates,
        )
        with use(limits):
            report = run_check(options, Progress.for_terminal(quiet))
        # Every report is rendered before any is written: no mixed set from a failed render.
        texts = {t.path: _report(t.name, t.path.parent, report, targets) for t in targets}
        if texts:  # the reporters and the writer are imported only when used
            from aimscheck.output import write_all

            write_all(texts)  # all of them, or none
    except Exception:
        targets.remove_stale()
        raise
    if fmt is not None or not quiet:  # a format asked for is printed, --quiet or not
        from aimscheck.terminal import printable  # the repo's data shown, never acted on

        fmt = fmt or "text"
        shown = _stdout(fmt, report, max_findings, targets)
        click.echo(printable(shown, fmt), nl=False)
    exit_now(EXIT_FINDINGS if report.failing() else EXIT_OK)


def _stdout(fmt: str, report: Report, max_findings: int | None, targets: Targets) -> str:
    """What standard output shows: text lists at most --max-findings findings (on a terminal
    50 by default) and names the report files of the run that hold them all."""
    if fmt != "text":
        return _report(fmt, Path.cwd(), report, targets)
    from aimscheck.reporters import text
    from aimscheck.terminal import stdout_is_terminal

    if max_findings is None:
        max_findings = text.TERMINAL_FINDINGS if stdout_is_terminal() else 0
    full = [str(t.path) for t in targets if t.name in ("json", "sarif", "html", "junit")]
    return text.render(report, max_findings or None, full)


def _report(name: str, folder: Path, report: Report, targets: Targets) -> str:
    """The report `name` for a file in `folder` (or standard output, in the current folder):
    the Markdown summary links to the HTML report when the run writes one."""
    html = next((t.path for t in targets if t.name == "html"), None)
    if name != "markdown" or html is None:
        return _render(name, report)
    from aimscheck.reporters import markdown

    return markdown.render(report, markdown.relative_link(html, folder))


def _render(name: str, report: Report) -> str:
    from aimscheck.reporters import render

    return render(name, report)


def _inputs(
    export: Path, baseline: Path | None, rules: tuple[Path, ...], evidence_root: Path | None
) -> Inputs:
    """What the run reads that the command line names, and the installed pack."""
    from aimscheck.reportpaths import Inputs
    from aimscheck.resources import default_pack

    inputs = Inputs()
    inputs.add_export(export, evidence_root)
    if baseline is not None:
        inputs.add(baseline, "the baseline")
    inputs.add_rules(rules)
    inputs.add_rules([default_pack()], "a rule file of the built-in pack")
    return inputs
