"""The language server's wiring: which request each module answers, over stdio (pygls)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from aimscheck import __version__
from aimscheck.dsl.memo import Memo
from aimscheck.lsp import completion, definition, diagnostics, formatting, hover, scan
from aimscheck.lsp.pack import TESTS, Custom, Entry, Pack, declared, entries, pack_of, read
from aimscheck.lsp.units import Units, agreed

# When the cycles left by past lints are collected: after this long without an edit, or after
# this many lints (typing without a pause).
QUIET_SECONDS = 1.0
LINTS_PER_COLLECT = 20


class RulesServer(LanguageServer):
    """The server, with what it keeps between requests: the test cases read, the diagnostics
    last sent for each file (a file is sent again only when they change) and the files
    changed since the last lint."""

    def __init__(self) -> None:
        super().__init__("aimscheck", __version__)
        self.cases = diagnostics.CaseCache()
        # Each pack folder's parses and compiles, from its last lint (aimscheck.dsl.memo).
        self.memos: dict[Path, Memo] = {}
        # Each pack folder's test files' problems, from its last lint (checked against its rules).
        self.tested: dict[Path, diagnostics.CheckedTestFiles] = {}
        self.sent: dict[Path, list[lsp.Diagnostic]] = {}
        self.pending: dict[str, None] = {}
        # What each pack folder was linted on: its files' sizes and times, and the buffers.
        self.linted: dict[Path, object] = {}
        self.lints = 0  # since the last collection of cycles
        self.collection: asyncio.TimerHandle | None = None

    def changed(self, uri: str) -> None:
        """Lint once the messages already received are handled: keystrokes that arrived
        together are linted once, on the last text, instead of one lint each falling behind."""
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending[uri] = None

    def flush(self) -> None:
        """Lint what changed (before any answer: a request sees the diagnostics of the text it
        is about)."""
        uris, self.pending = list(self.pending), {}
        for uri in uris:
            self.refresh(uri)

    def buffers(self) -> dict[Path, str]:
        """The text of every open rule and test file, by path."""
        out: dict[Path, str] = {}
        for uri, doc in self.workspace.text_documents.items():
            path = _path(uri)
            if path is not None:
                out[path] = doc.source
        return out

    def document(self, uri: str) -> tuple[TextDocument, Path | None]:
        self.flush()
        return self.workspace.get_text_document(uri), _path(uri)

    @property
    def units(self) -> Units:
        """How the client counts columns (agreed at initialisation: UTF-16 by default)."""
        return agreed(self.workspace.position_encoding)

    def memo(self, pack: Pack) -> Memo:
        """The pack folder's parses and compiles: hover, completion and definition read the
        parses its last lint made, and parse no file again."""
        return self.memos.setdefault(pack.folder, Memo())

    def entries(self, path: Path) -> dict[str, Entry]:
        pack = pack_of(path)
        return entries(pack, self.buffers(), self.memo(pack))

    def declared(self, path: Path) -> Custom:
        pack = pack_of(path)
        return declared(pack, self.buffers(), self.memo(pack))

    def refresh(self, uri: str) -> None:
        """Lint the pack of the file and send each of its files' diagnostics that changed."""
        path = _path(uri)
        if path is None or not (path.suffix == ".aims" or path.name.endswith(TESTS)):
            return
        pack, buffers = pack_of(path), self.buffers()
        state = _state(pack.folder, buffers)
        if self.linted.get(pack.folder) == state:
            return  # nothing lint reads has changed (a file opened again as it was)
        self.linted[pack.folder] = state
        tests = self.tested.setdefault(pack.folder, diagnostics.CheckedTestFiles(self.cases))
        found = diagnostics.problems(pack, path, buffers, self.cases, self.memo(pack), tests)
        for file, problems in found.items():
            text = read(file, buffers) if problems else None
            shown = [diagnostics.diagnostic(p, text or "", self.units) for p in problems]
            if self.sent.get(file) == shown and file != path:
                continue
            self.sent[file] = shown
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=from_fs_path(str(file)) or "", diagnostics=shown)
            )
        self.collect_later()

    def collect_later(self) -> None:
        """Collect the cycles of past lints when the editor is quiet (or every few lints)."""
        self.lints += 1
        if self.lints >= LINTS_PER_COLLECT:
            self.collect()
        elif self.collection is None:
            self.collection = asyncio.get_running_loop().call_later(QUIET_SECONDS, self.collect)

    def collect(self) -> None:
        if self.collection is not None:
            self.collection.cancel()
        self.collection, self.lints = None, 0
        gc.collect()


def build() -> RulesServer:
    """The server with its features registered (an explicit list, nothing on import)."""
    server = RulesServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RulesServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RulesServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: RulesServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RulesServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)  # the file on disk now counts, not the buffer

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: RulesServer, params: lsp.HoverParams) -> lsp.Hover | None:
        doc, path = ls.document(params.text_document.uri)
        if path is None:
            return None
        units = ls.units
        offset = units.offset(doc.source, params.position)
        found = (
            hover.hover_tests(doc.source, offset, ls.entries(path))
            if path.name.endswith(TESTS)
            else hover.hover(doc.source, offset, ls.entries(path), ls.declared(path))
        )
        if found is None:
            return None
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=found.markdown),
            range=lsp.Range(
                units.position_at(doc.source, found.start), units.position_at(doc.source, found.end)
            ),
        )

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=[".", ">", '"', "="]),
    )
    def on_completion(ls: RulesServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        doc, path = ls.document(params.text_document.uri)
        items: list[lsp.CompletionItem] = []
        if path is not None:
            offset = ls.units.offset(doc.source, params.position)
            items = (
                completion.complete_tests(doc.source, offset, ls.entries(path))
                if path.name.endswith(TESTS)
                else completion.complete(doc.source, offset, ls.entries(path), ls.declared(path))
            )
            for item in items:  # edits are placed in characters: in the client's units
                edit = item.text_edit
                if isinstance(edit, lsp.TextEdit):
                    edit.range = _to_client(ls.units, doc.source, edit.range)
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: RulesServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        doc, path = ls.document(params.text_document.uri)
        if path is None:
            return None
        offset = ls.units.offset(doc.source, params.position)
        found = (
            _case_rule(doc.source, offset, ls.entries(path))
            if path.name.endswith(TESTS)
            else definition.definition(
                doc.source, str(path), offset, ls.entries(path), ls.memo(pack_of(path))
            )
        )
        if found is None:
            return None
        text = read(Path(found.file), ls.buffers()) or ""
        span = (found.line, found.column, found.end_line, found.end_column)
        return lsp.Location(uri=from_fs_path(found.file) or "", range=ls.units.range(text, *span))

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(
        ls: RulesServer, params: lsp.DocumentFormattingParams
    ) -> list[lsp.TextEdit] | None:
        doc, path = ls.document(params.text_document.uri)
        if path is None or path.suffix != ".aims":
            return None
        edits = formatting.formatting(doc.source, str(path))
        for edit in edits or ():
            edit.range = _to_client(ls.units, doc.source, edit.range)
        return edits

    return server


def _to_client(units: Units, text: str, span: lsp.Range) -> lsp.Range:
    """A range in characters as the client counts (its units)."""
    start, end = span.start, span.end
    return units.range(text, start.line, start.character, end.line, end.character)


def _case_rule(text: str, offset: int, known: dict[str, Entry]) -> definition.Target | None:
    """The rule a test case's `rule:` names, under the cursor."""
    found = scan.case_rule_at(text, offset)
    return None if found is None else definition.rule_target(found[0], known)


def _state(folder: Path, buffers: dict[Path, str]) -> object:
    """What lint reads of a pack folder: each rule and test file's size and time, and the
    editor's buffers in it."""
    files = [*folder.rglob("*.aims"), *folder.rglob(f"*{TESTS}")]
    stats = sorted((str(f), s.st_size, s.st_mtime_ns) for f in files if (s := f.stat()))
    return stats, sorted((str(p), t) for p, t in buffers.items() if p.is_relative_to(folder))


def _path(uri: str) -> Path | None:
    """The file of a `file:` URI; None for any other (an unsaved new file has no folder, and
    so no pack)."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return None if path is None else Path(path)


def serve() -> None:
    """Answer an editor over standard input and output until it says exit.

    The server collects cyclic garbage itself (`collect_later`): the automatic collector
    would run in the middle of the lints, rescanning the pack's trees and closures."""
    gc.disable()
    build().start_io()
