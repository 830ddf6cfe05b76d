"""Waivers: read them, apply them to a run's findings, and tell which expired or matched nothing.

A waiver names a rule id, optionally a subject (`ai_systems/credit-scoring`, or a section such
as `scope`), a justification, an approver and an expiry date. It covers the rule's findings
(nonconformity, missing evidence and observation; never an evaluation error) for that subject,
or for every subject when none is given. `expires: 2027-01-31` waives through the end of 31
January 2027 in UTC: a run whose as-of date is 2027-01-31 or earlier is waived (an as-of date is
the end of that day in UTC, as everywhere), from 2027-02-01 (that is, from 2027-02-01T00:00:00Z)
it is not. A waived result keeps its raw outcome beside it; an expired waiver leaves the
finding as it is and is named on it ("waiver expired on 2027-01-31").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unicodedata import normalize

from aimscheck.errors import AimscheckError, ErrorGroup, UsageError, raise_all
from aimscheck.export.dates import when
from aimscheck.results import Outcome, Result, Waiver, WaiverStatus

if TYPE_CHECKING:
    from aimscheck.yamlfile import Path_, YamlDocument

WAIVABLE = (Outcome.NONCONFORMITY, Outcome.MISSING_EVIDENCE, Outcome.OBSERVATION)


def parse_waivers(doc: YamlDocument, at: Path_, skip: Collection[int] = ()) -> tuple[Waiver, ...]:
    """The waivers of the (already validated) list at `at` in `doc`, each with its location;
    the entries at the indexes `skip` are left out (the schema refused them)."""
    from aimscheck.config import as_json

    entries: Any = as_json(doc.data)  # as the schema checked it: dates as text
    for key in at:
        entries = entries.get(key, []) if isinstance(entries, dict) else []
    waivers: list[Waiver] = []
    errors: list[AimscheckError] = []
    for index, entry in enumerate(entries):
        if index in skip:
            continue
        where = doc.at((*at, index))
        # The schema allows YYYY-MM-DD only: a whole day in UTC, read as the export's dates are.
        expires = when(entry["expires"])
        if expires is None:
            from aimscheck.export.schema import json_path

            place = (*at, index, "expires")
            # As the schema's problems are said: the setting's path, then what is wrong.
            message = f'{json_path(place)}: not a real date: "{entry["expires"]}"'
            hint = "write a day that exists, as YYYY-MM-DD"
            errors.append(UsageError(message, doc.at(place), hint=hint))
            continue
        # Ids are kept in NFC (export/ids.py): a subject written in another form names them too.
        subject = entry.get("subject")
        subject = normalize("NFC", subject) if isinstance(subject, str) else None
        waivers.append(
            Waiver(
                rule=entry["rule"],
                subject=subject,
                justification=" ".join(entry["justification"].split()),
                approver=entry["approver"].strip(),
                expires=expires.day,
                location=where,
            )
        )
    raise_all(errors)
    return tuple(waivers)


def load_waiver_file(path: Path) -> tuple[Waiver, ...]:
    """A file of its own holding `waivers:` (and optionally `version: 1`)."""
    from aimscheck.config import schema_problems
    from aimscheck.yamlfile import read_yaml

    doc = read_yaml(path, "waiver file", collect=True)
    if doc.data is None:
        raise_all(list(doc.problems))
        raise UsageError(
            f"the waiver file {doc.display} is empty", hint="give it a 'waivers:' list"
        )
    problems = schema_problems(doc, "waiver_file")
    errors = [*doc.problems, *(error for _, error in problems)]
    waivers: tuple[Waiver, ...] = ()
    bad = [where for where, _ in problems] + list(doc.refused)
    # The entries the schema refused are not read further (their shape is unknown), the others
    # are, so that one run says every mistake of the file.
    if all(len(where) > 1 and where[0] == "waivers" for where in bad):
        skip = {where[1] for where in bad if isinstance(where[1], int)}
        try:
            waivers = parse_waivers(doc, ("waivers",), skip)
        except ErrorGroup as group:
            errors += group.errors
        except AimscheckError as exc:
            errors.append(exc)
    raise_all(errors)
    return waivers


def _matches(waiver: Waiver, result: Result) -> bool:
    if waiver.rule != result.rule.id:
        return False
    return waiver.subject is None or waiver.subject == str(result.subject)


def _chosen(candidates: list[Waiver], as_of: dt.date) -> Waiver:
    """The waiver that speaks for a finding: an active one if any, the most specific first."""
    active = [w for w in candidates if w.active_on(as_of)]
    pool = active or candidates
    return max(pool, key=lambda w: (w.subject is not None, w.expires))


def apply_waivers(
    results: Iterable[Result],
    waivers: Sequence[Waiver],
    as_of: dt.date,
    rule_ids: Collection[str] = (),
    disabled: Collection[str] = (),
) -> tuple[list[Result], tuple[WaiverStatus, ...]]:
    """The results with waivers applied, and what each waiver did.

    `rule_ids` are the rules that ran and `disabled` those the configuration switched off: they
    only serve to explain a waiver that matched nothing.
    """
    by_rule: dict[str, list[Waiver]] = {}
    for waiver in waivers:
        by_rule.setdefault(waiver.rule, []).append(waiver)
    matched = {id(w): 0 for w in waivers}
    subjects: dict[str, list[str]] = {}  # rule id -> subjects of its waivable findings
    out: list[Result] = []
    for result in results:
        if result.outcome not in WAIVABLE:
            out.append(result)
            continue
        subjects.setdefault(result.rule.id, []).append(str(result.subject or "(whole export)"))
        candidates = [w for w in by_rule.get(result.rule.id, ()) if _matches(w, result)]
        if not candidates:
            out.append(result)
            continue
        for waiver in candidates:
            matched[id(waiver)] += 1
        chosen = _chosen(candidates, as_of)
        if chosen.active_on(as_of):
            result = dataclasses.replace(
                result, outcome=Outcome.WAIVED, raw_outcome=result.outcome, waiver=chosen
            )
        else:
            result = dataclasses.replace(result, waiver=chosen)
        out.append(result)
    statuses = []
    for waiver in waivers:
        count = matched[id(waiver)]
        if count == 0:
            note = _unmatched_note(waiver, rule_ids, disabled, subjects.get(waiver.rule, []))
            statuses.append(WaiverStatus(waiver, "unmatched", 0, note))
        else:
            state = "active" if waiver.active_on(as_of) else "expired"
            statuses.append(WaiverStatus(waiver, state, count))
    return out, tuple(statuses)


def _unmatched_note(
    waiver: Waiver, rule_ids: Collection[str], disabled: Collection[str], found: list[str]
) -> str:
    if waiver.rule in disabled:
        return f"rule {waiver.rule} is disabled by the configuration"
    if rule_ids and waiver.rule not in rule_ids:
        close = difflib.get_close_matches(waiver.rule, list(rule_ids), n=1, cutoff=0.8)
        guess = f" (did you mean {close[0]}?)" if close else ""
        return f"no rule {waiver.rule} was run{guess}"
    if not found:
        return f"rule {waiver.rule} has no finding to waive: remove the waiver"
    shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    return f"rule {waiver.rule} has no finding for {waiver.subject} (its findings: {shown})"
