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


def test_every_clause_and_annex_a_control_has_a_rule(ruleset: RuleSet) -> None:
    from aimscheck.iso42001 import ANNEX_A, CLAUSES

    clauses = {c for r in ruleset.rules for c in r.info.clauses}
    controls = {c for r in ruleset.rules for c in r.info.controls}
    assert [c for c in CLAUSES if c not in clauses] == []
    assert [c for c in ANNEX_A if c not in controls] == []
    assert len(ANNEX_A) == 38


# Clauses whose documented information an auditor asks for, and the Annex A
# controls that call for documented output when applicable: each needs a missing-evidence rule.
DOCUMENTED = (
    "4.3",
    "5.2",
    "6.1.2",
    "6.1.3",
    "6.1.4",
    "6.2",
    "7.2",
    "7.5",
    "8.1",
    "8.3",
    "8.4",
    "9.1",
    "9.2.2",
    "9.3.3",
    "10.2",
)
DOCUMENTED_CONTROLS = (
    "A.2.2",
    "A.4.2",
    "A.5.3",
    "A.6.1.3",
    "A.6.2.2",
    "A.6.2.3",
    "A.6.2.4",
    "A.6.2.5",
    "A.6.2.6",
    "A.6.2.7",
    "A.6.2.8",
    "A.7.2",
    "A.7.3",
    "A.7.4",
    "A.7.5",
    "A.7.6",
    "A.8.2",
    "A.9.2",
    "A.9.3",
    "A.9.4",
    "A.10.2",
)


def test_documented_information_has_missing_evidence_rules(ruleset: RuleSet) -> None:
    proof_rules = [r for r in ruleset.rules if any(step.kind == "evidence" for step in r.steps)]
    clauses = {c for r in proof_rules for c in r.info.clauses}
    controls = {c for r in proof_rules for c in r.info.controls}
    # A parent clause is served by a rule on one of its sub-clauses (7.5 by 7.5.3).
    assert [
        c for c in DOCUMENTED if not any(x == c or x.startswith(c + ".") for x in clauses)
    ] == []
    assert [c for c in DOCUMENTED_CONTROLS if c not in controls] == []


def test_every_rule_explains_its_grade_and_fix(ruleset: RuleSet) -> None:
    lacking = [
        r.info.id for r in ruleset.rules if len(r.info.description) < 40 or len(r.info.fix) < 10
    ]
    assert lacking == []
