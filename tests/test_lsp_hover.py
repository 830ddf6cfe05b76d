"""Hover of `aimscheck lsp`: fields, collections, functions, clause and control ids, rule ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from lspdata import DECLARED, GOOD, TESTS, client, module_loop, open_file, position, uri, write_pack
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

__all__ = ["client"]
pytestmark = module_loop

OVERRIDE = GOOD.replace('rule "ORG-1" {', 'rule "AIMS-9.3-01" {\n  overrides')


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pack(tmp_path_factory.mktemp("lsp-hover") / "pack")


async def hover_at(client: LanguageClient, path: Path, text: str, needle: str, into: int) -> str:
    open_file(client, path, text)
    found = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri(path)), position(text, needle, into))
    )
    assert found is not None and isinstance(found.contents, lsp.MarkupContent)
    return found.contents.value


async def test_a_field_shows_its_meaning_type_and_values(
    client: LanguageClient, pack: Path
) -> None:
    said = await hover_at(client, pack, GOOD, "mode ==", 1)
    assert said.startswith("**ai_systems.human_oversight.mode**: text")
    assert "How people oversee the system" in said
    assert "Values: one of: human_in_the_loop, human_on_the_loop, human_in_command, none" in said


async def test_a_field_of_a_let_record_is_found_through_latest(
    client: LanguageClient, pack: Path
) -> None:
    said = await hover_at(client, pack, GOOD, "held_at) <=", 2)
    assert said.startswith("**management_reviews.held_at**: date, required")


async def test_a_collection_shows_its_description(client: LanguageClient, pack: Path) -> None:
    said = await hover_at(client, pack, GOOD, "ai_systems where", 3)
    assert said.startswith("**ai_systems** (collection)\n\nThe inventory of AI systems")


async def test_a_function_shows_its_documentation(client: LanguageClient, pack: Path) -> None:
    said = await hover_at(client, pack, GOOD, "latest(", 2)
    assert said.startswith("**latest**(…) → any, 2 argument(s)\n\nThe record of a list")


async def test_a_clause_and_a_control_show_their_title_group_and_rules(
    client: LanguageClient, pack: Path
) -> None:
    clause = await hover_at(client, pack, GOOD, '"6.1.4"', 2)
    assert clause.startswith(
        "**Clause 6.1.4** of ISO/IEC 42001: How the effects of AI systems on people and society"
        " are assessed\n\nIn clause group 6: Planning for risks and objectives"
    )
    assert "`ORG-1`" in clause and "`AIMS-6.1.4-01`" in clause
    control = await hover_at(client, pack, GOOD, '"A.6.2.8"', 3)
    assert control.startswith(
        "**Annex A control A.6.2.8**: Event logs of AI systems kept\n\n"
        "In group A.6: AI systems from design to operation"
    )


async def test_a_rule_id_shows_its_title_and_severity(client: LanguageClient, pack: Path) -> None:
    path = pack.with_name("override.aims")
    said = await hover_at(client, path, OVERRIDE, '"AIMS-9.3-01"', 3)
    assert said.startswith("**AIMS-9.3-01** (minor): In-scope systems name how people oversee")
    tests = pack.with_name("org.tests.yaml")
    said = await hover_at(client, tests, TESTS, "ORG-1", 1)
    assert said.startswith("**ORG-1** (minor): In-scope systems name how people oversee them")


async def test_a_field_the_pack_declares(client: LanguageClient, pack: Path) -> None:
    path = write_pack(pack.parent.with_name("declared"), DECLARED, tests=None)
    said = await hover_at(client, path, DECLARED, "business_unit ==", 2)
    assert said == (
        "**ai_systems.business_unit**: string, one of: retail, wholesale, declared by the pack"
    )


async def test_a_parameter_shows_its_value(client: LanguageClient, pack: Path) -> None:
    said = await hover_at(client, pack, GOOD, "max_age\n", 2)
    assert said == "`param max_age = 365 days`"
