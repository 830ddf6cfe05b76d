"""`aimscheck lint`: report every problem of every rule file, with warnings, before CI runs them."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, config_option, guarded

if TYPE_CHECKING:
    from aimscheck.export.contract import VocabularyExtension
    from aimscheck.lint import Problem


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--no-default-rules",
    is_flag=True,
    help="Do not load the built-in pack beside PATHS (it is needed to check 'overrides').",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the problems.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when there are warnings (and no error).")
@config_option(
    "A configuration to check against the rules (rule ids, parameters) and whose vocabulary: "
    "extensions the rules may compare with."
)
@guarded
def command(
    paths: tuple[Path, ...],
    no_default_rules: bool,
    fmt: str,
    strict: bool,
    config_path: Path | None,
) -> None:
    """Check rule files (.aims, or folders of them; default: the packs of --config, else the
    built-in pack) without running them: every syntax and meaning error of every file, each
    with file:line:col, the line, a caret and how to fix it; with --config, every rule setting
    of the file the rules contradict; warnings for rules without tests or 'because' messages
    and for unused lets and params. Exit 2 on any error, 1 on warnings with --strict, else 0."""
    from aimscheck.dsl.ruleset import rule_files
    from aimscheck.lint import lint
    from aimscheck.resources import default_pack

    vocabulary: tuple[VocabularyExtension, ...] = ()
    config = None
    if config_path is not None:  # words the organisation added to closed vocabularies
        from aimscheck.check import settings_problems
        from aimscheck.config import read_config
        from aimscheck.errors import raise_all

        config, problems = read_config(config_path)
        if problems:  # with what the rules say of its sound settings: every mistake in one run
            raise_all([*problems, *settings_problems(config, paths)])
        vocabulary = config.vocabulary
    # Without PATHS: the packs the configuration loads (else the built-in pack).
    targets = list(paths) or list(config.packs if config is not None else ()) or [default_pack()]
    builtin = [] if no_default_rules else rule_files([default_pack()])
    report = lint(targets, builtin, vocabulary=vocabulary)
    if config is not None:  # what `check` would refuse in it, told before anything runs
        from aimscheck.lint import with_config

        report = with_config(report, config, targets)
    if fmt == "json":
        from aimscheck.terminal import printable  # the rules' text shown, never acted on

        document = {
            "format": "aimscheck-lint/1",
            "files": list(report.files),
            "rules": report.rules,
            "errors": report.errors,
            "warnings": report.warnings,
            "problems": [p.to_dict() for p in report.problems],
        }
        click.echo(printable(json.dumps(document, indent=2), "json"))
    else:
        for problem in report.problems:
            click.echo(_shown(problem).render())
        click.echo(report.summary())
    if report.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if strict and report.warnings else EXIT_OK)


def _shown(problem: Problem) -> Problem:
    """A problem whose texts (they quote the rule files: names, strings, file names) are
    escaped one by one before they are put in lines: a newline inside one is shown as `\\n`,
    never a line of its own in the CI log."""
    from aimscheck.terminal import visible

    where = problem.location
    return dataclasses.replace(
        problem,
        message=visible(problem.message),
        location=None if where is None else dataclasses.replace(where, file=visible(where.file)),
        snippet="\n".join(map(visible, problem.snippet.split("\n"))),
        hint=visible(problem.hint),
    )
