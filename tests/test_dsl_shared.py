"""The run's registry of shared walks and tables (dsl/shared.py)."""

from __future__ import annotations

from pathlib import Path

from test_dsl_codegen import AS_OF, fixture
from test_dsl_fusion import CLOSED, closed_rules

from aimscheck.dsl import nodes as n
from aimscheck.dsl.shared import Shared, Walk
from aimscheck.engine import Evaluator


def registered(tmp_path: Path, bodies: list[str]) -> Shared:
    evaluator = Evaluator(fixture("conforming"), AS_OF, generate=True)
    for rule in closed_rules(tmp_path, bodies).rules:
        evaluator.generated(rule)
    return evaluator.ctx.shared


def test_walks_are_registered_by_what_they_walk_and_each_question_once(tmp_path: Path) -> None:
    evidence, risks = CLOSED[0].format(n=1), CLOSED[3].format(level=2)
    shared = registered(tmp_path, [evidence, risks, evidence, CLOSED[0].format(n=2)])
    assert set(shared.pending) == {
        ("scan", n.Name("evidence"), ()),
        ("scan", n.Name("risks"), ()),
    }
    walks = shared.pending[("scan", n.Name("evidence"), ())]
    assert len(walks) == 2  # the same question once
    assert all(isinstance(m, Walk) and m.e.kind == "filter" for m in walks.values())


def test_taking_a_group_leaves_it_no_longer_pending_and_skips_what_is_done(
    tmp_path: Path,
) -> None:
    shared = registered(tmp_path, [CLOSED[0].format(n=n) for n in (1, 2, 3)])
    (group,) = shared.pending
    first, *rest = shared.pending[group].values()
    taken = shared.take(group, {first.key: "computed"})
    assert taken == rest
    assert shared.take(group, {}) == []
    assert shared.pending == {}
