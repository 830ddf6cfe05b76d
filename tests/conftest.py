"""Every JSON report a test renders in this process is checked against the report schema."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from reportschema import problems

import aimscheck.reporters.json as json_reporter
from aimscheck.results import Report


@pytest.fixture(autouse=True)
def _json_reports_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Checked after the test, not inside render: a command under test catches what render
    # raises, and a test expecting exit 1 would not notice.
    render = json_reporter.render
    found: list[str] = []

    def checked(report: Report) -> str:
        text = render(report)
        try:
            found.extend(problems(json.loads(text)))
        except Exception as exc:  # reported after the test, never to the command under test
            found.append(f"the report could not be checked: {exc!r}")
        return text

    monkeypatch.setattr(json_reporter, "render", checked)
    yield
    assert not found, "a JSON report does not match report.schema.json:\n" + "\n".join(found[:20])
