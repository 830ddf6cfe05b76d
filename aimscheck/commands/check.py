"""`aimscheck check`: evaluate the rules on an export and write the reports."""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import gc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from aimscheck.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    as_of_option,
    config_option,
    evidence_root_option,
    exit_now,
    guarded,
    no_config_option,
    rules_option,
)

if TYPE_CHECKING:
    from aimscheck.results import Report

FORMATS = ("text", "json", "junit", "sarif", "markdown", "html")
_EXPORT_SUFFIXES = (".yaml", ".yml", ".json")
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
    default="text",
    show_default=True,
    help="What to print on standard output.",
)
@evidence_root_option
@click.option(
    "--uri-counts-missing",
    is_flag=True,
    help="Count proof kept in another system (a uri, never fetched) as missing evidence.",
)
@click.option(
    "--allow-hard-links",
    is_flag=True,
    help="Accept proof files that have other names (hard links); see docs/security.md.",
)
@click.option(
    "--limit",
    "limit_settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Raise or lower one input limit (see docs/security.md); repeatable.",
)
@click.option("--strict", is_flag=True, help="Refuse export fields the schema does not know.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (no progress).")
@guarded
@_collector_paused
def command(
    path: Path,
    rules: tuple[Path, ...],
    no_default_rules: bool,
    as_of: dt.date,
    fail_on: str | None,
    config_path: Path | None,
    no_config: bool,
    baseline: Path | None,
    junit: Path | None,
    json_path: Path | None,
    sarif: Path | None,
    markdown: Path | None,
    html: Path | None,
    fmt: str,
    evidence_root: Path | None,
    uri_counts_missing: bool,
    allow_hard_links: bool,
    limit_settings: tuple[str, ...],
    strict: bool,
    quiet: bool,
) -> None:
    """Check the AIMS export at PATH (a governance repo folder or one YAML/JSON file)."""
    from aimscheck.check import CheckOptions, run_check
    from aimscheck.config import Config, find_config, load_config
    from aimscheck.errors import AimscheckError, UsageError
    from aimscheck.limits import configured, use
    from aimscheck.progress import Progress
    from aimscheck.results import Severity

    if no_config and config_path is not None:
        raise UsageError("--config and --no-config contradict each other: give one")
    found = None if no_config else config_path or find_config(path)
    given = {"junit": junit, "json": json_path, "sarif": sarif, "markdown": markdown, "html": html}
    asked = {name: out for name, out in given.items() if out is not None}
    _refuse_inputs_as_outputs(asked, path, [found, baseline])
    try:
        config = load_config(found) if found is not None else Config()
    except AimscheckError:
        _remove_stale(asked.values())
        raise
    outputs = {**config.outputs, **asked}
    baseline = baseline or config.baseline
    _refuse_inputs_as_outputs(outputs, path, [found, baseline, *config.waiver_files])
    level = fail_on or config.fail_on or "minor"
    options = CheckOptions(
        path=path,
        rules=rules,
        default_rules=not no_default_rules,
        as_of=as_of,
        fail_on=None if level == "never" else Severity(level),
        strict=strict,
        evidence_root=evidence_root,
        uri_counts_missing=uri_counts_missing,
        allow_hard_links=allow_hard_links,
        config=config,
        baseline=baseline,
        # Hashing every proof file is only worth it when a report shows the inventory.
        inventory=bool({"json", "html"} & {*outputs, fmt}),
    )
    try:
        with use(configured(limit_settings)):
            report = run_check(options, Progress.for_terminal(quiet))
        # Every report is rendered before any is written: no mixed set from a failed render.
        texts = {out: _render(name, report) for name, out in outputs.items()}
    except AimscheckError:
        _remove_stale(outputs.values())
        raise
    if texts:  # the reporters and the atomic writer are imported only when used
        from aimscheck.output import write_atomic

        for out, text in texts.items():
            write_atomic(out, text)
    if not quiet:
        click.echo(_render(fmt, report), nl=False)
    exit_now(EXIT_FINDINGS if report.failing() else EXIT_OK)


def _render(name: str, report: Report) -> str:
    from aimscheck.reporters import render

    return render(name, report)


def _refuse_inputs_as_outputs(
    outputs: dict[str, Path], export: Path, inputs: list[Path | None]
) -> None:
    """A report path must never be one of the files the run reads (export, config, baseline)."""
    from aimscheck.errors import UsageError
    from aimscheck.export.model import COLLECTIONS

    root = export.resolve()

    def exported(out: Path) -> bool:
        """The export file itself, or a name the loader reads in the export folder."""
        if out == root or out.suffix.lower() not in _EXPORT_SUFFIXES:
            return out == root
        folder = out.parent
        if folder == root:
            return out.stem in (*COLLECTIONS, "aims")
        return folder.parent == root and folder.name in COLLECTIONS

    reads = {p.resolve() for p in inputs if p is not None}
    for name, out in outputs.items():
        if out.is_dir():
            raise UsageError(f"{out} is a folder: give a file name for the {name} report")
        if not out.parent.is_dir():
            raise UsageError(
                f"cannot write the {name} report {out}: the folder {out.parent} does not exist",
                hint="create the folder first or choose another output path",
            )
        target = out.resolve()
        if target in reads or target == root or exported(target):
            raise UsageError(
                f"the {name} report {out} would overwrite a file this run reads",
                hint="write reports outside the export (e.g. to reports/)",
            )


def _remove_stale(outputs: Iterable[Path]) -> None:
    """A run that cannot be made removes earlier reports: a CI must not read them as today's."""
    for out in outputs:
        if out.is_file():
            with contextlib.suppress(OSError):
                out.unlink()
