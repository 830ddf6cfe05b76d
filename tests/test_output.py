"""Atomic report writing: the target is old or new, never partial, and no temp file remains."""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from typing import Any

import pytest

from aimscheck.errors import UsageError
from aimscheck.output import write_all, write_atomic


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_utf8_text_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "report.xml"
    write_atomic(target, "Jürgen\nline\r\nend\n")
    assert target.read_bytes() == "Jürgen\nline\r\nend\n".encode()
    assert listing(tmp_path) == ["report.xml"]


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old, and much longer than the new content\n")
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert listing(tmp_path) == ["report.json"]


def test_relative_path_in_the_current_folder(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic(Path("out.txt"), "x")
    assert (tmp_path / "out.txt").read_text() == "x"


def test_mode_follows_the_umask_like_a_plain_open(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.xml", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.xml").stat().st_mode) == 0o644


def test_missing_folder_is_a_usage_error_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "report.xml"
    with pytest.raises(UsageError) as caught:
        write_atomic(target, "x")
    assert str(target) in caught.value.message
    assert "does not exist" in caught.value.message
    assert caught.value.code == "AIMS-E005"
    assert listing(tmp_path) == []


def test_parent_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="does not exist"):
        write_atomic(tmp_path / "file" / "report.xml", "x")


def test_target_that_is_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "report.xml").mkdir()
    with pytest.raises(UsageError, match="is a folder"):
        write_atomic(tmp_path / "report.xml", "x")
    assert listing(tmp_path) == ["report.xml"]


def test_unwritable_folder_is_a_usage_error(tmp_path: Path, monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    target = tmp_path / "report.xml"
    with pytest.raises(UsageError) as caught:
        write_atomic(target, "x")
    assert str(target) in caught.value.message
    assert "not writable" in caught.value.message
    assert "Permission denied" in caught.value.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_really_unwritable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(UsageError, match="not writable"):
            write_atomic(locked / "report.xml", "x")
    finally:
        locked.chmod(0o700)


class HalfWriter:
    """A file object that writes half of what it is given, then fails as a full disk would."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self) -> HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def write(self, data: bytes) -> int:
        os.write(self.fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


def test_failing_write_leaves_old_target_and_no_temp(tmp_path: Path, monkeypatch: Any) -> None:
    target = tmp_path / "report.xml"
    target.write_text("old\n")
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(fd))
    with pytest.raises(UsageError) as caught:
        write_atomic(target, "new content " * 100)
    assert "No space left on device" in caught.value.message
    assert str(target) in caught.value.message
    assert target.read_text() == "old\n"
    assert listing(tmp_path) == ["report.xml"]


def test_failing_write_creates_no_partial_target(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(fd))
    with pytest.raises(UsageError):
        write_atomic(tmp_path / "report.xml", "new content " * 100)
    assert listing(tmp_path) == []


def test_failing_fsync_removes_the_temp(tmp_path: Path, monkeypatch: Any) -> None:
    def broken(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(UsageError, match="Input/output error"):
        write_atomic(tmp_path / "report.xml", "x")
    assert listing(tmp_path) == []


def test_failing_replace_removes_the_temp(tmp_path: Path, monkeypatch: Any) -> None:
    target = tmp_path / "report.xml"
    target.write_text("old\n")

    def broken(src: Any, dst: Any) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(UsageError):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert listing(tmp_path) == ["report.xml"]


def test_interrupt_propagates_after_cleanup(tmp_path: Path, monkeypatch: Any) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "report.xml", "x")
    assert listing(tmp_path) == []


def test_unencodable_text_touches_nothing(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_atomic(tmp_path / "report.xml", "lone surrogate \ud800")
    assert listing(tmp_path) == []


def test_temp_name_collision_is_retried(tmp_path: Path, monkeypatch: Any) -> None:
    tokens = iter(["aaaaaaaa", "aaaaaaaa", "bbbbbbbb"])
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(tokens))
    (tmp_path / ".report.xml.aaaaaaaa.tmp").write_text("someone else's")
    write_atomic(tmp_path / "report.xml", "x")
    assert (tmp_path / "report.xml").read_text() == "x"
    assert (tmp_path / ".report.xml.aaaaaaaa.tmp").read_text() == "someone else's"


# ---- a run's reports: all of them, or none


def test_all_reports_are_written_together(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    write_all({tmp_path / "a" / "r.xml": "x", tmp_path / "r.json": "j"})
    assert (tmp_path / "a" / "r.xml").read_text() == "x"
    assert (tmp_path / "r.json").read_text() == "j"
    assert listing(tmp_path / "a") == ["r.xml"] and listing(tmp_path) == ["a", "r.json"]


def test_one_report_that_cannot_be_written_leaves_every_target_as_it_was(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A read-only folder for the second report: the first, already written to its temp
    file, is never renamed into place; yesterday's report there stays for the caller."""
    (tmp_path / "ro").mkdir()
    (tmp_path / "r.json").write_text("yesterday")
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if "/ro/" in str(path):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(UsageError) as caught:
        write_all({tmp_path / "r.json": "today", tmp_path / "ro" / "r.xml": "today"})
    assert caught.value.message == (
        f"cannot write {tmp_path / 'ro' / 'r.xml'}: the folder {tmp_path / 'ro'} is not "
        "writable (Read-only file system)"
    )
    assert (tmp_path / "r.json").read_text() == "yesterday"
    assert listing(tmp_path) == ["r.json", "ro"] and listing(tmp_path / "ro") == []


def test_a_rename_failing_midway_takes_back_the_reports_renamed(
    tmp_path: Path, monkeypatch: Any
) -> None:
    real_replace = os.replace

    def second_fails(src: Any, dst: Any) -> None:
        if str(dst).endswith("second.xml"):
            raise OSError(errno.ENOENT, "No such file or directory")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(UsageError, match=r"second\.xml: No such file or directory"):
        write_all({tmp_path / "first.json": "a", tmp_path / "second.xml": "b"})
    assert listing(tmp_path) == []  # no mixed set, no temp file
