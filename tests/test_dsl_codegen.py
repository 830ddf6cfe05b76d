"""Generated code gives exactly the results of the compiled closures, and is only ours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from aimscheck import engine
from aimscheck.dsl.codegen import generate
from aimscheck.dsl.ruleset import CompiledRule, RuleSet, compile_files, rule_files
from aimscheck.engine import Evaluator
from aimscheck.export.dates import coerce_dates
from aimscheck.export.loader import load_export
from aimscheck.export.model import Export
from aimscheck.limits import Limits
from aimscheck.resources import default_pack
from aimscheck.results import Outcome, Result
from aimscheck.ruletests import run_tests

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def pack() -> RuleSet:
    return compile_files(rule_files([default_pack()]))


def fixture(name: str) -> Export:
    export = load_export(ROOT / "fixtures" / name)
    coerce_dates(export)
    return export


def with_extra(collection: str, values: list[object]) -> Export:
    """The conforming fixture, the custom field `extra` of `collection`'s first records set to
    `values`, one each."""
    export = fixture("conforming")
    for record, value in zip(export.collection(collection), values, strict=False):
        record["extra"] = value
    return export


def rules(
    tmp_path: Path, body: str, head: str = "for sys in ai_systems", fields: str = ""
) -> RuleSet:
    (tmp_path / "t.aims").write_text(
        fields + f'rule "T-1" {{\n  title "t"\n  clause "4.3"\n  severity minor\n'
        f"  phase scope_definition\n  {head}\n{body}\n}}\n"
    )
    return compile_files([tmp_path / "t.aims"])


def both(ruleset: RuleSet, export: Export, **limits: int) -> list[Result]:
    """The results by closures, after checking that generated code gives the very same."""
    chosen = Limits(**limits)  # type: ignore[arg-type]
    closures = Evaluator(export, AS_OF, limits=chosen, generate=False).run(ruleset)
    generated = Evaluator(export, AS_OF, limits=chosen, generate=True).run(ruleset)
    assert generated == closures
    return closures


@pytest.mark.parametrize("name", ["conforming", "pilot", "gaps"])
def test_the_fixtures_give_the_same_results_with_generated_code(pack: RuleSet, name: str) -> None:
    results = both(pack, fixture(name))
    assert len(results) > 400
    if name == "gaps":  # the planted gaps are found by both
        assert sum(r.outcome is Outcome.NONCONFORMITY for r in results) > 10


def test_every_rule_test_case_gives_the_same_results_with_generated_code(
    pack: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[str] = []
    original = Evaluator.evaluate

    def evaluate_both(self: Evaluator, rule: CompiledRule) -> Iterator[Result]:
        results = list(original(self, rule))
        other = Evaluator(self.export, self.ctx.as_of, generate=not self.generate)
        assert list(original(other, rule)) == results, rule.info.id
        compared.append(rule.info.id)
        return iter(results)

    monkeypatch.setattr(Evaluator, "evaluate", evaluate_both)
    results, _ = run_tests([default_pack()], pack)
    assert [r.case.name for r in results if not r.passed] == []
    assert len(compared) >= 500 and set(compared) == {r.info.id for r in pack.rules}


def test_errors_say_the_same_with_generated_code(tmp_path: Path) -> None:
    ruleset = rules(
        tmp_path,
        '  require sys.extra > 3 or sys.extra matches "^a" or sys.extra.x == 1',
        head="for sys in ai_systems",
        fields="field ai_systems.extra: any\n",
    )
    export = with_extra("ai_systems", ["text", 5, [1], {"x": 1}])
    messages = [r.message for r in both(ruleset, export)[:4]]
    assert messages == [
        "could not evaluate: cannot compare text (text) with a number (3)",
        "",
        "could not evaluate: cannot compare a list (1) with a number (3)",
        "could not evaluate: cannot compare a record ({…}) with a number (3)",
    ]


def test_a_runaway_rule_stops_at_the_same_budget_with_generated_code(tmp_path: Path) -> None:
    ruleset = rules(
        tmp_path,
        "  require exists a in evidence where exists b in evidence "
        "where a.id != b.id and len(a.title) > len(b.title) + 1000",
    )
    results = both(ruleset, fixture("conforming"), max_rule_steps=2_000, steps_per_record=1)
    assert results[-1].outcome is Outcome.ERROR
    assert "(max_rule_steps)" in results[-1].message


def test_texts_of_the_rule_are_values_never_code(tmp_path: Path) -> None:
    sneaky = "x\\\"); import os; os.system('false'); (\\\"\\n{1}"
    ruleset = rules(tmp_path, f'  require sys.name != "{sneaky}" and sys.id not in ["{sneaky}"]')
    results = both(ruleset, fixture("conforming"))
    assert {r.outcome for r in results} == {Outcome.PASS}
    source = generate(ruleset.rules[0]).steps[0].fn.__code__.co_consts
    assert any(isinstance(c, str) and "import os" in c for c in source)


def test_big_exports_run_generated_code_and_small_ones_closures(
    pack: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = fixture("conforming")
    assert not Evaluator(export, AS_OF).generate
    monkeypatch.setattr(engine, "GENERATE_FROM", 10)
    evaluator = Evaluator(export, AS_OF)
    assert evaluator.generate
    rule = pack.rules[0]
    assert evaluator.generated(rule) is evaluator.generated(rule)  # made once per run
    assert evaluator.generated(rule).steps[0].fn.__code__.co_filename.startswith("<aimscheck")


def test_rules_beyond_what_python_compiles_keep_their_closures(tmp_path: Path) -> None:
    nested = "exists x in ai_systems where " * 30 + "sys.id == x.id"
    ruleset = rules(tmp_path, f"  require {nested}")
    assert generate(ruleset.rules[0]) is ruleset.rules[0]  # Python allows 20 nested loops
    assert {r.outcome for r in both(ruleset, fixture("pilot"))} == {Outcome.PASS}


# Joins whose other conditions read only the joined record: generated code answers them from a
# table built once per run (one of each kind of quantifier and of join).
HOISTED = [
    'exists ia in impact_assessments where ia.ai_system_ref == sys.id and ia.status == "approved"',
    "none r in risks where sys.id in r.ai_system_refs and r.impact >= 4",
    'all r in risks where sys.id in r.ai_system_refs and r.status != "closed": r.likelihood <= 4',
    "count(r in risks where sys.id in r.ai_system_refs and r.impact >= 3) < 3",
    "len(filter(ia in impact_assessments "
    'where ia.ai_system_ref == sys.id and ia.status != "superseded")) <= 1',
    "exists m in models where m.id in sys.model_refs and m.name is set",
]


def many_rules(tmp_path: Path, requirements: list[str], fields: str = "") -> RuleSet:
    text = fields + "".join(
        f'rule "T-{i}" {{\n  title "t"\n  clause "4.3"\n  severity minor\n'
        f"  phase scope_definition\n  for sys in ai_systems\n  require {req}\n}}\n"
        for i, req in enumerate(requirements)
    )
    (tmp_path / "t.aims").write_text(text)
    return compile_files([tmp_path / "t.aims"])


@pytest.mark.parametrize("name", ["conforming", "gaps"])
def test_joins_answered_from_a_table_give_the_same_results(tmp_path: Path, name: str) -> None:
    ruleset = many_rules(tmp_path, HOISTED)
    export = fixture(name)
    results = both(ruleset, export)
    assert {r.outcome for r in results} >= {Outcome.PASS, Outcome.NONCONFORMITY}
    evaluator = Evaluator(export, AS_OF, generate=True)
    evaluator.run(ruleset)
    assert len(evaluator.ctx.memo) == len(HOISTED)  # every join above got its table


def test_keys_that_are_not_text_walk_the_records_as_written(tmp_path: Path) -> None:
    export = fixture("conforming")
    systems = export.collection("ai_systems")
    export.collection("impact_assessments")[0]["ai_system_ref"] = 7
    export.collection("risks")[0]["ai_system_refs"] = [7, systems[1]["id"]]
    systems[0]["id"] = 7
    systems[1]["model_refs"] = [7, *systems[1]["model_refs"]]
    results = both(many_rules(tmp_path, HOISTED), export)
    # The assessment is found by the number 7 (the tables hold text keys only).
    assert next(r.outcome for r in results if r.subject and r.subject.id == "7") is Outcome.PASS


def test_an_error_while_building_a_table_is_met_where_the_rule_reads_the_record(
    tmp_path: Path,
) -> None:
    ruleset = many_rules(
        tmp_path,
        ["exists ia in impact_assessments where ia.ai_system_ref == sys.id and ia.extra > 3"],
        fields="field impact_assessments.extra: any\n",
    )
    export = with_extra("impact_assessments", [5, "text"])
    errors = [r for r in both(ruleset, export) if r.outcome is Outcome.ERROR]
    assert len(errors) == 1
    assert errors[0].message == "could not evaluate: cannot compare text (text) with a number (3)"


def test_rules_asking_the_same_join_share_one_table(tmp_path: Path) -> None:
    join = 'exists ia in impact_assessments where ia.ai_system_ref == sys.id and ia.status == "{}"'
    same, other = join.format("approved"), join.format("draft")
    evaluator = Evaluator(fixture("conforming"), AS_OF, generate=True)
    evaluator.run(many_rules(tmp_path, [same, same, other]))
    assert len(evaluator.ctx.memo) == 2


def test_a_table_too_costly_to_build_leaves_the_budget_as_the_walk_spends_it(
    tmp_path: Path,
) -> None:
    # The table would compare every risk with every proof; the walk runs out of budget first.
    ruleset = many_rules(
        tmp_path,
        [
            "exists r in risks where sys.id in r.ai_system_refs "
            "and (exists e in evidence where len(e.title) > len(r.title) + 1000)"
        ],
    )
    results = both(ruleset, fixture("conforming"), max_rule_steps=300, steps_per_record=1)
    assert [r.outcome for r in results] == [Outcome.NONCONFORMITY, Outcome.ERROR]
    assert "(max_rule_steps)" in results[-1].message


def test_joins_inside_a_join_answered_from_a_table_are_written_out_once(tmp_path: Path) -> None:
    # Each hoisted join's conditions are written twice (the table, the walk): a table inside a
    # table would double the code at every level.
    nested, var = "", "sys"
    for level in range(1, 16):
        nested += f"exists a{level} in ai_systems where a{level}.id == {var}.id and ("
        var = f"a{level}"
    ruleset = many_rules(tmp_path, [nested + f"{var}.name is set" + ")" * 15])
    step = generate(ruleset.rules[0]).steps[0].fn
    assert step.__code__.co_filename.startswith("<aimscheck")  # generated, not the closures
    sizes = [len(f.__code__.co_code) for f in step.__globals__.values() if hasattr(f, "__code__")]
    assert sum(sizes) < 100_000
    assert {r.outcome for r in both(ruleset, fixture("conforming"))} == {Outcome.PASS}


def test_a_join_on_a_boolean_finds_booleans_only(tmp_path: Path) -> None:
    # The index files `true` apart from 1 and "true": the look-up alone meets `==`.
    ruleset = many_rules(
        tmp_path,
        [
            "count(s in ai_systems where s.extra == true) == 1",
            "count(s in ai_systems where s.extra == 1) == 2",
        ],
        fields="field ai_systems.extra: any\n",
    )
    export = with_extra("ai_systems", [True, 1, 1.0, "true", None])
    assert [r.outcome for r in both(ruleset, export)] == [Outcome.PASS] * 10


def test_only_if_gives_the_same_results_with_generated_code(tmp_path: Path) -> None:
    """Steps run in order: an `only if` that fails makes the subject not_applicable with its
    message (or the condition as written), and the lines after it are not judged."""
    ruleset = rules(
        tmp_path,
        "  let n = count(r in risks where r.impact >= 3)\n"
        "  only if sys.extra is set\n"
        "          and (exists ia in impact_assessments where ia.ai_system_ref == sys.id)\n"
        '  because "AI system {sys.id} has no extra ({n} risks of impact 3 or more)"\n'
        '  only if sys.extra != "skip"\n'
        '  require sys.extra == "ok"\n'
        '  because "AI system {sys.id}: {sys.extra}"\n'
        "  require sys.extra.x == 1",  # never reached by a subject not judged
        fields="field ai_systems.extra: any\n",
    )
    export = with_extra("ai_systems", ["ok", "skip", "bad"])
    results = both(ruleset, export)
    # The failure found before the error is kept with it.
    assert [f.message for f in results[2].failures] == ["AI system document-ocr: bad"]
    assert [(str(r.subject), r.outcome.value, r.message) for r in results] == [
        (
            "ai_systems/collections-prioritisation",
            "error",
            "could not evaluate: cannot read field 'x' of 'ok'",
        ),
        (
            "ai_systems/credit-scoring",
            "not_applicable",
            'not judged: the rule applies only if sys.extra != "skip"',
        ),
        # Every line is judged: the next one cannot be on "bad", and the rule cannot conclude.
        ("ai_systems/document-ocr", "error", "could not evaluate: cannot read field 'x' of 'bad'"),
        (
            "ai_systems/fraud-detection",
            "not_applicable",
            "AI system fraud-detection has no extra (13 risks of impact 3 or more)",
        ),
        (
            "ai_systems/service-chatbot",
            "not_applicable",
            "AI system service-chatbot has no extra (13 risks of impact 3 or more)",
        ),
    ]


def test_only_if_in_a_rule_without_for_decides_its_one_result(tmp_path: Path) -> None:
    ruleset = rules(
        tmp_path,
        "  only if count(r in risks where r.impact >= 9) > 0\n  require false",
        head="when true",
    )
    results = both(ruleset, fixture("conforming"))
    assert [(r.subject, r.outcome, r.message) for r in results] == [
        (
            None,
            Outcome.NOT_APPLICABLE,
            "not judged: the rule applies only if count(r in risks where r.impact >= 9) > 0",
        )
    ]


def test_month_arithmetic_gives_the_same_results_with_generated_code(tmp_path: Path) -> None:
    """Calendar months at the month's end and across a leap day, in every form a rule writes
    them: as of 2026-11-20, 12 months back is 2025-11-20 and one month back 2026-10-20."""
    conditions = [
        "age(c.extra) <= window",
        "age(c.extra) < 1 year",
        "c.extra + 1 month >= today - 11 months",
        "today - c.extra <= 6 months * 2",
        "months_between(c.extra, today) <= 11",
        "age(c.extra) != 12 months",
        "c.extra + 1 month != 2025-11-30",
    ]
    (tmp_path / "t.aims").write_text(
        "field controls.extra: any\n"
        + "".join(
            f'rule "T-{i}" {{\n  title "t"\n  clause "4.3"\n  severity minor\n'
            f"  phase scope_definition\n  param window = 12 months\n  for c in controls\n"
            f"  require {condition}\n}}\n"
            for i, condition in enumerate(conditions)
        )
    )
    ruleset = compile_files([tmp_path / "t.aims"])
    days: list[object] = [
        dt.date(2025, 11, 20),  # exactly 12 months
        dt.date(2025, 11, 19),
        dt.date(2025, 11, 21),
        dt.datetime(2025, 11, 20, 23, 59),
        dt.date(2024, 2, 29),
        dt.date(2025, 10, 31),
        dt.date(2025, 11, 30),
        "2025-11-20",  # text: an error
    ]
    export = with_extra("controls", days)
    ids = [record["id"] for record in export.collection("controls")[: len(days)]]
    table = {r.key(): r.outcome.value[0] for r in both(ruleset, export)}
    got = [
        "".join(table[(f"T-{i}", f"controls/{ident}")] for ident in ids)
        for i in range(len(conditions))
    ]
    assert got == [
        "pnppnnpe",  # within 12 months: until the day 12 months on
        "nnpnnnpe",
        "pnppnnpe",
        "pnppnnpe",
        "nnpnnnpe",  # 12 whole months on the due day
        "nppnpppe",
        "pppppnpe",  # 31 October + 1 month: 30 November
    ]
