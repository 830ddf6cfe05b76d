"""What keeps runs fast, checked without timing: lazy imports, the rule cache, index joins."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aimscheck.context import Context
from aimscheck.dsl.ruleset import compile_files, rule_files
from aimscheck.engine import Evaluator
from aimscheck.export.dates import coerce_dates
from aimscheck.export.loader import load_export
from aimscheck.export.model import Export
from aimscheck.resources import default_pack

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "conforming"
AS_OF = dt.date(2026, 11, 20)
# Runs the command line in a fresh interpreter, then prints the modules it imported.
PROBE = """
import json, sys
from aimscheck.cli import main
try:
    main(sys.argv[1:], prog_name="aimscheck")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""
HEAVY = ("lark", "jsonschema", "yaml", "junit_xml", "aimscheck.dsl.parser")


def imported(args: list[str], cache: Path, **env: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(cache), "AIMSCHECK_NO_CACHE": "", **env},
        cwd=ROOT,
        check=True,
    )
    modules: list[str] = json.loads(result.stdout.splitlines()[-1])
    return set(modules)


def test_help_and_version_import_nothing_heavy(tmp_path: Path) -> None:
    for args in (["--help"], ["--version"]):
        modules = imported(args, tmp_path)
        assert not {m for m in modules if m.split(".")[0] in HEAVY}, args
    # Commands load when they run (--help lists them all, so it loads them).
    assert "aimscheck.commands.fmt" not in imported(["--version"], tmp_path)


def test_a_check_with_a_warm_cache_imports_no_parser_and_no_pure_python_validator(
    tmp_path: Path,
) -> None:
    args = ["check", str(FIXTURE), "--as-of", "2026-11-20", "-q"]
    cold = imported(args, tmp_path)
    assert "lark" in cold  # the first run parses the pack (and fills the cache)
    warm = imported(args, tmp_path)
    for heavy in ("lark", "aimscheck.dsl.parser", "jsonschema", "junit_xml"):
        assert heavy not in warm, heavy
    assert "jsonschema_rs" in warm  # the export was validated, by the fast validator
    assert "aimscheck.commands.fmt" not in warm and "aimscheck.commands.lint" not in warm


def test_without_the_cache_every_check_parses(tmp_path: Path) -> None:
    args = ["check", str(FIXTURE), "--as-of", "2026-11-20", "-q"]
    for _ in range(2):
        assert "lark" in imported(args, tmp_path, AIMSCHECK_NO_CACHE="1")
    assert not (tmp_path / "aimscheck").exists()


def test_an_invalid_export_is_explained_by_the_full_validator(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": "1", "ai_systems": [{"id": 3}]}))
    modules = imported(["check", str(bad), "--as-of", "2026-11-20", "-q"], tmp_path)
    assert "jsonschema" in modules  # only now: its messages name the field and the path


# ---- joins go through indexes ------------------------------------------------------------------
# Rules whose quantifiers join big collections: an equality join, a join on a list field
# chosen over a constant look-up, a union of two joins, and a join through a third collection.
JOIN_RULES = ("AIMS-8.3-02", "AIMS-A.4.2-02", "AIMS-A.6.2.6-03", "AIMS-A.6.2.8-03")
JOINED = ("evidence", "risks")


def fixture_export() -> Export:
    """The conforming fixture as a check sees it (dates read as dates)."""
    export = load_export(FIXTURE)
    coerce_dates(export, ())
    return export


@pytest.fixture(scope="module")
def pack() -> Any:
    return compile_files(rule_files([default_pack()]))


def test_join_rules_never_scan_the_joined_collection(
    pack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aimscheck.dsl import compiler

    export = fixture_export()
    scanned: list[int] = []
    real_iterate = compiler.iterate

    def watch(value: object, what: str) -> list[Any]:
        scanned.append(id(value))
        return real_iterate(value, what)

    monkeypatch.setattr(compiler, "iterate", watch)
    ruleset = compile_files(rule_files([default_pack()]))  # compiled with the watch in place
    evaluator = Evaluator(export, AS_OF)
    for rule_id in JOIN_RULES:
        rule = ruleset.get(rule_id)
        assert rule is not None
        results = list(evaluator.evaluate(rule))
        assert results and all(r.outcome.value != "error" for r in results), rule_id
    whole = {id(export.collection(name)) for name in JOINED}
    assert not whole & set(scanned)


def test_indexes_are_built_once_per_run_and_shared_between_rules(
    pack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[tuple[str, tuple[str, ...], bool]] = []
    real_index = Context.index

    def counting(self: Context, collection: str, path: tuple[str, ...], multi: bool) -> Any:
        if (collection, path, multi) not in self._indexes:
            built.append((collection, path, multi))
        return real_index(self, collection, path, multi)

    monkeypatch.setattr(Context, "index", counting)
    evaluator = Evaluator(fixture_export(), AS_OF)
    evaluator.run(pack)
    assert built and len(built) == len(set(built))
    assert ("evidence", ("about_refs",), True) in built  # used by many rules, built once


def test_a_filter_through_indexes_keeps_the_collection_order(pack: Any) -> None:
    export = fixture_export()
    rule = pack.get("AIMS-A.6.2.6-03")
    assert rule is not None
    evaluator = Evaluator(export, AS_OF)
    order = {id(r): i for i, r in enumerate(export.collection("evidence"))}
    lets = [s for s in rule.steps if s.kind == "let"]
    found = 0
    for record in export.collection("ai_systems"):
        frame = evaluator.frame(rule)
        frame[rule.var_slot] = record
        reports = lets[0].fn(evaluator.ctx, frame)
        positions = [order[id(r)] for r in reports]
        assert positions == sorted(positions)
        found += len(reports)
    assert found  # the fixture's systems do have monitoring reports


# Rules that read, for every AI system, the implemented control all systems may rely on (the
# resource register, the logging standard) find it by a join the run answers from one table: a
# system costs the same steps however many controls the export holds. Written as a closed
# filter, the walk of every control is charged to each system that reads it, and the rules
# stopped at max_rule_steps (an error) on the benchmark export's 16,000 controls.
REGISTER_RULES = ("AIMS-A.4.2-02", "AIMS-A.4.5-01", "AIMS-A.6.2.8-03")


@pytest.mark.parametrize("rule_id", REGISTER_RULES)
def test_reading_the_organisation_wide_control_costs_no_more_with_more_controls(
    pack: Any, rule_id: str
) -> None:
    rule = pack.get(rule_id)
    assert rule is not None
    runs = []
    for copies in (0, 100):  # 100 copies of every control
        # northcove: most of its systems have no proof of their own and rely on the register
        export = load_export(ROOT / "fixtures" / "northcove")
        coerce_dates(export, ())
        controls = export.collection("controls")
        controls += [{**c, "id": f"{c['id']}-copy-{k}"} for k in range(copies) for c in controls]
        evaluator = Evaluator(export, AS_OF, generate=True)  # as big exports run
        outcomes = [(r.subject, r.outcome.value) for r in evaluator.evaluate(rule)]
        runs.append((outcomes, evaluator.ctx.budget.granted - evaluator.ctx.budget.left))
    (few, spent), (many, spent_with_copies) = runs
    assert {o for _, o in few} == {"pass"} and len(few) >= 2
    assert many == few  # the copies come after the register: the same one is found first
    assert spent_with_copies == spent


def test_rules_with_the_same_for_clause_share_one_walk_of_the_records(
    pack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aimscheck.dsl import ruleset

    clauses = [r.ast.for_ for r in pack.rules if r.ast.for_ is not None and not r.params]
    repeated = next(c for c in clauses if clauses.count(c) > 1)
    sharing = [r for r in pack.rules if r.ast.for_ == repeated and not r.params]
    assert len(sharing) > 1
    walks: list[str] = []
    evaluator = Evaluator(fixture_export(), AS_OF)
    real = evaluator._find_subjects

    def counted(rule: ruleset.CompiledRule, frame: list[Any]) -> Any:
        walks.append(rule.info.id)
        return real(rule, frame)

    monkeypatch.setattr(evaluator, "_find_subjects", counted)
    results = [result for rule in sharing for result in evaluator.evaluate(rule)]
    assert len(walks) == 1
    # ... and each rule still judges every subject of the clause
    subjects = {
        rule.info.id: {r.subject for r in results if r.rule.id == rule.info.id} for rule in sharing
    }
    assert len({frozenset(s) for s in subjects.values()}) == 1


@pytest.mark.parametrize("generate", [False, True])
def test_for_clauses_that_differ_by_a_literals_type_share_nothing(
    tmp_path: Path, generate: bool
) -> None:
    text = "field ai_systems.extra: any\n" + "".join(
        f'rule "T-{i}" {{\n  title "t"\n  clause "4.3"\n  severity minor\n'
        f"  phase scope_definition\n  for s in ai_systems where s.extra == {value}\n"
        f"  require count(x in ai_systems where x.extra == {value}) == 1\n}}\n"
        for i, value in enumerate(["true", "1", "1.0"])
    )
    (tmp_path / "t.aims").write_text(text)
    export = fixture_export()
    for system, extra in zip(export.collection("ai_systems"), [True, 1, 1.5], strict=False):
        system["extra"] = extra
    results = Evaluator(export, AS_OF, generate=generate).run(compile_files([tmp_path / "t.aims"]))
    # `true` finds the boolean only, `1` and `1.0` the number 1 only (1.0 == 1 in the rules).
    assert [(r.rule.id, r.outcome.value) for r in results] == [
        ("T-0", "pass"),
        ("T-1", "pass"),
        ("T-2", "pass"),
    ]
