"""The language server for rule files (`aimscheck lsp`): needs the `lsp` extra (pygls)."""
