"""`aimscheck test`: run the rule tests that sit beside the rules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aimscheck.cli import EXIT_FINDINGS, EXIT_OK, guarded


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--junit", type=click.Path(path_type=Path), help="Write the test results as JUnit.")
@guarded
def command(paths: tuple[Path, ...], junit: Path | None) -> None:
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
