"""The VS Code extension (editors/vscode): a manifest that packages and starts `aimscheck lsp`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "editors" / "vscode"
MANIFEST: dict[str, Any] = json.loads((FOLDER / "package.json").read_text(encoding="utf-8"))


def test_aims_files_are_a_language_with_the_grammar() -> None:
    (language,) = MANIFEST["contributes"]["languages"]
    assert language["id"] == "aims" and language["extensions"] == [".aims"]
    (grammar,) = MANIFEST["contributes"]["grammars"]
    assert grammar["language"] == "aims" and grammar["scopeName"] == "source.aims"
    shipped = json.loads((FOLDER / grammar["path"]).read_text(encoding="utf-8"))
    assert shipped["scopeName"] == "source.aims"
    config = json.loads((FOLDER / language["configuration"]).read_text(encoding="utf-8"))
    assert config["comments"] == {"lineComment": "#"}
    assert ["{", "}"] in config["brackets"]
    assert {"open": '"', "close": '"', "notIn": ["string", "comment"]} in config["autoClosingPairs"]


def test_the_client_starts_the_configured_aimscheck_lsp() -> None:
    settings = MANIFEST["contributes"]["configuration"]["properties"]
    assert settings["aimscheck.lsp.command"]["default"] == "aimscheck"
    client = (FOLDER / MANIFEST["main"]).read_text(encoding="utf-8")
    assert 'settings.get("lsp.command", "aimscheck")' in client
    assert '{ command, args: ["lsp"] }' in client
    assert 'require("vscode-languageclient/node")' in client
    assert "vscode-languageclient" in MANIFEST["dependencies"]
    assert MANIFEST["activationEvents"] == ["workspaceContains:**/*.aims"]


def test_what_vsce_needs_to_package_it() -> None:
    """`npx @vscode/vsce package` refuses a manifest without these."""
    for key in ("name", "publisher", "version", "engines", "displayName", "description"):
        assert MANIFEST.get(key), key
    assert MANIFEST["engines"]["vscode"].startswith("^")
    assert (FOLDER / "README.md").is_file()
