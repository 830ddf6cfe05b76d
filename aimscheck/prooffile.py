"""Proof files opened safely and hashed: from their root, never through a link, never waiting."""

from __future__ import annotations

import hashlib
import os
import stat

CHUNK = 1 << 20  # files are hashed in 1 MiB pieces: large PDFs and logs never sit in memory

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# Without O_NONBLOCK, opening a pipe waits for a writer: one swapped in after the path was
# checked would hang the run. With it the open returns at once, and fstat refuses the pipe.
_READ = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_FOLDER = os.O_RDONLY | _DIRECTORY | getattr(os, "O_CLOEXEC", 0)
# Proof paths are opened one folder at a time from the root, never through a link (openat).
_STEPWISE = os.open in os.supports_dir_fd and bool(_NOFOLLOW and _DIRECTORY)


class NotRegularFile(OSError):
    """A folder, pipe, device or socket where a file was expected: refused once open, never read."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"{path} is not a regular file ({kind})")
        self.kind = kind  # "a folder", "a pipe", "a device", "a socket"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a file"


def open_regular(
    path: str | os.PathLike[str], follow: bool = True, dir_fd: int | None = None
) -> tuple[int, os.stat_result]:
    """A descriptor of the regular file at `path` and its fstat, opened without blocking.

    The type is judged on the open descriptor, so nothing swapped in after an earlier check is
    read: a folder, pipe, device or socket raises NotRegularFile. With `follow=False` a symbolic
    link in the last component is refused (OSError ELOOP).
    """
    fd = os.open(path, _READ | (0 if follow else _NOFOLLOW), dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(os.fsdecode(path), _kind(info.st_mode))
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def hash_descriptor(fd: int, limit: int | None = None) -> tuple[str, int]:
    """The hex sha256 of what `fd` reads and its size, streamed through one reused buffer.

    Reading stops once more than `limit` bytes came (the size returned then exceeds it), so a
    file that grows after its size was checked is never read to its end.
    """
    digest = hashlib.sha256()
    size = 0
    view = memoryview(bytearray(CHUNK))
    with open(fd, "rb", buffering=0, closefd=False) as handle:
        while count := handle.readinto(view):
            digest.update(view[:count])
            size += count
            if limit is not None and size > limit:
                break
    return digest.hexdigest(), size


def sha256_file(path: str | os.PathLike[str], follow: bool = True) -> tuple[str, int]:
    """The hex sha256 of a regular file and its size (`open_regular`, then `hash_descriptor`)."""
    fd, _info = open_regular(path, follow)
    try:
        return hash_descriptor(fd)
    finally:
        os.close(fd)


def open_inside(real_root: str, real: str) -> tuple[int, os.stat_result]:
    """Open `real` (a resolved path inside the resolved `real_root`) as `open_regular` does,
    from the root one folder at a time, never through a link: a folder or the file replaced by
    a link since the path was resolved is refused (ELOOP, ENOTDIR), not followed out of the
    root. Where openat is missing (Windows), the resolved path with O_NOFOLLOW."""
    if not _STEPWISE:
        return open_regular(real, follow=False)
    *folders, name = os.path.relpath(real, real_root).split(os.sep)
    where = os.open(real_root, _FOLDER)
    try:
        for folder in folders:
            step = os.open(folder, _FOLDER | _NOFOLLOW, dir_fd=where)
            os.close(where)
            where = step
        return open_regular(name, follow=False, dir_fd=where)
    finally:
        os.close(where)
