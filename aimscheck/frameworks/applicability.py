"""Which AI systems an AI Act obligation reaches, from what `ai_systems.eu_ai_act` states.

A fact the export leaves out is not taken as "no": the obligation is then `not_stated` for the
system, naming the field to write (docs/export.md, "A system under the EU AI Act").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aimscheck.source import Location

if TYPE_CHECKING:
    from aimscheck.export.model import Export
    from aimscheck.frameworks.catalog import Applies

APPLIES = "applies"
OUTSIDE = "outside"
NOT_STATED = "not_stated"


@dataclass(frozen=True, slots=True)
class SystemFacts:
    """An in-scope AI system and what its `eu_ai_act` mapping states (None: not stated)."""

    id: str
    name: str
    location: Location | None
    roles: tuple[str, ...] | None
    risk_class: str | None
    basis: str | None
    annex_iii_point: str | None
    transparency_cases: tuple[str, ...] | None
    gpai_model: str | None
    public_service_deployer: bool | None
    public_authority: bool | None = None
    workplace_use: bool | None = None
    overseers: tuple[str, ...] = ()  # human_oversight.overseer_refs: the Art. 26(2) people


@dataclass(frozen=True, slots=True)
class Reach:
    """Whether a requirement reaches one system; `missing` names the field not stated."""

    system: SystemFacts
    state: str  # APPLIES, OUTSIDE or NOT_STATED
    missing: str = ""


def system_facts(export: Export) -> tuple[SystemFacts, ...]:
    """The AI systems the views speak of: in scope (`in_scope: true`) and not retired."""
    out: list[SystemFacts] = []
    for record in export.collection("ai_systems"):
        if record.get("in_scope") is not True or record.get("lifecycle_stage") == "retired":
            continue
        act = record.get("eu_ai_act")
        act = act if isinstance(act, dict) else {}
        out.append(
            SystemFacts(
                id=str(record.get("id")),
                name=str(record.get("name") or ""),
                location=export.location_of(record),
                roles=_texts(act.get("roles")),
                risk_class=_text(act.get("risk_class")),
                basis=_text(act.get("high_risk_basis")),
                annex_iii_point=_text(act.get("annex_iii_point")),
                transparency_cases=_texts(act.get("transparency_cases")),
                gpai_model=_text(act.get("gpai_model")),
                public_service_deployer=_flag(act.get("public_service_deployer")),
                public_authority=_flag(act.get("public_authority")),
                workplace_use=_flag(act.get("workplace_use")),
                overseers=_overseers(record.get("human_oversight")),
            )
        )
    return tuple(out)


def reach(applies: Applies, system: SystemFacts) -> Reach:
    """Whether the obligation reaches the system, by its roles, its class and `when`.

    The three are all required, so any one that rules the system out decides, whatever the
    others leave unstated: a limited-risk system is outside Art. 9 to 20 with `roles` missing.
    Only then does a missing fact make the system `not_stated` (the first, in that order)."""
    checks: list[tuple[str, str]] = []
    if system.roles is None:
        checks.append((NOT_STATED, "eu_ai_act.roles"))
    elif not set(applies.roles) & set(system.roles):
        return Reach(system, OUTSIDE)
    if system.risk_class is None:
        checks.append((NOT_STATED, "eu_ai_act.risk_class"))
    elif system.risk_class == "outside_act" or (
        applies.classes and system.risk_class not in applies.classes
    ):
        return Reach(system, OUTSIDE)
    if applies.when is not None:
        state, missing = CONDITIONS[applies.when](system)
        if state == OUTSIDE:
            return Reach(system, OUTSIDE)
        if state == NOT_STATED:
            checks.append((state, missing))
    if checks:
        return Reach(system, *checks[0])
    return Reach(system, APPLIES)


def start_date(
    key: str | None, system: SystemFacts | None, dates: dict[str, dt.date]
) -> str | None:
    """The key of the date an obligation applies from, for this system: a high-risk obligation
    waits for its route's date (Annex I or Annex III); with the route not stated, the earlier."""
    if key != "high_risk":
        return key
    if system is not None and system.basis == "annex_i":
        return "high_risk_annex_i"
    return min(("high_risk_annex_iii", "high_risk_annex_i"), key=lambda k: dates[k])


def _annex_iii(system: SystemFacts) -> tuple[str, str]:
    if system.basis is None:
        return NOT_STATED, "eu_ai_act.high_risk_basis"
    return (APPLIES, "") if system.basis == "annex_iii" else (OUTSIDE, "")


# Annex III systems other than point 2 (critical infrastructure). Art. 49(1): providers register
# them in the EU database (point 2 is registered nationally, Art. 49(5)); Art. 86: the right to
# an explanation reaches decisions taken with them.
def _annex_iii_not_point_2(system: SystemFacts) -> tuple[str, str]:
    state, missing = _annex_iii(system)
    if state != APPLIES:
        return state, missing
    if system.annex_iii_point is None:
        return NOT_STATED, "eu_ai_act.annex_iii_point"
    return (OUTSIDE, "") if system.annex_iii_point == "2" else (APPLIES, "")


# Art. 27(1): deployers that are public bodies or provide a public service, for Annex III systems
# other than point 2 (critical infrastructure); and every deployer of points 5(b) and 5(c).
_FRIA_POINTS = ("5(b)", "5(c)")


def _fundamental_rights(system: SystemFacts) -> tuple[str, str]:
    state, missing = _annex_iii(system)
    if state != APPLIES:
        return state, missing
    point = system.annex_iii_point
    if point == "2":
        return OUTSIDE, ""
    if point in _FRIA_POINTS:
        return APPLIES, ""
    if system.public_service_deployer is None:
        return NOT_STATED, "eu_ai_act.public_service_deployer"
    if point is None:
        return NOT_STATED, "eu_ai_act.annex_iii_point"
    return (APPLIES, "") if system.public_service_deployer else (OUTSIDE, "")


# Art. 49(3) (and 26(8)): deployers that are public authorities, or Union institutions, bodies,
# offices or agencies, register their use of Annex III systems other than point 2. A deployer
# that is neither a public body nor a public-service provider is no public authority either.
def _public_authority(system: SystemFacts) -> tuple[str, str]:
    state, missing = _annex_iii_not_point_2(system)
    if state != APPLIES:
        return state, missing
    if system.public_authority is not None:
        return (APPLIES, "") if system.public_authority else (OUTSIDE, "")
    if system.public_service_deployer is False:
        return OUTSIDE, ""
    return NOT_STATED, "eu_ai_act.public_authority"


# Art. 26(7): only a deployer that is an employer using the system at the workplace informs
# workers' representatives; nothing else in the export says whether it is one.
def _workplace(system: SystemFacts) -> tuple[str, str]:
    if system.workplace_use is None:
        return NOT_STATED, "eu_ai_act.workplace_use"
    return (APPLIES, "") if system.workplace_use else (OUTSIDE, "")


def _case(case: str) -> Callable[[SystemFacts], tuple[str, str]]:
    def check(system: SystemFacts) -> tuple[str, str]:
        if system.transparency_cases is None:
            return NOT_STATED, "eu_ai_act.transparency_cases"
        return (APPLIES, "") if case in system.transparency_cases else (OUTSIDE, "")

    return check


def _model(*levels: str) -> Callable[[SystemFacts], tuple[str, str]]:
    # gpai_model is left out when the organisation provides no general-purpose model
    # (docs/export.md): its absence, unlike the other facts', is a "no".
    def check(system: SystemFacts) -> tuple[str, str]:
        return (APPLIES, "") if system.gpai_model in levels else (OUTSIDE, "")

    return check


# The conditions a crosswalk's `when` may name.
CONDITIONS: dict[str, Callable[[SystemFacts], tuple[str, str]]] = {
    "annex_iii": _annex_iii,
    "eu_database_registration": _annex_iii_not_point_2,
    "annex_iii_not_point_2": _annex_iii_not_point_2,
    "public_authority_registration": _public_authority,
    "workplace_use": _workplace,
    "fundamental_rights_assessment": _fundamental_rights,
    "interacts_with_people": _case("interacts_with_people"),
    "synthetic_content": _case("synthetic_content"),
    "emotion_or_biometric_categorisation": _case("emotion_or_biometric_categorisation"),
    "deep_fake_or_public_text": _case("deep_fake_or_public_text"),
    "general_purpose_model": _model("general_purpose", "systemic_risk"),
    "systemic_risk_model": _model("systemic_risk"),
}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(v for v in value if isinstance(v, str))


def _overseers(oversight: Any) -> tuple[str, ...]:
    refs = oversight.get("overseer_refs") if isinstance(oversight, dict) else None
    return _texts(refs) or ()


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
