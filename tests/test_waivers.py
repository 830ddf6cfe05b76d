"""Waivers: what they cover, the exact expiry day, and why one matched nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from reportdata import AUDIT, IMPACT, POLICY, RESULTS, RISK, SCOPE, SUPPLIERS

from aimscheck.errors import UsageError
from aimscheck.results import Outcome, Result, Waiver
from aimscheck.source import Location
from aimscheck.waivers import apply_waivers, load_waiver_file

AS_OF = dt.date(2026, 3, 1)
RULE_IDS = {r.rule.id for r in RESULTS}


def waiver(rule: str, subject: str | None, expires: dt.date = dt.date(2026, 6, 30)) -> Waiver:
    return Waiver(rule, subject, "Accepted until the Q2 retraining", "Dana Vance", expires)


def outcome_of(results: list[Result], rule: str, subject: str | None) -> Result:
    (found,) = [
        r
        for r in results
        if r.rule.id == rule and (None if r.subject is None else str(r.subject)) == subject
    ]
    return found


def test_an_active_waiver_waives_and_keeps_the_raw_outcome() -> None:
    given = waiver(IMPACT.id, "ai_systems/credit-scoring")
    results, (status,) = apply_waivers(RESULTS, [given], AS_OF, RULE_IDS)
    waived = outcome_of(results, IMPACT.id, "ai_systems/credit-scoring")
    assert waived.outcome is Outcome.WAIVED
    assert waived.raw_outcome is Outcome.NONCONFORMITY
    assert waived.waiver == given and not waived.waiver_expired
    assert waived.message.startswith("AI system credit-scoring")  # the finding stays readable
    assert (status.state, status.matched, status.note) == ("active", 1, "")
    # Nothing else moved.
    others = [r for r in results if r is not waived]
    assert others == [r for r in RESULTS if r.key() != waived.key()]


@pytest.mark.parametrize(
    ("as_of", "waived"),
    [
        (dt.date(2026, 6, 29), True),
        (dt.date(2026, 6, 30), True),  # the expiry day itself is still covered (UTC)
        (dt.date(2026, 7, 1), False),  # from 2026-07-01T00:00:00Z it no longer waives
    ],
)
def test_the_expiry_day_is_the_last_day_covered(as_of: dt.date, waived: bool) -> None:
    given = waiver(RISK.id, "risks/R-7", dt.date(2026, 6, 30))
    results, (status,) = apply_waivers(RESULTS, [given], as_of, RULE_IDS)
    result = outcome_of(results, RISK.id, "risks/R-7")
    assert (result.outcome is Outcome.WAIVED) is waived
    assert status.state == ("active" if waived else "expired")
    if not waived:
        # The finding fails again, and says which waiver expired.
        assert result.outcome is Outcome.NONCONFORMITY and result.raw_outcome is None
        assert result.waiver == given and result.waiver_expired


def test_a_waiver_without_subject_covers_every_finding_of_the_rule() -> None:
    results, (status,) = apply_waivers(RESULTS, [waiver(IMPACT.id, None)], AS_OF, RULE_IDS)
    impact = [r for r in results if r.rule.id == IMPACT.id]
    assert [r.outcome for r in impact] == [Outcome.WAIVED, Outcome.PASS, Outcome.WAIVED]
    assert {r.raw_outcome for r in impact if r.raw_outcome} == {
        Outcome.NONCONFORMITY,
        Outcome.MISSING_EVIDENCE,
    }
    assert status.matched == 2


def test_the_most_specific_active_waiver_speaks_for_a_finding() -> None:
    broad = waiver(SUPPLIERS.id, None, dt.date(2027, 1, 1))
    narrow = waiver(SUPPLIERS.id, "suppliers/S-2", dt.date(2026, 5, 1))
    expired = waiver(SUPPLIERS.id, "suppliers/S-2", dt.date(2026, 1, 1))
    results, statuses = apply_waivers(RESULTS, [broad, expired, narrow], AS_OF, RULE_IDS)
    assert outcome_of(results, SUPPLIERS.id, "suppliers/S-2").waiver == narrow
    assert [s.state for s in statuses] == ["active", "expired", "active"]
    assert [s.matched for s in statuses] == [1, 1, 1]


def test_passes_and_rule_errors_are_never_waived() -> None:
    results, statuses = apply_waivers(
        RESULTS, [waiver(AUDIT.id, None), waiver(SCOPE.id, None)], AS_OF, RULE_IDS
    )
    assert outcome_of(results, AUDIT.id, None).outcome is Outcome.ERROR
    assert outcome_of(results, SCOPE.id, None).outcome is Outcome.PASS
    assert [s.state for s in statuses] == ["unmatched", "unmatched"]
    assert statuses[1].note == f"rule {SCOPE.id} has no finding to waive: remove the waiver"


def test_why_a_waiver_matched_nothing() -> None:
    typo = waiver("AIMS-A.5.2-10", None)
    wrong_subject = waiver(IMPACT.id, "ai_systems/credit-scorin")
    off = waiver("AIMS-4.1-05", None)
    _, statuses = apply_waivers(
        RESULTS, [typo, wrong_subject, off], AS_OF, RULE_IDS, {"AIMS-4.1-05"}
    )
    assert [s.state for s in statuses] == ["unmatched"] * 3
    assert statuses[0].note == "no rule AIMS-A.5.2-10 was run (did you mean AIMS-A.5.2-01?)"
    assert statuses[1].note == (
        f"rule {IMPACT.id} has no finding for ai_systems/credit-scorin (its findings: "
        "ai_systems/credit-scoring, ai_systems/fraud-detection)"
    )
    assert statuses[2].note == "rule AIMS-4.1-05 is disabled by the configuration"


def test_a_whole_export_finding_is_waived_by_a_waiver_without_subject() -> None:
    finding = Result(POLICY, Outcome.NONCONFORMITY, None, Location("aims.yaml", 1), "No policy")
    results, (status,) = apply_waivers([finding], [waiver(POLICY.id, None)], AS_OF, {POLICY.id})
    assert results[0].outcome is Outcome.WAIVED and status.state == "active"


def test_no_waivers_changes_nothing() -> None:
    results, statuses = apply_waivers(RESULTS, [], AS_OF, RULE_IDS)
    assert results == list(RESULTS) and statuses == ()


def test_a_waiver_files_expiry_is_one_day_whether_quoted_or_not(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n"
        "  - {rule: R-1, justification: x, approver: y, expires: 2026-11-20}\n"
        "  - {rule: R-2, justification: x, approver: y, expires: '2026-11-20'}\n"
    )
    first, second = load_waiver_file(path)
    assert first.expires == second.expires == dt.date(2026, 11, 20)
    # The as-of date is the end of its day in UTC: the expiry day itself is still waived.
    assert first.active_on(dt.date(2026, 11, 20)) and not first.active_on(dt.date(2026, 11, 21))


def test_an_impossible_expiry_in_a_waiver_file_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n  - {rule: R-1, justification: x, approver: y, expires: '2027-02-30'}\n"
    )
    with pytest.raises(UsageError) as caught:
        load_waiver_file(path)
    assert caught.value.message == '$.waivers[0].expires: not a real date: "2027-02-30"'
    assert caught.value.location is not None and caught.value.location.line == 2


def test_a_subject_in_another_unicode_form_names_the_nfc_id(tmp_path: Path) -> None:
    """Ids are kept in NFC: a waiver naming `josé` with a combining accent still matches."""
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n"
        "  - {rule: R-1, subject: people/jose\u0301, justification: x, approver: y, "
        "expires: 2026-11-20}\n",
        encoding="utf-8",
    )
    (given,) = load_waiver_file(path)
    assert given.subject == "people/jos\u00e9"
