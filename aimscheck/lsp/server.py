"""The language server's wiring: which request each module answers, over stdio (pygls)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from aimscheck import __version__
from aimscheck.lsp import completion, definition, diagnostics, formatting, hover, scan
from aimscheck.lsp.pack import TESTS, Entry, entries, pack_of


class RulesServer(LanguageServer):
    """The server, with what it keeps between requests: the test cases read and the
    diagnostics last sent for each file (a file is sent again only when they change)."""

    def __init__(self) -> None:
        super().__init__("aimscheck", __version__)
        self.cases = diagnostics.CaseCache()
        self.sent: dict[Path, list[lsp.Diagnostic]] = {}

    def buffers(self) -> dict[Path, str]:
        """The text of every open rule and test file, by path."""
        out: dict[Path, str] = {}
        for uri, doc in self.workspace.text_documents.items():
            path = to_fs_path(uri)
            if path is not None:
                out[Path(path)] = doc.source
        return out

    def document(self, uri: str) -> tuple[TextDocument, Path | None]:
        doc = self.workspace.get_text_document(uri)
        path = to_fs_path(uri)
        return doc, None if path is None else Path(path)

    def entries(self, path: Path) -> dict[str, Entry]:
        return entries(pack_of(path), self.buffers())

    def refresh(self, uri: str) -> None:
        """Lint the pack of the file and send each of its files' diagnostics that changed."""
        _, path = self.document(uri)
        if path is None or not (path.suffix == ".aims" or path.name.endswith(TESTS)):
            return
        found = diagnostics.problems(pack_of(path), path, self.buffers(), self.cases)
        for file, problems in found.items():
            shown = [diagnostics.diagnostic(p) for p in problems]
            if self.sent.get(file) == shown and file != path:
                continue
            self.sent[file] = shown
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=from_fs_path(str(file)) or "", diagnostics=shown)
            )


def build() -> RulesServer:
    """The server with its features registered (an explicit list, nothing on import)."""
    server = RulesServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RulesServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RulesServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: RulesServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RulesServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)  # the file on disk now counts, not the buffer

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: RulesServer, params: lsp.HoverParams) -> lsp.Hover | None:
        doc, path = ls.document(params.text_document.uri)
        if path is None:
            return None
        offset = doc.offset_at_position(params.position)
        ask = hover.hover_tests if path.name.endswith(TESTS) else hover.hover
        found = ask(doc.source, offset, ls.entries(path))
        if found is None:
            return None
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=found.markdown),
            range=lsp.Range(
                doc.client_position_at_offset(found.start), doc.client_position_at_offset(found.end)
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
            offset = doc.offset_at_position(params.position)
            ask = completion.complete_tests if path.name.endswith(TESTS) else completion.complete
            items = ask(doc.source, offset, ls.entries(path))
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: RulesServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        doc, path = ls.document(params.text_document.uri)
        if path is None:
            return None
        offset = doc.offset_at_position(params.position)
        found = (
            _case_rule(doc.source, offset, ls.entries(path))
            if path.name.endswith(TESTS)
            else definition.definition(doc.source, str(path), offset, ls.entries(path))
        )
        if found is None:
            return None
        return lsp.Location(
            uri=from_fs_path(found.file) or "",
            range=lsp.Range(
                lsp.Position(found.line, found.column),
                lsp.Position(found.end_line, found.end_column),
            ),
        )

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(
        ls: RulesServer, params: lsp.DocumentFormattingParams
    ) -> list[lsp.TextEdit] | None:
        doc, path = ls.document(params.text_document.uri)
        if path is None or path.suffix != ".aims":
            return None
        return formatting.formatting(doc.source, str(path))

    return server


def _case_rule(text: str, offset: int, known: dict[str, Entry]) -> definition.Target | None:
    """The rule a test case's `rule:` names, under the cursor."""
    found = scan.case_rule_at(text, offset)
    return None if found is None else definition.rule_target(found[0], known)


def serve() -> None:
    """Answer an editor over standard input and output until it says exit."""
    build().start_io()
