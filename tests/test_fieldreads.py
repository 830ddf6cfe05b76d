"""What rules read of the export is computed from the rules, whatever way they read it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from aimscheck.export.fields import export_type, load_schema, record_type
from aimscheck.fieldreads import FUNCTION_READS, PROOF_READS, field_reads, type_paths
from aimscheck.functions import (
    fn_applicable,
    fn_breaches,
    fn_in_scope,
    fn_limits,
    fn_limits_known,
    fn_target_met,
)

PACK = """\
rule "R-OWNER" {
  title    "owner"
  clause   "5.3"
  severity minor
  phase    scope_definition
  for sys in ai_systems where in_scope(sys)
  require (sys.owner_ref -> people).name is set
  require sys.human_oversight.mode != "none"
}

rule "R-RESULT" {
  title    "results"
  clause   "9.1"
  severity minor
  phase    monitoring
  for m in metrics
  let last = latest(m.results, "at")
  let either = coalesce(last, first(m.results))
  require exists r in m.results where r.value > 0
  require last.value > 0
  require either.note is set
  require concat(m.results, "extra") is not empty
}

rule "R-PROOF" {
  title    "minutes"
  clause   "9.3"
  control  "A.2.2"
  severity major
  phase    monitoring
  for review in management_reviews
  evidence review.minutes_ref
}
"""


def reads_of(tmp_path: Path, text: str = PACK) -> Any:
    (tmp_path / "pack.aims").write_text(text, encoding="utf-8")
    return field_reads([tmp_path])


def test_fields_read_directly_nested_or_through_a_reference_are_counted(tmp_path: Path) -> None:
    readers = reads_of(tmp_path).readers
    assert readers["ai_systems.owner_ref"] == ("R-OWNER",)
    assert readers["people.name"] == ("R-OWNER",)
    assert readers["people.id"] == ("R-OWNER",)  # `-> people` finds the person by id
    assert readers["ai_systems.human_oversight"] == ("R-OWNER",)
    assert readers["ai_systems.human_oversight.mode"] == ("R-OWNER",)
    assert readers["ai_systems"] == ("R-OWNER",)
    assert "ai_systems.name" not in readers


def test_fields_of_list_items_and_fields_named_in_a_builtin_are_counted(tmp_path: Path) -> None:
    reads = reads_of(tmp_path)
    assert reads.readers["metrics.results"] == ("R-RESULT",)
    assert reads.readers["metrics.results[].value"] == ("R-RESULT",)
    assert reads.readers["metrics.results[].at"] == ("R-RESULT",)  # latest(m.results, "at")
    assert "metrics.results[].extra" not in reads.readers  # concat's text is an item, not a field
    # latest() and first() keep the type of the list's items; coalesce() does not, so what it
    # gives is of unknown type, and the read is said to be so.
    assert reads.untyped == {"R-RESULT": ("note",)}


def test_what_builtins_proofs_and_soa_exclusions_read_is_counted(tmp_path: Path) -> None:
    readers = reads_of(tmp_path).readers
    for path in FUNCTION_READS["in_scope"]:
        assert readers[path] == ("R-OWNER",), path
    for path in PROOF_READS:
        assert readers[path] == ("R-PROOF",), path
    # R-PROOF names A.2.2: an SoA exclusion of it makes the rule not applicable.
    assert readers["soa.applicable"] == ("R-PROOF",)
    assert readers["soa.justification"] == ("R-PROOF",)


def test_every_object_of_the_schema_has_its_path() -> None:
    paths = type_paths(export_type())
    metrics = record_type("metrics")
    assert metrics is not None and paths[id(metrics)] == "metrics"
    results = metrics.fields["results"].item
    assert results is not None and paths[id(results)] == "metrics.results[]"
    oversight = record_type("ai_systems").fields["human_oversight"]  # type: ignore[union-attr]
    assert paths[id(oversight)] == "ai_systems.human_oversight"
    assert paths[id(export_type().fields["scope"])] == "scope"
    assert paths[id(export_type())] == ""


class _Seen(dict[str, Any]):
    """A record that notes each field read from it as `collection.field`."""

    def __init__(self, collection: str, seen: set[str], **fields: Any) -> None:
        super().__init__(fields)
        self.collection, self.seen = collection, seen

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(f"{self.collection}.{key}")
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.seen.add(f"{self.collection}.{key}")
        return super().__getitem__(key)


def _schema_fields() -> set[str]:
    defs = load_schema()["$defs"]
    return {
        f"{name}.{field}"
        for name in ("ai_systems", "scope", "soa", "evidence", "documents")
        for field in defs[name]["properties"]
    }


def test_the_table_of_builtin_reads_is_what_the_builtins_read() -> None:
    seen: set[str] = set()
    system = _Seen("ai_systems", seen, id="s-1", in_scope=True)
    scope = _Seen("scope", seen, is_pilot=True, ai_system_refs=["s-1"])
    ctx: Any = SimpleNamespace(data={"scope": scope}, member=lambda item, items: item in items)
    assert fn_in_scope(ctx, system) is True
    assert seen == set(FUNCTION_READS["in_scope"])
    seen.clear()
    soa = [_Seen("soa", seen, control="A.2.2", applicable=False)]
    ctx = SimpleNamespace(export=SimpleNamespace(collection=lambda name: soa), spend=bool)
    assert fn_applicable(ctx, "A.2.2") is False
    assert seen == set(FUNCTION_READS["applicable"])
    metric = _Seen("metrics", seen, lower_limit=0.8, upper_limit=0.99, threshold=">= 0.85")
    results: dict[str, object] = {}
    calls: list[tuple[str, Callable[[], object]]] = [
        ("breaches", lambda: fn_breaches(ctx, metric, 0.9)),
        ("limits_known", lambda: fn_limits_known(ctx, metric)),
        ("limits", lambda: fn_limits(ctx, metric)),
    ]
    for name, fn in calls:
        seen.clear()
        results[name] = fn()
        assert seen == set(FUNCTION_READS[name]), name
    assert results == {
        "breaches": False,
        "limits_known": True,
        "limits": [">= 0.8", "<= 0.99", ">= 0.85"],
    }
    seen.clear()
    objective = _Seen("objectives", seen, target=95, target_direction="at_least")
    assert fn_target_met(ctx, objective, 96) is True
    assert seen == set(FUNCTION_READS["target_met"])


def test_the_table_of_proof_reads_is_what_judging_a_proof_reads(tmp_path: Path) -> None:
    from aimscheck.evidence import EvidenceResolver

    (tmp_path / "f.txt").write_text("minutes", encoding="utf-8")
    digest = hashlib.sha256(b"minutes").hexdigest()
    seen: set[str] = set()
    records = {
        "evidence": [
            _Seen("evidence", seen, id="e-1", path="f.txt", sha256=digest),
            _Seen("evidence", seen, id="e-2", uri="https://grc.example/e-2"),
        ],
        "documents": [_Seen("documents", seen, id="d-1", path="f.txt", sha256=digest)],
    }
    export: Any = SimpleNamespace(
        collection=lambda name: records.get(name, []), location_of=lambda record: None, instants={}
    )
    resolver = EvidenceResolver(export, tmp_path, dt.date(2026, 11, 20))
    assert [resolver.check(ref).status for ref in ("e-1", "e-2", "d-1")] == [
        "ok",
        "unverifiable",
        "ok",
    ]
    assert seen & _schema_fields() == set(PROOF_READS)
