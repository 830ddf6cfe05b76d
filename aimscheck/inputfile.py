"""Reads the small text files a run is given (rules, configuration, tests): plain files, bounded."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from aimscheck.limits import current, how_to_raise

MB = 2**20


class Refused(Exception):
    """A file that must not be read: not a plain file, or larger than its limit."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of input file: what it is called, its size limit, and what to do about either."""

    what: str  # "rule file", "configuration"...
    limit: str  # the name of its size limit in Limits
    advice: str  # what to do about a file over the limit
    odd_hint: str = "give a plain file"  # what to do about a pipe, device or socket

    def too_large(self, limit_mb: float) -> Refused:
        return Refused(
            f"the {self.what} is larger than {limit_mb:g} MB ({self.limit}): {self.advice}",
            how_to_raise(self.limit),
        )


def check_file(path: Path, info: os.stat_result, kind: Kind) -> None:
    """Refuse (Refused) what is not a plain file, or is larger than its kind's limit; a folder
    raises IsADirectoryError, as opening it would."""
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(info.st_mode):
        raise Refused(
            f"the {kind.what} is not a regular file (a device, pipe or socket)", kind.odd_hint
        )
    limit_mb = getattr(current(), kind.limit)
    if info.st_size > limit_mb * MB:
        raise kind.too_large(limit_mb)


def read_text(path: Path, kind: Kind) -> str:
    """The UTF-8 text of a plain file within its kind's limit, lines as `Path.read_text` reads
    them.

    Checked with `stat` before it is opened (a named pipe would block the run, a device might
    never end), opened without blocking in case it became a pipe since, and read to at most the
    limit + 1 bytes in case it grows meanwhile. Raises Refused, or OSError and
    UnicodeDecodeError as reading does.
    """
    check_file(path, path.stat(), kind)
    limit_mb = getattr(current(), kind.limit)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        check_file(path, os.fstat(handle.fileno()), kind)
        raw = handle.read(int(limit_mb * MB) + 1)
    if len(raw) > limit_mb * MB:
        raise kind.too_large(limit_mb)
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
