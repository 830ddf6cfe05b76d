"""What an export may hold beyond the packaged schema: declared vocabulary values and custom fields."""

from __future__ import annotations

from dataclasses import dataclass

from aimscheck.source import Location


@dataclass(frozen=True, slots=True)
class VocabularyExtension:
    """`vocabulary:` in aimscheck.yaml: values an organisation adds to a closed vocabulary.

    `path` names the field from its collection or section, `("ai_systems", "risk_tier")` or
    `("ai_systems", "human_oversight", "mode")`; list fields name the list
    (`("organization", "ai_roles")`). The reason is shown in every report.
    """

    path: tuple[str, ...]
    values: tuple[str, ...]
    reason: str
    location: Location


@dataclass(frozen=True, slots=True)
class DeclaredField:
    """A custom field a rule pack declares (`field people.status: ...`).

    `type` is one of the declarable types of the rule language (`string`, `integer`, `number`,
    `boolean`, `date`, `list`, `object`, `any`). `values` is non-empty for a closed vocabulary
    (`field people.status: one of "active", "left"`). `ref` names the collection a reference
    points at (`"evidence"` for a proof reference: an evidence or documents record); with
    `type == "list"` the field is a list of such ids.
    """

    path: tuple[str, ...]
    type: str
    location: Location
    values: tuple[str, ...] = ()
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Extensions:
    """Everything a run adds to the packaged contract: the configuration's and the packs'."""

    vocabulary: tuple[VocabularyExtension, ...] = ()
    fields: tuple[DeclaredField, ...] = ()


NONE = Extensions()
