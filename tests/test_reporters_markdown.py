"""The Markdown summary: verdict, counts, top findings, readiness by clause, notes; safe text."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from reportdata import COUNTS, RESULTS, RISK, make_report
from test_reporters_sarif import rich_report

from aimscheck.export.contract import VocabularyExtension
from aimscheck.reporters.markdown import PER_SUBJECT, TOP, code, relative_link, render, text
from aimscheck.results import Outcome, Result, Severity, Subject
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
    assert lines[0] == "## ❌ aimscheck: gate failed · certification verdict: not assessable"
    clean = make_report(results=tuple(r for r in RESULTS if not r.outcome.is_finding))
    assert render(clean).splitlines()[0] == (
        "## ✅ aimscheck: gate passed · certification verdict: ready for stage 1"
    )


def test_tally_and_context(lines: list[str]) -> None:
    assert lines[2].startswith("**3 major** · 1 minor · 1 observation · 1 rule error(s) — ")
    assert "FAILED at \\-\\-fail-on" not in lines[2]  # hyphens need no escaping
    assert "(1 known, in the baseline)" in lines[2]
    assert lines[4] == "**Not assessable**: 1 rule error, 3 open majors."
    assert lines[6] == (
        "export `fixtures/acme-gaps` · as of 2026-03-01 · 10 rules · pack `iso42001-2023.1`"
    )


def test_systemic_failures_in_the_verdict_and_the_readiness_section() -> None:
    rule = dataclasses.replace(RISK, severity=Severity.MINOR, clauses=("7.5.3",))
    minors = tuple(
        Result(rule, Outcome.NONCONFORMITY, Subject("documents", f"D-{i:02}"), None, "x")
        for i in range(12)
    )
    lines = render(make_report(rules=(rule,), results=minors)).splitlines()
    assert lines[0] == "## ❌ aimscheck: gate failed · certification verdict: not ready for stage 1"
    assert lines[4] == (
        "**Not ready for stage 1**: 1 systemic failure (clause 7.5.3: 12 minor findings)."
    )
    assert section(lines, "### Readiness by clause")[:5] == [
        "**Systemic failures** (5 or more open minor findings on one requirement count like a "
        "major):",
        "",
        "| Requirement | Minor findings | Rules |",
        "|---|---:|---|",
        "| clause `7.5.3` | 12 | `AIMS-6.1.3-02` |",
    ]
    off = render(make_report(rules=(rule,), results=minors, systemic_after=None)).splitlines()
    # The 12 minors fail the gate, yet the organization is ready: the heading says both, each
    # by its name, never "failed: ready for stage 1".
    assert off[0] == "## ❌ aimscheck: gate failed · certification verdict: ready for stage 1"
    assert not any("ystemic" in line for line in off)


def test_counts_table() -> None:
    rows = table(render(make_report()).splitlines(), "| ✅ pass")
    assert rows == [[str(n) for n in COUNTS.values()]]


def section(lines: list[str], heading: str) -> list[str]:
    """The lines under the heading that starts with `heading`, up to the next heading."""
    start = next(i for i, line in enumerate(lines) if line.startswith(heading)) + 2
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    return lines[start:end]


def test_findings_grouped_by_subject_worst_first_with_file_and_line(lines: list[str]) -> None:
    assert "### Findings by subject (6 findings on 6 subjects)" in lines
    assert section(lines, "### Findings by subject") == [
        "- ⚠️ **The whole export**: 1 rule error",
        "  - ⚠️ error `AIMS-9.2-01`: cannot compare date with string 'last spring'",
        "- 🔴 **AI system `fraud-detection`**: 1 gap",
        "  - 🔴 major `AIMS-A.5.2-01` at `fixtures/acme-gaps/ai_systems.yaml:30`: The impact "
        "assessment IA-4 of fraud-detection has expired evidence",
        "- 🔴 **`policies/POL-1`**: 1 gap",
        "  - 🔴 major `AIMS-5.2-01` at `fixtures/acme-gaps/policies.yaml:4`: Approval minutes "
        "DOC-9 for policy POL-1 cannot be found",
        "- 🔴 **Risk `R-7`**: 1 gap",
        "  - 🔴 major `AIMS-6.1.3-02` at `fixtures/acme-gaps/risks.yaml:40`: Risk R-7 scores 16 "
        "above the threshold 12 but has no treatment *(waiver expired on 2026-01-31)*",
        "- 🟠 **`suppliers/S-2`**: 1 gap",
        "  - 🟠 minor `AIMS-A.10.3-01` at `fixtures/acme-gaps/suppliers.yaml:8`: Supplier S-2 "
        "(ModelHub) has no assessment *(known: in the baseline)*",
        # An observation is an opportunity for improvement: neither a gap nor a nonconformity.
        "- 🔵 **Person `P-3`**: 1 observation",
        "  - 🔵 observation `AIMS-7.2-01` at `fixtures/acme-gaps/people.yaml:9`: Jürgen Müller "
        "(P-3) holds role aims\\_owner without a current competence record",
        "",
    ]


def test_one_bare_system_reads_as_one_entry_with_each_rule_under_it() -> None:
    rules = [dataclasses.replace(RISK, id=f"AIMS-X.{n}-01") for n in range(1, 4)]
    bare = Subject("ai_systems", "credit-scoring")
    found = tuple(
        Result(rule, Outcome.NONCONFORMITY, bare, Location("ai_systems.yaml", 3 + n), f"gap {n}")
        for n, rule in enumerate(rules)
    )
    lines = render(make_report(rules=tuple(rules), results=found)).splitlines()
    assert section(lines, "### Findings by subject") == [
        "- 🔴 **AI system `credit-scoring`**: 3 gaps",
        "  - 🔴 major `AIMS-X.1-01` at `ai_systems.yaml:3`: gap 0",
        "  - 🔴 major `AIMS-X.2-01` at `ai_systems.yaml:4`: gap 1",
        "  - 🔴 major `AIMS-X.3-01` at `ai_systems.yaml:5`: gap 2",
        "",
    ]


def test_only_the_top_subjects_are_listed() -> None:
    many = tuple(
        Result(RISK, Outcome.NONCONFORMITY, Subject("risks", f"R-{i}"), Location("r.yaml", i), "x")
        for i in range(1, 26)
    )
    lines = render(make_report(results=many)).splitlines()
    assert "### Findings by subject (25 findings on 25 subjects)" in lines
    entries = [line for line in section(lines, "### Findings by subject") if line.startswith("- ")]
    assert len(entries) == TOP
    assert entries[:2] == ["- 🔴 **Risk `R-1`**: 1 gap", "- 🔴 **Risk `R-2`**: 1 gap"]  # 2 < 10
    assert "…and 15 more subjects (15 findings) in the full report (HTML or JSON)." in lines
    linked = render(make_report(results=many), "report.html").splitlines()
    assert "…and 15 more subjects (15 findings) in the [HTML report](report.html)." in linked


def test_a_link_to_the_html_report_of_the_same_run() -> None:
    lines = render(make_report(), "../html/readiness%20report.html").splitlines()
    assert lines[8:10] == [
        "📄 Full report, every finding with how to fix it: [readiness report.html]"
        "(../html/readiness%20report.html) (beside this summary, or among the CI job's "
        "artifacts)",
        "",
    ]
    assert not any("📄 Full report" in line for line in render(make_report()).splitlines())


@pytest.mark.parametrize(
    ("target", "folder", "url"),
    [
        ("out/r.html", "out", "r.html"),
        ("out/html/r.html", "out/md", "../html/r.html"),
        ("r.html", "out/md", "../../r.html"),
        ("out/my report (1).html", "out", "my%20report%20%281%29.html"),
    ],
)
def test_the_link_is_relative_to_the_summary_and_escaped(
    tmp_path: Path, target: str, folder: str, url: str
) -> None:
    assert relative_link(tmp_path / target, tmp_path / folder) == url


def test_a_long_entry_lists_its_first_findings_and_counts_the_rest() -> None:
    one = Subject("ai_systems", "s")
    many = tuple(
        Result(dataclasses.replace(RISK, id=f"R-{i:02}"), Outcome.NONCONFORMITY, one, None, "x")
        for i in range(PER_SUBJECT + 3)
    )
    lines = render(make_report(results=many)).splitlines()
    body = section(lines, "### Findings by subject")
    assert body[0] == f"- 🔴 **AI system `s`**: {PER_SUBJECT + 3} gaps"
    assert len(body) == 1 + PER_SUBJECT + 2
    assert body[-2] == "  - …and 3 more"


def test_readiness_by_clause_with_bars(lines: list[str]) -> None:
    rows = table(lines, "| Clause |")
    assert [row[0] for row in rows] == [
        "4 · The organisation and its AIMS scope",
        "5 · Top management's commitment",
        "6 · Planning for risks and objectives",
        "7 · Resources, competence and documents",
        "8 · Running AI operations",
        "9 · Measuring and reviewing the AIMS",
        "10 · Fixing and improving",
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
        RESULTS[4],
        subject=Subject("risks", "R-7`|x"),
        message="Risk | R-7\n@security-team <img src=x onerror=alert(1)>",
    )
    out = render(make_report(results=(hostile,)))
    entry = section(out.splitlines(), "### Findings by subject")
    assert entry[:2] == [
        "- 🔴 **Risk `R-7'\\|x`**: 1 gap",
        "  - 🔴 major `AIMS-6.1.3-02` at `fixtures/acme-gaps/risks.yaml:40`: Risk \\| R-7 "
        "\\@security-team \\<img src=x onerror=alert(1)\\>",
    ]
    assert re.search(r"(?<!\\)<img", out) is None and "\\<img" in out
