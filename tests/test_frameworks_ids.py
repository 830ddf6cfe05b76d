"""The shipped crosswalks name only real ids: NIST subcategories, AI Act articles, ISO ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimscheck.frameworks import REGISTRY, load
from aimscheck.frameworks.applicability import CONDITIONS
from aimscheck.frameworks.catalog import read_framework
from aimscheck.frameworks.ids import NIST_AI_RMF_SUBCATEGORIES, article_ref_problem
from aimscheck.iso42001 import ANNEX_A, CLAUSES

SCHEMA = Path(__file__).parents[1] / "aimscheck" / "schemas" / "aims-export.schema.json"


def _act_enum(field: str) -> set[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    node = schema["$defs"]["ai_systems"]["properties"]["eu_ai_act"]["properties"][field]
    return set(node.get("items", node)["enum"])


def test_nist_lists_the_72_subcategories_of_ai_rmf_1_0() -> None:
    assert len(NIST_AI_RMF_SUBCATEGORIES) == 72
    assert len(set(NIST_AI_RMF_SUBCATEGORIES)) == 72
    assert NIST_AI_RMF_SUBCATEGORIES[:2] == ("GOVERN 1.1", "GOVERN 1.2")
    assert "GOVERN 1.7" in NIST_AI_RMF_SUBCATEGORIES
    assert "MEASURE 2.13" in NIST_AI_RMF_SUBCATEGORIES
    assert "MEASURE 2.14" not in NIST_AI_RMF_SUBCATEGORIES
    assert NIST_AI_RMF_SUBCATEGORIES[-1] == "MANAGE 4.3"


def test_the_nist_crosswalk_has_one_row_per_subcategory_in_order() -> None:
    ids = [r.id for r in load("nist-ai-rmf").requirements]
    assert ids == list(NIST_AI_RMF_SUBCATEGORIES)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_iso_id_mapped_is_a_clause_or_annex_a_control(name: str) -> None:
    known = set(CLAUSES) | set(ANNEX_A)
    bad = [(r.id, m.iso) for r in load(name).requirements for m in r.maps if m.iso not in known]
    assert bad == []


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_requirement_has_a_title_and_no_iso_id_twice(name: str) -> None:
    for requirement in load(name).requirements:
        assert requirement.title and not requirement.title.endswith(".")
        isos = [m.iso for m in requirement.maps]
        assert len(isos) == len(set(isos)), requirement.id


def test_every_ai_act_requirement_names_an_article_or_paragraph_in_scope() -> None:
    problems = [
        (r.id, article_ref_problem(r.id))
        for r in load("eu-ai-act").requirements
        if article_ref_problem(r.id)
    ]
    assert problems == []


def test_article_refs_outside_the_act_are_refused_with_the_reason() -> None:
    assert article_ref_problem("26(6)") is None
    assert article_ref_problem("26(13)") == "Art. 26 has 12 paragraphs, so '26(13)' names none"
    assert (
        article_ref_problem("16(1)") == "Art. 16 has no numbered paragraphs, so '16(1)' names none"
    )
    assert article_ref_problem("200") == (
        "Art. 200 is not among the AI Act articles in scope (frameworks/ids.py)"
    )
    assert article_ref_problem("Art. 9") == (
        "'Art. 9' is not an article number with an optional paragraph, such as '26(6)'"
    )


def test_ai_act_rows_read_only_roles_classes_and_conditions_the_contract_has() -> None:
    roles, classes = _act_enum("roles"), _act_enum("risk_class")
    for requirement in load("eu-ai-act").requirements:
        applies = requirement.applies
        assert applies.roles and set(applies.roles) <= roles, requirement.id
        assert set(applies.classes) <= classes, requirement.id
        assert applies.when is None or applies.when in CONDITIONS, requirement.id


def test_transparency_conditions_are_the_contracts_cases() -> None:
    cases = _act_enum("transparency_cases")
    assert cases <= set(CONDITIONS)


def test_ai_act_covers_provider_and_deployer_obligations_the_issue_names() -> None:
    ids = {r.id for r in load("eu-ai-act").requirements}
    provider = {"9", "10", "11", "12", "13", "14", "15", "17", "72", "73"}
    deployer = {"26(1)", "26(2)", "26(5)", "26(6)", "27"}
    assert provider | deployer <= ids


def test_every_row_and_date_cites_a_source_with_its_words() -> None:
    for name in REGISTRY:
        framework = load(name)
        for source in framework.sources.values():
            assert len(source.cites) > 40, source.key
        used = {m.source for r in framework.requirements for m in r.maps}
        assert used <= set(framework.sources)
    dates = load("eu-ai-act").dates
    assert dates["high_risk_annex_iii"].date.isoformat() == "2027-12-02"
    assert dates["high_risk_annex_iii"].source == "digital-omnibus"
    assert dates["high_risk_annex_i"].date.isoformat() == "2028-08-02"


def _crosswalk(tmp_path: Path, row: str) -> Path:
    """A one-row crosswalk `x.yaml` citing the source `s`; `row` is the requirement's mapping."""
    path = tmp_path / "x.yaml"
    path.write_text(
        "framework: x\ntitle: X\nedition: e\nunit: item\n"
        "sources: {s: {cites: c, url: u}}\n"
        f"requirements:\n  - {row}\n",
        encoding="utf-8",
    )
    return path


def test_a_crosswalk_row_with_an_unknown_strength_is_refused_naming_the_file(
    tmp_path: Path,
) -> None:
    path = _crosswalk(
        tmp_path, "{id: A1, title: t, maps: [{iso: '4.1', strength: strong, source: s}]}"
    )
    with pytest.raises(ValueError, match=r"^x.yaml: A1: strength 'strong' is not full or partial$"):
        read_framework(path)


def test_a_crosswalk_row_citing_an_unlisted_source_is_refused(tmp_path: Path) -> None:
    path = _crosswalk(
        tmp_path, "{id: A1, title: t, maps: [{iso: '4.1', strength: full, source: nist}]}"
    )
    with pytest.raises(ValueError, match=r"A1: source 'nist' is not under sources"):
        read_framework(path)


def test_a_misspelt_key_of_a_crosswalk_row_is_refused(tmp_path: Path) -> None:
    path = _crosswalk(tmp_path, "{id: A1, title: t, organization_wide: true, maps: []}")
    with pytest.raises(ValueError, match=r"^x.yaml: A1: unknown key 'organization_wide'$"):
        read_framework(path)


def test_the_ai_act_crosswalk_has_the_provider_and_deployer_duties_beyond_iso() -> None:
    listed = {r.id: r for r in load("eu-ai-act").requirements}
    # Provider duties, declaration of conformity, CE marking; a public deployer's registration;
    # the right to an explanation.
    assert {"16", "43", "47", "48", "49(1)", "49(3)", "86"} <= set(listed)
    for ref in ("16", "43", "47", "48", "49(3)"):
        assert listed[ref].not_in_export, ref
    assert listed["26(7)"].applies.when == "workplace_use"
    assert listed["5"].by_class
    assert {r for r, req in listed.items() if req.organisation_wide} == {"4", "17"}


def test_every_obligation_the_pack_tags_says_what_it_checks() -> None:
    """A row the pack backs names what the pack checks, so a run without it says so."""
    from aimscheck.check import load_ruleset

    pack = Path(__file__).parent.parent / "rules" / "eu-ai-act"
    ruleset = load_ruleset([pack], default_rules=False)
    tagged = {
        tag.split(":", 1)[1]
        for rule in ruleset.rules
        for tag in rule.info.tags
        if tag.startswith("eu-ai-act:")
    }
    listed = {r.id: r for r in load("eu-ai-act").requirements}
    assert tagged and tagged <= set(listed)
    assert {ref for ref in tagged if not listed[ref].pack_checks} == set()
    assert load("eu-ai-act").pack == "eu-ai-act"
