"""`aimscheck check --framework` and the framework sections of the text, JSON, Markdown and
HTML reports (aimscheck/reporters/frameworks_*.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner, Result

from aimscheck.check import CheckOptions, run_check
from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, main
from aimscheck.reporters import frameworks_markdown

CONFORMING = str(Path(__file__).parent.parent / "fixtures" / "conforming")
AS_OF = ["--as-of", "2026-11-20"]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", CONFORMING, *AS_OF, *args], catch_exceptions=False)


def test_an_unknown_framework_exits_2_with_the_closest_name() -> None:
    result = run("--framework", "eu-ai-acts")
    assert result.exit_code == EXIT_ERROR
    assert (
        "unknown framework 'eu-ai-acts': aimscheck shows readiness for eu-ai-act, nist-ai-rmf"
        in result.output
    )
    assert "hint: did you mean eu-ai-act?" in result.output
    assert "EU AI Act readiness" not in result.output


def test_a_name_unlike_any_lists_the_names_to_give() -> None:
    result = run("--framework", "soc2")
    assert result.exit_code == EXIT_ERROR
    assert "hint: give one of eu-ai-act, nist-ai-rmf" in result.output


def test_text_shows_a_table_per_framework_and_the_exit_code_is_unchanged() -> None:
    result = run("--framework", "eu-ai-act,nist-ai-rmf")
    assert result.exit_code == EXIT_OK
    out = result.output
    assert (
        "EU AI Act readiness (Regulation (EU) 2024/1689, as amended by the Digital Omnibus on AI "
        "(2026)): 36 obligations: 34 cannot show, 2 not applicable" in out
    )
    assert "  not stated: eu_ai_act.roles for ai_systems/credit-scoring (" in out
    assert "NIST AI RMF 1.0 readiness (NIST AI 100-1, January 2023): 72 subcategories:" in out
    assert "\n  GOVERN 2.1    shown          " in out
    assert out.index("EU AI Act readiness") < out.index("NIST AI RMF 1.0 readiness")


def test_the_same_framework_twice_is_shown_once() -> None:
    out = run("--framework", "nist-ai-rmf", "--framework", "NIST-AI-RMF").output
    assert out.count("NIST AI RMF 1.0 readiness") == 1


def test_json_carries_a_frameworks_section_only_when_asked(tmp_path: Path) -> None:
    plain, asked = tmp_path / "plain.json", tmp_path / "asked.json"
    assert run("--json", str(plain), "-q").exit_code == EXIT_OK
    assert "frameworks" not in json.loads(plain.read_text(encoding="utf-8"))
    assert run("--json", str(asked), "-q", "--framework", "eu-ai-act").exit_code == EXIT_OK
    [view] = json.loads(asked.read_text(encoding="utf-8"))["frameworks"]
    assert view["name"] == "eu-ai-act"
    assert view["tally"]["cannot_show"] == 34
    assert view["application_dates"]["high_risk_annex_iii"] == {
        "date": "2027-12-02",
        "source": "digital-omnibus",
        "note": "Was 2026-08-02 in the Act as published (Art. 113).",
    }
    art26 = next(r for r in view["requirements"] if r["id"] == "26(6)")
    assert art26["label"] == "Art. 26(6)"
    assert art26["status"] == "cannot_show" and art26["reason"] == "not_stated"
    assert art26["maps"] == [{"iso": "A.6.2.8", "strength": "partial", "source": "aimscheck"}]
    assert {r["rule"] for r in art26["rules"]} >= {"AIMS-A.6.2.8-01"}
    system = next(s for s in art26["systems"] if s["id"] == "credit-scoring")
    assert system["reach"] == "not_stated" and system["missing"] == "eu_ai_act.roles"
    assert system["location"]["file"].endswith("credit-scoring.yaml")


def test_markdown_and_html_show_each_framework(tmp_path: Path) -> None:
    md, page = tmp_path / "summary.md", tmp_path / "report.html"
    args = ["--markdown", str(md), "--html", str(page), "-q", "--framework", "nist-ai-rmf"]
    assert run(*args).exit_code == EXIT_OK
    summary = md.read_text(encoding="utf-8")
    assert "\n### NIST AI RMF 1.0 readiness\n" in summary
    assert "| `GOVERN 2.1` Roles, responsibilities and lines of communication" in summary
    assert "| ✅ shown |" in summary
    html = page.read_text(encoding="utf-8")
    assert '<section class="card" id="frameworks"><h2>Framework readiness</h2>' in html
    assert '<tr data-status="shown"><td><code>GOVERN 2.1</code>' in html
    assert '<a href="#frameworks">Frameworks</a>' in html


def test_a_gap_lists_the_records_to_fix_worst_first_with_their_lines() -> None:
    gaps = str(Path(CONFORMING).parent / "gaps")
    result = CliRunner().invoke(
        main,
        ["check", gaps, *AS_OF, "--framework", "nist-ai-rmf", "--max-findings", "1"],
        catch_exceptions=False,
    )
    assert result.exit_code == EXIT_FINDINGS
    lines = result.output.splitlines()
    at = lines.index(
        "  GOVERN 2.2    gaps           8 rules; 1 open finding in the rules that back it"
    )
    assert lines[at + 1].strip().startswith("fix: AIMS-7.2-02 roles/role-data-scientist (")
    assert lines[at + 1].endswith("gaps/roles.yaml:32)")
    at = lines.index(
        "  GOVERN 1.3    gaps           22 rules; 8 open findings in the rules that back it"
    )
    assert lines[at + 4].strip() == "… and 5 more findings (see the JSON report)"


PROVIDER = str(Path(__file__).parent.parent / "fixtures" / "euaia-provider")


def test_every_report_says_what_the_unrun_pack_would_check(tmp_path: Path) -> None:
    out = {name: tmp_path / f"r.{name}" for name in ("json", "md", "html")}
    result = CliRunner().invoke(
        main,
        [
            "check",
            PROVIDER,
            *AS_OF,
            "--framework",
            "eu-ai-act",
            "--json",
            str(out["json"]),
            "--markdown",
            str(out["md"]),
            "--html",
            str(out["html"]),
        ],
        catch_exceptions=False,
    )
    hint = (
        "run with the eu-ai-act pack to check that logs are kept at least six months "
        "(event_logging.retention_days)"
    )
    line = next(x for x in result.output.splitlines() if x.startswith("  Art. 19 "))
    assert line.endswith(f"not yet in force (applies from 2027-12-02); {hint}")
    [view] = json.loads(out["json"].read_text(encoding="utf-8"))["frameworks"]
    by_id = {r["id"]: r for r in view["requirements"]}
    assert (by_id["19"]["status"], by_id["19"]["unchecked"]) == ("partly_shown", hint)
    assert by_id["9"]["unchecked"] is None
    # Markdown escapes the underscores of field names.
    assert hint.replace("_", "\\_") in out["md"].read_text(encoding="utf-8")
    assert hint in out["html"].read_text(encoding="utf-8")


def test_a_system_id_in_a_markdown_note_cannot_break_the_table() -> None:
    # A record id may hold `|`; unescaped in the note cell it would end the cell early.
    options = CheckOptions(
        path=Path(CONFORMING), as_of=dt.date(2026, 11, 20), frameworks=("eu-ai-act",)
    )
    row = run_check(options).frameworks[0].rows[0]
    later = dataclasses.replace(row, system_starts=(("sys|x", dt.date(2028, 8, 2)),))
    line = frameworks_markdown._row(later)
    assert "not yet in force for sys\\|x from 2028-08-02" in line
    assert line.replace("\\|", "").count("|") == 6
