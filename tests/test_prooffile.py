"""Opening proof files: never through a link, never waiting on a pipe, hashed in bounded pieces."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from aimscheck.prooffile import (
    CHUNK,
    NotRegularFile,
    hash_descriptor,
    open_inside,
    sha256_file,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_sha256_file_streams_across_chunk_boundaries(tmp_path: Path) -> None:
    data = os.urandom(CHUNK * 2 + 17)
    target = tmp_path / "big.bin"
    target.write_bytes(data)
    assert sha256_file(target) == (hashlib.sha256(data).hexdigest(), len(data))


def test_a_link_is_refused_when_following_is_off(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    assert sha256_file(tmp_path / "b.txt")[0] == sha(b"a")
    with pytest.raises(OSError):
        sha256_file(tmp_path / "b.txt", follow=False)


def test_hashing_stops_past_its_limit_when_a_file_grows(tmp_path: Path) -> None:
    big = tmp_path / "growing.bin"
    with open(big, "wb") as handle:
        handle.truncate(CHUNK * 8)
    fd = os.open(big, os.O_RDONLY)
    try:
        _digest, size = hash_descriptor(fd, CHUNK * 2)
    finally:
        os.close(fd)
    assert CHUNK * 2 < size <= CHUNK * 3


def test_sha256_file_refuses_a_pipe_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile, match=r"pipe is not a regular file \(a pipe\)$"):
        sha256_file(tmp_path / "pipe")


def test_open_inside_walks_from_the_root_and_refuses_links_that_appeared(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.pdf").write_bytes(b"proof")
    real_root, real = str(root), str(root / "a" / "b" / "f.pdf")
    fd, info = open_inside(real_root, real)
    os.close(fd)
    assert info.st_size == 5
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "f.pdf").write_bytes(b"planted")
    (root / "a" / "b" / "f.pdf").unlink()
    (root / "a" / "b").rmdir()
    (root / "a" / "b").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(NotADirectoryError):  # O_DIRECTORY | O_NOFOLLOW on a link
        open_inside(real_root, real)


def test_open_inside_refuses_a_folder_once_it_is_open(tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    with pytest.raises(NotRegularFile) as caught:
        open_inside(str(tmp_path), str(tmp_path / "files"))
    assert caught.value.kind == "a folder"
