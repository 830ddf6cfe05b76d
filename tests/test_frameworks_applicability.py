"""Which systems an AI Act obligation reaches, from ai_systems.eu_ai_act (applicability.py)."""

from __future__ import annotations

import dataclasses

import pytest

from aimscheck.frameworks.applicability import (
    APPLIES,
    NOT_STATED,
    OUTSIDE,
    SystemFacts,
    reach,
    start_date,
)
from aimscheck.frameworks.catalog import Applies

DEPLOYER = SystemFacts(
    id="s",
    name="S",
    location=None,
    roles=("deployer",),
    risk_class="high_risk",
    basis="annex_iii",
    annex_iii_point=None,
    transparency_cases=None,
    gpai_model=None,
    public_service_deployer=None,
)
FRIA = Applies(("deployer",), ("high_risk",), "fundamental_rights_assessment")


def facts(**changes: object) -> SystemFacts:
    return dataclasses.replace(DEPLOYER, **changes)  # type: ignore[arg-type]


def state(applies: Applies, system: SystemFacts) -> tuple[str, str]:
    found = reach(applies, system)
    return found.state, found.missing


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Creditworthiness and life or health insurance pricing: every deployer (Art. 27(1)).
        ({"annex_iii_point": "5(b)", "public_service_deployer": False}, (APPLIES, "")),
        ({"annex_iii_point": "5(c)"}, (APPLIES, "")),
        # Critical infrastructure is left out of Art. 27, public body or not.
        ({"annex_iii_point": "2", "public_service_deployer": True}, (OUTSIDE, "")),
        ({"annex_iii_point": "4(a)", "public_service_deployer": True}, (APPLIES, "")),
        ({"annex_iii_point": "4(a)", "public_service_deployer": False}, (OUTSIDE, "")),
        ({"annex_iii_point": "4(a)"}, (NOT_STATED, "eu_ai_act.public_service_deployer")),
        ({"public_service_deployer": False}, (NOT_STATED, "eu_ai_act.annex_iii_point")),
        ({"basis": None}, (NOT_STATED, "eu_ai_act.high_risk_basis")),
        ({"basis": "annex_i"}, (OUTSIDE, "")),
    ],
)
def test_the_fundamental_rights_assessment_follows_article_27(
    changes: dict[str, object], expected: tuple[str, str]
) -> None:
    assert state(FRIA, facts(**changes)) == expected


def test_registration_leaves_critical_infrastructure_to_national_registers() -> None:
    register = Applies(("provider",), ("high_risk",), "eu_database_registration")
    provider = facts(roles=("provider",))
    assert state(register, dataclasses.replace(provider, annex_iii_point="5(b)")) == (APPLIES, "")
    assert state(register, dataclasses.replace(provider, annex_iii_point="2")) == (OUTSIDE, "")
    assert state(register, provider) == (NOT_STATED, "eu_ai_act.annex_iii_point")
    assert state(register, dataclasses.replace(provider, basis="annex_i")) == (OUTSIDE, "")


def test_roles_then_class_are_read_first_and_not_stated_is_not_no() -> None:
    assert state(FRIA, facts(roles=None)) == (NOT_STATED, "eu_ai_act.roles")
    assert state(FRIA, facts(roles=("provider",))) == (OUTSIDE, "")
    assert state(FRIA, facts(risk_class=None)) == (NOT_STATED, "eu_ai_act.risk_class")
    assert state(FRIA, facts(risk_class="minimal_risk")) == (OUTSIDE, "")
    # outside_act takes a system out of every obligation, the class-free ones too.
    literacy = Applies(("provider", "deployer"))
    assert state(literacy, facts(risk_class="outside_act")) == (OUTSIDE, "")
    assert state(literacy, facts(risk_class="minimal_risk")) == (APPLIES, "")


def test_transparency_cases_are_read_as_stated_and_an_empty_list_is_none() -> None:
    chatbot = Applies(("provider",), (), "interacts_with_people")
    provider = facts(roles=("provider",), risk_class="limited_risk")
    assert state(chatbot, provider) == (NOT_STATED, "eu_ai_act.transparency_cases")
    assert state(chatbot, dataclasses.replace(provider, transparency_cases=())) == (OUTSIDE, "")
    cases = ("interacts_with_people",)
    assert state(chatbot, dataclasses.replace(provider, transparency_cases=cases)) == (APPLIES, "")


def test_a_general_purpose_model_is_only_the_organisations_own() -> None:
    model = Applies(("provider",), (), "general_purpose_model")
    systemic = Applies(("provider",), (), "systemic_risk_model")
    provider = facts(roles=("provider",), risk_class="minimal_risk")
    assert state(model, provider) == (OUTSIDE, "")
    assert state(model, dataclasses.replace(provider, gpai_model="general_purpose")) == (
        APPLIES,
        "",
    )
    assert state(systemic, dataclasses.replace(provider, gpai_model="general_purpose")) == (
        OUTSIDE,
        "",
    )
    assert state(systemic, dataclasses.replace(provider, gpai_model="systemic_risk")) == (
        APPLIES,
        "",
    )


def test_a_high_risk_obligation_waits_for_its_routes_date() -> None:
    import datetime as dt

    dates = {"high_risk_annex_iii": dt.date(2027, 12, 2), "high_risk_annex_i": dt.date(2028, 8, 2)}
    assert start_date("high_risk", facts(basis="annex_i"), dates) == "high_risk_annex_i"
    assert start_date("high_risk", facts(), dates) == "high_risk_annex_iii"
    # Route not stated: the earlier date, so that nothing is shown as later than it may be.
    assert start_date("high_risk", facts(basis=None), dates) == "high_risk_annex_iii"
    assert start_date("general", facts(), dates) == "general"


def test_a_stated_fact_that_rules_a_system_out_decides_over_a_missing_one() -> None:
    provider_duty = Applies(("provider",), ("high_risk",))
    # A limited-risk system is outside Art. 9 to 20 with its roles left out, not "not stated".
    assert state(provider_duty, facts(roles=None, risk_class="limited_risk")) == (OUTSIDE, "")
    assert state(provider_duty, facts(roles=None, risk_class="outside_act")) == (OUTSIDE, "")
    # The roles rule it out with the class left out.
    assert state(provider_duty, facts(risk_class=None)) == (OUTSIDE, "")
    # A condition that rules it out decides too: Art. 50(1) with no case of Art. 50.
    chatbot = Applies(("provider",), (), "interacts_with_people")
    assert state(chatbot, facts(roles=None, transparency_cases=())) == (OUTSIDE, "")
    # With nothing ruling it out, the first fact missing is named, roles first.
    assert state(provider_duty, facts(roles=None, risk_class=None)) == (
        NOT_STATED,
        "eu_ai_act.roles",
    )
    assert state(provider_duty, facts(roles=None)) == (NOT_STATED, "eu_ai_act.roles")


def test_workers_are_told_only_where_the_system_is_used_at_the_workplace() -> None:
    workers = Applies(("deployer",), ("high_risk",), "workplace_use")
    assert state(workers, facts()) == (NOT_STATED, "eu_ai_act.workplace_use")
    assert state(workers, facts(workplace_use=True)) == (APPLIES, "")
    assert state(workers, facts(workplace_use=False)) == (OUTSIDE, "")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"public_authority": True, "annex_iii_point": "5(a)"}, (APPLIES, "")),
        ({"public_authority": False, "annex_iii_point": "5(a)"}, (OUTSIDE, "")),
        # Neither a public body nor a public-service provider: no public authority either.
        ({"public_service_deployer": False, "annex_iii_point": "5(a)"}, (OUTSIDE, "")),
        (
            {"public_service_deployer": True, "annex_iii_point": "5(a)"},
            (NOT_STATED, "eu_ai_act.public_authority"),
        ),
        # Critical infrastructure is registered nationally (Art. 49(5)).
        ({"public_authority": True, "annex_iii_point": "2"}, (OUTSIDE, "")),
        ({"public_authority": True}, (NOT_STATED, "eu_ai_act.annex_iii_point")),
    ],
)
def test_a_deployers_registration_reaches_public_authorities(
    changes: dict[str, object], expected: tuple[str, str]
) -> None:
    register = Applies(("deployer",), ("high_risk",), "public_authority_registration")
    assert state(register, facts(**changes)) == expected
