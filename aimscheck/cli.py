"""The command line: a thin click group over the library; exit codes as named constants."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from aimscheck import __version__

EXIT_OK = 0  # conforms at the --fail-on threshold
EXIT_FINDINGS = 1  # findings at or above the threshold
EXIT_ERROR = 2  # the run could not be made: bad rules, invalid export, bad options

F = TypeVar("F", bound=Callable[..., Any])


def fail(error: Exception) -> NoReturn:
    """Print one clear message (never a traceback) and exit 2."""
    from aimscheck.errors import AimscheckError

    text = error.render() if isinstance(error, AimscheckError) else str(error)
    click.echo(
        f"aimscheck: error: {text}" if "\n" not in text else f"aimscheck: error:\n{text}", err=True
    )
    sys.exit(EXIT_ERROR)


def guarded(func: F) -> F:
    """Turn every input problem, and any unforeseen failure, into exit 2 with a message."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from aimscheck.errors import AimscheckError

        try:
            return func(*args, **kwargs)
        except AimscheckError as exc:
            fail(exc)
        except (OSError, MemoryError, RecursionError) as exc:
            fail(exc)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for debugging
            if os.environ.get("AIMSCHECK_DEBUG"):
                raise
            fail(
                RuntimeError(
                    f"internal error ({type(exc).__name__}: {exc}); please report it, "
                    "with AIMSCHECK_DEBUG=1 set to see the traceback"
                )
            )

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aimscheck")
def main() -> None:
    """Check an ISO/IEC 42001 AI management system export against conformity rules."""


@main.command()
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
def check(
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


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--junit", type=click.Path(path_type=Path), help="Write the test results as JUnit.")
@guarded
def test_rules(paths: tuple[Path, ...], junit: Path | None) -> None:
    """Run the rule tests (*.tests.yaml) beside the rules in PATHS (default: the built-in pack)."""
    from aimscheck.dsl.ruleset import compile_files
    from aimscheck.output import write_atomic
    from aimscheck.resources import default_pack
    from aimscheck.ruletests import junit_report, run_tests

    targets = list(paths) or [default_pack()]
    ruleset = compile_files(targets)
    results, untested = run_tests(targets, ruleset)
    for result in results:
        mark = "PASS" if result.passed else "FAIL"
        click.echo(f"{mark}  {result.case.file}:{result.case.line}  {result.case.id}")
        for line in result.diff:
            click.echo(f"      {line}")
        if result.error:
            click.echo(f"      {result.error}")
    for rule_id in untested:
        click.echo(f"warning: rule {rule_id} has no test", err=True)
    failed = sum(1 for r in results if not r.passed)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if junit is not None:
        write_atomic(junit, junit_report(results))
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)
