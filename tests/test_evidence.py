"""Evidence resolution: every reason code, refused paths never opened, streamed hashing once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from evidencedata import AS_OF, CONTRACT_RULE, opened, repo, sha, touched, write_repo

from aimscheck import evidence as evidence_module
from aimscheck import prooffile
from aimscheck.cli import EXIT_FINDINGS, main
from aimscheck.evidence import REASONS, EvidenceResolver, refused_path
from aimscheck.export.model import Export
from aimscheck.limits import Limits, use
from aimscheck.prooffile import CHUNK
from aimscheck.results import EvidenceCheck

PROOF = "signed contract\n"


def resolver(export: Export, **kwargs: Any) -> EvidenceResolver:
    return EvidenceResolver(export, export.root, AS_OF, **kwargs)


def one(tmp_path: Path, record: dict[str, Any], files: dict[str, str] | None = None) -> Any:
    """The check of evidence record EV-1 in a repo holding it and `files`."""
    files = {"files/contract.pdf": PROOF} if files is None else files
    export = repo(
        tmp_path / "repo", {"evidence": [{"id": "EV-1", "kind": "record", **record}]}, files
    )
    return resolver(export).check("EV-1")


def written_at(root: Path) -> str:
    """Where record EV-1 is written in the repo's aims.yaml, as messages name it."""
    main_file = root / "aims.yaml"
    return f"{main_file}:{main_file.read_text().splitlines().index('- id: EV-1') + 1}"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file beside the repo, outside its root: the target of every escape attempt."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("not for the auditor\n")
    return secret


def test_a_sound_proof_is_ok_and_names_its_record_and_path(tmp_path: Path) -> None:
    check = one(tmp_path, {"path": "files/contract.pdf", "sha256": sha(PROOF)})
    assert check == EvidenceCheck("EV-1", "ok", "", "evidence/EV-1", "files/contract.pdf")


@pytest.mark.parametrize("ref", [None, "", {}, True])
def test_no_reference(tmp_path: Path, ref: object) -> None:
    export = repo(tmp_path / "repo", {})
    check = resolver(export).check(ref)
    assert (check.ref, check.status, check.record) == ("", "no_reference", None)
    assert check.message == REASONS["no_reference"]


def test_an_unknown_id_is_unknown_reference(tmp_path: Path) -> None:
    export = repo(tmp_path / "repo", {"evidence": [{"id": "EV-1", "kind": "record"}]})
    check = resolver(export).check("EV-404")
    assert (check.ref, check.status, check.record) == ("EV-404", "unknown_reference", None)
    assert "'EV-404'" in check.message


def test_a_record_without_path_or_uri_is_no_location(tmp_path: Path) -> None:
    check = one(tmp_path, {})
    assert check.status == "no_location"
    assert check.message.startswith("the record has neither path nor uri")
    assert "evidence/EV-1" in check.message


def test_a_uri_is_unverifiable_and_counts_as_missing_only_when_asked(tmp_path: Path) -> None:
    record = {"id": "EV-1", "kind": "report", "uri": "https://grc.example/ev/1"}
    export = repo(tmp_path / "repo", {"evidence": [record]})
    lenient, strict = resolver(export), resolver(export, uri_counts_missing=True)
    check = lenient.check("EV-1")
    assert check.status == "unverifiable"
    assert "https://grc.example/ev/1" in check.message
    assert strict.check("EV-1").status == "unverifiable"
    assert not lenient.missing(check)
    assert strict.missing(check)


def test_missing_counts_every_other_reason(tmp_path: Path) -> None:
    export = repo(tmp_path / "repo", {})
    res = resolver(export)
    assert not res.missing(EvidenceCheck("x", "ok"))
    for status in REASONS.keys() - {"ok", "unverifiable"}:
        assert res.missing(EvidenceCheck("x", status))


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../outside/secret.txt", "contains '..'"),
        ("files/../../outside/secret.txt", "contains '..'"),
        ("files\\..\\..\\outside\\secret.txt", "contains '..'"),
        ("files/../contract.pdf", "contains '..'"),  # stays inside, but '..' is refused outright
        ("C:/outside/secret.txt", "is absolute"),
        ("\\\\server\\share\\secret.txt", "is absolute"),
        ("files/contract.pdf\x00.txt", "contains a NUL character"),
    ],
)
def test_traversal_is_refused_before_any_file_access(path: str, why: str) -> None:
    assert refused_path(path) == why


def test_relative_paths_inside_are_not_refused() -> None:
    for path in ("files/contract.pdf", "./files/x.pdf", "files/..x/a.pdf", "a..b.pdf"):
        assert refused_path(path) is None


def test_a_path_traversal_is_outside_root_and_never_opened(tmp_path: Path, outside: Path) -> None:
    with opened() as seen:
        check = one(tmp_path, {"path": "../outside/secret.txt", "sha256": sha("x")})
    assert check.status == "outside_root"
    assert check.path == "../outside/secret.txt"
    assert "contains '..'" in check.message and "never opened" in check.message
    assert not touched(seen, outside)


def test_an_absolute_path_is_outside_root_and_never_opened(tmp_path: Path, outside: Path) -> None:
    with opened() as seen:
        check = one(tmp_path, {"path": str(outside)})
    assert check.status == "outside_root"
    assert "is absolute" in check.message
    assert not touched(seen, outside)


def test_a_symlink_leading_out_is_outside_root_and_never_opened(
    tmp_path: Path, outside: Path
) -> None:
    root = write_repo(tmp_path / "repo", {}, {"files/contract.pdf": PROOF})
    (root / "files" / "leak.pdf").symlink_to(outside)
    (root / "linked").symlink_to(outside.parent, target_is_directory=True)
    export = repo(
        root,
        {
            "evidence": [
                {"id": "EV-FILE", "kind": "record", "path": "files/leak.pdf"},
                {"id": "EV-DIR", "kind": "record", "path": "linked/secret.txt"},
            ]
        },
    )
    with opened() as seen:
        checks = [resolver(export).check(ref) for ref in ("EV-FILE", "EV-DIR")]
    assert [c.status for c in checks] == ["outside_root", "outside_root"]
    assert all("symbolic link" in c.message for c in checks)
    assert not touched(seen, outside)


def test_a_symlink_inside_the_root_to_a_file_inside_is_fine(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {}, {"files/contract.pdf": PROOF})
    (root / "current.pdf").symlink_to(Path("files/contract.pdf"))
    record = {"id": "EV-1", "kind": "record", "path": "current.pdf", "sha256": sha(PROOF)}
    assert resolver(repo(root, {"evidence": [record]})).check("EV-1").status == "ok"


def test_a_root_that_is_itself_a_symlink_works(tmp_path: Path) -> None:
    real = write_repo(tmp_path / "real", {}, {"files/contract.pdf": PROOF})
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    record = {"id": "EV-1", "kind": "record", "path": "files/contract.pdf", "sha256": sha(PROOF)}
    export = repo(tmp_path / "link", {"evidence": [record]})
    assert resolver(export).check("EV-1").status == "ok"


def test_an_absent_file_is_file_not_found(tmp_path: Path) -> None:
    check = one(tmp_path, {"path": "files/deleted.pdf", "sha256": sha(PROOF)})
    assert (check.status, check.path) == ("file_not_found", "files/deleted.pdf")
    assert check.message.startswith("files/deleted.pdf does not exist")


def test_a_folder_is_not_a_proof_file(tmp_path: Path) -> None:
    check = one(tmp_path, {"path": "files"})
    assert check.status == "file_not_found"
    assert check.message.startswith(
        "files is not a regular file (a folder): restore the file or correct the path (evidence/"
    )


def test_an_unreadable_file_is_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(fd: int, limit: int | None = None) -> tuple[str, int]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(evidence_module, "hash_descriptor", refuse)
    check = one(tmp_path, {"path": "files/contract.pdf"})
    assert check.status == "unreadable"
    assert check.message.startswith(
        "files/contract.pdf cannot be read (Permission denied): check the file's permissions"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission_is_unreadable(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo", {}, {"files/contract.pdf": PROOF})
    (root / "files" / "contract.pdf").chmod(0)
    record = {"id": "EV-1", "kind": "record", "path": "files/contract.pdf"}
    try:
        assert resolver(repo(root, {"evidence": [record]})).check("EV-1").status == "unreadable"
    finally:
        (root / "files" / "contract.pdf").chmod(0o644)


def test_an_empty_file_is_empty_file(tmp_path: Path) -> None:
    check = one(tmp_path, {"path": "files/contract.pdf"}, {"files/contract.pdf": ""})
    assert check.status == "empty_file"
    assert check.message.startswith("files/contract.pdf is empty")


def test_an_edited_file_is_sha256_mismatch(tmp_path: Path) -> None:
    check = one(tmp_path, {"path": "files/contract.pdf", "sha256": sha("the approved text\n")})
    assert check.status == "sha256_mismatch"
    assert sha(PROOF) in check.message and sha("the approved text\n") in check.message


@pytest.mark.parametrize(
    "recorded", [sha(PROOF).upper(), f"sha256:{sha(PROOF)}", f" {sha(PROOF)} "]
)
def test_a_recorded_sha256_matches_whatever_its_case_or_prefix(
    tmp_path: Path, recorded: str
) -> None:
    assert one(tmp_path, {"path": "files/contract.pdf", "sha256": recorded}).status == "ok"


def test_a_proof_without_sha256_is_only_checked_for_presence(tmp_path: Path) -> None:
    assert one(tmp_path, {"path": "files/contract.pdf"}).status == "ok"


def test_a_proof_without_sha256_is_no_sha256_when_the_policy_requires_one(tmp_path: Path) -> None:
    export = repo(
        tmp_path / "repo",
        {"evidence": [{"id": "EV-1", "kind": "record", "path": "files/contract.pdf"}]},
        {"files/contract.pdf": PROOF},
    )
    check = resolver(export, require_sha256=True).check("EV-1")
    assert (check.status, check.message) == (
        "no_sha256",
        "the record gives no sha256 of files/contract.pdf: record the file's sha256 in the "
        f"record (aimscheck evidence hash prints it) (evidence/EV-1, {written_at(export.root)})",
    )
    assert resolver(export, require_sha256=True).missing(check)


def test_a_missing_file_is_file_not_found_before_its_sha256_is_asked_for(tmp_path: Path) -> None:
    export = repo(
        tmp_path / "repo",
        {"evidence": [{"id": "EV-1", "kind": "record", "path": "files/gone.pdf"}]},
    )
    assert resolver(export, require_sha256=True).check("EV-1").status == "file_not_found"


POLICY_RULE = CONTRACT_RULE.replace(
    "  evidence tp.contract_ref\n",
    '  evidence tp.contract_ref\n  evidence tp.name != "Shadow" because "{tp.name} is a shell"\n',
)


@pytest.mark.parametrize(
    ("settings", "flags", "found"),
    [
        ("", [], {"tp-1": "pass", "tp-2": "pass", "tp-3": "missing_evidence"}),
        (
            "evidence: {require_sha256: true}\n",
            [],
            {"tp-1": "missing_evidence", "tp-2": "pass", "tp-3": "missing_evidence"},
        ),
        (
            "evidence: {uri_counts: false}\n",
            [],
            {"tp-1": "pass", "tp-2": "missing_evidence", "tp-3": "missing_evidence"},
        ),
        (
            "evidence: {uri_counts: true}\n",
            ["--uri-counts-missing"],
            {"tp-1": "pass", "tp-2": "missing_evidence", "tp-3": "missing_evidence"},
        ),
    ],
)
def test_the_evidence_policy_is_set_in_the_configuration(
    tmp_path: Path, settings: str, flags: list[str], found: dict[str, str]
) -> None:
    root = write_repo(
        tmp_path / "repo",
        {
            "evidence": [
                {"id": "EV-1", "kind": "record", "path": "files/contract.pdf"},
                {"id": "EV-2", "kind": "record", "uri": "https://grc.example/ev/2"},
            ],
            "third_parties": [
                {"id": "tp-1", "name": "Acme", "contract_ref": "EV-1"},
                {"id": "tp-2", "name": "Bolt", "contract_ref": "EV-2"},
                {"id": "tp-3", "name": "Shadow", "contract_ref": "EV-2"},
            ],
        },
        {"files/contract.pdf": PROOF},
    )
    (root / "aimscheck.yaml").write_text("version: 1\n" + settings)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "contract.aims").write_text(POLICY_RULE)
    args = [
        "check",
        str(root),
        "--no-default-rules",
        "--rules",
        str(rules),
        "--as-of",
        "2026-11-20",
    ]
    result = CliRunner().invoke(main, [*args, "--format", "json", *flags])
    report = json.loads(result.output)
    findings = {r["subject"]["id"]: r["outcome"] for r in report["results"]}  # passes left out
    assert findings == {k: v for k, v in found.items() if v != "pass"}
    shell = next(r for r in report["results"] if r["subject"]["id"] == "tp-3")
    assert shell["message"].endswith("Shadow is a shell")
    assert "unmet" in [e["status"] for e in shell["evidence"]]  # `evidence COND`, false


@pytest.mark.parametrize(
    ("expires", "status"),
    [(dt.date(2026, 11, 19), "expired"), (AS_OF, "ok"), (dt.date(2027, 1, 1), "ok")],
)
def test_expiry_is_judged_on_the_as_of_date(tmp_path: Path, expires: dt.date, status: str) -> None:
    check = one(tmp_path, {"path": "files/contract.pdf", "expires_at": expires})
    assert check.status == status
    if status == "expired":
        assert check.message.startswith("expired on 2026-11-19, before 2026-11-20")


def test_collected_after_the_as_of_date_is_collected_in_future(tmp_path: Path) -> None:
    check = one(tmp_path, {"path": "files/contract.pdf", "collected_at": dt.date(2026, 12, 1)})
    assert check.status == "collected_in_future"
    assert "2026-12-01" in check.message
    assert one(tmp_path / "b", {"path": "files/contract.pdf", "collected_at": AS_OF}).ok


# Times and zones: instants in UTC, against the end of the as-of day (2026-11-20T23:59:59.999999Z).
@pytest.mark.parametrize(
    ("field", "written", "status", "detail"),
    [
        # 2026-11-20T10:30Z: collected on the as-of day, not in the future.
        ("collected_at", "2026-11-21T00:30+14:00", "ok", ""),
        # 2026-11-21T07:00Z: after the end of the as-of day.
        (
            "collected_at",
            "2026-11-21T02:00-05:00",
            "collected_in_future",
            "collected_at 2026-11-21T07:00:00Z (written 2026-11-21T02:00:00-05:00) is after the "
            "end of the as-of date 2026-11-20 (UTC): correct collected_at",
        ),
        ("collected_at", "2026-11-20T23:59:59Z", "ok", ""),
        # 2026-11-21T01:00Z: still valid at the end of the as-of day.
        ("expires_at", "2026-11-20T20:00-05:00", "ok", ""),
        # An instant within the as-of day is before its end: expired.
        (
            "expires_at",
            "2026-11-20T20:00Z",
            "expired",
            "expired at 2026-11-20T20:00:00Z, before the end of 2026-11-20 (UTC): collect a "
            "current proof",
        ),
        # No zone: UTC.
        (
            "expires_at",
            "2026-11-20 23:00",
            "expired",
            "expired at 2026-11-20T23:00:00Z, before the end of 2026-11-20 (UTC): collect a "
            "current proof",
        ),
        # A day is the whole day in UTC: an expiry on the as-of day is still valid.
        ("expires_at", "2026-11-20", "ok", ""),
    ],
)
def test_times_and_zones_are_compared_as_instants_in_utc(
    tmp_path: Path, field: str, written: str, status: str, detail: str
) -> None:
    check = one(tmp_path, {"path": "files/contract.pdf", field: written})
    assert check.status == status
    assert check.message == (
        f"{detail} (evidence/EV-1, {written_at(tmp_path / 'repo')})" if detail else ""
    )


def test_a_timestamp_is_its_day_in_utc_for_rules_and_an_instant_for_the_proof(
    tmp_path: Path,
) -> None:
    export = repo(
        tmp_path / "repo",
        {
            "evidence": [
                {
                    "id": "EV-1",
                    "kind": "record",
                    "path": "f.pdf",
                    "expires_at": "2026-11-21T01:00+05:00",
                }
            ]
        },
        {"f.pdf": PROOF},
    )
    record = export.collection("evidence")[0]
    assert record["expires_at"] == dt.date(2026, 11, 20)  # 2026-11-20T20:00Z
    check = resolver(export).check("EV-1")
    assert check.status == "expired"
    assert check.message.startswith(
        "expired at 2026-11-20T20:00:00Z (written 2026-11-21T01:00:00+05:00), before the end "
        "of 2026-11-20 (UTC)"
    )


def test_a_review_due_at_an_instant_of_the_as_of_day_is_overdue(tmp_path: Path) -> None:
    doc = {"type": "procedure", "title": "P", "path": "f.pdf", "status": "approved"}
    docs = [
        {"id": "D-DAY", **doc, "next_review_due": "2026-11-20"},
        {"id": "D-NOON", **doc, "next_review_due": "2026-11-20T12:00:00Z"},
        {"id": "D-WEST", **doc, "next_review_due": "2026-11-20T19:00:00-08:00"},
    ]
    res = resolver(repo(tmp_path / "repo", {"documents": docs}, {"f.pdf": PROOF}))
    assert [res.check(d["id"]).status for d in docs] == ["ok", "review_overdue", "ok"]
    assert res.check("D-NOON").message.startswith(
        "its review was due at 2026-11-20T12:00:00Z: review it and update next_review_due"
    )


def test_document_status_and_review_date(tmp_path: Path) -> None:
    doc = {"type": "procedure", "title": "Procedure", "path": "files/contract.pdf"}
    docs: list[dict[str, Any]] = [
        {"id": "D-OK", **doc, "status": "approved", "next_review_due": dt.date(2027, 1, 1)},
        {"id": "D-DRAFT", **doc, "status": "draft"},
        {"id": "D-OLD", **doc, "status": "approved", "next_review_due": dt.date(2026, 6, 30)},
    ]
    export = repo(tmp_path / "repo", {"documents": docs}, {"files/contract.pdf": PROOF})
    res = resolver(export)
    assert [res.check(d["id"]).status for d in docs] == ["ok", "unapproved", "review_overdue"]
    assert res.check("D-OK").record == "documents/D-OK"
    assert "'draft'" in res.check("D-DRAFT").message
    assert "2026-06-30" in res.check("D-OLD").message


def test_the_message_names_the_record_and_where_it_is_written(tmp_path: Path) -> None:
    check = one(tmp_path, {"path": "files/deleted.pdf"})
    main_file = tmp_path / "repo" / "aims.yaml"
    line = main_file.read_text().splitlines().index("- id: EV-1") + 1
    assert check.message.endswith(f"(evidence/EV-1, {main_file}:{line})")


def test_a_record_picked_by_a_rule_is_checked_even_when_an_evidence_id_shadows_it(
    tmp_path: Path,
) -> None:
    doc = {"id": "SAME", "type": "procedure", "title": "P", "status": "draft", "path": "f.md"}
    ev = {"id": "SAME", "kind": "record", "path": "f.md"}
    export = repo(tmp_path / "repo", {"documents": [doc], "evidence": [ev]}, {"f.md": "x"})
    res = resolver(export)
    assert res.check("SAME").record == "evidence/SAME"  # by id: evidence wins
    picked = res.check(export.collection("documents")[0])  # by record: the document itself
    assert (picked.record, picked.status) == ("documents/SAME", "unapproved")


def test_each_file_is_hashed_at_most_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "repo", {}, {"files/contract.pdf": PROOF, "files/b.pdf": "b"})
    (root / "files" / "alias.pdf").symlink_to("contract.pdf")
    records = [
        {"id": "EV-1", "kind": "record", "path": "files/contract.pdf"},
        {"id": "EV-2", "kind": "record", "path": "files/contract.pdf", "sha256": sha("other")},
        {"id": "EV-3", "kind": "record", "path": "files/alias.pdf"},
        {"id": "EV-4", "kind": "record", "path": "files/b.pdf"},
    ]
    export = repo(root, {"evidence": records})
    calls: list[str] = []
    real = prooffile.open_regular

    def counting(
        path: str, follow: bool = True, dir_fd: int | None = None
    ) -> tuple[int, os.stat_result]:
        calls.append(os.fsdecode(path))
        return real(path, follow, dir_fd)

    monkeypatch.setattr(prooffile, "open_regular", counting)
    res = resolver(export)
    statuses = [res.check(r["id"]).status for r in records * 3]
    assert statuses[:4] == ["ok", "sha256_mismatch", "ok", "ok"]
    assert sorted(Path(c).name for c in calls) == ["b.pdf", "contract.pdf"]


def test_hashing_a_large_file_keeps_memory_flat(tmp_path: Path) -> None:
    size = 300 * 1024 * 1024
    big = tmp_path / "repo" / "files" / "logs.bin"
    write_repo(tmp_path / "repo", {})
    big.parent.mkdir(parents=True)
    with open(big, "wb") as handle:  # sparse: takes no disk space, reads back as zeros
        handle.truncate(size)
    expected = hashlib.sha256()
    zeros = bytes(CHUNK)
    for _ in range(size // CHUNK):
        expected.update(zeros)
    del zeros
    record = {"id": "EV-1", "kind": "log", "path": "files/logs.bin", "sha256": expected.hexdigest()}
    export = repo(tmp_path / "repo", {"evidence": [record]})
    tracemalloc.start()
    try:
        check = resolver(export).check("EV-1")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert check.status == "ok"
    assert peak < 4 * CHUNK, f"hashing {size} bytes peaked at {peak} bytes of Python memory"


def test_a_pipe_at_a_proof_path_is_refused_without_waiting(tmp_path: Path) -> None:
    """A pipe swapped in for a proof file: opening it would wait for a writer forever."""
    root = write_repo(tmp_path / "repo", {})
    (root / "files").mkdir()
    os.mkfifo(root / "files" / "contract.pdf")
    record = {"id": "EV-1", "kind": "record", "path": "files/contract.pdf"}
    res = resolver(repo(root, {"evidence": [record]}))
    done: list[EvidenceCheck] = []
    worker = threading.Thread(target=lambda: done.append(res.check("EV-1")), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert done, "checking a pipe blocked"
    assert done[0].status == "file_not_found"
    assert done[0].message.startswith(
        "files/contract.pdf is not a regular file (a pipe): restore the file or correct the path"
    )


def test_a_hard_link_is_reported_unless_allowed(tmp_path: Path, outside: Path) -> None:
    root = write_repo(tmp_path / "repo", {})
    (root / "files").mkdir()
    os.link(outside, root / "files" / "contract.pdf")
    record = {"id": "EV-1", "kind": "record", "path": "files/contract.pdf"}
    export = repo(root, {"evidence": [record]})
    check = resolver(export).check("EV-1")
    assert check.status == "hard_link"
    assert check.message == (
        "files/contract.pdf has other names (2 hard links); its content may be controlled from "
        "outside the root: keep a single copy in the repo, or run with --allow-hard-links if "
        f"your checkout makes hard links (evidence/EV-1, {written_at(root)})"
    )
    assert resolver(export).missing(check)
    assert resolver(export, allow_hard_links=True).check("EV-1").status == "ok"


def test_a_file_past_max_proof_mb_is_refused_by_its_size_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_repo(tmp_path / "repo", {})
    (root / "files").mkdir()
    with open(root / "files" / "logs.bin", "wb") as handle:  # sparse: no disk space, no time
        handle.truncate(3 * 2**20)
    record = {"id": "EV-1", "kind": "log", "path": "files/logs.bin"}
    export = repo(root, {"evidence": [record]})

    def never(fd: int, limit: int | None = None) -> tuple[str, int]:
        raise AssertionError("a file past the limit was read")

    monkeypatch.setattr(evidence_module, "hash_descriptor", never)
    with use(Limits(max_proof_mb=2)):
        check = resolver(export).check("EV-1")
    assert check.status == "too_large"
    assert check.message == (
        "files/logs.bin is 3,145,728 bytes, past the limit of 2 MB (max_proof_mb), and was not "
        "read: if the input is genuine, raise the limit: AIMSCHECK_MAX_PROOF_MB=N or --limit "
        f"max_proof_mb=N (evidence/EV-1, {written_at(root)})"
    )
    monkeypatch.undo()
    with use(Limits(max_proof_mb=4)):
        assert resolver(export).check("EV-1").status == "ok"
    assert Limits().max_proof_mb == 512


@pytest.mark.parametrize("swap", ["folder", "file"])
def test_a_link_swapped_in_after_the_path_was_resolved_is_never_followed(
    tmp_path: Path, outside: Path, swap: str
) -> None:
    root = write_repo(tmp_path / "repo", {}, {"files/contract.pdf": PROOF})
    record = {"id": "EV-1", "kind": "record", "path": "files/contract.pdf"}
    res = resolver(repo(root, {"evidence": [record]}))
    assert res.real_path("files/contract.pdf") is not None  # resolved inside the root: no link
    (outside.parent / "contract.pdf").write_text(PROOF)
    if swap == "folder":
        (root / "files" / "contract.pdf").unlink()
        (root / "files").rmdir()
        (root / "files").symlink_to(outside.parent, target_is_directory=True)
    else:
        (root / "files" / "contract.pdf").unlink()
        (root / "files" / "contract.pdf").symlink_to(outside.parent / "contract.pdf")
    with opened() as seen:
        check = res.check("EV-1")
    assert check.status == "outside_root"
    assert check.message.startswith(
        "files/contract.pdf became a symbolic link while it was checked and is refused (never "
        "read): keep proof inside the governance repo"
    )
    assert not touched(seen, outside.parent / "contract.pdf")


@pytest.mark.parametrize(
    "command", [["check", "--format", "json"], ["evidence", "--format", "json"]]
)
def test_allow_hard_links_is_the_ci_operators_choice(
    tmp_path: Path, outside: Path, command: list[str]
) -> None:
    root = write_repo(
        tmp_path / "repo",
        {
            "evidence": [{"id": "EV-1", "kind": "record", "path": "files/contract.pdf"}],
            "third_parties": [{"id": "tp-1", "name": "Acme", "contract_ref": "EV-1"}],
        },
    )
    (root / "files").mkdir()
    os.link(outside, root / "files" / "contract.pdf")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "contract.aims").write_text(CONTRACT_RULE)
    args = [
        *command,
        str(root),
        "--no-default-rules",
        "--rules",
        str(rules),
        "--as-of",
        "2026-11-20",
    ]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == EXIT_FINDINGS, refused.output
    assert '"status": "hard_link"' in refused.output
    allowed = CliRunner().invoke(main, [*args, "--allow-hard-links"])
    assert allowed.exit_code == 0, allowed.output
    assert '"status": "hard_link"' not in allowed.output


def test_check_reports_each_broken_proof_against_its_record(tmp_path: Path, outside: Path) -> None:
    """The held-out scenario: deleted, edited, expired and escaping proof, end to end."""
    files = {f"files/{name}.pdf": f"{name} contract\n" for name in ("good", "edited", "expired")}
    evidence: list[dict[str, Any]] = [
        {"id": "EV-GOOD", "path": "files/good.pdf", "sha256": sha("good contract\n")},
        {"id": "EV-DELETED", "path": "files/deleted.pdf", "sha256": sha("deleted\n")},
        {"id": "EV-EDITED", "path": "files/edited.pdf", "sha256": sha("approved text\n")},
        {
            "id": "EV-EXPIRED",
            "path": "files/expired.pdf",
            "sha256": sha("expired contract\n"),
            "expires_at": dt.date(2026, 3, 31),
        },
        {"id": "EV-ESCAPE", "path": "../outside/secret.txt"},
    ]
    names = ("good", "deleted", "edited", "expired", "escape")
    data = {
        "evidence": [{**e, "kind": "record"} for e in evidence],
        "third_parties": [
            {"id": f"tp-{n}", "name": n, "contract_ref": f"EV-{n.upper()}"} for n in names
        ],
    }
    root = write_repo(tmp_path / "repo", data, files)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "contract.aims").write_text(CONTRACT_RULE)
    args = [str(root), "--no-default-rules", "--rules", str(rules), "--as-of", "2026-11-20"]
    with opened() as seen:
        result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    assert result.exit_code == EXIT_FINDINGS, result.output
    report = json.loads(result.output)
    found = {
        r["subject"]["id"]: (r["outcome"], [(e["status"], e["record"]) for e in r["evidence"]])
        for r in report["results"]
    }
    assert found == {
        "tp-deleted": ("missing_evidence", [("file_not_found", "evidence/EV-DELETED")]),
        "tp-edited": ("missing_evidence", [("sha256_mismatch", "evidence/EV-EDITED")]),
        "tp-expired": ("missing_evidence", [("expired", "evidence/EV-EXPIRED")]),
        "tp-escape": ("missing_evidence", [("outside_root", "evidence/EV-ESCAPE")]),
    }
    assert not touched(seen, outside)
    assert report["summary"]["counts"]["pass"] == 1
