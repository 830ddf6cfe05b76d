"""`aimscheck init`: scaffold a governance repo that passes `aimscheck check` right away."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from aimscheck.cli import as_of_option, guarded


@click.command("init")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite files the scaffold would replace.")
@as_of_option("The day the example's dates are set for (default: today).")
@guarded
def command(path: Path, force: bool, as_of: dt.date) -> None:
    """Create a governance repo in PATH (default: the current folder): an example AIMS export
    that passes every rule of the default pack, one custom rule with its tests, settings and
    CI snippets. Existing files are never overwritten without --force."""
    from aimscheck.scaffold import scaffold

    written = scaffold(path, as_of, force)
    click.echo(f"created {len(written)} files in {path}")
    click.echo("next steps:")
    click.echo(f"  cd {path}")
    click.echo("  aimscheck check          # the AIMS against ISO/IEC 42001 and rules/")
    click.echo("  aimscheck test rules     # the tests of your own rules")
    click.echo("  then read README.md to make the example your own")
