"""`aimscheck test`: run the rule tests that sit beside the rules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aimscheck.cli import EXIT_FINDINGS, EXIT_OK, config_option, guarded

if TYPE_CHECKING:
    from aimscheck.export.contract import VocabularyExtension
    from aimscheck.reportpaths import Inputs


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--junit", type=click.Path(path_type=Path), help="Write the test results as JUnit.")
@click.option(
    "--no-default-rules",
    is_flag=True,
    help="Do not load the built-in pack beside PATHS (rules that override it need it).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the summary.")
@config_option(
    "A configuration whose vocabulary: extensions the rules and the cases' exports may use "
    "(as lint --config)."
)
@guarded
def command(
    paths: tuple[Path, ...],
    junit: Path | None,
    no_default_rules: bool,
    quiet: bool,
    config_path: Path | None,
) -> None:
    """Run the rule tests (*.tests.yaml) beside the rules in PATHS (default: the built-in pack).

    Prints PASS or FAIL per case, with every subject whose outcome differs from the expected
    one; warns about rules no case names. Exit 0 when all pass, 1 when one fails, 2 when a
    rule or test file is malformed (every problem `aimscheck lint` reports in a test file).
    With --config, the configuration's vocabulary extensions apply; its parameters, severity
    changes, disabled rules and waivers do not: a case tests the rule as written.
    """
    from aimscheck.dsl.ruleset import compile_files, rule_files
    from aimscheck.output import write_atomic
    from aimscheck.reportpaths import Targets
    from aimscheck.resources import default_pack
    from aimscheck.ruletests import junit_report, run_tests
    from aimscheck.terminal import visible

    def say(line: str, err: bool = False) -> None:
        # Each line quotes the rule pack's tests (names, subjects, messages): escaped, a
        # newline inside a value is shown as `\\n`, never a line of its own in the CI log.
        click.echo(visible(line), err=err)

    targets = list(paths) or [default_pack()]
    # --junit is a report: never over a file the run reads; on exit 2, an earlier one at its
    # path is removed (docs/security.md, "Reports").
    reports = Targets.of({} if junit is None else {"junit": junit}, {})
    with reports.stale_removed():
        inputs = _inputs(targets, not no_default_rules)
        vocabulary: tuple[VocabularyExtension, ...] = ()
        if config_path is not None:  # words the organisation added to closed vocabularies
            from aimscheck.config import load_config

            inputs.add_config(config_path)
            config = load_config(config_path)
            inputs.add_configured(config)  # never a report over a file it names
            vocabulary = config.vocabulary
        reports.check(inputs)
        own = rule_files(targets)
        builtin = [] if no_default_rules else rule_files([default_pack()])
        mine = {p.resolve() for p in own}
        builtin = [p for p in builtin if p.resolve() not in mine]
        ruleset = compile_files([*builtin, *own], builtin_count=len(builtin), vocabulary=vocabulary)
        results, untested = run_tests(targets, ruleset, [str(p) for p in own], vocabulary)
        for export in {r.case.export_path for r in results if r.case.export_path is not None}:
            inputs.add_export(export)  # a case's export, read where it is
        for result in results:
            if quiet and result.passed:
                continue
            mark = "PASS" if result.passed else "FAIL"
            say(f"{mark}  {result.case.file}:{result.case.line}  {result.case.id}")
            for line in result.diff:
                say(f"      {line}")
            if result.error:  # an error message: its lines are already escaped one by one
                for line in result.error.split("\n"):
                    say(f"      {line}")
        for rule_id in untested:
            say(f"warning: rule {rule_id} has no test", err=True)
        failed = sum(1 for r in results if not r.passed)
        click.echo(
            f"{len(results) - failed} passed, {failed} failed"
            + (f", {len(untested)} rule(s) without a test" if untested else "")
        )
        if junit is not None:
            reports.check(inputs)
            write_atomic(junit, junit_report(results))
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _inputs(paths: list[Path], default_rules: bool) -> Inputs:
    """The rule files and their test files; the exports the cases name come once read."""
    from aimscheck.reportpaths import Inputs
    from aimscheck.resources import default_pack
    from aimscheck.ruletests import find_test_files

    inputs = Inputs()
    inputs.add_rules(paths)
    if default_rules:
        inputs.add_rules([default_pack()], "a rule file of the built-in pack")
    for file in find_test_files(paths):
        inputs.add(file, "a rule test file")
    return inputs
