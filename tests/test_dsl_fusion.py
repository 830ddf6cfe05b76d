"""Closed walks and join tables of many rules, computed together in one walk (dsl/fusion.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_dsl_codegen import AS_OF, ROOT, both, fixture, with_extra

from aimscheck import engine
from aimscheck.check import CheckOptions, run_check
from aimscheck.dsl import fusion
from aimscheck.dsl.ruleset import RuleSet, compile_files
from aimscheck.dsl.shared import Walked
from aimscheck.engine import Evaluator
from aimscheck.limits import Limits
from aimscheck.results import Outcome, Result

# Whole-export rules listing the records that break a condition, as compliance teams write
# them: each walks a whole collection, most of them the same one with other thresholds.
CLOSED = [
    "filter(e in evidence where e.sha256 is missing or len(e.title) < {n})",
    "filter(e in evidence where age(e.collected_at) > {days} days)",
    'filter(e in evidence where e.collected_at > today or e.title == "x{n}")',
    "filter(r in risks where r.impact >= {level} and r.likelihood >= {level})",
    'filter(r in risks where r.status != "closed" and r.impact > {level})',
    'filter(c in controls where c.status == "implemented" and not (exists e in evidence '
    "where e.id in c.evidence_refs and age(e.collected_at) <= {days} days))",
    "filter(sys in ai_systems where sys.in_scope == true and not (exists ia in "
    "impact_assessments where ia.ai_system_ref == sys.id and age(ia.performed_at) <= "
    "{days} days))",
    "filter(sys in ai_systems where count(r in risks where sys.id in r.ai_system_refs "
    "and r.impact >= {level}) > {n})",
]


def closed_rules(
    tmp_path: Path, bodies: list[str], fields: str = "", when: str = "", read: int = 0
) -> RuleSet:
    """Whole-export rules listing what `bodies` find; with `when`, all but the first `read`."""
    text = fields + "".join(
        f'rule "T-{i:03d}" {{\n  title "t"\n  clause "4.3"\n  severity minor\n'
        f"  phase scope_definition\n{when if i >= read else ''}  let bad = {body}\n"
        f'  require bad is empty\n  because "{{len(bad)}} records"\n}}\n'
        for i, body in enumerate(bodies)
    )
    (tmp_path / "t.aims").write_text(text)
    return compile_files([tmp_path / "t.aims"])


def variants(template: str, copies: int = 4) -> list[str]:
    # Thresholds repeat after three copies: identical questions are computed once.
    return [
        template.format(n=1 + v % 3, days=100 * (1 + v % 3), level=1 + v % 3) for v in range(copies)
    ]


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of members of each group computed together, in order."""
    sizes: list[int] = []
    run = fusion._run

    def spy(c: Any, writer: Any, members: list[Any], source: str) -> Any:
        computed = run(c, writer, members, source)
        sizes.append(len(computed))
        return computed

    monkeypatch.setattr(fusion, "_run", spy)
    return sizes


def counts(results: list[Result]) -> list[str]:
    return [r.message if r.outcome is not Outcome.PASS else "pass" for r in results]


@pytest.mark.parametrize("name", ["conforming", "gaps"])
def test_many_rules_walked_together_give_the_same_results(
    tmp_path: Path, name: str, groups: list[int]
) -> None:
    ruleset = closed_rules(tmp_path, [v for t in CLOSED for v in variants(t)])
    results = both(ruleset, fixture(name))
    assert len(results) == 4 * len(CLOSED)
    assert {r.outcome for r in results} == {Outcome.PASS, Outcome.NONCONFORMITY}
    # Evidence (3 templates × 3 distinct thresholds), risks, controls, AI systems; and the
    # tables of evidence, impact assessments and risks the joins read.
    assert max(groups) == 9
    assert sum(groups) >= 3 * len(CLOSED) + 3 * 3


def test_identical_questions_are_computed_once_per_run(tmp_path: Path) -> None:
    ruleset = closed_rules(tmp_path, variants(CLOSED[0], copies=6))
    evaluator = Evaluator(fixture("conforming"), AS_OF, generate=True)
    results = evaluator.run(ruleset)
    walked = [v for v in evaluator.ctx.memo.values() if isinstance(v, Walked)]
    assert len(walked) == 3
    assert counts(results[:3]) == counts(results[3:])


def test_a_member_that_meets_an_error_stops_alone(tmp_path: Path, groups: list[int]) -> None:
    ruleset = closed_rules(
        tmp_path,
        [
            "filter(ia in impact_assessments where ia.extra > 3)",
            "filter(ia in impact_assessments where ia.performed_at > today)",
            "filter(ia in impact_assessments where ia.extra is set)",
        ],
        fields="field impact_assessments.extra: any\n",
    )
    export = with_extra("impact_assessments", [5, "text"])
    results = both(ruleset, export)
    assert groups == [3]
    assert [r.outcome for r in results] == [Outcome.ERROR, Outcome.PASS, Outcome.NONCONFORMITY]
    assert results[0].message == "could not evaluate: cannot compare text (text) with a number (3)"
    assert results[2].message == "2 records"


def test_a_member_out_of_budget_stops_alone_and_its_rule_says_so(
    tmp_path: Path, groups: list[int]
) -> None:
    # The first member compares every proof with every other: its own budget runs out; the
    # other two walk the same proofs for a few steps each.
    ruleset = closed_rules(
        tmp_path,
        [
            "filter(a in evidence where exists b in evidence "
            "where a.id != b.id and len(a.title) > len(b.title) * 1000)",
            "filter(e in evidence where e.sha256 is missing)",
            "filter(e in evidence where len(e.title) < 3)",
        ],
    )
    results = both(ruleset, fixture("conforming"), max_rule_steps=2_000, steps_per_record=1)
    assert groups == [3]
    assert [r.outcome for r in results] == [Outcome.ERROR, Outcome.PASS, Outcome.PASS]
    assert "(max_rule_steps)" in results[0].message


@pytest.mark.parametrize(("steps", "judged"), [(0, 2), (300, 4), (600, 5)])
def test_each_reading_of_a_shared_walk_is_charged_as_computing_it(
    tmp_path: Path, steps: int, judged: int
) -> None:
    # Every AI system reads the same three counts of the 51 proofs: computed once, but each
    # reading is charged the 51 steps, so the budget runs out at the same subject as when
    # each subject computes them.
    (tmp_path / "t.aims").write_text(
        'rule "T-1" {\n  title "t"\n  clause "4.3"\n  severity minor\n'
        "  phase scope_definition\n  for sys in ai_systems\n"
        "  require count(e in evidence where e.sha256 is set) > 2\n"
        "    and count(e in evidence where len(e.title) > 3) > 2\n"
        "    and count(e in evidence where e.collected_at <= today) > 2\n}\n"
    )
    ruleset = compile_files([tmp_path / "t.aims"])
    results = both(ruleset, fixture("conforming"), max_rule_steps=steps, steps_per_record=1)
    assert len(results) == judged
    assert [r.outcome for r in results[:-1]] == [Outcome.PASS] * (judged - 1)
    assert results[-1].outcome is (Outcome.PASS if judged == 5 else Outcome.ERROR)


def test_a_member_its_rule_never_reads_changes_nothing(tmp_path: Path) -> None:
    ruleset = closed_rules(
        tmp_path,
        [
            "filter(ia in impact_assessments where ia.extra > 3)",
            "filter(ia in impact_assessments where ia.extra < 3)",
        ],
        fields="field impact_assessments.extra: any\n",
        when="  when 1 == 2\n",
    )
    export = with_extra("impact_assessments", ["text"])
    assert {r.outcome for r in both(ruleset, export)} == {Outcome.NOT_APPLICABLE}


def test_members_that_charge_another_budget_are_computed_alone(
    tmp_path: Path, groups: list[int]
) -> None:
    # A regular expression, and texts joined, charge the budget of the rule being evaluated:
    # those members are not written into the walk of the others.
    ruleset = closed_rules(
        tmp_path,
        [
            'filter(e in evidence where e.title matches "^Proof")',
            'filter(e in evidence where e.title + "!" == "x!")',
            "filter(e in evidence where e.sha256 is missing)",
            "filter(e in evidence where len(e.title) < 3)",
        ],
    )
    results = both(ruleset, fixture("conforming"))
    assert groups == [2]
    assert len(results) == 4


def test_tables_of_one_collection_are_built_together(tmp_path: Path, groups: list[int]) -> None:
    ruleset = closed_rules(tmp_path, variants(CLOSED[5], copies=3))
    evaluator = Evaluator(fixture("gaps"), AS_OF, generate=True)
    results = evaluator.run(ruleset)
    assert results == Evaluator(fixture("gaps"), AS_OF, generate=False).run(ruleset)
    assert groups == [3, 3]  # the three tables of the evidence, then the three walks
    tables = [v for v in evaluator.ctx.memo.values() if isinstance(v, set)]
    assert len(tables) == 3


def test_an_error_while_building_tables_together_is_met_where_the_rule_reads_it(
    tmp_path: Path, groups: list[int]
) -> None:
    body = (
        "filter(sys in ai_systems where exists ia in impact_assessments "
        "where ia.ai_system_ref == sys.id and ia.extra > {n})"
    )
    ruleset = closed_rules(
        tmp_path,
        [body.format(n=1), body.format(n=2), body.format(n=3)],
        fields="field impact_assessments.extra: any\n",
    )
    export = with_extra("impact_assessments", [5, "text"])
    results = both(ruleset, export)
    assert groups[0] == 3  # the tables, built together: each meets the text
    assert {r.message for r in results} == {
        f"could not evaluate: cannot compare text (text) with a number ({n})" for n in (1, 2, 3)
    }


def test_records_that_cannot_be_walked_give_each_rule_its_error(
    tmp_path: Path, groups: list[int]
) -> None:
    ruleset = closed_rules(
        tmp_path,
        [
            'filter(p in organization.extra where p == "a")',
            'filter(p in organization.extra where p != "b")',
        ],
        fields="field organization.extra: any\n",
    )
    export = fixture("conforming")
    export.data["organization"]["extra"] = "text"
    results = both(ruleset, export)
    assert groups == [0]  # tried together, then each alone
    assert [r.outcome for r in results] == [Outcome.ERROR, Outcome.ERROR]
    assert results[0].message.startswith("could not evaluate: 'filter' needs a list")


def test_texts_of_the_rules_are_values_in_the_shared_walk_too(
    tmp_path: Path, groups: list[int]
) -> None:
    sneaky = "x\\\"); import os; os.system('false'); (\\\"\\n{1}"
    ruleset = closed_rules(
        tmp_path,
        [
            f'filter(e in evidence where len(e.title) > 999 or e.title == "{sneaky}")',
            f'filter(e in evidence where e.title != "{sneaky}" and len(e.title) < 1)',
        ],
    )
    assert {r.outcome for r in both(ruleset, fixture("conforming"))} == {Outcome.PASS}
    assert groups == [2]


def test_a_check_computes_the_walks_of_its_rules_together(
    tmp_path: Path, groups: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "GENERATE_FROM", 10)  # the fixture as a big export
    closed_rules(tmp_path, variants(CLOSED[0], copies=3))
    fixture_path = ROOT / "fixtures" / "conforming"
    options = CheckOptions(fixture_path, rules=[tmp_path], default_rules=False, as_of=AS_OF)
    report = run_check(options)
    assert groups == [3]
    assert [r.outcome for r in report.results] == [Outcome.PASS] * 3


def test_a_group_python_cannot_compile_is_computed_member_by_member(
    tmp_path: Path, groups: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when the members together nest deeper than Python compiles.
    monkeypatch.setattr(fusion._Together, "together", lambda *_: "def W(c, f, ms):\n" * 21)
    ruleset = closed_rules(tmp_path, [v for t in CLOSED[:2] for v in variants(t)])
    results = both(ruleset, fixture("gaps"))
    assert groups == [0]
    assert {r.outcome for r in results} == {Outcome.PASS, Outcome.NONCONFORMITY}


def heavy(times: int) -> str:
    """A walk comparing every proof with every other: about 2,600 steps on the fixture."""
    return (
        "filter(a in evidence where exists b in evidence "
        f"where a.id != b.id and len(a.title) > len(b.title) * {times})"
    )


def test_walks_no_rule_reads_take_no_more_than_the_runs_budget(tmp_path: Path) -> None:
    # The first rule reads its walk: the nine others are walked with it, for nothing.
    ruleset = closed_rules(
        tmp_path, [heavy(1000 + i) for i in range(10)], when="  when 1 == 2\n", read=1
    )
    limits = Limits(max_run_steps=5_000, steps_per_record=1)
    evaluator = Evaluator(fixture("conforming"), AS_OF, generate=True, limits=limits)
    spare = evaluator.ctx.shared.spare
    outcomes = [r.outcome for r in evaluator.run(ruleset)]
    assert outcomes == [Outcome.PASS] + [Outcome.NOT_APPLICABLE] * 9
    walked = [v for v in evaluator.ctx.memo.values() if isinstance(v, Walked)]
    assert len(walked) == 10
    # Together within the run's budget (and a walk of the 51 proofs each); each stopped
    # short, the first computed again, alone, by its rule.
    assert evaluator.ctx.shared.spare <= 0
    assert spare - evaluator.ctx.shared.spare <= spare + 10 * 51
    assert sum(w.short for w in walked) == 9
    assert all(w.error is not None for w in walked if w.short)


def test_a_walk_stopped_short_is_computed_again_by_the_rule_that_reads_it(
    tmp_path: Path,
) -> None:
    ruleset = closed_rules(
        tmp_path, [heavy(1000 + i) for i in range(10)], when="  when 1 == 2\n", read=2
    )
    results = both(ruleset, fixture("conforming"), max_run_steps=8_000, steps_per_record=1)
    assert [r.outcome for r in results] == [Outcome.PASS] * 2 + [Outcome.NOT_APPLICABLE] * 8


@pytest.mark.parametrize("run_steps", [2_000, 100_000, 200_000, 300_000])
def test_walks_inside_walks_under_any_budget_mean_what_they_mean_alone(
    tmp_path: Path, run_steps: int
) -> None:
    # Each outer walk reads an inner one (itself shared, and costly) for every proof: the
    # inner walks are computed while an outer one is, on the outer one's budget.
    inner = (
        "count(b in evidence where exists y in evidence "
        "where y.id != b.id and len(y.title) > len(b.title) * {n}) >= 0"
    )
    bodies = [
        f"filter(a in evidence where len(a.title) > {n} and {inner.format(n=1000 + n)})"
        for n in range(5)
    ]
    ruleset = closed_rules(tmp_path, bodies, when="  when 1 == 2\n", read=2)
    results = both(ruleset, fixture("conforming"), max_run_steps=run_steps, steps_per_record=1)
    assert [r.outcome for r in results[2:]] == [Outcome.NOT_APPLICABLE] * 3
    ran_out = run_steps <= 100_000  # each outer walk reads its inner one for each of 51 proofs
    assert (results[0].outcome is Outcome.ERROR) is ran_out
