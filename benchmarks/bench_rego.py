"""Three default rules in aimscheck and in Rego (regopy, OPA's language on rego-cpp), side by side.

Run: python benchmarks/bench_rego.py [--scales 0.02 0.1] [--runs 5]
Needs the bench extra: pip install -e '.[bench]' (regopy).

The rules are AIMS-A.5.2-01 (an equality join with a date window), AIMS-6.1.2-06 (a reverse
join on a list field) and AIMS-8.3-01 (references followed through two collections), written
in Rego in benchmarks/rego/rules3.rego the way a Rego author would (partial sets as look-ups).
Both evaluate the same generated export (gen_export.py, with violations planted); the
benchmark checks that both find exactly the same subjects, then prints the evaluation times
and their ratio. Timed: aimscheck's evaluation of the three rules with a fresh run context
(its indexes are rebuilt every time) against regopy's query alone (loading the input into
the interpreter is printed apart, and left out of the ratio). Goal: at least 100x faster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_export import AS_OF, generate

RULES = ("AIMS-A.5.2-01", "AIMS-6.1.2-06", "AIMS-8.3-01")
REGO = Path(__file__).resolve().parent / "rego" / "rules3.rego"


def plant(data: dict[str, Any]) -> None:
    """Break a share of the records, the same way at every size, so each rule finds subjects."""
    for i, ia in enumerate(data["impact_assessments"]):
        if i % 5 == 0:
            ia["status"] = "draft"
    orphans = {s["id"] for i, s in enumerate(data["ai_systems"]) if i % 4 == 0}
    for i, risk in enumerate(data["risks"]):
        refs = risk.get("ai_system_refs")
        if isinstance(refs, list):  # every 4th AI system leaves the risk register
            risk["ai_system_refs"] = [ref for ref in refs if ref not in orphans]
        if i % 4 == 0 and isinstance(risk.get("treatment"), dict):
            risk["treatment"]["due"] = "2026-01-15"
    for i, control in enumerate(data["controls"]):
        if i % 6 == 0:
            control["status"] = "planned"


def ours(folder: Path, runs: int) -> tuple[float, dict[str, set[str]]]:
    from aimscheck.dsl.ruleset import compile_files, rule_files
    from aimscheck.engine import Evaluator
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.resources import default_pack
    from aimscheck.results import Outcome

    pack = compile_files(rule_files([default_pack()]))
    rules = [r for r in pack.rules if r.info.id in RULES]
    export = load_export(folder)
    coerce_dates(export)
    as_of = dt.date.fromisoformat(AS_OF)
    times = []
    found: dict[str, set[str]] = {}
    for _ in range(runs):
        start = time.perf_counter()
        evaluator = Evaluator(export, as_of)  # a fresh run: indexes built again
        results = [result for rule in rules for result in evaluator.evaluate(rule)]
        times.append(time.perf_counter() - start)
        found = {rule: set() for rule in RULES}
        for result in results:
            assert result.outcome is not Outcome.ERROR, result.message
            if result.outcome is Outcome.NONCONFORMITY and result.subject is not None:
                found[result.rule.id].add(str(result.subject.id))
    return statistics.median(times), found


def rego(data: dict[str, Any], runs: int) -> tuple[float, float, dict[str, set[str]]]:
    from regopy import Interpreter

    today = dt.date.fromisoformat(AS_OF)
    given = {
        **data,
        "today": AS_OF,
        "cutoff_a52": (today - dt.timedelta(days=365)).isoformat(),
    }
    loads, queries = [], []
    found: dict[str, set[str]] = {}
    for _ in range(runs):
        interpreter = Interpreter()
        interpreter.add_module("aims", REGO.read_text())
        start = time.perf_counter()
        interpreter.set_input(given)
        loads.append(time.perf_counter() - start)
        start = time.perf_counter()
        output = interpreter.query("data.aims.violations")
        queries.append(time.perf_counter() - start)
        if not output.ok():
            raise SystemExit(f"regopy failed: {output}")
        value = json.loads(str(output))["expressions"][0]
        found = {rule: set(value[rule]) for rule in RULES}
    return statistics.median(loads), statistics.median(queries), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.02, 0.1])
    parser.add_argument("--runs", type=int, default=5, help="aimscheck runs per size")
    parser.add_argument("--rego-runs", type=int, default=1, help="regopy runs per size (slow)")
    args = parser.parse_args()
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="aimscheck-rego-") as tmp:
            folder = Path(tmp)
            data = generate(folder / "export", scale=scale)
            plant(data)
            (folder / "export" / "aims.json").write_text(json.dumps(data))
            records = sum(len(v) for v in data.values() if isinstance(v, list))
            our_time, our_found = ours(folder / "export", args.runs)
            load, query, rego_found = rego(data, args.rego_runs)
        for rule in RULES:
            if our_found[rule] != rego_found[rule]:
                only_ours = sorted(our_found[rule] - rego_found[rule])[:5]
                only_rego = sorted(rego_found[rule] - our_found[rule])[:5]
                raise SystemExit(
                    f"{rule}: the findings differ (only aimscheck: {only_ours}; "
                    f"only Rego: {only_rego})"
                )
        subjects = ", ".join(f"{r} {len(our_found[r])}" for r in RULES)
        ratio = query / our_time
        verdict = "ok" if ratio >= 100 else "UNDER"
        print(
            f"scale {scale} ({records} records); same subjects found ({subjects}):\n"
            f"  aimscheck {our_time * 1000:.1f} ms, regopy query {query * 1000:.0f} ms "
            f"(+ set_input {load * 1000:.0f} ms): {ratio:.0f}x faster (goal >= 100x: {verdict})"
        )


if __name__ == "__main__":
    main()
