"""`aimscheck lsp`: the language server for rule files, for editors (needs the `lsp` extra)."""

from __future__ import annotations

import sys

import click

from aimscheck.cli import EXIT_ERROR

INSTALL = "aimscheck: error: the language server needs pygls: pip install 'aimscheck[lsp]'"


@click.command("lsp")
def command() -> None:
    """Serve diagnostics (those of `aimscheck lint`), hover, completion, go to definition and
    formatting for .aims and .tests.yaml files to an editor, over standard input and output
    (the Language Server Protocol). Needs `pip install 'aimscheck[lsp]'`."""
    try:
        import pygls  # noqa: F401  (an optional dependency: the `lsp` extra)
    except ImportError:
        click.echo(INSTALL, err=True)
        sys.exit(EXIT_ERROR)
    from aimscheck.lsp.server import serve

    serve()
