"""The report formats: an explicit registry of renderers, each loaded only when used."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aimscheck.errors import UsageError

if TYPE_CHECKING:
    from aimscheck.results import Report


# Each format module is imported inside its function: junit_xml alone costs ~11 ms at import,
# and `aimscheck --help` must not pay for formats it does not render.
def _text(report: Report) -> str:
    from aimscheck.reporters import text

    return text.render(report)


def _json(report: Report) -> str:
    from aimscheck.reporters import json

    return json.render(report)


def _junit(report: Report) -> str:
    from aimscheck.reporters import junit

    return junit.render(report)


def _sarif(report: Report) -> str:
    from aimscheck.reporters import sarif

    return sarif.render(report)


def _markdown(report: Report) -> str:
    from aimscheck.reporters import markdown

    return markdown.render(report)


def _html(report: Report) -> str:
    from aimscheck.reporters import html

    return html.render(report)


REPORTERS: dict[str, Callable[[Report], str]] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
    "sarif": _sarif,
    "markdown": _markdown,
    "html": _html,
}


def render(name: str, report: Report) -> str:
    """The report in the named format; an unknown name is a usage error (exit 2)."""
    reporter = REPORTERS.get(name)
    if reporter is None:
        known = ", ".join(sorted(REPORTERS))
        raise UsageError(f"unknown report format {name!r}", hint=f"choose one of: {known}")
    return reporter(report)
