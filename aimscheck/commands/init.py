"""`aimscheck init`: scaffold a governance repo that passes `aimscheck check` right away."""

from __future__ import annotations

import datetime as dt
import os
import shlex
from pathlib import Path

import click

from aimscheck.cli import as_of_option, guarded


@click.command("init")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--force",
    is_flag=True,
    help="Write into a folder that is not empty, overwriting the files the scaffold shares.",
)
@as_of_option("The day the example's dates are set for (default: today).")
@guarded
def command(path: Path, force: bool, as_of: dt.date) -> None:
    """Create a governance repo in PATH (default: the current folder): an example AIMS export
    that passes every rule of the default pack, one custom rule with its tests in rules/,
    settings and CI files.

    PATH must be a new or empty folder (a `.git` in it is fine): a folder that holds anything
    else is refused (exit 2) unless --force, which also overwrites the files it shares with
    the scaffold."""
    from aimscheck.scaffold import folder_name, scaffold

    written = scaffold(path, as_of, force)
    click.echo(f"created {len(written)} files in {folder_name(path)}")
    click.echo("next steps:")
    where = _cd(path)
    if where:
        click.echo(f"  cd {where}")
    click.echo("  aimscheck check          # the AIMS against ISO/IEC 42001 and rules/")
    click.echo("  aimscheck test rules     # the tests of your own rules")
    click.echo("  then read README.md to make the example your own")


def _cd(path: Path) -> str:
    """The folder to change to, relative to the current one and quoted for a shell; empty when
    it is the current folder (never `cd .`)."""
    try:
        relative = os.path.relpath(path.resolve(), Path.cwd().resolve())
    except ValueError:  # another drive (Windows): no relative path
        relative = str(path.resolve())
    return "" if relative == "." else shlex.quote(relative)
