"""The built-in integrity check AIMS-7.5.3-INTEGRITY: a proof file that is refused, missing or
altered is a finding on its record, whether or not a rule cites it.

Clause 7.5.3 asks that documented information is available and protected from loss of
integrity. A rule only looks at the proof it cites, so a broken file nothing cites would go
unseen. This check runs after the rules, over every `evidence` and `documents` record that
gives a `path`, on the run's resolver: each file was opened at most once in the run (by the
first rule, inventory or check that asked). A record a failing rule already reports (one of
its evidence checks names the record) gets no second finding. Dates (expired, collected in the
future, a review overdue) and document approval are not the file's integrity: the rules that
cite the record judge those.

It is a rule like the others for everything around it: listed by `aimscheck rules` and in
docs/rules.md, disabled or re-graded by the configuration, waived by a waiver for its id. Its
subjects are the records whose file is unsound: a sound file gives no result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aimscheck.evidence import PROOF_COLLECTIONS, EvidenceResolver
from aimscheck.locate import proof_location
from aimscheck.results import Failure, Outcome, Result, RuleInfo, Severity, graded, subject_of
from aimscheck.source import Location

RULE_ID = "AIMS-7.5.3-INTEGRITY"
RULE = RuleInfo(
    id=RULE_ID,
    title="Every proof file is inside the repository, present, readable and unaltered",
    severity=Severity.MINOR,
    phase="control_design",
    clauses=("7.5.3",),
    controls=(),
    tags=("documented-information", "evidence", "built-in"),
    description=(
        "Missing evidence, minor: the record points at a file that is refused (outside the "
        "repository, through a link that leaves it, a hard link, larger than max_proof_mb), "
        "absent, unreadable, empty, or changed since its sha256 was recorded, so the proof it "
        "stands for cannot be relied on; one record's proof has lapsed, not the control of "
        "documented information as a whole. Built in and checked after the rules, on every "
        "evidence and documents record with a path, cited or not; a record whose problem a "
        "rule citing it already reports is not reported twice. Expiry, collection and review "
        "dates are left to the rules that cite the record."
    ),
    fix=(
        "Restore the file at its path inside the repository (one copy, no hard link, within "
        "max_proof_mb), correct the path, or re-approve a changed file and record its new "
        "sha256 (aimscheck evidence hash)."
    ),
)
# What can be wrong with a proof file itself (evidence.REASONS); the other reasons are about
# the record's dates and approval, or about proof kept in another system.
BROKEN = frozenset(
    (
        "outside_root",
        "file_not_found",
        "unreadable",
        "empty_file",
        "hard_link",
        "too_large",
        "sha256_mismatch",
    )
)


def reported(results: Iterable[Result]) -> set[str]:
    """The proof records (`evidence/EV-1`) whose broken file a finding of a rule reports."""
    return {
        check.record
        for result in results
        if result.outcome.is_finding
        for check in result.evidence
        if check.record is not None and check.status in BROKEN
    }


def integrity_results(
    rule: RuleInfo, resolver: EvidenceResolver, results: Iterable[Result], default: Location
) -> list[Result]:
    """A finding (missing evidence) for each proof record whose file is unsound, at the line
    of the field to fix (`path`, or `sha256` for an altered file), unless a rule's finding
    reports it. Sound files give no result: on a big export a pass per proof record would
    cost more than the check (the rule then counts as passing, as a rule with no subject).
    `rule` is RULE as configured (its severity may be changed); `results` are the rules'
    results, before waivers."""
    export = resolver.export
    broken: list[tuple[str, dict[str, Any]]] = []
    # A big export has tens of thousands of proof records sharing a few files: each (path,
    # sha256) is asked of the resolver once, and the rest is a look-up.
    statuses: dict[tuple[str, str | None], str] = {}
    for collection in PROOF_COLLECTIONS:
        for record in export.collection(collection):
            path = record.get("path")
            if type(path) is not str or not path or type(record.get("id")) is not str:
                continue  # no file named (kept in another system, or a record without one)
            sha = record.get("sha256")
            key = (path, sha if type(sha) is str else None)
            status = statuses.get(key)
            if status is None:
                status = statuses[key] = resolver.file_status(*key)
            if status in BROKEN:
                broken.append((collection, record))
    if not broken:
        return []
    already = reported(results)
    out: list[Result] = []
    for collection, record in broken:
        if f"{collection}/{record['id']}" in already:
            continue  # the rule that cites it says so: one finding
        subject = subject_of(collection, record["id"])
        check = resolver.check_record(collection, record)
        where = proof_location(export, record, check.status) or default
        outcome = graded(rule.severity, Outcome.MISSING_EVIDENCE)
        kind = "document" if collection == "documents" else "evidence"
        message = f"The file of {kind} {record['id']} cannot be relied on: {check.message}"
        failure = Failure(outcome, message, where)
        out.append(Result(rule, outcome, subject, where, message, (check,), failures=(failure,)))
    return out
