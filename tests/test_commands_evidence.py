"""`aimscheck evidence`: the inventory command, its exit codes and JSON, and `evidence hash`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner, Result
from evidencedata import CONTRACT_RULE, opened, sha, snapshot, touched, write_repo

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from aimscheck.commands import evidence as evidence_command

AS_OF = ["--as-of", "2026-11-20"]


@click.group("aimscheck", context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """A fresh group holding the command, as aimscheck.cli registers it."""


cli.add_command(evidence_command.command)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def contract_repo(tmp_path: Path, contracts: dict[str, dict[str, Any]]) -> list[str]:
    """A repo whose third parties each cite one evidence record; the args to inventory it."""
    files = {"files/good.pdf": "signed\n", "files/spare.pdf": "unused\n"}
    data = {
        "evidence": [{"id": ref, "kind": "record", **rec} for ref, rec in contracts.items()],
        "third_parties": [
            {"id": f"tp-{n}", "name": ref, "contract_ref": ref} for n, ref in enumerate(contracts)
        ],
    }
    root = write_repo(tmp_path / "repo", data, files)
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "contract.aims").write_text(CONTRACT_RULE)
    return [str(root), "--no-default-rules", "--rules", str(rules), *AS_OF]


GOOD: dict[str, dict[str, Any]] = {"EV-GOOD": {"path": "files/good.pdf", "sha256": sha("signed\n")}}


def test_evidence_path_runs_the_inventory(tmp_path: Path) -> None:
    args = contract_repo(tmp_path, GOOD)
    default, explicit = run("evidence", *args), run("evidence", "inventory", *args)
    assert default.exit_code == EXIT_OK, default.output
    assert default.output == explicit.output
    lines = default.output.splitlines()
    assert lines[0].startswith(f"Evidence inventory of {args[0]} as of 2026-11-20")
    assert lines[1] == (
        "1 proof records, 1 proofs referenced: 0 missing, 1 orphan files, 0 unreferenced records"
    )
    assert "  A.10.3  ok                   evidence/EV-GOOD  files/good.pdf" in lines
    assert "  8.1     ok                   evidence/EV-GOOD  files/good.pdf" in lines
    assert lines[-2:] == [
        "Orphan files (in an evidence folder, named by no record)",
        "  files/spare.pdf",
    ]


def test_missing_evidence_is_listed_with_reason_and_citing_record_and_exits_1(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("outside\n")
    contracts: dict[str, dict[str, Any]] = {
        **GOOD,
        "EV-GONE": {"path": "files/gone.pdf"},
        "EV-OUT": {"path": "../secret.txt"},
        "EV-OLD": {"path": "files/good.pdf", "expires_at": dt.date(2026, 1, 31)},
    }
    with opened() as seen:
        result = run("evidence", *contract_repo(tmp_path, contracts))
    assert result.exit_code == EXIT_FINDINGS, result.output
    out = result.output
    assert "3 missing" in out.splitlines()[1]
    block = out[out.index("Missing evidence") : out.index("Annex A controls")]
    assert "  file_not_found       evidence/EV-GONE  files/gone.pdf" in block
    assert "  expired              evidence/EV-OLD  files/good.pdf" in block
    assert "  outside_root         evidence/EV-OUT  ../secret.txt" in block
    assert (
        "cited by: rule T-A.10.3-01 (third_parties/tp-2); third_parties/tp-2 contract_ref" in block
    )
    assert "expired on 2026-01-31" in block
    assert not touched(seen, secret)


def test_json_output_and_file(tmp_path: Path) -> None:
    args = contract_repo(tmp_path, {**GOOD, "EV-GONE": {"path": "files/gone.pdf"}})
    report = tmp_path / "inventory.json"
    result = run("evidence", *args, "--format", "json", "--json", report)
    assert result.exit_code == EXIT_FINDINGS
    data = json.loads(result.output)
    assert report.read_text() == result.output
    assert data["format"] == "aimscheck-evidence/1"
    assert data["as_of"] == "2026-11-20"
    assert data["export"]["path"] == args[0]
    assert data["export"]["digest"].startswith("sha256:")
    assert data["summary"]["missing"] == 1
    entries = {e["ref"]: e["status"] for e in data["controls"]["A.10.3"]}
    assert entries == {"EV-GOOD": "ok", "EV-GONE": "file_not_found"}
    assert data["orphans"] == ["files/spare.pdf"]


def test_a_uri_counts_as_missing_only_with_the_flag(tmp_path: Path) -> None:
    args = contract_repo(tmp_path, {"EV-GRC": {"uri": "https://grc.example/contracts/7"}})
    lenient = run("evidence", *args)
    strict = run("evidence", *args, "--uri-counts-missing")
    assert lenient.exit_code == EXIT_OK, lenient.output
    assert "unverifiable         evidence/EV-GRC" in lenient.output
    assert strict.exit_code == EXIT_FINDINGS
    assert "https://grc.example/contracts/7" in strict.output


def test_nothing_is_written_into_the_export(tmp_path: Path) -> None:
    args = contract_repo(tmp_path, {**GOOD, "EV-GONE": {"path": "files/gone.pdf"}})
    root = Path(args[0])
    before = snapshot(root)
    run("evidence", *args, "--format", "json")
    run("evidence", "hash", "--relative-to", root, root)
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--evidence-root", "nowhere"], "--evidence-root nowhere is not a folder"),
        (["--as-of", "20-11-2026"], "'20-11-2026' is not a date"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, extra: list[str], message: str) -> None:
    result = run("evidence", *contract_repo(tmp_path, GOOD), *extra)
    assert result.exit_code == EXIT_ERROR
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_missing_or_invalid_export_exits_2_with_one_message(tmp_path: Path) -> None:
    rule_args = contract_repo(tmp_path / "r", GOOD)[1:]
    missing = run("evidence", tmp_path / "nope", *rule_args)
    assert missing.exit_code == EXIT_ERROR
    assert "export not found" in missing.output
    root = write_repo(tmp_path / "repo", {"evidence": [{"id": "EV-1", "kind": "nonsense"}]})
    invalid = run("evidence", root, *rule_args)
    assert invalid.exit_code == EXIT_ERROR
    assert "aims.yaml" in invalid.output and "kind" in invalid.output
    assert "Traceback" not in invalid.output + missing.output


def test_help_lists_both_subcommands() -> None:
    result = run("evidence", "--help")
    assert result.exit_code == EXIT_OK
    assert "inventory" in result.output and "hash" in result.output


def test_hash_prints_sha256sum_lines(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF a")
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "z.txt").write_text("z")
    (tmp_path / "dir" / "sub" / "b.txt").write_text("b")
    (tmp_path / "dir" / ".hidden").write_text("h")
    result = run("evidence", "hash", tmp_path / "a.pdf", tmp_path / "dir")
    assert result.exit_code == EXIT_OK, result.output
    assert result.output.splitlines() == [
        f"{hashlib.sha256(b'%PDF a').hexdigest()}  {(tmp_path / 'a.pdf').as_posix()}",
        f"{sha('b')}  {(tmp_path / 'dir' / 'sub' / 'b.txt').as_posix()}",
        f"{sha('z')}  {(tmp_path / 'dir' / 'z.txt').as_posix()}",
    ]


def test_hash_lines_pasted_into_records_make_the_proof_sound(tmp_path: Path) -> None:
    args = contract_repo(tmp_path, {"EV-1": {"path": "files/good.pdf", "sha256": sha("old\n")}})
    root = Path(args[0])
    assert run("evidence", *args).exit_code == EXIT_FINDINGS
    result = run("evidence", "hash", "--relative-to", root, root / "files" / "good.pdf")
    digest, path = result.output.split()
    assert path == "files/good.pdf"
    data = yaml.safe_load((root / "aims.yaml").read_text())
    data["evidence"][0].update(path=path, sha256=digest)
    (root / "aims.yaml").write_text(yaml.safe_dump(data))
    assert run("evidence", *args).exit_code == EXIT_OK


def test_hash_refuses_missing_paths_and_files_outside_relative_to(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    missing = run("evidence", "hash", tmp_path / "a.txt", tmp_path / "gone.txt")
    assert missing.exit_code == EXIT_ERROR
    assert f"not found: {tmp_path / 'gone.txt'}" in missing.output
    assert missing.output.startswith("aimscheck: error:")
    (tmp_path / "root").mkdir()
    outside = run("evidence", "hash", "--relative-to", tmp_path / "root", tmp_path / "a.txt")
    assert outside.exit_code == EXIT_ERROR
    assert "is not inside --relative-to" in outside.output
    assert run("evidence", "hash").exit_code == EXIT_ERROR  # at least one path
