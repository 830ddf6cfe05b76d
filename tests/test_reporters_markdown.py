"""The Markdown summary: verdict, counts, top findings, readiness by clause, notes; safe text."""

from __future__ import annotations

import dataclasses
import re

import pytest
from reportdata import COUNTS, RESULTS, RISK, make_report
from test_reporters_sarif import rich_report

from aimscheck.export.contract import VocabularyExtension
from aimscheck.reporters.markdown import TOP, code, render, text
from aimscheck.results import Outcome, Result, Subject
from aimscheck.source import Location


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return render(rich_report()).splitlines()


def table(lines: list[str], header: str) -> list[list[str]]:
    """The rows of the table whose header line starts with `header`, as cells."""
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_headline_says_gate_and_verdict(lines: list[str]) -> None:
    assert lines[0] == "## ❌ aimscheck failed: not assessable"
    clean = make_report(results=tuple(r for r in RESULTS if not r.outcome.is_finding))
    assert render(clean).splitlines()[0] == "## ✅ aimscheck passed: ready for stage 1"


def test_tally_and_context(lines: list[str]) -> None:
    assert lines[2].startswith("**3 major** · 1 minor · 1 observation · 1 rule error(s) — ")
    assert "FAILED at \\-\\-fail-on" not in lines[2]  # hyphens need no escaping
    assert "(1 known, in the baseline)" in lines[2]
    assert lines[4] == (
        "export `fixtures/acme-gaps` · as of 2026-03-01 · 10 rules · pack `iso42001-2023.1`"
    )


def test_counts_table() -> None:
    rows = table(render(make_report()).splitlines(), "| ✅ pass")
    assert rows == [[str(n) for n in COUNTS.values()]]


def test_top_findings_worst_first_with_file_and_line(lines: list[str]) -> None:
    rows = table(lines, "| Severity | Rule")
    assert [row[0] for row in rows] == [
        "⚠️ error",
        "🔴 major",
        "🔴 major",
        "🔴 major",
        "🟠 minor",
        "🔵 observation",
    ]
    assert rows[1][1:4] == [
        "`AIMS-A.5.2-01`",
        "`ai_systems/fraud-detection`",
        "`fixtures/acme-gaps/ai_systems.yaml:30`",
    ]
    assert rows[0][2:4] == ["whole export", "—"]
    assert rows[3][4].endswith("*(waiver expired on 2026-01-31)*")
    assert rows[4][4].endswith("*(known: in the baseline)*")


def test_only_the_top_findings_are_listed() -> None:
    many = tuple(
        Result(RISK, Outcome.NONCONFORMITY, Subject("risks", f"R-{i}"), Location("r.yaml", i), "x")
        for i in range(1, 26)
    )
    lines = render(make_report(results=many)).splitlines()
    assert f"### Top findings ({TOP} of 25)" in lines
    assert len(table(lines, "| Severity | Rule")) == TOP
    assert "…and 15 more in the full report (HTML or JSON)." in lines
    assert "r.yaml:2`" in "\n".join(lines)  # numeric line order: 1, 2, ... not 1, 10


def test_readiness_by_clause_with_bars(lines: list[str]) -> None:
    rows = table(lines, "| Clause |")
    assert [row[0] for row in rows] == [
        "4 · Context of the organization",
        "5 · Leadership",
        "6 · Planning",
        "7 · Support",
        "8 · Operation",
        "9 · Performance evaluation",
        "10 · Improvement",
    ]
    assert rows[0][1:] == ["`██████████` 100%", "1/1"]
    assert rows[4][1:] == ["not assessed", "0/0"]
    assert "<details><summary>Readiness by Annex A group and lifecycle phase</summary>" in lines
    phases = table(lines, "| Lifecycle phase |")
    assert phases[0] == ["Scope definition", "`█████░░░░░` 50%", "1/2"]


def test_notes_for_baseline_waivers_and_rule_changes(lines: list[str]) -> None:
    notes = lines[lines.index("### Notes") + 2 :]
    assert notes == [
        "- **Baseline** `previous.json`: 1 known finding remains, 4 new, 0 fixed.",
        "- **Waivers**: 1 active, 1 expired.",
        "  - ⏰ `AIMS-6.1.3-02` `risks/R-7`: waiver expired on 2026-01-31",
        "- **Configuration**: `AIMS-A.5.2-01` graded major (pack: minor) — CB grades it major",
    ]
    assert "### Notes" not in render(make_report())


def test_notes_for_values_added_to_vocabularies() -> None:
    added = VocabularyExtension(
        ("ai_systems", "risk_tier"), ("very_high",), "POL-7 | five tiers", Location("c.yaml", 4)
    )
    lines = render(make_report(vocabulary=(added,))).splitlines()
    assert lines[lines.index("### Notes") + 2 :] == [
        "- **Configuration**: `ai_systems.risk_tier` also accepts `very_high` "
        "— POL-7 \\| five tiers"
    ]


def test_hostile_text_cannot_break_the_table_or_ping_people() -> None:
    assert text("a | b @team #12 <script>x</script> *bold* [link](http://x)") == (
        "a \\| b \\@team \\#12 \\<script\\>x\\</script\\> \\*bold\\* \\[link\\](http://x)"
    )
    assert text("two\nlines") == "two lines"
    assert code("a`b|c") == "`a'b\\|c`"
    hostile = dataclasses.replace(
        RESULTS[4], message="Risk | R-7\n@security-team <img src=x onerror=alert(1)>"
    )
    out = render(make_report(results=(hostile,)))
    row = next(line for line in out.splitlines() if "R-7" in line and line.startswith("|"))
    assert row.count(" | ") == 4  # five cells, the pipe in the message escaped
    assert re.search(r"(?<!\\)<img", out) is None and "\\<img" in out
    assert "\\@security-team" in out
