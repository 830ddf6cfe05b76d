"""Generated documentation stays in sync with the code it is generated from."""

from __future__ import annotations

from pathlib import Path

from aimscheck.docgen import builtins_markdown, refresh_language_doc
from aimscheck.functions import FUNCTIONS

DOC = Path(__file__).resolve().parents[1] / "docs" / "language.md"


def test_language_doc_builtins_are_current() -> None:
    assert DOC.read_text(encoding="utf-8") == refresh_language_doc(DOC), (
        "docs/language.md is stale: run python -m aimscheck.docgen"
    )


def test_every_builtin_is_documented_with_an_example() -> None:
    text = builtins_markdown()
    for name, builtin in FUNCTIONS.items():
        assert f"### `{name}`" in text
        assert "`" in builtin.doc, f"{name} has no example in its docstring"
