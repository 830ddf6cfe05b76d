"""Resolves proof references to evidence or document records and checks their files."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any

from aimscheck.export.model import Export
from aimscheck.results import EvidenceCheck

CHUNK = 1 << 20  # files are hashed in 1 MiB pieces: large PDFs and logs never sit in memory

# Reason codes, as they appear in reports, with what a person should do about each.
REASONS: dict[str, str] = {
    "ok": "the proof is there and sound",
    "no_reference": "no proof is referenced: add an evidence or document id",
    "unknown_reference": "the id names no evidence or document record: fix the id or add it",
    "no_location": "the record has neither path nor uri: add where the file is",
    "unverifiable": "the proof lives in another system (uri) and cannot be checked here",
    "outside_root": "the path leaves the export root: keep proof inside the governance repo",
    "file_not_found": "the file is not there: restore it or correct the path",
    "unreadable": "the file cannot be read: check its permissions",
    "empty_file": "the file is empty: replace it with the real proof",
    "sha256_mismatch": "the file changed after it was recorded: re-approve it and update sha256",
    "expired": "the proof has expired: collect a current one",
    "collected_in_future": "collected_at lies after the as-of date: correct the date",
    "unapproved": "the document is not approved: approve it or reference an approved version",
    "review_overdue": "the document is past its review date: review it and update next_review_due",
}


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


class EvidenceResolver:
    """Checks proof references; each file is hashed at most once per run, streamed."""

    def __init__(self, export: Export, root: Path, as_of: dt.date) -> None:
        self.export = export
        self.root = root
        self.real_root = os.path.realpath(root)
        self.as_of = as_of
        self._records: dict[str, tuple[str, dict[str, Any]]] | None = None
        self._hashes: dict[str, str | None] = {}
        self._checks: dict[str, EvidenceCheck] = {}

    def _index(self) -> dict[str, tuple[str, dict[str, Any]]]:
        if self._records is None:
            records: dict[str, tuple[str, dict[str, Any]]] = {}
            for collection in ("documents", "evidence"):  # evidence wins over a same-id document
                for record in self.export.collection(collection):
                    ident = record.get("id")
                    if isinstance(ident, str):
                        records[ident] = (collection, record)
            self._records = records
        return self._records

    def check(self, ref: object) -> EvidenceCheck:
        if isinstance(ref, dict):
            ref = ref.get("id")
        if not isinstance(ref, str) or not ref:
            return EvidenceCheck("", "no_reference", REASONS["no_reference"])
        cached = self._checks.get(ref)
        if cached is None:
            cached = self._checks[ref] = self._check(ref)
        return cached

    def _check(self, ref: str) -> EvidenceCheck:
        found = self._index().get(ref)
        if found is None:
            return EvidenceCheck(
                ref,
                "unknown_reference",
                f"'{ref}' is not the id of any evidence or document record",
            )
        collection, record = found
        name = f"{collection}/{ref}"

        def fail(status: str, detail: str = "", path: str | None = None) -> EvidenceCheck:
            return EvidenceCheck(ref, status, detail or REASONS[status], name, path)

        path = record.get("path")
        if not isinstance(path, str) or not path:
            if isinstance(record.get("uri"), str) and record["uri"]:
                return fail("unverifiable", f"{record['uri']} is in another system; not checked")
            return fail("no_location")
        status = self._file_status(path, record.get("sha256"))
        if status != "ok":
            return fail(status, path=path)
        problem = self._dates(collection, record)
        if problem:
            return fail(problem[0], problem[1], path)
        return EvidenceCheck(ref, "ok", "", name, path)

    def _file_status(self, path: str, sha256: object) -> str:
        if os.path.isabs(path) or ".." in Path(path).parts or "\x00" in path:
            return "outside_root"
        full = os.path.join(self.root, path)
        real = os.path.realpath(full)
        if os.path.commonpath([real, self.real_root]) != self.real_root:
            return "outside_root"  # a symlink that leads out: refused, never opened
        if not os.path.isfile(real):
            return "file_not_found"
        digest = self._hash(real)
        if digest is None:
            return "unreadable"
        if digest == "":
            return "empty_file"
        if isinstance(sha256, str) and sha256 and sha256.lower().removeprefix("sha256:") != digest:
            return "sha256_mismatch"
        return "ok"

    def _hash(self, real: str) -> str | None:
        """The file's sha256 ("" when empty, None when unreadable), computed once per run."""
        if real in self._hashes:
            return self._hashes[real]
        digest: str | None
        try:
            h = hashlib.sha256()
            size = 0
            with open(real, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    size += len(chunk)
                    h.update(chunk)
            digest = h.hexdigest() if size else ""
        except OSError:
            digest = None
        self._hashes[real] = digest
        return digest

    def _dates(self, collection: str, record: dict[str, Any]) -> tuple[str, str] | None:
        if collection == "evidence":
            expires = _date(record.get("expires_at"))
            if expires is not None and expires < self.as_of:
                return ("expired", f"expired on {expires.isoformat()}")
            collected = _date(record.get("collected_at"))
            if collected is not None and collected > self.as_of:
                return (
                    "collected_in_future",
                    f"collected_at {collected.isoformat()} is after "
                    f"the as-of date {self.as_of.isoformat()}",
                )
            return None
        status = record.get("status")
        if status is not None and status != "approved":
            return ("unapproved", f"document status is '{status}', not 'approved'")
        due = _date(record.get("next_review_due"))
        if due is not None and due < self.as_of:
            return ("review_overdue", f"review was due on {due.isoformat()}")
        return None
