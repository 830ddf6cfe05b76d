"""A framework's crosswalk as shipped: its requirements, their ISO mappings, sources and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STRENGTHS: tuple[str, ...] = ("full", "partial")


@dataclass(frozen=True, slots=True)
class Mapping:
    """One crosswalk row: an ISO/IEC 42001 clause or Annex A control that gives evidence for a
    requirement, how much of it (`full` or `partial`) and the source the row rests on."""

    iso: str
    strength: str
    source: str


@dataclass(frozen=True, slots=True)
class Applies:
    """Which AI systems a requirement reaches (the AI Act's): by role, class and condition.

    Empty `roles` means the requirement is the organisation's, not one system's (NIST AI RMF)."""

    roles: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    when: str | None = None

    @property
    def per_system(self) -> bool:
        return bool(self.roles)


@dataclass(frozen=True, slots=True)
class Requirement:
    """An article (or paragraph) or a subcategory, with its title in our words."""

    id: str
    title: str
    maps: tuple[Mapping, ...]
    applies: Applies = Applies()
    starts: str | None = None  # a key of Framework.dates, or "high_risk" (by the system's route)
    # The obligation is the whole organisation's (Art. 4, 17): results about records linked to
    # no AI system count for it too (docs/frameworks.md, "Which results count").
    organisation_wide: bool = False
    # Results about the people who oversee a reached system (human_oversight.overseer_refs) and
    # their competence records count for it (Art. 26(2)).
    overseers: bool = False
    # What the framework's own pack checks that ISO/IEC 42001 does not ("" when nothing): a row
    # whose tag no rule of the run carries says the pack was not run.
    pack_checks: str = ""
    # What the export contract cannot carry yet, that the obligation needs ("" when nothing).
    not_in_export: str = ""
    # Judged from the classes the export records rather than from rules (Art. 5: a system
    # recorded as `prohibited` is the gap; none is "no prohibited practice recorded").
    by_class: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """What a mapping row or a date rests on."""

    key: str
    cites: str
    url: str = ""  # where to read it: a web address, a page of these docs, or "" (none given)


@dataclass(frozen=True, slots=True)
class StartDate:
    """A date obligations apply from, with where it comes from."""

    key: str
    date: dt.date
    source: str
    note: str = ""


@dataclass(frozen=True)
class Framework:
    """A shipped crosswalk (`nist-ai-rmf.yaml`, `eu-ai-act.yaml`)."""

    name: str
    title: str
    edition: str
    unit: str  # what one requirement is called: "subcategory", "obligation"
    sources: dict[str, Source]
    requirements: tuple[Requirement, ...]
    dates: dict[str, StartDate]
    pack: str = ""  # the opt-in rule pack that checks what ISO/IEC 42001 does not (by name)

    @property
    def units(self) -> str:
        """The unit in the plural: `subcategories`, `obligations`."""
        return self.unit[:-1] + "ies" if self.unit.endswith("y") else self.unit + "s"

    def label(self, requirement: Requirement) -> str:
        """`Art. 26(6)` for the AI Act, the id itself (`GOVERN 1.1`) otherwise."""
        return f"Art. {requirement.id}" if self.name == "eu-ai-act" else requirement.id

    def tag(self, requirement: Requirement) -> str:
        """The rule tag that backs the requirement directly: `eu-ai-act:26(6)`."""
        return f"{self.name}:{requirement.id}"


def read_framework(path: Path) -> Framework:
    """Read a crosswalk file. Its problems are the tool's, not the user's: a ValueError naming
    the file and the entry (the test suite loads every shipped file)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    try:
        return _framework(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _framework(data: dict[str, Any]) -> Framework:
    sources = {
        key: Source(key, str(value["cites"]).strip(), str(value.get("url") or ""))
        for key, value in data["sources"].items()
    }
    dates = {
        key: StartDate(key, _day(value["date"]), value["source"], value.get("note", ""))
        for key, value in (data.get("application_dates") or {}).items()
    }
    requirements = tuple(_requirement(entry) for entry in data["requirements"])
    seen: set[str] = set()
    for requirement in requirements:
        if requirement.id in seen:
            raise ValueError(f"requirement {requirement.id} is listed twice")
        seen.add(requirement.id)
        for row in requirement.maps:
            if row.strength not in STRENGTHS:
                raise ValueError(
                    f"{requirement.id}: strength {row.strength!r} is not full or partial"
                )
            if row.source not in sources:
                raise ValueError(f"{requirement.id}: source {row.source!r} is not under sources")
        if requirement.pack_checks and not data.get("pack"):
            raise ValueError(f"{requirement.id}: pack_checks, but the framework names no pack")
        if requirement.starts not in (None, "high_risk", *dates):
            raise ValueError(f"{requirement.id}: from {requirement.starts!r} names no date")
    for date in dates.values():
        if date.source not in sources:
            raise ValueError(f"date {date.key}: source {date.source!r} is not under sources")
    return Framework(
        name=str(data["framework"]),
        title=str(data["title"]),
        edition=str(data["edition"]),
        unit=str(data["unit"]),
        sources=sources,
        requirements=requirements,
        dates=dates,
        pack=str(data.get("pack") or ""),
    )


# The keys a requirement may have (docs/frameworks.md, "Adding a framework"): a misspelt one
# would silently change which results count.
_KEYS = frozenset(
    (
        "id",
        "title",
        "maps",
        "applies",
        "from",
        "organisation_wide",
        "overseers",
        "pack_checks",
        "not_in_export",
        "by_class",
    )
)


def _requirement(entry: dict[str, Any]) -> Requirement:
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ValueError(f"{entry.get('id')}: unknown key {unknown[0]!r}")
    applies = entry.get("applies") or {}
    maps = tuple(
        Mapping(str(row["iso"]), str(row["strength"]), str(row["source"]))
        for row in entry.get("maps") or ()
    )
    return Requirement(
        id=str(entry["id"]),
        title=str(entry["title"]),
        maps=maps,
        applies=Applies(
            tuple(applies.get("roles", ())), tuple(applies.get("classes", ())), applies.get("when")
        ),
        starts=entry.get("from"),
        organisation_wide=entry.get("organisation_wide") is True,
        overseers=entry.get("overseers") is True,
        pack_checks=str(entry.get("pack_checks") or ""),
        not_in_export=str(entry.get("not_in_export") or ""),
        by_class=entry.get("by_class") is True,
    )


def _day(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
