"""Which rules read which fields of the export: computed by compiling the rules, never listed."""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from aimscheck.dsl import nodes as n
from aimscheck.export.fields import FieldType, export_type
from aimscheck.export.model import COLLECTIONS, SECTIONS

# What a rule reads beyond the fields it names, because of what a construct means.
# The built-ins that look at fields of their own (aimscheck/functions.py, thresholds.py):
_LIMITS = ("metrics.lower_limit", "metrics.upper_limit", "metrics.threshold")
FUNCTION_READS: Mapping[str, tuple[str, ...]] = {
    "in_scope": ("ai_systems.in_scope", "ai_systems.id", "scope.is_pilot", "scope.ai_system_refs"),
    "applicable": ("soa.control", "soa.applicable"),
    "breaches": _LIMITS,
    "limits_known": _LIMITS,
    "limits": _LIMITS,
    "target_met": ("objectives.target", "objectives.target_direction"),
}
# `evidence EXPR` judges each proof record it names (aimscheck/evidence.py).
PROOF_READS = (
    "evidence.id",
    "evidence.path",
    "evidence.uri",
    "evidence.sha256",
    "evidence.collected_at",
    "evidence.expires_at",
    "documents.id",
    "documents.path",
    "documents.sha256",
    "documents.status",
    "documents.next_review_due",
)
# A rule that names Annex A controls is not_applicable when the SoA excludes all of them
# with a justification (engine.excluded_controls).
EXCLUSION_READS = ("soa.control", "soa.applicable", "soa.justification")
# `x -> C` finds the record of C whose key is x; `-> evidence` looks in documents too.
_KEYS = {"soa": ("soa.control",), "evidence": ("evidence.id", "documents.id")}


def type_paths(root: FieldType) -> dict[int, str]:
    """id of every record, section and nested object type → its path in the export
    (`ai_systems`, `scope`, `ai_systems.human_oversight`, `metrics.results[]`); "" for the root."""
    paths: dict[int, str] = {}

    def walk(typ: FieldType, path: str) -> None:
        if typ.kind != "object" or id(typ) in paths:
            return
        paths[id(typ)] = path
        for name, sub in typ.fields.items():
            inner = f"{path}.{name}" if path else name
            if sub.kind == "list" and sub.item is not None:
                # A collection's record is named by the collection; a nested list's item by `[]`.
                walk(sub.item, inner if not path else inner + "[]")
            else:
                walk(sub, inner)

    walk(root, "")
    return paths


@dataclass(frozen=True, slots=True)
class FieldReads:
    """What the rules of a pack read of the export.

    `readers`: every schema path read (`ai_systems`, `ai_systems.in_scope`,
    `metrics.results[].value`) → the ids of the rules that read it, in the pack's order.
    `untyped`: rule id → names of fields it reads from values whose type the compiler cannot
    tell (the record `coalesce()` picks): those reads are not in `readers`.
    """

    readers: Mapping[str, tuple[str, ...]]
    untyped: Mapping[str, tuple[str, ...]]


def field_reads(paths: Iterable[Path]) -> FieldReads:
    """Compile the rules under `paths`, noting every field they read (see `FieldReads`)."""
    from aimscheck.dsl import types as t
    from aimscheck.dsl.compiler import ExprCompiler
    from aimscheck.dsl.ruleset import compile_files
    from aimscheck.export import fields as schema_fields

    reads: set[tuple[str, int, int, str]] = set()
    ExprCompiler.reads = reads
    try:
        ruleset = compile_files(list(paths))
    finally:
        ExprCompiler.reads = None
    owners = type_paths(export_type())
    unknown = {id(t.ANY), id(schema_fields.ANY)}
    declared = {".".join(path) for path in ruleset.custom_fields}
    fields: dict[str, set[str]] = {}
    untyped: dict[str, set[str]] = {}
    starts: dict[str, list[tuple[int, str]]] = {}  # rule file → (line a rule starts on, its id)
    for rule in ruleset.rules:
        fields[rule.info.id] = set(_semantic_reads(rule.ast))
        if rule.info.controls:
            fields[rule.info.id].update(EXCLUSION_READS)
        where = rule.info.location
        if where is not None:
            starts.setdefault(where.file, []).append((where.line, rule.info.id))
    for in_file in starts.values():
        in_file.sort()
    for file, line, owner, name in reads:
        in_file = starts.get(file, [])
        # A rule runs from its first line to the next rule's: the read is the last one above.
        at = bisect.bisect_right(in_file, (line, "\uffff")) - 1
        if at < 0:
            continue
        rule_id = in_file[at][1]
        if owner in owners:
            fields[rule_id].add(f"{owners[owner]}.{name}" if owners[owner] else name)
        elif owner in unknown and name.isidentifier():
            untyped.setdefault(rule_id, set()).add(name)
    found: dict[str, list[str]] = {}
    for rule in ruleset.rules:  # in the pack's order
        read = fields[rule.info.id] - declared
        # A field of a section or of a collection's records is read from that section or
        # collection.
        read |= {re.split(r"[.\[]", path, maxsplit=1)[0] for path in read}
        for path in read:
            found.setdefault(path, []).append(rule.info.id)
    return FieldReads(
        {path: tuple(ids) for path, ids in sorted(found.items())},
        {
            r.info.id: tuple(sorted(untyped[r.info.id]))
            for r in ruleset.rules
            if r.info.id in untyped
        },
    )


def _semantic_reads(rule: n.Rule) -> Iterator[str]:
    """Fields a rule reads through the meaning of its built-ins, references and proofs."""
    for node in _nodes(rule):
        if isinstance(node, n.Name) and (node.name in SECTIONS or node.name in COLLECTIONS):
            yield node.name  # no variable may take such a name
        elif isinstance(node, n.Call):
            yield from FUNCTION_READS.get(node.func, ())
            if node.func == "ref" and node.args and isinstance(node.args[0], n.Name):
                yield from _KEYS.get(node.args[0].name, (f"{node.args[0].name}.id",))
        elif isinstance(node, n.Reference):
            yield from _KEYS.get(node.collection, (f"{node.collection}.id",))
        elif isinstance(node, n.EvidenceStmt):
            yield from PROOF_READS


def _nodes(node: object) -> Iterator[object]:
    """Every AST node under `node` (itself included)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            yield item
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
