"""In-process evaluation: 200 generated join-heavy rules over a 180,000-record export.

Run: python benchmarks/bench_eval.py [--runs 3] [--records 180000] [--pack] [--floor]

The 200 rules come from 8 templates (equality joins, joins on a list field, joins on each
item of a list, counted joins, `none`, references and single-collection checks), 25 variants
each with their own thresholds, written in the rule language. The export is gen_export.py's
(the conforming fixture replicated) at the size asked. Timed: one `Evaluator.run` over all
rules (a fresh run context: every index is built once in it and shared by all the rules),
median of --runs. Target (issue 7): at most 1.5 s. `--pack` also times the full default
ISO 42001 pack on the same export, for reference; `--floor` times the same rules written
by hand as plain Python loops over the same indexes (what no Python evaluator can beat), and
checks that they find the same records.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_export import AS_OF, TARGETS, counts, generate, write

HEAD = """rule "BENCH-{n:03d}" {{
  title    "Generated rule {n} ({name})"
  clause   "8.1"
  severity minor
  phase    monitoring
"""
# Each template lists the records that break a condition (a full scan, like the research
# prototypes that returned every violating record); {v} values vary per copy.
TEMPLATES = {
    "join": """  let bad = filter(sys in ai_systems
                   where sys.in_scope == true
                     and not (exists ia in impact_assessments
                              where ia.ai_system_ref == sys.id and ia.status == "approved"
                                and age(ia.approved_at) <= {days} days))
""",
    "join on a list field": """  let bad = filter(sys in ai_systems
                   where sys.lifecycle_stage != "retired"
                     and not (exists r in risks
                              where sys.id in r.ai_system_refs and r.likelihood <= {level}))
""",
    "join on each item": """  let bad = filter(r in risks
                   where r.status != "closed" and r.impact >= {level}
                     and not (exists c in controls
                              where c.id in r.treatment.control_refs and c.status == "implemented"))
""",
    "evidence join": """  let bad = filter(c in controls
                   where c.status == "implemented"
                     and not (exists e in evidence
                              where e.id in c.evidence_refs and age(e.collected_at) <= {days} days))
""",
    "counted join": """  let bad = filter(sys in ai_systems
                   where sys.in_scope == true
                     and count(r in risks where sys.id in r.ai_system_refs and r.impact >= {level})
                         > {many})
""",
    "none": """  let bad = filter(sys in ai_systems
                   where exists ia in impact_assessments
                         where ia.ai_system_ref == sys.id and ia.status == "draft"
                           and ia.performed_at < today)
""",
    "reference": """  let bad = filter(ia in impact_assessments
                   where ia.status != "superseded"
                     and ((ia.ai_system_ref -> ai_systems).name is missing
                          or age(ia.performed_at) > {days} days))
""",
    "single collection": """  let bad = filter(e in evidence
                   where e.sha256 is missing or e.collected_at > today or len(e.title) < {level})
""",
}
TAIL = """  require bad is empty
  because "{{len(bad)}} records break generated rule {n}"
}}
"""
PER_TEMPLATE = 25


def rules_text() -> str:
    """200 rules: 25 variants of each template."""
    out = []
    n = 0
    for name, body in TEMPLATES.items():
        for v in range(PER_TEMPLATE):
            n += 1
            values = {"days": 200 + 20 * v, "level": 1 + v % 5, "many": 3 + v}
            out.append(HEAD.format(n=n, name=name) + body.format(**values) + TAIL.format(n=n))
    return "\n".join(out)


def handwritten(export: Any, as_of: dt.date) -> list[int]:
    """The 200 rules as plain Python loops over the same records and the same kind of hash
    indexes (built once): the floor for any Python evaluator of these rules. Returns how many
    records each rule finds, in rule order, to compare with aimscheck's."""
    systems, risks = export.collection("ai_systems"), export.collection("risks")
    evidence, controls = export.collection("evidence"), export.collection("controls")
    assessments = export.collection("impact_assessments")

    def by(records: list[dict[str, Any]], key: Callable[[Any], list[Any]]) -> dict[Any, list]:
        index: dict[Any, list[dict[str, Any]]] = {}
        for record in records:
            for value in key(record):
                index.setdefault(value, []).append(record)
        return index

    ia_by_system = by(assessments, lambda r: [r.get("ai_system_ref")])
    risks_by_system = by(risks, lambda r: r.get("ai_system_refs") or [])
    control_by_id = by(controls, lambda r: [r.get("id")])
    evidence_by_id = by(evidence, lambda r: [r.get("id")])
    system_by_id = by(systems, lambda r: [r.get("id")])
    implemented = [c for c in controls if c.get("status") == "implemented"]

    def age(day: Any) -> int:
        return (as_of - day).days

    found: list[int] = []
    for v in range(PER_TEMPLATE):  # "join"
        days = 200 + 20 * v
        found.append(
            sum(
                1
                for s in systems
                if s.get("in_scope") is True
                and not any(
                    ia.get("status") == "approved"
                    and ia.get("approved_at") is not None
                    and age(ia["approved_at"]) <= days
                    for ia in ia_by_system.get(s["id"], ())
                )
            )
        )
    for v in range(PER_TEMPLATE):  # "join on a list field"
        level = 1 + v % 5
        found.append(
            sum(
                1
                for s in systems
                if s.get("lifecycle_stage") != "retired"
                and not any(
                    (r.get("likelihood") or 99) <= level for r in risks_by_system.get(s["id"], ())
                )
            )
        )
    for v in range(PER_TEMPLATE):  # "join on each item"
        level = 1 + v % 5
        found.append(
            sum(
                1
                for r in risks
                if r.get("status") != "closed"
                and (r.get("impact") or 0) >= level
                and not any(
                    c.get("status") == "implemented"
                    for ref in (r.get("treatment") or {}).get("control_refs") or ()
                    for c in control_by_id.get(ref, ())
                )
            )
        )
    for v in range(PER_TEMPLATE):  # "evidence join"
        days = 200 + 20 * v
        found.append(
            sum(
                1
                for c in implemented
                if not any(
                    e.get("collected_at") is not None and age(e["collected_at"]) <= days
                    for ref in c.get("evidence_refs") or ()
                    for e in evidence_by_id.get(ref, ())
                )
            )
        )
    for v in range(PER_TEMPLATE):  # "counted join"
        level, many = 1 + v % 5, 3 + v
        found.append(
            sum(
                1
                for s in systems
                if s.get("in_scope") is True
                and sum(
                    1 for r in risks_by_system.get(s["id"], ()) if (r.get("impact") or 0) >= level
                )
                > many
            )
        )
    for _ in range(PER_TEMPLATE):  # "none"
        found.append(
            sum(
                1
                for s in systems
                if any(
                    ia.get("status") == "draft"
                    and ia.get("performed_at") is not None
                    and ia["performed_at"] < as_of
                    for ia in ia_by_system.get(s["id"], ())
                )
            )
        )
    for v in range(PER_TEMPLATE):  # "reference"
        days = 200 + 20 * v
        found.append(
            sum(
                1
                for ia in assessments
                if ia.get("status") != "superseded"
                and (
                    not any(s.get("name") for s in system_by_id.get(ia.get("ai_system_ref"), ()))
                    or (ia.get("performed_at") is not None and age(ia["performed_at"]) > days)
                )
            )
        )
    for v in range(PER_TEMPLATE):  # "single collection"
        level = 1 + v % 5
        found.append(
            sum(
                1
                for e in evidence
                if e.get("sha256") is None
                or (e.get("collected_at") is not None and e["collected_at"] > as_of)
                or len(e.get("title") or "") < level
            )
        )
    return found


def timed(ruleset: object, export: object, runs: int) -> tuple[float, int]:
    from aimscheck.engine import Evaluator

    times, results = [], 0
    as_of = dt.date.fromisoformat(AS_OF)
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        results = len(Evaluator(export, as_of).run(ruleset))  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    return statistics.median(times), results


def _found(ruleset: Any, export: Any, as_of: dt.date) -> list[int]:
    """How many records each rule's `bad` list holds, read back from its message."""
    from aimscheck.engine import Evaluator

    out = []
    for result in Evaluator(export, as_of).run(ruleset):
        words = result.message.split(" records break", 1)
        out.append(int(words[0]) if len(words) == 2 else 0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--records", type=int, default=180_000, help="about this many records")
    parser.add_argument("--pack", action="store_true", help="also time the default pack")
    parser.add_argument(
        "--floor", action="store_true", help="also time the rules hand-written in Python"
    )
    args = parser.parse_args()
    from aimscheck.dsl.ruleset import compile_files, rule_files
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.limits import Limits, use
    from aimscheck.resources import default_pack

    per_scale_one = 72_718  # records of gen_export at --scale 1
    scale = args.records / per_scale_one
    with tempfile.TemporaryDirectory(prefix="aimscheck-eval-") as tmp:
        folder = Path(tmp)
        (folder / "bench.aims").write_text(rules_text())
        ruleset = compile_files([folder / "bench.aims"])
        data = generate(folder / "export", scale=scale)
        described = counts(data)
        write(folder / "export", data)
        del data
        with use(Limits(max_file_mb=4096, max_export_mb=8192)):
            export = load_export(folder / "export")
        coerce_dates(export)
        print(f"export: {described} (scale {scale:.2f} of {TARGETS['ai_systems']} systems)")
        took, results = timed(ruleset, export, args.runs)
        verdict = "ok" if took <= 1.5 else "OVER"
        print(
            f"{len(ruleset.rules)} generated rules: {took:.2f} s in-process, {results} results "
            f"(median of {args.runs}; target <= 1.5 s: {verdict})"
        )
        if args.floor:
            as_of = dt.date.fromisoformat(AS_OF)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                floor_found = handwritten(export, as_of)
                times.append(time.perf_counter() - start)
            ours = _found(ruleset, export, as_of)
            same = "the same records" if ours == floor_found else "DIFFERENT records"
            print(
                f"the same rules as hand-written Python loops: {statistics.median(times):.2f} s "
                f"(median of {args.runs}); they find {same} as aimscheck"
            )
        if args.pack:
            pack = compile_files(rule_files([default_pack()]))
            took, results = timed(pack, export, args.runs)
            print(f"default pack ({len(pack.rules)} rules): {took:.2f} s, {results} results")


if __name__ == "__main__":
    main()
