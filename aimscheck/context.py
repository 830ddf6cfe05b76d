"""What a rule sees while it runs: the export, the as-of date and indexes shared by all rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aimscheck.budget import Budget
from aimscheck.dsl.shared import Shared
from aimscheck.evidence import EvidenceResolver
from aimscheck.export.model import COLLECTIONS, ID_FIELD, Export
from aimscheck.limits import Limits, current
from aimscheck.values import MISSING, member

# Lists whose members were put in a set for `in`; past this many, the cache starts again (lists
# built while evaluating, such as filter() results, would otherwise pile up for the whole run).
_MEMBER_CACHE = 4096


def _index_key(value: object) -> object:
    """How a value is filed in an index: text as itself, other values with whether they are
    booleans (True == 1 in Python, but not in the rule language). Text needs no tuple: the
    look-up of nearly every join is by an id."""
    return value if type(value) is str else (type(value) is bool, value)


# What a look-up that finds nothing returns (callers never change it).
_NONE: list[dict[str, Any]] = []


def _hashable(value: object) -> bool:
    return isinstance(value, str | int | float | dt.date)


# A path into a record, such as ("treatment", "owner_ref").
Path_ = tuple[str, ...]


def get_path(record: object, path: Path_) -> object:
    value: object = record
    for name in path:
        if not isinstance(value, dict):
            return MISSING
        value = value.get(name, MISSING)
        if value is None:
            return MISSING
    return value


def record_count(export: Export) -> int:
    """The number of records of every collection: what the budgets grow with."""
    return sum(len(export.collection(name)) for name in COLLECTIONS)


class Context:
    """One run's evaluation state. Indexes are built on first use and shared between rules."""

    def __init__(
        self,
        export: Export,
        as_of: dt.date,
        evidence: EvidenceResolver,
        limits: Limits | None = None,
    ) -> None:
        self.export = export
        self.data = export.data
        self.as_of = as_of
        self.evidence = evidence
        self.limits = limits or current()
        records = record_count(export)
        self.budget = Budget(self.limits.rule_budget(records), self.limits.run_budget(records))
        self._indexes: dict[tuple[str, Path_, bool], dict[Any, list[dict[str, Any]]]] = {}
        # id(list) -> (the list, its hashable members): the list is kept alive so its id stays
        # its own; lists are never changed during a run, so the set stays right.
        self._members: dict[int, tuple[list[Any], frozenset[Any]]] = {}
        # Tables and closed walks generated code computes once per run (dsl/codegen.py), by
        # key, and those the rules may still need, to compute together (dsl/shared.py).
        self.memo: dict[object, object] = {}
        self.shared = Shared(self.budget)

    def spend(self, steps: int) -> None:
        """Charge work to the budget; raises BudgetSpent (an EvaluationError) when it is gone."""
        self.budget.spend(steps)

    def text_steps(self, text: str) -> None:
        """Charge copying a text: a step per thousand characters."""
        if len(text) >= 1000:
            self.budget.spend(len(text) // 1000)

    def member(self, item: object, container: object) -> bool:
        """`in`, with long lists answered from a set built once per list and run."""
        if isinstance(container, list) and len(container) > 8 and _hashable(item):
            cached = self._members.get(id(container))
            if cached is None or cached[0] is not container:
                self.spend(len(container))
                if len(self._members) >= _MEMBER_CACHE:
                    self._members.clear()
                keys = frozenset((type(v) is bool, v) for v in container if _hashable(v))
                cached = self._members[id(container)] = (container, keys)
            return (type(item) is bool, item) in cached[1]
        if isinstance(container, list) and len(container) > 8:
            self.spend(len(container))
        return member(item, container)

    def index(self, collection: str, path: Path_, multi: bool) -> dict[Any, list[dict[str, Any]]]:
        """Records of `collection` by the value at `path` (by each item of it when `multi`)."""
        key = (collection, path, multi)
        found = self._indexes.get(key)
        if found is not None:
            return found
        index: dict[Any, list[dict[str, Any]]] = {}
        records = self.export.collection(collection)
        self.spend(len(records))
        single = path[0] if len(path) == 1 else None
        for record in records:
            if single is not None and type(record) is dict:
                value = record.get(single, MISSING)  # the common one-field path, inline
                value = MISSING if value is None else value
            else:
                value = get_path(record, path)
            values = value if multi and isinstance(value, list) else (value,) if not multi else ()
            for v in values:
                if v is MISSING or isinstance(v, dict | list):
                    continue
                index.setdefault(_index_key(v), []).append(record)
        self._indexes[key] = index
        return index

    def lookup(
        self, collection: str, path: Path_, value: object, multi: bool = False
    ) -> list[dict[str, Any]]:
        """The records of `collection` whose value at `path` equals `value` (as `==` does)."""
        index = self._indexes.get((collection, path, multi))
        if index is None:
            index = self.index(collection, path, multi)
        if type(value) is str:  # ids: the look-up of nearly every join
            return index.get(value, _NONE)
        if value is MISSING or isinstance(value, dict | list):
            return _NONE
        return index.get((type(value) is bool, value), _NONE)

    def record(self, collection: str, ident: object) -> object:
        """The record of `collection` whose id is `ident`, or missing."""
        if collection == "evidence":
            return self.proof(ident)
        found = self.lookup(collection, (ID_FIELD.get(collection, "id"),), ident)
        return found[0] if found else MISSING

    def proof(self, ident: object) -> object:
        """An evidence or document record by id (proof references may point at either)."""
        for collection in ("evidence", "documents"):
            found = self.lookup(collection, ("id",), ident)
            if found:
                return found[0]
        return MISSING
