"""Completion of `aimscheck lsp`: fields of a variable's collection, values, ids and keywords."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspdata import DECLARED, GOOD, client, module_loop, open_file, position, uri, write_pack
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from aimscheck.dsl.keywords import ENTRY_KEYWORDS
from aimscheck.iso42001 import ANNEX_A, CLAUSES

__all__ = ["client"]
pytestmark = module_loop


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(tmp_path_factory.mktemp("lsp-completion") / "pack")


async def labels(
    client: LanguageClient, path: Path, text: str, needle: str, into: int
) -> list[str]:
    open_file(client, path, text)
    found = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri(path)), position(text, needle, into))
    )
    assert isinstance(found, lsp.CompletionList)
    return [item.label for item in found.items]


async def test_fields_after_a_dot_know_the_variables_collection(
    client: LanguageClient, pack: Path
) -> None:
    text = GOOD.replace(
        "require sys.human_oversight", "require sys.\n  require sys.human_oversight"
    )
    said = await labels(client, pack, text, "require sys.\n", len("require sys."))
    assert {"id", "name", "owner_ref", "risk_tier", "human_oversight"} <= set(said)
    assert "held_at" not in said  # a field of management_reviews, not of ai_systems


async def test_fields_of_a_nested_record_and_of_a_let(client: LanguageClient, pack: Path) -> None:
    said = await labels(client, pack, GOOD, "mode ==", 0)
    assert {"mode", "description"} <= set(said) and "id" not in said
    said = await labels(client, pack, GOOD, "held_at) <=", 0)
    assert {"held_at", "attendee_refs", "minutes_ref"} <= set(said)


async def test_enum_values_after_equals_and_in(client: LanguageClient, pack: Path) -> None:
    said = await labels(client, pack, GOOD, '"human_in_the_loop"', 1)
    assert said == ["human_in_the_loop", "human_on_the_loop", "human_in_command", "none"]
    text = GOOD.replace('human_oversight.mode == "human_in_the_loop"', "risk_tier in [")
    said = await labels(client, pack, text, "risk_tier in [", len("risk_tier in ["))
    assert '"high"' in said and '"low"' in said


async def test_a_field_the_pack_declares_and_its_words(client: LanguageClient, pack: Path) -> None:
    path = write_pack(pack.parent.with_name("declared"), DECLARED, tests=None)
    said = await labels(client, path, DECLARED, "business_unit ==", 0)
    assert "business_unit" in said and "owner_ref" in said
    said = await labels(client, path, DECLARED, '"retail"\n', 1)
    assert said == ["retail", "wholesale"]


async def test_clause_and_control_ids_inside_their_strings(
    client: LanguageClient, pack: Path
) -> None:
    said = await labels(client, pack, GOOD, '"6.1.4"', 1)
    assert said == list(CLAUSES)
    said = await labels(client, pack, GOOD, '"A.6.2.8"', 1)
    assert said == list(ANNEX_A)
    found = await client.text_document_completion_async(
        lsp.CompletionParams(lsp.TextDocumentIdentifier(uri(pack)), position(GOOD, '"A.6.2.8"', 1))
    )
    assert isinstance(found, lsp.CompletionList)
    item = next(i for i in found.items if i.label == "A.6.2.8")
    assert item.detail == "Event logs of AI systems kept"  # its title, in our words


async def test_keywords_of_a_rule_block_at_the_start_of_a_line(
    client: LanguageClient, pack: Path
) -> None:
    text = GOOD.replace("  let review", "  \n  let review")
    said = await labels(client, pack, text, "  \n  let review", 2)
    assert set(ENTRY_KEYWORDS) <= set(said)
    assert {"title", "require", "only", "evidence", "param", "overrides"} <= set(ENTRY_KEYWORDS)


async def test_functions_variables_parameters_and_collections_in_an_expression(
    client: LanguageClient, pack: Path
) -> None:
    said = await labels(client, pack, GOOD, "max_age\n  because", 0)
    assert {"max_age", "sys", "review", "latest", "in_scope", "risks", "today"} <= set(said)


async def test_rule_ids_after_rule_in_a_test_file(client: LanguageClient, pack: Path) -> None:
    tests = pack.with_name("org.tests.yaml")
    text = "cases:\n  - name: x\n    rule: \n"
    said = await labels(client, tests, text, "rule: ", len("rule: "))
    assert "ORG-1" in said and "AIMS-9.3-01" in said
