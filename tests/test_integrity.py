"""AIMS-7.5.3-INTEGRITY: an unsound proof file is a finding on its record, cited or not, and
never a second finding beside the rule that cites it."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from aimscheck.check import CheckOptions, adjust, load_ruleset, run_check
from aimscheck.config import Config, DisabledRule, SeverityChange
from aimscheck.errors import UsageError
from aimscheck.integrity import RULE, RULE_ID
from aimscheck.results import Outcome, Report, Result, Severity, Waiver
from aimscheck.source import Location

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 20)
HERE = Location("aimscheck.yaml", 3)

# evidence.yaml, its lines numbered as the tests read them.
EVIDENCE = f"""\
- id: ev-gone
  kind: report
  path: files/gone.md
- id: ev-changed
  kind: report
  path: files/changed.md
  sha256: {hashlib.sha256(b"as approved").hexdigest()}
- id: ev-out
  kind: report
  path: ../outside.md
- id: ev-old
  kind: certificate
  path: files/old.md
  expires_at: 2025-01-01
- id: ev-ok
  kind: report
  path: files/ok.md
- id: ev-elsewhere
  kind: report
  uri: https://grc.example/ev/1
- id: ev-cited
  kind: other
  path: files/contract.md
"""
DOCUMENTS = "- id: doc-gone\n  type: other\n  title: Working notes\n  path: files/notes.md\n"
SUPPLIERS = "- id: tp-1\n  name: Supplier\n  contract_ref: ev-cited\n"
CITING = """\
rule "T-CONTRACT" {
  title "Each supplier's contract is on file"
  clause "8.1"
  severity minor
  phase control_design
  for tp in third_parties
  evidence tp.contract_ref
}
"""


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    files = {
        "aims.yaml": 'schema_version: "1"\norganization:\n  name: Test Org\n',
        "evidence.yaml": EVIDENCE,
        "documents.yaml": DOCUMENTS,
        "third_parties.yaml": SUPPLIERS,
        "files/changed.md": "edited after approval",
        "files/old.md": "an old certificate",
        "files/ok.md": "a report",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (tmp_path / "outside.md").write_text("outside the repo")
    return root


def check(tmp_path: Path, config: Config | None = None, cite: bool = False) -> Report:
    rules: list[Path] = []
    if cite:
        (tmp_path / "pack").mkdir()
        (tmp_path / "pack" / "contract.aims").write_text(CITING)
        rules.append(tmp_path / "pack")
    return run_check(CheckOptions(path=repo(tmp_path), rules=rules, as_of=AS_OF, config=config))


def integrity(report: Report) -> list[Result]:
    return [r for r in report.results if r.rule.id == RULE_ID]


def found(report: Report) -> list[tuple[str, str, str, int]]:
    out = []
    for r in integrity(report):
        assert r.location is not None and r.evidence
        out.append(
            (str(r.subject), r.evidence[0].status, Path(r.location.file).name, r.location.line)
        )
    return out


def test_every_unsound_file_is_a_finding_at_the_line_to_fix(tmp_path: Path) -> None:
    report = check(tmp_path)
    assert found(report) == [
        ("documents/doc-gone", "file_not_found", "documents.yaml", 4),
        ("evidence/ev-changed", "sha256_mismatch", "evidence.yaml", 7),
        ("evidence/ev-cited", "file_not_found", "evidence.yaml", 23),
        ("evidence/ev-gone", "file_not_found", "evidence.yaml", 3),
        ("evidence/ev-out", "outside_root", "evidence.yaml", 10),
    ]
    first = integrity(report)[0]
    assert (first.outcome, first.severity) == (Outcome.MISSING_EVIDENCE, Severity.MINOR)
    assert first.message.startswith(
        "The file of document doc-gone cannot be relied on: files/notes.md does not exist: "
        "restore the file or correct the path (documents/doc-gone, "
    )
    assert [f.outcome for f in first.failures] == [Outcome.MISSING_EVIDENCE]


def test_dates_and_proof_kept_elsewhere_are_left_to_the_rules(tmp_path: Path) -> None:
    subjects = {str(r.subject) for r in integrity(check(tmp_path))}
    # Expired, sound, or kept in another system: not the file's integrity, and no result.
    assert not subjects & {"evidence/ev-old", "evidence/ev-ok", "evidence/ev-elsewhere"}


def test_a_proof_a_failing_rule_cites_is_reported_by_that_rule_only(tmp_path: Path) -> None:
    report = check(tmp_path, cite=True)
    assert "evidence/ev-cited" not in [s for s, *_ in found(report)]
    (contract,) = [r for r in report.results if r.rule.id == "T-CONTRACT"]
    assert contract.outcome is Outcome.MISSING_EVIDENCE
    assert [(c.ref, c.status) for c in contract.evidence] == [("ev-cited", "file_not_found")]
    assert len(found(report)) == 4  # the others stay reported


def test_it_is_listed_with_the_default_pack_and_in_its_catalogue() -> None:
    assert RULE in load_ruleset(()).infos
    ids = [info.id for info in load_ruleset(()).infos]
    assert ids.index("AIMS-7.5-05") < ids.index(RULE_ID) < ids.index("AIMS-8.1-01")
    catalogue = (ROOT / "docs" / "rules.md").read_text()
    assert f"## {RULE_ID}\n\n**{RULE.title}**" in catalogue


def test_without_the_default_pack_it_does_not_run(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "contract.aims").write_text(CITING)
    report = run_check(
        CheckOptions(path=repo(tmp_path), rules=[tmp_path / "pack"], default_rules=False)
    )
    assert RULE_ID not in [info.id for info in report.rules]
    assert integrity(report) == []


def test_it_is_disabled_and_regraded_as_a_rule_is(tmp_path: Path) -> None:
    off = Config(disabled=(DisabledRule(RULE_ID, "checked by our DMS", HERE),))
    report = check(tmp_path, off)
    assert integrity(report) == []
    assert [(a.rule, a.change, a.title) for a in report.adjustments] == [
        (RULE_ID, "disabled", RULE.title)
    ]
    major = Config(severity=(SeverityChange(RULE_ID, Severity.MAJOR, "our CB", HERE),))
    ruleset, (change,) = adjust(load_ruleset(()), major)
    assert (change.before, change.after) == ("minor", "major")
    assert {
        r.severity
        for r in integrity(
            run_check(CheckOptions(path=repo(tmp_path / "b"), as_of=AS_OF, config=major))
        )
    } == {Severity.MAJOR}
    assert [i.severity for i in ruleset.builtins] == [Severity.MAJOR]


def test_it_is_waived_as_a_rule_is(tmp_path: Path) -> None:
    waiver = Waiver(RULE_ID, "evidence/ev-out", "kept in the archive", "CISO", dt.date(2027, 1, 1))
    report = check(tmp_path, Config(waivers=(waiver,)))
    waived = [r for r in integrity(report) if r.outcome is Outcome.WAIVED]
    assert [(str(r.subject), r.raw_outcome) for r in waived] == [
        ("evidence/ev-out", Outcome.MISSING_EVIDENCE)
    ]
    assert [(s.state, s.matched) for s in report.waivers] == [("active", 1)]


def test_a_rule_of_a_pack_cannot_take_its_id(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "clash.aims").write_text(CITING.replace("T-CONTRACT", RULE_ID))
    with pytest.raises(UsageError, match="is the built-in integrity check's"):
        load_ruleset([tmp_path / "pack"])
