"""The loaded export: plain JSON-like data plus where every record came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimscheck.source import Location

# The single-valued sections and the collections of the export (docs/export.md), in its order.
SECTIONS: tuple[str, ...] = (
    "schema_version",
    "exported_at",
    "source",
    "organization",
    "context",
    "scope",
    "risk_methodology",
    "audit_programme",
    "implementation",
)
COLLECTIONS: tuple[str, ...] = (
    "interested_parties",
    "legal_requirements",
    "people",
    "roles",
    "documents",
    "evidence",
    "ai_systems",
    "models",
    "datasets",
    "third_parties",
    "risks",
    "impact_assessments",
    "soa",
    "controls",
    "objectives",
    "competence_records",
    "communications",
    "changes",
    "metrics",
    "incidents",
    "concerns",
    "audits",
    "findings",
    "corrective_actions",
    "management_reviews",
)
# The field that identifies a record of a collection (the SoA is keyed by its control id).
ID_FIELD: dict[str, str] = {name: "id" for name in COLLECTIONS} | {"soa": "control"}


@dataclass
class Export:
    """An AIMS export as loaded: `data` holds sections and collections (lists of dicts).

    `locations` maps `id(obj)` of every record and section mapping to the file and line it was
    read from, so that any record an expression yields can be located. The object is built once
    by the loader and never modified afterwards.
    """

    root: Path
    main_file: Path
    data: dict[str, Any]
    locations: dict[int, Location] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    digest: str = ""

    def collection(self, name: str) -> list[dict[str, Any]]:
        value = self.data.get(name)
        return value if isinstance(value, list) else []

    def location_of(self, obj: object) -> Location | None:
        return self.locations.get(id(obj))

    def default_location(self) -> Location:
        return Location(self.display(self.main_file), 1)

    def display(self, path: Path) -> str:
        """A path as reports show it: relative to the working folder when possible."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)
