"""Resolves proof references to evidence or document records and checks their files."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimscheck.export.dates import when_at
from aimscheck.export.model import Export
from aimscheck.inputfile import MB
from aimscheck.limits import current, how_to_raise
from aimscheck.prooffile import NotRegularFile, hash_descriptor, open_inside
from aimscheck.results import EvidenceCheck
from aimscheck.source import Location

# Proof references may name a record of either collection; on a shared id, evidence wins.
PROOF_COLLECTIONS: tuple[str, ...] = ("documents", "evidence")

# Reason codes, as they appear in reports, with what a person should do about each.
REASONS: dict[str, str] = {
    "ok": "the proof is there and sound",
    "no_reference": "no proof is referenced: add an evidence or document id",
    "unknown_reference": "fix the id or add the evidence or document record",
    "no_location": "add the path of the file (or the uri where it is kept)",
    "unverifiable": "it cannot be checked here; keep a copy in the repo to have it verified",
    "outside_root": "keep proof inside the governance repo and give its path relative to it",
    "file_not_found": "restore the file or correct the path",
    "unreadable": "check the file's permissions",
    "empty_file": "replace it with the real proof",
    "hard_link": "keep a single copy in the repo, or run with --allow-hard-links if your "
    "checkout makes hard links",
    "too_large": how_to_raise("max_proof_mb"),
    "sha256_mismatch": "re-approve the file and record its new sha256 (aimscheck evidence hash)",
    "no_sha256": "record the file's sha256 in the record (aimscheck evidence hash prints it)",
    "expired": "collect a current proof",
    "collected_in_future": "correct collected_at",
    "unapproved": "approve it, or reference an approved version",
    "review_overdue": "review it and update next_review_due",
    "unmet": "the rule's condition on the proof does not hold: see the rule's message",
}


@dataclass(frozen=True)
class EvidencePolicy:
    """What counts as proof: the `evidence:` settings of aimscheck.yaml (docs/ci.md).

    The defaults are the built-in pack's choice (docs/ci.md, "What counts as proof"). A
    recorded sha256 is always checked; a proof file without one counts, as a file present in
    the repo (whose history git keeps), unless `require_sha256` asks for the digest that shows
    it unaltered since approval. A proof kept in another system (a `uri`) counts: aimscheck
    cannot fetch it, so it is reported as `unverifiable` for the auditor to sample.
    """

    require_sha256: bool = False
    uri_counts: bool = True


_SEPARATORS = re.compile(r"[\\/]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_SWAPPED = "became a symbolic link while it was checked and is refused (never read)"


def shown(held: bool) -> list[EvidenceCheck]:
    """`evidence COND`: a condition on the proof instead of a reference to it. When it holds
    there is nothing to look for; when not, the proof is missing (`unmet`)."""
    return [] if held else [EvidenceCheck("", "unmet", REASONS["unmet"])]


def refused_path(path: str) -> str | None:
    """Why a recorded path is refused before any file system access, or None when it is not."""
    if "\x00" in path:
        return "contains a NUL character"
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return "is absolute"
    if ".." in _SEPARATORS.split(path):
        return "contains '..'"
    return None


def inside(real: str, real_root: str) -> bool:
    """Whether a resolved path lies in (or is) the resolved root."""
    try:
        return os.path.commonpath([real, real_root]) == real_root
    except ValueError:  # different drives
        return False


class EvidenceResolver:
    """Checks proof references; each file is hashed at most once per run, streamed.

    `uri_counts_missing` decides whether a proof kept in another system (a `uri`, never
    fetched) counts as missing evidence; it is reported as `unverifiable` either way.
    `allow_hard_links` accepts proof files that have other names (the CI operator's choice).
    `require_sha256`: a proof file whose record gives no sha256 is missing (`no_sha256`).
    `as_of` is judged as the end of that day in UTC (docs/export.md, Conventions).
    """

    def __init__(
        self,
        export: Export,
        root: Path,
        as_of: dt.date,
        uri_counts_missing: bool = False,
        allow_hard_links: bool = False,
        require_sha256: bool = False,
    ) -> None:
        self.export = export
        self.root = root
        self.real_root = os.path.realpath(root)
        self.as_of = as_of
        self.uri_counts_missing = uri_counts_missing
        self.allow_hard_links = allow_hard_links
        self.require_sha256 = require_sha256
        self.max_bytes = int(current().max_proof_mb * MB)
        self._ids: dict[str, tuple[str, dict[str, Any]]] | None = None
        self._owners: dict[int, str] = {}  # id(record) -> its collection
        self._names: dict[str, dict[str, Any]] = {}  # "evidence/ev-1" -> the record
        self._files: dict[str, tuple[str, str]] = {}  # real path -> (status, sha256 or error)
        # (path as written, sha256 recorded) -> (status, detail): records that share a file
        # resolve its path once.
        self._paths: dict[tuple[str, str | None], tuple[str, str]] = {}
        self._reals: dict[str, str | None] = {}  # path as written -> resolved inside the root
        self._checks: dict[tuple[str, str], EvidenceCheck] = {}

    def missing(self, check: EvidenceCheck) -> bool:
        """Whether a check counts as missing evidence (`unverifiable` only when asked)."""
        if check.status == "unverifiable":
            return self.uri_counts_missing
        return not check.ok

    def records(self) -> list[tuple[str, dict[str, Any]]]:
        """Every evidence and document record with its collection, in export order."""
        return [
            (name, record)
            for name in PROOF_COLLECTIONS
            for record in self.export.collection(name)
            if isinstance(record.get("id"), str)
        ]

    def _index(self) -> dict[str, tuple[str, dict[str, Any]]]:
        if self._ids is None:
            self._ids = {}
            for collection, record in self.records():
                self._ids[record["id"]] = (collection, record)
                self._owners[id(record)] = collection
                self._names[f"{collection}/{record['id']}"] = record
        return self._ids

    def check(self, ref: object) -> EvidenceCheck:
        """Check a reference: an id, or an evidence/document record an expression picked."""
        if isinstance(ref, dict):
            self._index()
            owner = self._owners.get(id(ref))
            if owner is not None:
                return self.check_record(owner, ref)
            ref = ref.get("id")
        if isinstance(ref, int | float) and not isinstance(ref, bool):
            ref = str(ref)
        if not isinstance(ref, str) or not ref:
            return EvidenceCheck("", "no_reference", REASONS["no_reference"])
        found = self._index().get(ref)
        if found is None:
            return EvidenceCheck(
                ref,
                "unknown_reference",
                f"no evidence or document record has the id '{ref}': "
                + REASONS["unknown_reference"],
            )
        return self.check_record(*found)

    def check_record(self, collection: str, record: dict[str, Any]) -> EvidenceCheck:
        """Check one evidence or document record (cached: each is judged once per run)."""
        ident = str(record.get("id", ""))
        key = (collection, ident)
        cached = self._checks.get(key)
        if cached is None:
            cached = self._checks[key] = self._judge(collection, ident, record)
        return cached

    def location(self, name: str) -> Location | None:
        """Where the record named `collection/id` was read from."""
        record = self.record(name)
        return None if record is None else self.export.location_of(record)

    def record(self, name: str) -> dict[str, Any] | None:
        """The evidence or document record named `collection/id`, if there is one."""
        self._index()
        return self._names.get(name)

    def _judge(self, collection: str, ident: str, record: dict[str, Any]) -> EvidenceCheck:
        name = f"{collection}/{ident}"
        where = self.export.location_of(record)
        suffix = f" ({name}, {where})" if where is not None else f" ({name})"
        raw_path = record.get("path")
        path = raw_path if isinstance(raw_path, str) and raw_path else None

        def result(status: str, detail: str) -> EvidenceCheck:
            message = f"{detail}: {REASONS[status]}{suffix}" if status != "ok" else ""
            return EvidenceCheck(ident, status, message, name, path)

        if path is None:
            uri = record.get("uri")
            if isinstance(uri, str) and uri:
                return result("unverifiable", f"kept in another system ({uri}), not fetched")
            return result("no_location", "the record has neither path nor uri")
        recorded = record.get("sha256")
        status, detail = self._file(path, recorded)
        if status != "ok":
            return result(status, detail)
        if self.require_sha256 and not (isinstance(recorded, str) and recorded.strip()):
            return result("no_sha256", f"the record gives no sha256 of {path}")
        problem = self._dates(collection, record)
        if problem is not None:
            return result(*problem)
        return result("ok", "")

    def file_status(self, path: str, recorded: object) -> str:
        """ "ok", or what is wrong with the file at `path` given the sha256 `recorded` (a
        reason code of REASONS); the file is judged once per run, whoever asks first."""
        return self._file(path, recorded)[0]

    def _file(self, path: str, recorded: object) -> tuple[str, str]:
        """The status of the file at `path` and a detail; an escaping path is never opened."""
        key = (path, recorded if isinstance(recorded, str) else None)
        found = self._paths.get(key)
        if found is None:
            found = self._paths[key] = self._resolve(path, key[1])
        return found

    def real_path(self, path: str) -> str | None:
        """Where a recorded path leads, resolved; None for a path that is refused or that
        leads out of the root (such a path is never opened). Resolved once per path."""
        if path not in self._reals:
            real: str | None = None
            if refused_path(path) is None:
                real = os.path.realpath(os.path.join(self.root, path))
                real = real if inside(real, self.real_root) else None
            self._reals[path] = real
        return self._reals[path]

    def _resolve(self, path: str, recorded: str | None) -> tuple[str, str]:
        why = refused_path(path)
        if why is not None:
            return "outside_root", f"the path {path} {why} and is refused (never opened)"
        real = self.real_path(path)
        if real is None:
            return (
                "outside_root",
                f"{path} leads out of the evidence root through a symbolic link "
                "and is refused (never opened)",
            )
        status, value = self._hash(real)
        if status != "ok":
            return status, f"{path} {value}"
        if recorded is not None and recorded.strip():
            expected = recorded.strip().lower().removeprefix("sha256:")
            if expected != value:
                return (
                    "sha256_mismatch",
                    f"{path} changed after it was recorded (sha256 is {value}, "
                    f"the record says {expected})",
                )
        return "ok", ""

    def _hash(self, real: str) -> tuple[str, str]:
        """("ok", sha256), or (reason, what is wrong) to follow the path in a message, for a
        resolved path inside the root; each file is opened once per run."""
        found = self._files.get(real)
        if found is None:
            found = self._files[real] = self._hash_file(real)
        return found

    def _hash_file(self, real: str) -> tuple[str, str]:
        try:
            fd, info = open_inside(self.real_root, real)
        except NotRegularFile as exc:
            return "file_not_found", f"is not a regular file ({exc.kind})"
        except (FileNotFoundError, NotADirectoryError):
            if self._became_link(real):
                return "outside_root", _SWAPPED
            return "file_not_found", "does not exist"
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # the resolved path held no link: one appeared since
                return "outside_root", _SWAPPED
            return "unreadable", f"cannot be read ({exc.strerror or type(exc).__name__})"
        try:
            # Judged on the open descriptor, before a byte is read: a 1 TB sparse file costs
            # nothing, and a hard link to a file outside the root is never hashed as proof.
            if info.st_nlink > 1 and not self.allow_hard_links:
                return "hard_link", (
                    f"has other names ({info.st_nlink} hard links); its content may be "
                    "controlled from outside the root"
                )
            if info.st_size > self.max_bytes:
                return "too_large", self._too_large(info.st_size)
            digest, size = hash_descriptor(fd, self.max_bytes)
        except OSError as exc:
            return "unreadable", f"cannot be read ({exc.strerror or type(exc).__name__})"
        finally:
            os.close(fd)
        if size > self.max_bytes:  # it grew after its size was read
            return "too_large", self._too_large(size)
        return ("ok", digest) if size else ("empty_file", "is empty")

    def _too_large(self, size: int) -> str:
        limit = self.max_bytes / MB
        return f"is {size:,} bytes, past the limit of {limit:g} MB (max_proof_mb), and was not read"

    def _became_link(self, real: str) -> bool:
        """Whether a part of the resolved path is now a symbolic link (it held none)."""
        rel = os.path.relpath(real, self.real_root).split(os.sep)
        here = self.real_root
        for part in rel:
            here = os.path.join(here, part)
            if os.path.islink(here):
                return True
        return False

    def _dates(self, collection: str, record: dict[str, Any]) -> tuple[str, str] | None:
        """Expiry, collection and review dates against the end of the as-of day in UTC."""
        as_of = self.as_of
        expires = when_at(self.export, record, "expires_at")
        if expires is not None and expires.ends_before(as_of):
            if expires.timed:
                return "expired", f"expired at {expires.shown}, before the end of {as_of} (UTC)"
            return "expired", f"expired on {expires.shown}, before {as_of}"
        collected = when_at(self.export, record, "collected_at")
        if collected is not None and collected.starts_after(as_of):
            after = f"the as-of date {as_of}"
            if collected.timed:
                after = f"the end of {after} (UTC)"
            return "collected_in_future", f"collected_at {collected.shown} is after {after}"
        if collection != "documents":
            return None
        status = record.get("status")
        if status is not None and status != "approved":
            return ("unapproved", f"the document's status is '{status}', not 'approved'")
        due = when_at(self.export, record, "next_review_due")
        if due is not None and due.ends_before(as_of):
            return (
                "review_overdue",
                f"its review was due {'at' if due.timed else 'on'} {due.shown}",
            )
        return None
