"""`aimscheck fmt`: rewrite rule files in the one canonical layout (or check that they are)."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, guarded


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what would change.")
@guarded
def command(paths: tuple[Path, ...], check: bool, show_diff: bool) -> None:
    """Format rule files (.aims, or folders of them; default: the current folder).

    One canonical layout, comments kept; the result always parses to the same rules.
    A file with a syntax error is left as it is and reported (exit 2). With --check or
    --diff nothing is written: exit 1 when a file would change.
    """
    from aimscheck.dsl.ruleset import read_rule_file, rule_files
    from aimscheck.errors import AimscheckError
    from aimscheck.formatter import format_text
    from aimscheck.output import write_atomic
    from aimscheck.terminal import visible  # file names and rule text shown, not acted on

    files = rule_files(list(paths) or [Path(".")])
    changed: list[Path] = []
    broken = 0
    for path in files:
        try:
            text = read_rule_file(path)  # a plain file within max_rule_file_mb
            result = format_text(text, str(path))
        except AimscheckError as exc:
            click.echo(f"aimscheck: error:\n{exc.render()}", err=True)
            broken += 1
            continue
        if result == text:
            continue
        changed.append(path)
        if show_diff:
            name = visible(str(path))
            diff = difflib.unified_diff(
                text.splitlines(), result.splitlines(), name, name, lineterm=""
            )
            for line in diff:  # each line of the rule file as it is shown
                click.echo(visible(line))
        elif check:
            click.echo(f"would reformat {visible(str(path))}")
        else:
            write_atomic(path, result)
            click.echo(f"reformatted {visible(str(path))}")
    dry = check or show_diff
    unchanged = len(files) - len(changed) - broken
    verb = "would be reformatted" if dry else "reformatted"
    click.echo(f"{len(changed)} file(s) {verb}, {unchanged} unchanged", err=True)
    if broken:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if dry and changed else EXIT_OK)
