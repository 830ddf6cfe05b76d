"""A real LSP client talking to `aimscheck lsp` in a subprocess, for the tests of aimscheck.lsp."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

# One server per test module (started once, module scope); each test of a module runs on its loop.
module_loop = pytest.mark.asyncio(loop_scope="module")

# A custom pack with one rule whose parts hover, completion and definition look at.
GOOD = """\
rule "ORG-1" {
  title       "In-scope systems name how people oversee them"
  clause      "6.1.4"
  control     "A.6.2.8"
  severity    minor
  phase       deployment
  param       max_age = 365 days

  for sys in ai_systems where in_scope(sys)
  let review = latest(management_reviews, "held_at")
  require sys.human_oversight.mode == "human_in_the_loop"
  because "System {sys.id} is not overseen"
  require age(review.held_at) <= max_age
  because "The review is older than {max_age}"
}
"""

TESTS = """\
as_of: 2026-11-20
cases:
  - name: a system without oversight fails
    rule: ORG-1
    export: {ai_systems: [{id: S1, name: Chat, in_scope: true}]}
    expect: {ai_systems/S1: nonconformity}
"""


# The server's own parse cache: the user's is shared with every other run on the machine.
CACHE = tempfile.mkdtemp(prefix="aimscheck-lsp-test-cache-")
atexit.register(shutil.rmtree, CACHE, True)


# `aimscheck lsp` as a test module's client starts it (one server per module).
SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "aimscheck", "lsp"],
    server_env={**os.environ, "XDG_CACHE_HOME": CACHE},
)


@pytest_lsp.fixture(scope="module", config=SERVER)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


def uri(path: Path) -> str:
    return from_fs_path(str(path)) or ""


def write_pack(folder: Path, rules: str = GOOD, tests: str | None = TESTS) -> Path:
    """A pack folder with `org.aims` (and its tests); the path of org.aims."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "org.aims").write_text(rules, encoding="utf-8")
    if tests is not None:
        (folder / "org.tests.yaml").write_text(tests, encoding="utf-8")
    return folder / "org.aims"


def open_file(client: LanguageClient, path: Path, text: str | None = None) -> None:
    language = "yaml" if path.name.endswith(".yaml") else "aims"
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(
                uri(path), language, 1, path.read_text("utf-8") if text is None else text
            )
        )
    )


def change(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=uri(path)),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_of(client: LanguageClient, path: Path, settle: float = 0.0) -> list[str]:
    """The diagnostics the server sent last for `path`, after it has answered for the file
    (a request answered after the notifications: the server handles messages in order)."""
    await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri(path)), lsp.Position(0, 0))
    )
    if settle:
        await asyncio.sleep(settle)
    return [render(d) for d in client.diagnostics.get(uri(path), [])]


def render(d: lsp.Diagnostic) -> str:
    """A diagnostic as one comparable line: line:col, severity, code and message."""
    level = "error" if d.severity == lsp.DiagnosticSeverity.Error else "warning"
    start = d.range.start
    return f"{start.line + 1}:{start.character + 1}: {level} {d.code}: {d.message}"


def position(text: str, needle: str, into: int = 0) -> lsp.Position:
    """The position `into` characters inside the first `needle` of `text`."""
    offset = text.index(needle) + into
    line = text.count("\n", 0, offset)
    return lsp.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


# A pack that declares a field of its own, and a rule that reads it.
DECLARED = GOOD.replace(
    'rule "ORG-1" {',
    'field ai_systems.business_unit: one of "retail", "wholesale"\n\nrule "ORG-1" {',
).replace('sys.human_oversight.mode == "human_in_the_loop"', 'sys.business_unit == "retail"')
