"""Which AI systems each record of the export concerns, through the contract's references.

A per-system obligation counts only the results about the systems it reaches (docs/frameworks.md,
"Which results count"). A result is about a system when its subject is the system, or a record
linked to it:

1. a record that names the system (`incidents.ai_system_ref`, `risks.ai_system_refs`,
   `changes.affected_system_refs`, `evidence.about_refs`, ...);
2. a record the system names (`model_refs`, `dataset_refs`, `technical_doc_refs`, ...), people
   excepted: owning or approving a system does not make a person's records about it;
3. a record named by a record of 1 (the corrective actions of an incident, its report), people
   again excepted.

A record linked to no system is the organisation's (a role, the AI policy, an audit, an
improvement action): its results count only for obligations of the whole organisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aimscheck.export.model import COLLECTIONS, ID_FIELD

if TYPE_CHECKING:
    from aimscheck.export.model import Export
    from aimscheck.export.references import RefField

SYSTEMS = "ai_systems"
# Records a reference names that are not about the record naming them.
_NOT_ABOUT = frozenset(("people",))


@dataclass(frozen=True)
class Links:
    """`systems`: each record linked to an AI system (keyed `collection/id`, as results name
    their subject) and the ids of the systems; `people`: each person and the records about them
    (their competence records, by `person_ref`)."""

    systems: dict[str, frozenset[str]] = field(default_factory=dict)
    people: dict[str, frozenset[str]] = field(default_factory=dict)


def links_of(export: Export) -> Links:
    """The links of the export's records to AI systems and to people."""
    return Links(_system_links(export), _person_records(export))


def _person_records(export: Export) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for record in export.collection("competence_records"):
        key = _key("competence_records", record)
        person = record.get("person_ref") if isinstance(record, dict) else None
        if key is not None and isinstance(person, str):
            out.setdefault(person, set()).add(key)
    return {person: frozenset(keys) for person, keys in out.items()}


def _system_links(export: Export) -> dict[str, frozenset[str]]:
    """Every record linked to at least one AI system, keyed `collection/id` as results are."""
    from aimscheck.export.schema import contract

    refs = contract()[1]
    index: dict[str, dict[str, str]] = {}  # id -> collection -> key, to find a proof's record
    for collection in COLLECTIONS:
        id_field = ID_FIELD[collection]
        for record in export.collection(collection):
            if isinstance(record, dict) and isinstance(record.get(id_field), str):
                index.setdefault(record[id_field], {})[collection] = (
                    f"{collection}/{record[id_field]}"
                )
    links: dict[str, set[str]] = {}
    direct: dict[str, set[str]] = {}
    for ref in refs:
        if ref.owner not in COLLECTIONS:
            continue  # a section (scope, organization) is the organisation's
        for record in export.collection(ref.owner):
            key = _key(ref.owner, record)
            if key is None:
                continue
            for target in _ids(record, ref):
                if ref.owner == SYSTEMS:
                    if not _NOT_ABOUT.issuperset(ref.targets):
                        for other in _records(index, target, ref):
                            links.setdefault(other, set()).add(record[ID_FIELD[SYSTEMS]])
                elif SYSTEMS in ref.targets and SYSTEMS in index.get(target, {}):
                    direct.setdefault(key, set()).add(target)
    for key, systems in direct.items():
        links.setdefault(key, set()).update(systems)
    # One step on from a record that names a system: what it names is about that system too.
    for ref in refs:
        if ref.owner not in COLLECTIONS or ref.owner == SYSTEMS:
            continue
        if _NOT_ABOUT.issuperset(ref.targets) or ref.targets == (SYSTEMS,):
            continue
        for record in export.collection(ref.owner):
            key = _key(ref.owner, record)
            if key is None or key not in direct:
                continue
            for target in _ids(record, ref):
                for other in _records(index, target, ref):
                    links.setdefault(other, set()).update(direct[key])
    return {key: frozenset(systems) for key, systems in links.items()}


def _key(collection: str, record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    value = record.get(ID_FIELD[collection])
    return f"{collection}/{value}" if isinstance(value, str) else None


def _records(index: dict[str, dict[str, str]], target: str, ref: RefField) -> Iterator[str]:
    found = index.get(target, {})
    for collection in ref.targets:
        if collection not in _NOT_ABOUT and collection != SYSTEMS and collection in found:
            yield found[collection]


def _ids(record: dict[str, Any], ref: RefField) -> Iterator[str]:
    """The ids `ref` names in one record, walking lists of records on the way."""
    nodes: list[Any] = [record]
    for step in ref.steps:
        nodes = [
            item
            for node in nodes
            if isinstance(node, dict)
            for value in (node.get(step),)
            for item in (value if isinstance(value, list) and step != ref.steps[-1] else [value])
        ]
    for value in nodes:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield item
