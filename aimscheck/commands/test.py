"""`aimscheck test`: run the rule tests that sit beside the rules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aimscheck.cli import EXIT_FINDINGS, EXIT_OK, guarded


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--junit", type=click.Path(path_type=Path), help="Write the test results as JUnit.")
@click.option(
    "--no-default-rules",
    is_flag=True,
    help="Do not load the built-in pack beside PATHS (rules that override it need it).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the summary.")
@guarded
def command(
    paths: tuple[Path, ...], junit: Path | None, no_default_rules: bool, quiet: bool
) -> None:
    """Run the rule tests (*.tests.yaml) beside the rules in PATHS (default: the built-in pack).

    Prints PASS or FAIL per case, with every subject whose outcome differs from the expected
    one; warns about rules no case names. Exit 0 when all pass, 1 when one fails, 2 when a
    rule or test file is malformed.
    """
    from aimscheck.dsl.ruleset import compile_files, rule_files
    from aimscheck.output import write_atomic
    from aimscheck.resources import default_pack
    from aimscheck.ruletests import junit_report, run_tests

    targets = list(paths) or [default_pack()]
    own = rule_files(targets)
    builtin = [] if no_default_rules else rule_files([default_pack()])
    mine = {p.resolve() for p in own}
    builtin = [p for p in builtin if p.resolve() not in mine]
    ruleset = compile_files([*builtin, *own], builtin_count=len(builtin))
    results, untested = run_tests(targets, ruleset, [str(p) for p in own])
    for result in results:
        if quiet and result.passed:
            continue
        mark = "PASS" if result.passed else "FAIL"
        click.echo(f"{mark}  {result.case.file}:{result.case.line}  {result.case.id}")
        for line in result.diff:
            click.echo(f"      {line}")
        if result.error:
            click.echo(f"      {result.error}")
    for rule_id in untested:
        click.echo(f"warning: rule {rule_id} has no test", err=True)
    failed = sum(1 for r in results if not r.passed)
    click.echo(
        f"{len(results) - failed} passed, {failed} failed"
        + (f", {len(untested)} rule(s) without a test" if untested else "")
    )
    if junit is not None:
        write_atomic(junit, junit_report(results))
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)
