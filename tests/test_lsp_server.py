"""`aimscheck lsp`: its capabilities, its optional dependency, and a CLI that does not load it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from click.testing import CliRunner
from lspdata import module_loop
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp import fixture as lsp_fixture

from aimscheck.cli import EXIT_ERROR, main
from aimscheck.commands.lsp import INSTALL

# What the server answered to `initialize`.
ANSWERS: list[lsp.InitializeResult] = []


@lsp_fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "aimscheck", "lsp"]),
)
async def started(lsp_client: LanguageClient) -> AsyncIterator[None]:
    ANSWERS.append(
        await lsp_client.initialize_session(
            lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
        )
    )
    yield
    await lsp_client.shutdown_session()


@module_loop
async def test_the_server_offers_every_feature(started: None) -> None:
    answer = ANSWERS[-1]
    caps = answer.capabilities
    assert answer.server_info is not None and answer.server_info.name == "aimscheck"
    assert caps.hover_provider and caps.definition_provider
    assert caps.document_formatting_provider
    assert caps.completion_provider is not None
    assert set(caps.completion_provider.trigger_characters or ()) >= {".", '"'}


def test_without_pygls_the_command_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # as if the extra were not installed
    result = CliRunner().invoke(main, ["lsp"])
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == INSTALL + "\n"
    assert INSTALL == (
        "aimscheck: error: the language server needs pygls: pip install 'aimscheck[lsp]'"
    )


def test_the_cli_does_not_import_pygls() -> None:
    """The language server's dependency costs nothing to `aimscheck check` or `--help`."""
    code = (
        "import sys, aimscheck.cli\n"
        "from click.testing import CliRunner\n"
        "CliRunner().invoke(aimscheck.cli.main, ['--help'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
