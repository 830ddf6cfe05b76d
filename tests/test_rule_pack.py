"""The default pack: every rule compiles, has passing and failing tests, and every test holds."""

from __future__ import annotations

from collections import defaultdict

import pytest

from aimscheck.dsl.ruleset import RuleSet, compile_files
from aimscheck.resources import default_pack
from aimscheck.ruletests import Case, find_test_files, load_cases, run_case

PACK = default_pack()
CASES: list[Case] = [case for path in find_test_files([PACK]) for case in load_cases(path)]


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return compile_files([PACK])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, ruleset: RuleSet) -> None:
    result = run_case(case, ruleset)
    assert not result.error, result.error
    assert not result.diff, "\n".join(result.diff)


def test_every_rule_has_a_passing_and_a_failing_case(ruleset: RuleSet) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for case in CASES:
        for outcome in case.expect.values():
            seen[case.rule].add(
                "pass"
                if outcome == "pass"
                else "fail"
                if outcome in ("nonconformity", "missing_evidence")
                else outcome
            )
    lacking = [r.info.id for r in ruleset.rules if not {"pass", "fail"} <= seen[r.info.id]]
    assert lacking == []


def test_every_case_names_a_rule_of_the_pack(ruleset: RuleSet) -> None:
    assert {c.rule for c in CASES} <= {r.info.id for r in ruleset.rules}
