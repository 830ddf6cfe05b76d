"""The frameworks a check can show readiness for, by name: an explicit registry of crosswalks."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from aimscheck.frameworks.catalog import Framework, read_framework

if TYPE_CHECKING:
    from aimscheck.export.model import Export
    from aimscheck.frameworks.view import FrameworkView
    from aimscheck.results import Result, RuleInfo

_HERE = Path(__file__).resolve().parent

# name: the crosswalk file shipped beside this module. Adding a framework is adding a file here
# and a line below (docs/frameworks.md, "Adding a framework").
REGISTRY: dict[str, str] = {
    "eu-ai-act": "eu-ai-act.yaml",
    "nist-ai-rmf": "nist-ai-rmf.yaml",
}


@functools.cache
def load(name: str) -> Framework:
    """The framework registered under `name` (read once per process)."""
    return read_framework(_HERE / REGISTRY[name])


def resolve(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The framework names asked for, in the order given and without repeats; an unknown name
    is a UsageError (exit 2) with the closest registered name suggested."""
    from aimscheck.errors import UsageError

    out: list[str] = []
    # `--framework eu-ai-act,nist-ai-rmf` is the same as giving the option twice.
    for raw in (part for given in names for part in given.split(",")):
        name = raw.strip().lower()
        if name not in REGISTRY:
            close = difflib.get_close_matches(name, sorted(REGISTRY), n=1, cutoff=0.5)
            known = ", ".join(sorted(REGISTRY))
            raise UsageError(
                f"unknown framework {raw!r}: aimscheck shows readiness for {known}",
                hint=f"did you mean {close[0]}?" if close else f"give one of {known}",
            )
        if name not in out:
            out.append(name)
    return tuple(out)


def build_views(
    names: tuple[str, ...],
    export: Export,
    rules: Iterable[RuleInfo],
    results: Iterable[Result],
    as_of: dt.date,
    dates: Mapping[str, dt.date] | None = None,
) -> tuple[FrameworkView, ...]:
    """The views of the frameworks named, from one run's rules, results and export."""
    from aimscheck.frameworks.applicability import system_facts
    from aimscheck.frameworks.links import Links, links_of
    from aimscheck.frameworks.view import build_view

    systems = system_facts(export)
    infos, done = tuple(rules), tuple(results)
    frameworks = [load(n) for n in names]
    # Which records concern which systems matters only to obligations of one system.
    per_system = any(r.applies.per_system for f in frameworks for r in f.requirements)
    links = links_of(export) if per_system else Links()
    return tuple(build_view(f, infos, done, systems, as_of, dates, links) for f in frameworks)
