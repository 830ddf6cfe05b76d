"""A framework's application dates as one source: configured, checked, and bound to its pack."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aimscheck.dsl.ruleset import RuleSet

# The pack's date parameters, filled from the date its obligation waits for (the crosswalk's
# `from`): `applies_from` the obligation's own date (for a high-risk one, the Annex III date),
# `applies_from_annex_i` the Annex I date of a high-risk obligation.
FIRST = "applies_from"
ANNEX_I = "applies_from_annex_i"


def unknown_date(framework: str, key: str) -> tuple[str, str] | None:
    """Why `key` names no application date of `framework` and a hint; None when it does."""
    from aimscheck.frameworks import load

    known = sorted(load(framework).dates)
    if key in known:
        return None
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    listed = ", ".join(known) if known else "none"
    return (
        f"{framework} has no application date '{key}' (its dates: {listed})",
        f"did you mean '{close[0]}'?" if close else f"give one of {listed}",
    )


def pack_bindings(
    ruleset: RuleSet,
    dates: Mapping[str, dt.date],
    explicit: Mapping[str, Mapping[str, object]],
) -> dict[str, dict[str, object]]:
    """The date parameters of the framework packs' rules that the configured `dates` move, by
    rule: each rule's tag `<framework>:<id>` names the obligation, whose `from` names the date.

    A parameter the configuration sets for the rule (`explicit`, `rules.parameters`) keeps its
    value; a parameter already at the date is left out, so that nothing changed binds nothing."""
    from aimscheck.basis import framework_of
    from aimscheck.frameworks import load

    if not dates:
        return {}
    out: dict[str, dict[str, object]] = {}
    for info in ruleset.infos:
        compiled = ruleset.get(info.id)
        if compiled is None:
            continue
        for tag in info.tags:
            name = framework_of(tag)
            if name is None:
                continue
            framework = load(name)
            starts = {r.id: r.starts for r in framework.requirements}.get(tag.split(":", 1)[1])
            effective = {k: d.date for k, d in framework.dates.items()} | dict(dates)
            wanted = _wanted(starts, effective)
            for param, date in wanted.items():
                if param in explicit.get(info.id, {}):
                    continue
                # Only a date parameter: a pack's own `applies_from` of another kind is its own.
                value = compiled.params.get(param)
                if isinstance(value, dt.date) and value != date:
                    out.setdefault(info.id, {})[param] = date
    return out


def _wanted(starts: str | None, dates: Mapping[str, dt.date]) -> dict[str, dt.date]:
    if starts == "high_risk":
        return {FIRST: dates["high_risk_annex_iii"], ANNEX_I: dates["high_risk_annex_i"]}
    if starts is not None and starts in dates:
        return {FIRST: dates[starts]}
    return {}
