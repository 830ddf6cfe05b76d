"""`aimscheck check`: evaluate the rules on an export and write the reports."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from aimscheck.cli import EXIT_FINDINGS, EXIT_OK, guarded, parse_date


@click.command("check")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A folder (or .aims file) of extra rules; repeatable.",
)
@click.option("--no-default-rules", is_flag=True, help="Run only the --rules packs.")
@click.option(
    "--as-of",
    callback=parse_date,
    metavar="YYYY-MM-DD",
    help="The date every date rule is judged against (default: today).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["major", "minor", "observation", "never"]),
    default="minor",
    show_default=True,
    help="The lowest severity that fails the run (exit 1).",
)
@click.option("--junit", type=click.Path(path_type=Path), help="Write a JUnit XML report here.")
@click.option(
    "--json", "json_path", type=click.Path(path_type=Path), help="Write the JSON report here."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
    help="What to print on standard output.",
)
@click.option(
    "--evidence-root",
    type=click.Path(path_type=Path),
    help="Where evidence paths are resolved (default: the export root).",
)
@click.option("--strict", is_flag=True, help="Refuse export fields the schema does not know.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@guarded
def command(
    path: Path,
    rules: tuple[Path, ...],
    no_default_rules: bool,
    as_of: dt.date,
    fail_on: str,
    junit: Path | None,
    json_path: Path | None,
    fmt: str,
    evidence_root: Path | None,
    strict: bool,
    quiet: bool,
) -> None:
    """Check the AIMS export at PATH (a governance repo folder or one YAML/JSON file)."""
    from aimscheck.check import CheckOptions, run_check
    from aimscheck.output import write_atomic
    from aimscheck.reporters import render
    from aimscheck.results import Severity

    threshold = None if fail_on == "never" else Severity(fail_on)
    for out in (junit, json_path):
        if out is not None and out.is_dir():
            raise click.BadParameter(f"{out} is a folder; give a file name", param_hint="report")
    report = run_check(
        CheckOptions(
            path=path,
            rules=rules,
            default_rules=not no_default_rules,
            as_of=as_of,
            fail_on=threshold,
            strict=strict,
            evidence_root=evidence_root,
        )
    )
    if junit is not None:
        write_atomic(junit, render("junit", report))
    if json_path is not None:
        write_atomic(json_path, render("json", report))
    if not quiet:
        click.echo(render(fmt, report), nl=False)
    sys.exit(EXIT_FINDINGS if report.failing() else EXIT_OK)
