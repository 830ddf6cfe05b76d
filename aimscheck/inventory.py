"""The evidence inventory: the proof behind each clause and control, orphans, unused records."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from aimscheck.evidence import EvidenceResolver
from aimscheck.export.fields import FieldType, export_type
from aimscheck.export.model import ID_FIELD, Export
from aimscheck.results import EvidenceCheck, Result
from aimscheck.source import Location

_SEPARATORS = re.compile(r"[\\/]")
_FieldPath = tuple[str, ...]
_Key = tuple[str, str | None, str]  # a proof as checked: (ref, record, status)


@dataclass(frozen=True, slots=True)
class Entry:
    """One proof as the inventory shows it: its check, whether it is missing, who cites it."""

    check: EvidenceCheck
    missing: bool
    cited_by: tuple[str, ...] = ()
    location: Location | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            **self.check.to_dict(),
            "missing": self.missing,
            "location": None if self.location is None else self.location.to_dict(),
            "cited_by": list(self.cited_by),
        }


@dataclass(frozen=True)
class Inventory:
    """Which proof supports what, in what state; plus files and records nothing points at."""

    controls: dict[str, tuple[Entry, ...]]
    clauses: dict[str, tuple[Entry, ...]]
    references: tuple[Entry, ...]  # every distinct proof some record or rule refers to
    records: tuple[Entry, ...]  # every evidence and document record, cited or not
    orphans: tuple[str, ...]  # files in evidence folders that no record's path names
    unreferenced: tuple[str, ...]  # records no rule and no record refers to

    @property
    def missing(self) -> tuple[Entry, ...]:
        """The referenced proofs that count as missing evidence."""
        return tuple(entry for entry in self.references if entry.missing)

    def to_dict(self) -> dict[str, object]:
        def entries(group: dict[str, tuple[Entry, ...]]) -> dict[str, object]:
            return {key: [e.to_dict() for e in found] for key, found in group.items()}

        return {
            "summary": {
                "records": len(self.records),
                "references": len(self.references),
                "missing": len(self.missing),
                "orphans": len(self.orphans),
                "unreferenced": len(self.unreferenced),
            },
            "controls": entries(self.controls),
            "clauses": entries(self.clauses),
            "references": [e.to_dict() for e in self.references],
            "records": [e.to_dict() for e in self.records],
            "orphans": list(self.orphans),
            "unreferenced": list(self.unreferenced),
        }


@dataclass(frozen=True, slots=True)
class _Citation:
    """A proof reference found in a record or a rule result, and what it is meant to support."""

    source: str
    check: EvidenceCheck
    clauses: tuple[str, ...]
    controls: tuple[str, ...]


def _proof_paths(ftype: FieldType, prefix: _FieldPath = ()) -> Iterator[_FieldPath]:
    """Paths of the fields the schema marks as proof references (`x-ref: evidence`)."""
    if ftype.ref == "evidence":
        yield prefix
    elif ftype.kind == "list" and ftype.item is not None:
        yield from _proof_paths(ftype.item, prefix)
    elif ftype.kind == "object":
        for name, sub in ftype.fields.items():
            yield from _proof_paths(sub, (*prefix, name))


@functools.cache
def _plan() -> dict[str, tuple[tuple[_FieldPath, ...], tuple[str, ...]]]:
    """Per section or collection: its proof-reference paths and its Annex A fields."""
    plan: dict[str, tuple[tuple[_FieldPath, ...], tuple[str, ...]]] = {}
    for name, ftype in export_type().fields.items():
        record = ftype.item if ftype.kind == "list" and ftype.item is not None else ftype
        proofs = tuple(_proof_paths(record))
        annex = tuple(f for f, sub in record.fields.items() if sub.ref == "annex_a")
        if proofs or annex:
            plan[name] = (proofs, annex)
    return plan


def _values(node: object, path: _FieldPath) -> Iterator[object]:
    """The values at `path`, walking through lists; absent values yield nothing."""
    if node is None:
        return
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
    elif not path:
        yield node
    elif isinstance(node, dict):
        yield from _values(node.get(path[0]), path[1:])


def _strings(record: dict[str, Any], names: Iterable[str]) -> tuple[str, ...]:
    """The texts in the record's fields `names` (each a text or a list), each once, in order."""
    found: dict[str, None] = {}
    for name in names:  # inline for the usual text or list of texts: every record asks this
        value = record.get(name)
        for item in value if isinstance(value, list) else (value,):
            if type(item) is str:
                if item:
                    found[item] = None
            elif isinstance(item, list):  # lists in lists: walked as `_values` walks them
                found.update(
                    dict.fromkeys(v for v in _values(item, ()) if isinstance(v, str) and v)
                )
    return tuple(found)


def _record_citations(export: Export, resolver: EvidenceResolver) -> Iterator[_Citation]:
    for name, (proofs, annex) in _plan().items():
        value = export.data.get(name)
        if isinstance(value, list):
            id_field = ID_FIELD.get(name, "id")
            records = [(f"{name}/{r.get(id_field)}", r) for r in value if isinstance(r, dict)]
        elif isinstance(value, dict):
            records = [(name, value)]
        else:
            continue
        for label, record in records:
            clauses, controls = _strings(record, ("clause_refs",)), _strings(record, annex)
            for path in proofs:
                for ref in _values(record, path):
                    source = f"{label} {'.'.join(path)}"
                    yield _Citation(source, resolver.check(ref), clauses, controls)


def _rule_citations(results: Iterable[Result]) -> Iterator[_Citation]:
    for result in results:
        rule = result.rule
        about = "" if result.subject is None else f" ({result.subject})"
        for check in result.evidence:
            yield _Citation(f"rule {rule.id}{about}", check, rule.clauses, rule.controls)


def _key(check: EvidenceCheck) -> _Key:
    return (check.ref, check.record, check.status)


def _order(key: _Key) -> tuple[bool, str, str]:
    """Resolved proof by record name, then unresolved references by id."""
    return (key[1] is None, key[1] or "", key[0])


def _natural(key: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts A.2.10 after A.2.9 and clause 10 after clause 9."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in key.split("."))


def orphans(export: Export, resolver: EvidenceResolver) -> tuple[str, ...]:
    """Files in the evidence folders (top folders holding recorded paths) that no record names."""
    root = str(resolver.root)
    named: set[str] = set()
    folders: set[str] = set()
    for _collection, record in resolver.records():
        path = record.get("path")
        if not isinstance(path, str) or not path:
            continue
        real = resolver.real_path(path)  # the resolver's, which checking the record made
        if real is None:
            continue
        named.add(real)
        parts = [p for p in _SEPARATORS.split(path) if p not in ("", ".")]
        if len(parts) > 1:  # a file at the top of the root does not make the root a folder
            folders.add(parts[0])
    named.update(os.path.realpath(f) for f in export.files)  # the export's own YAML/JSON
    found: list[str] = []
    for folder in folders:
        top = os.path.join(root, folder)
        if os.path.islink(top) or not os.path.isdir(top):
            continue  # a linked folder may lead anywhere: not walked
        for dirpath, dirnames, filenames in os.walk(top):  # does not follow links
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for filename in filenames:
                full = os.path.join(dirpath, filename)
                if filename.startswith(".") or os.path.realpath(full) in named:
                    continue
                found.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return tuple(sorted(found))


def build_inventory(
    export: Export, resolver: EvidenceResolver, results: Iterable[Result] = ()
) -> Inventory:
    """The inventory of one run; `resolver` should be the run's, so no file is hashed twice."""
    checks: dict[_Key, EvidenceCheck] = {}
    cited: dict[_Key, dict[str, None]] = {}  # proof -> who refers to it (ordered set)
    targets: dict[str, dict[str, dict[_Key, None]]] = {"controls": {}, "clauses": {}}

    def support(key: _Key, clauses: Iterable[str], controls: Iterable[str]) -> None:
        for group, ids in (("controls", controls), ("clauses", clauses)):
            for ident in ids:
                targets[group].setdefault(ident, {})[key] = None

    for cite in (*_record_citations(export, resolver), *_rule_citations(results)):
        key = _key(cite.check)
        checks[key] = cite.check
        cited.setdefault(key, {})[cite.source] = None
        support(key, cite.clauses, cite.controls)
    records: list[Entry] = []
    unreferenced: list[str] = []
    by_record = {key[1]: sources for key, sources in cited.items() if key[1] is not None}
    for collection, record in resolver.records():
        # A proof record names the clauses and controls it supports itself, too.
        check = resolver.check_record(collection, record)
        key = _key(check)
        checks.setdefault(key, check)
        support(key, _strings(record, ("clause_refs",)), _strings(record, ("control_refs",)))
        name = f"{collection}/{record['id']}"
        if name not in by_record:
            unreferenced.append(name)
        sources = tuple(sorted(by_record.get(name, {})))
        records.append(Entry(check, resolver.missing(check), sources, resolver.location(name)))

    made: dict[_Key, Entry] = {}  # a proof that supports many controls: one entry

    def entry(key: _Key) -> Entry:
        found = made.get(key)
        if found is None:
            check = checks[key]
            where = None if check.record is None else resolver.location(check.record)
            sources = tuple(sorted(cited.get(key, {})))
            found = made[key] = Entry(check, resolver.missing(check), sources, where)
        return found

    def group(name: str) -> dict[str, tuple[Entry, ...]]:
        found = sorted(targets[name].items(), key=lambda item: _natural(item[0]))
        return {ident: tuple(entry(k) for k in sorted(keys, key=_order)) for ident, keys in found}

    return Inventory(
        controls=group("controls"),
        clauses=group("clauses"),
        references=tuple(entry(k) for k in sorted(cited, key=_order)),
        records=tuple(sorted(records, key=lambda e: e.check.record or "")),
        orphans=orphans(export, resolver),
        unreferenced=tuple(sorted(unreferenced)),
    )
