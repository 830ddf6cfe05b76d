"""`aimscheck rules`: the rules with their metadata, filtered, as a catalogue, with coverage."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from aimscheck.cli import EXIT_OK
from aimscheck.commands import rules
from aimscheck.docgen import coverage_rows
from aimscheck.iso42001 import ANNEX_A, CLAUSES
from aimscheck.results import RuleInfo, Severity
from aimscheck.rulelist import select


def cli(*args: str | Path) -> tuple[int, str]:
    group = click.Group()
    group.add_command(rules.command)
    result = CliRunner().invoke(group, ["rules", *[str(a) for a in args]])
    return result.exit_code, result.output


def info(rule_id: str, clauses: tuple[str, ...] = (), controls: tuple[str, ...] = ()) -> RuleInfo:
    return RuleInfo(rule_id, "t", Severity.MINOR, "monitoring", clauses, controls, ("audit",))


def test_filters_combine_and_clause_prefixes_take_subclauses() -> None:
    infos = [info("A", ("6.1.2",)), info("B", ("6.2",)), info("C", (), ("A.5.2",))]
    assert [r.id for r in select(infos, clauses=["6.1"])] == ["A"]
    assert [r.id for r in select(infos, clauses=["6"])] == ["A", "B"]
    assert [r.id for r in select(infos, controls=["A.5"])] == ["C"]
    assert [r.id for r in select(infos, clauses=["6"], tags=["audit"], severities=["major"])] == []


def test_the_text_list_filters_the_default_pack() -> None:
    code, out = cli("--clause", "9.2", "--severity", "major")
    assert code == EXIT_OK
    lines = out.strip().splitlines()
    assert lines[-1].endswith("rule(s)") and len(lines) > 2
    assert all(line.split()[1] == "major" and "9.2" in line for line in lines[:-1])


def test_coverage_lists_every_clause_and_all_38_controls_marking_gaps() -> None:
    rows = coverage_rows([info("A", ("6.1.2",)), info("B", (), ("A.5.2",))])
    assert [r[0] for r in rows] == [*CLAUSES, *ANNEX_A] and len(ANNEX_A) == 38
    table = {ident: (text, ok) for ident, text, ok in rows}
    assert table["6.1.2"] == ("A", True)
    assert table["6.1"] == ("through its sub-clauses 6.1.2", True)
    assert table["A.5.3"] == ("NOT COVERED", False)
    code, out = cli("--coverage", "--format", "json")
    doc = json.loads(out)
    assert code == EXIT_OK and set(doc["coverage"]) == {*CLAUSES, *ANNEX_A}
    assert doc["not_covered"] == []  # the default pack checks every clause and control


def test_markdown_is_the_catalogue_and_can_be_written_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "catalogue.md"
    code, _ = cli("--format", "markdown", "--control", "A.5", "--output", target)
    text = target.read_text()
    assert code == EXIT_OK and text.startswith("# Rule catalogue")
    assert "## AIMS-A.5.2-01" in text and "How to fix:" in text and "## Coverage" in text
    assert "## AIMS-4.1-01" not in text
