"""What the language server reads around the cursor of a half-written rule file (lsp/scan.py)."""

from __future__ import annotations

from aimscheck.lsp import places, scan

TEXT = """\
rule "A" {
  for sys in ai_systems where in_scope(sys)
  let last = latest(filter(m in metrics where m.ai_system_ref == sys.id), "at")
  require all r in last.results: r.value > 1
  because "a { brace } in a message, {sys.id}"
}
rule "B" {
  require count(i in incidents where i.status == "open") == 0
  requ
"""


def binds_at(needle: str) -> dict[str, list[scan.Token]]:
    toks = scan.tokens(TEXT)
    i = scan.index_at(toks, TEXT.index(needle))
    block = scan.block_at(toks, i)
    assert block is not None
    return scan.bindings(toks, block, i)


def test_braces_in_strings_do_not_end_a_rule_and_an_unclosed_rule_runs_to_the_end() -> None:
    toks = scan.tokens(TEXT)
    found = scan.blocks(toks)
    assert [b.id for b in found] == ["A", "B"]
    assert toks[found[0].close].text == "}" and toks[found[0].close].start == TEXT.index("}\nrule")
    assert toks[found[1].close].text == "requ"


def test_names_bound_by_for_let_quantifiers_and_count() -> None:
    binds = binds_at("r.value")
    assert {"sys", "last", "m", "r"} <= set(binds)
    assert [t.text for t in binds["r"]] == ["last", ".", "results"]
    assert "i" in binds_at("i.status") and "sys" not in binds_at("i.status")


def test_the_type_of_a_name_follows_its_binding() -> None:
    place = places.resolve(["r", "value"], places.Names(binds_at("r.value")))
    assert place is not None and (place.part, place.path) == ("metrics", "results[].value")
    place = places.resolve(["i", "status"], places.Names(binds_at("i.status")))
    assert place is not None and "open" in places.enum(place)
    assert places.resolve(["sys", "no_such_field"], places.Names(binds_at("r.value"))) is None


def test_a_chain_with_an_arrow() -> None:
    toks = scan.tokens("x = sys.owner_ref -> people")
    assert scan.dotted_before(toks, len(toks) - 1) == ["sys", "owner_ref", "->people"]
    place = places.resolve(["sys", "owner_ref", "->people"], places.Names(binds_at("r.value")))
    assert place is not None and (place.part, place.path) == ("people", "")


def test_the_rule_id_of_a_test_case() -> None:
    text = "cases:\n  - name: x\n    rule: AIMS-9.3-01  # the review\n"
    at = text.index("9.3")
    assert scan.case_rule_at(text, at) == ("AIMS-9.3-01", text.index("AIMS"), text.index("  #"))
    assert scan.case_rule_at(text, text.index("name")) is None
