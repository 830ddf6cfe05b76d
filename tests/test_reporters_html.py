"""The HTML readiness report: self-contained, structured, and rendered by a real browser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from pngread import read_png
from reportdata import RESULTS, RISK, make_report
from test_reporters_sarif import rich_report

from aimscheck.check import CheckOptions, run_check
from aimscheck.config import load_config
from aimscheck.export.contract import VocabularyExtension
from aimscheck.reporters.html import long_date, render
from aimscheck.reporters.html_charts import BAR_W, bar_chart
from aimscheck.reporters.html_style import CSS
from aimscheck.reporters.readiness import GroupReadiness, systemic_phrase
from aimscheck.reporters.text import finding_key
from aimscheck.results import Outcome, Report, Result, Severity, Subject
from aimscheck.source import Location

ROOT = Path(__file__).parent.parent
AS_OF = dt.date(2026, 11, 20)
INVENTORY: dict[str, Any] = {
    "controls": {
        "A.5.3": [
            {"ref": "EV-7", "status": "ok", "path": "files/ia.pdf", "record": "evidence/EV-7"},
            {
                "ref": "EV-9",
                "status": "sha256_mismatch",
                "path": "files/ia-signoff.pdf",
                "record": "evidence/EV-9",
                "message": "the file changed after it was recorded",
            },
        ],
        "A.6.2.4": [{"ref": "DOC-3", "status": "ok", "path": "d.md", "record": "documents/DOC-3"}],
    },
    "clauses": {
        "9.2": [{"ref": "EV-2", "status": "expired", "path": "a.pdf", "record": "evidence/EV-2"}]
    },
    "orphans": ["files/x.pdf", "files/old/y.pdf"],
    "unreferenced": ["evidence/EV-12"],
}
CONFIG = """\
version: 1
rules:
  severity:
    - rule: AIMS-4.1-05
      severity: minor
      reason: Our certification body grades a missing climate rationale as minor.
  disabled:
    - rule: AIMS-6.1.3-03
      reason: Annex A coverage is reviewed in our own SoA review instead.
waivers:
  - rule: AIMS-A.7.5-01
    subject: datasets/ds-clickstream
    justification: Licence terms are under negotiation with the data broker.
    approver: Dana Vance (CRO)
    expires: 2027-01-31
  - rule: AIMS-9.1-01
    subject: metrics/met-pricing-guardrail
    justification: Measurement paused during the pricing engine migration.
    approver: Dana Vance (CRO)
    expires: 2026-10-31
  - rule: AIMS-A.5.2-01
    subject: ai_systems/hr-cv-screenin
    justification: Vendor impact assessment expected in Q1.
    approver: Priya Kim
    expires: 2027-03-01
"""


def gaps_report(tmp_path: Path) -> Report:
    """fixtures/gaps with waivers (active, expired, unmatched), rule changes and an inventory."""
    config = tmp_path / "aimscheck.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    options = CheckOptions(ROOT / "fixtures" / "gaps", as_of=AS_OF, config=load_config(config))
    return dataclasses.replace(run_check(options), evidence_inventory=INVENTORY)


@pytest.fixture(scope="module")
def gaps(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return gaps_report(tmp_path_factory.mktemp("gaps"))


def parse(text: str) -> Any:
    return lxml_html.document_fromstring(text)


def test_self_contained_no_request_can_leave(gaps: Report) -> None:
    text = render(gaps)
    page = parse(text)
    assert not page.xpath("//script | //link | //iframe | //img | //object | //embed")
    for element in page.iter():
        for name in ("src", "href", "action", "srcset", "data"):
            value = element.get(name) or ""
            assert not re.match(r"\s*(https?:|//|ftp:)", value), (element.tag, name, value)
    css = "".join(page.xpath("//style/text()"))
    assert "@import" not in css and "url(" not in css
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert policy == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')


def test_masthead_and_verdict(gaps: Report) -> None:
    page = parse(render(gaps))
    assert page.xpath("string(//h1)") == "Quantum Retail Group plc"
    assert "20 November 2026" in page.xpath("string(//dl[@class='meta'])")
    verdict = page.xpath("//section[@id='verdict']")[0]
    assert verdict.get("data-verdict") == "not-ready-for-stage-1"
    assert verdict.xpath("string(.//h2)") == "Not ready for stage 1"
    majors = gaps.open_majors
    assert f"{majors} major nonconformities are open" in verdict.text_content()
    assert "Pipeline gate (fails on minor and above): failed" in verdict.text_content()
    assert verdict.xpath(".//svg[@class='donut']")


def test_three_readiness_charts_with_labels(gaps: Report) -> None:
    page = parse(render(gaps))
    charts = page.xpath("//section[@id='readiness']//svg[@class='bars']")
    assert [c.get("id") for c in charts] == ["chart-clauses", "chart-annex-a", "chart-phases"]
    clauses = charts[0].xpath(".//g[@class='bar']")
    assert [g.get("data-key") for g in clauses] == ["4", "5", "6", "7", "8", "9", "10"]
    labels = [g.xpath("string(./text[1])") for g in clauses]
    assert labels[2] == "6 · Planning for risks and objectives"
    assert all(
        re.fullmatch(r"\d+%  \(\d+ of \d+(, \d+ n/a)?\)", g.xpath("string(./text[2])"))
        for g in clauses
    )
    assert len(charts[1].xpath(".//g[@class='bar']")) == 9  # A.2 .. A.10
    phases = [g.xpath("string(./text[1])") for g in charts[2].xpath(".//g[@class='bar']")]
    assert phases[0] == "Scope definition" and phases[-1] == "Certification preparation"


def test_bars_are_proportional_and_unassessed_groups_say_so() -> None:
    svg = bar_chart(
        "c",
        "Test",
        [
            GroupReadiness("6", "Clause 6 Planning for risks and objectives", 3, 4, 0),
            GroupReadiness("8", "x", 0, 0, 2),
        ],
        lambda g: g.label,
    )
    chart = lxml_html.fragment_fromstring(svg)
    passing = chart.xpath(".//rect[@class='passing']")
    assert [float(r.get("width")) for r in passing] == [BAR_W * 3 / 4]
    assert chart.xpath("string(.//g[@data-key='8']/text[2])") == "not assessed, 2 n/a"
    assert chart.xpath(".//g[@data-key='8']/rect")[0].get("stroke-dasharray") == "4 3"


def test_findings_grouped_by_subject_worst_first_with_file_and_line(gaps: Report) -> None:
    page = parse(render(gaps))
    entries = page.xpath("//section[@id='gaps']/div[@class and starts-with(@class, 'subject')]")
    findings = [r for r in gaps.results if r.outcome.is_finding]
    subjects = {"" if r.subject is None else r.subject.text for r in findings}
    # One entry per subject record, holding every finding about it: one row per rule.
    assert len(entries) == len(subjects)
    assert sorted(e.get("data-subject") for e in entries) == sorted(subjects)
    rows = page.xpath("//section[@id='gaps']//tbody/tr")
    assert len(rows) == len(findings)
    assert sum(int(e.get("data-findings")) for e in entries) == len(findings)
    order = [e.get("data-severity") for e in entries]
    rank = {"error": 0, "major": 1, "minor": 2, "observation": 3}
    assert order == sorted(order, key=rank.__getitem__)
    review = next(e for e in entries if e.get("data-subject") == "management_reviews/mr-2025-09")
    title = review.xpath("string(.//span[@class='subject-title'])")
    assert re.fullmatch(r"Management review mr-2025-09: \d+ gaps", title), title
    for row in rows:
        where = row.xpath("string(.//td[@class='where'])")
        assert re.fullmatch(r"fixtures/gaps/\S+\.(yaml|json):\d+", where), where
    first = rows[0]
    assert first.xpath("string(.//div[@class='gap-fix'])").startswith("How to fix:")
    expired = [r for r in rows if "Waiver expired on 2026-10-31" in r.text_content()]
    assert len(expired) == 1 and "Measurement paused" in expired[0].text_content()
    regraded = [r for r in rows if "AIMS-4.1-05" in r.text_content()]
    assert "Graded minor instead of observation" in regraded[0].text_content()
    assert regraded[0].get("data-severity") == "minor"


def test_the_gaps_fixture_shows_its_systemic_failures(gaps: Report) -> None:
    page = parse(render(gaps))
    verdict = page.xpath("string(//section[@id='verdict']//p)")
    assert gaps.systemic  # five minor findings on one clause
    assert systemic_phrase(gaps.systemic) in verdict
    rows = page.xpath("//div[@id='systemic']//tbody/tr")
    assert [r.get("data-requirement") for r in rows] == [s.requirement for s in gaps.systemic]
    assert page.xpath("string(//div[@id='systemic']/h3)") == (
        f"Systemic failures ({len(gaps.systemic)})"
    )


def test_an_observation_is_an_opportunity_for_improvement_never_a_nonconformity() -> None:
    page = parse(render(make_report()))
    (entry,) = page.xpath("//div[@data-subject='people/P-3']")
    assert entry.get("data-severity") == "observation"
    assert entry.xpath("string(.//span[@class='subject-title'])") == "Person P-3: 1 observation"
    (row,) = entry.xpath(".//tbody/tr")
    assert [t.strip() for t in row.xpath("./td[1]//text()")] == [
        "Observation",
        "Opportunity for improvement",
    ]
    assert row.xpath("string(./td[@class='where'])") == "fixtures/acme-gaps/people.yaml:9"
    assert "nonconformity" not in entry.text_content().lower()
    figures = page.xpath("//section[@class='figures']/div[contains(@class, 'observation')]")
    assert figures[0].xpath("string(./div[1])") == "1"


def test_a_systemic_failure_blocks_stage_1_in_the_verdict() -> None:
    rule = dataclasses.replace(RISK, severity=Severity.MINOR, clauses=("7.5.3",))
    minors = tuple(
        Result(rule, Outcome.NONCONFORMITY, Subject("documents", f"D-{i:02}"), None, "x")
        for i in range(12)
    )
    page = parse(render(make_report(rules=(rule,), results=minors)))
    assert page.xpath("//section[@id='verdict']/@data-verdict") == ["not-ready-for-stage-1"]
    assert page.xpath("string(//section[@id='verdict']//p)") == (
        "1 systemic failure (clause 7.5.3: 12 minor findings) shows a requirement whose "
        "process has broken down. A certification body would not proceed past Stage 1 with "
        "them: close them before booking the audit."
    )
    (row,) = page.xpath("//div[@id='systemic']//tbody/tr")
    assert [td.text_content() for td in row.xpath("./td")] == [
        "Clause 7.5.3",
        "12",
        "AIMS-6.1.3-02",
    ]
    off = parse(render(make_report(rules=(rule,), results=minors, systemic_after=None)))
    assert off.xpath("//section[@id='verdict']/@data-verdict") == ["ready-for-stage-1"]
    assert not off.xpath("//*[@id='systemic']")


BARE = """\
schema_version: "1"
organization:
  name: Bare Org
ai_systems:
  - id: credit-scoring
    name: Credit scoring
    in_scope: true
"""


def test_one_bare_ai_system_reads_as_one_entry_with_its_findings(tmp_path: Path) -> None:
    (tmp_path / "aims.yaml").write_text(BARE, encoding="utf-8")
    report = run_check(CheckOptions(tmp_path, as_of=AS_OF))
    mine = sorted(
        (
            r
            for r in report.results
            if r.outcome.is_finding and str(r.subject) == "ai_systems/credit-scoring"
        ),
        key=finding_key,
    )
    assert len(mine) > 1  # a bare system breaks several rules...
    page = parse(render(report))
    # ...and reads as one entry, as an auditor writes it up, with each rule's finding under it.
    (entry,) = page.xpath("//div[@data-subject='ai_systems/credit-scoring']")
    assert entry.get("data-findings") == str(len(mine))
    assert entry.xpath("string(.//span[@class='subject-title'])") == (
        f"AI system credit-scoring: {len(mine)} gaps"
    )
    rows = entry.xpath(".//tbody/tr")
    assert [
        (
            row.xpath("string(.//div[@class='gap-rule'])").split(" · ")[0],
            row.xpath("string(./td[@class='where'])"),
        )
        for row in rows
    ] == [
        (r.rule.id, f"{r.location.file}:{r.location.line}") for r in mine if r.location is not None
    ]
    assert len(rows) == len(mine)


def test_waivers_and_rule_changes(gaps: Report) -> None:
    page = parse(render(gaps))
    states = [row.get("data-state") for row in page.xpath("//section[@id='waivers']//tbody/tr")]
    assert states == ["active", "expired", "unmatched"]
    unmatched = page.xpath("//section[@id='waivers']//tr[@data-state='unmatched']")[0]
    assert "its findings: ai_systems/hr-cv-screening" in unmatched.text_content()
    assert "aimscheck.yaml:21" in unmatched.text_content()
    changes = page.xpath("//section[@id='changes']//tbody/tr")
    assert [c.xpath("string(./td[2])") for c in changes] == [
        "graded minor (pack: observation)",
        "disabled",
    ]


def test_values_added_to_vocabularies_with_their_reasons() -> None:
    added = VocabularyExtension(
        ("ai_systems", "risk_tier"), ("very_high", "<b>x</b>"), "POL-7", Location("c.yaml", 4)
    )
    page = parse(render(make_report(vocabulary=(added,))))
    (row,) = page.xpath("//section[@id='vocabulary']//tbody/tr")
    assert [cell.text_content() for cell in row.xpath("./td")] == [
        "ai_systems.risk_tier",
        "very_high, <b>x</b>",
        "POL-7",
        "c.yaml:4",
    ]
    assert page.xpath("//nav[@class='toc']/a[@href='#vocabulary']")
    assert not parse(render(make_report())).xpath("//section[@id='vocabulary']")


def test_evidence_inventory_from_its_dict(gaps: Report) -> None:
    page = parse(render(gaps))
    rows = page.xpath("//section[@id='evidence']//tbody/tr")
    assert [r.get("data-requirement") for r in rows] == ["A.5.3", "A.6.2.4", "9.2"]
    assert [r.get("class") for r in rows] == ["inv-bad", "inv-ok", "inv-bad"]
    chips = rows[0].xpath(".//span[contains(@class, 'proof')]")
    assert [c.text_content() for c in chips] == ["EV-9 · sha256 mismatch", "EV-7"]  # bad first
    assert "files/ia-signoff.pdf" in chips[0].get("title")
    assert rows[0].xpath("string(./td[@class='tally'])") == "1 of 2"
    lists = page.xpath("//section[@id='evidence']//div[@class='cols']//code/text()")
    assert lists == ["files/x.pdf", "files/old/y.pdf", "evidence/EV-12"]
    without = parse(render(dataclasses.replace(gaps, evidence_inventory=None)))
    assert not without.xpath("//section[@id='evidence']")
    assert not without.xpath("//nav//a[@href='#evidence']")


def test_hostile_text_is_escaped() -> None:
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quotes"'
    results = tuple(
        dataclasses.replace(r, message=evil) if r.rule is RISK and r.outcome.is_finding else r
        for r in RESULTS
    )
    page = parse(render(make_report(results=results, organization=evil)))
    assert not page.xpath("//script | //img")
    assert evil in page.xpath("string(//h1)")
    assert any(evil in td.text_content() for td in page.xpath("//td"))


def test_other_verdicts_and_an_empty_gap_list() -> None:
    page = parse(render(rich_report()))
    assert page.xpath("//section[@id='verdict']/@data-verdict") == ["not-assessable"]
    assert "could not be evaluated" in page.xpath("string(//section[@id='verdict']//p)")
    clean = make_report(results=tuple(r for r in RESULTS if r.outcome is Outcome.PASS))
    page = parse(render(clean))
    assert page.xpath("//section[@id='verdict']/@data-verdict") == ["ready-for-stage-1"]
    assert "No gap remains." in page.xpath("string(//section[@id='verdict']//p)")
    assert page.xpath("string(//section[@id='gaps']//p)").startswith("No gap")


def test_dates_are_written_out() -> None:
    assert long_date("2026-11-20") == "20 November 2026"
    assert long_date("someday") == "someday"


# --- the real browser --------------------------------------------------------------------------


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must render the HTML report")
        pytest.skip("chromium is not installed (Debian package 'chromium'; .ci/run installs it)")
    return found


def browse_command(page: Path, profile: Path, *args: str) -> list[str]:
    return [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        *args,
        page.as_uri(),
    ]


def browse(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = browse_command(page, tmp_path / "profile", *args)
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, gaps: Report) -> Path:
    path = tmp_path_factory.mktemp("html") / "readiness.html"
    path.write_text(render(gaps), encoding="utf-8")
    return path


def test_the_browser_builds_the_same_structure(
    rendered: Path, gaps: Report, tmp_path: Path
) -> None:
    dom = parse(browse(rendered, tmp_path, "--dump-dom").stdout)
    assert dom.xpath("string(//section[@id='verdict']//h2)") == "Not ready for stage 1"
    assert len(dom.xpath("//svg[@class='bars']")) == 3
    assert len(dom.xpath("//svg[@class='bars']//g[@class='bar']")) == 7 + 9 + 6
    findings = sum(1 for r in gaps.results if r.outcome.is_finding)
    assert len(dom.xpath("//section[@id='gaps']//tbody/tr")) == findings
    assert len(dom.xpath("//section[@id='evidence']//tbody/tr")) == 3


def shot(page: Path, tmp_path: Path, width: int, height: int) -> Any:
    png = tmp_path / "shot.png"
    browse(page, tmp_path, f"--screenshot={png}", f"--window-size={width},{height}")
    return read_png(png)


def test_the_screenshot_shows_verdict_charts_and_gaps(rendered: Path, tmp_path: Path) -> None:
    image = shot(rendered, tmp_path, 1280, 1400)
    assert (image.width, image.height) == (1280, 1400)
    assert image.colours() > 50  # text, charts and colours, not a blank page
    page = (244, 245, 247)
    assert image.share(page, (0, 0, 60, 1400)) > 0.95  # the page margin is the page colour
    red = (0xB4, 0x23, 0x18)  # the not-ready verdict banner
    assert image.share(red, (100, 180, 1180, 420)) > 0.5
    green = (0x07, 0x94, 0x55)  # bars of rules passing, in the charts below
    assert image.share(green, (100, 600, 1180, 1400)) > 0.02
    pink = (0xFD, 0xA2, 0x9B)  # and the share with gaps beside them
    assert image.share(pink, (100, 600, 1180, 1400)) > 0.002


def test_a_ready_organization_gets_a_green_banner(tmp_path: Path) -> None:
    report = run_check(CheckOptions(ROOT / "fixtures" / "conforming", as_of=AS_OF))
    page = tmp_path / "ready.html"
    page.write_text(render(report), encoding="utf-8")
    image = shot(page, tmp_path, 1024, 600)
    green = (0x06, 0x76, 0x47)
    assert image.share(green, (100, 200, 924, 420)) > 0.5
    assert image.share((0xB4, 0x23, 0x18), (0, 0, 1024, 600)) < 0.01


# --- on paper ----------------------------------------------------------------------------------


def pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is not installed, and CI must read the printed HTML report")
        pytest.skip("pdftotext is not installed (Debian package 'poppler-utils'; .ci/run has it)")
    return found


def printed(*pages: Path) -> list[list[str]]:
    """The text of each page of each page printed to PDF by headless Chromium (the browsers
    run side by side: each start costs a second or two)."""
    runs = []
    for page in pages:
        profile = page.with_suffix(".profile")
        command = browse_command(page, profile, "--no-pdf-header-footer")
        command.insert(-1, f"--print-to-pdf={page.with_suffix('.pdf')}")
        runs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    texts = []
    for page in pages:
        text = subprocess.run(
            [pdftotext(), "-enc", "UTF-8", str(page.with_suffix(".pdf")), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        texts.append(text.split("\f")[:-1])  # pdftotext ends every page with a form feed
    return texts


def words(text: str) -> str:
    return " ".join(text.split()).casefold()  # table headers print upper-cased


def stranded(pages: list[str], html: str) -> list[tuple[int, str]]:
    """Pages (but the last) whose last line is a heading, or the lead or legend right under
    one: a title left at the foot of a page, with what it introduces on the next."""
    dom = parse(html)
    titles = "//h1 | //h2 | //h3 | //figcaption | //summary | //th"
    intros = "//*[@class='lead' or @class='legend'][preceding-sibling::*[1][self::h2 or self::h3]]"
    heads = {words(e.text_content()) for e in dom.xpath(f"{titles} | {intros}")}
    ends = []
    for number, page in enumerate(pages[:-1], start=1):
        lines = [words(line) for line in page.splitlines() if line.strip()]
        if lines and any(
            h == lines[-1] or (len(lines[-1]) > 5 and h.endswith(lines[-1])) for h in heads
        ):
            ends.append((number, lines[-1]))
    return ends


def test_printed_the_folded_sections_are_open_and_no_page_ends_with_a_heading(
    rendered: Path, tmp_path: Path
) -> None:
    (pages,) = printed(rendered)
    assert len(pages) > 5
    text = words("\n".join(pages))
    # The not-applicable section is folded on screen (<details>): its table is on paper.
    assert "not applicable: 5 rule(s)" in text
    assert "why it does not apply" in text
    assert "the rule's 'when' condition does not hold for this export" in text
    assert stranded(pages, rendered.read_text(encoding="utf-8")) == []


def print_rules_removed(html: str) -> str:
    start = CSS.index("  /* A heading, and the lead")
    end = CSS.index("  /* Folded sections")
    assert start < end
    return html.replace(CSS[start:end], "", 1)


def test_no_section_strands_its_heading_wherever_it_starts_on_a_page(
    gaps: Report, tmp_path: Path
) -> None:
    # Each section of the report, a few subjects long, printed 12 times, each time starting
    # 80 px lower on an A4 page (after a spacer that begins the page): whatever the length of
    # what comes before a section in a real report, its heading lands near one of these.
    findings = [r for r in gaps.results if r.outcome.is_finding]
    few = {r.subject for r in findings[:3]}
    shorter = dataclasses.replace(
        gaps,
        results=tuple(r for r in gaps.results if not r.outcome.is_finding or r.subject in few),
    )
    page = render(shorter)
    cards = [
        lxml_html.tostring(card, encoding="unicode")
        for card in parse(page).xpath("//main/section[@class='card']")
    ]
    assert len(cards) >= 6
    spaced = "".join(
        f'<div style="break-before: page; height: {step * 80}px"></div>{card}'
        for card in cards
        for step in range(12)
    )
    head = page[: page.index("<body>")].replace("</style>", "@page { size: A4 }</style>", 1)
    sheet = f"{head}<body><main>{spaced}</main></body></html>"
    unruled = print_rules_removed(sheet)  # shows that the test sees what the rules prevent
    (tmp_path / "with.html").write_text(sheet, encoding="utf-8")
    (tmp_path / "without.html").write_text(unruled, encoding="utf-8")
    ruled, bare = printed(tmp_path / "with.html", tmp_path / "without.html")
    assert stranded(ruled, sheet) == []
    assert stranded(bare, unruled) != []
