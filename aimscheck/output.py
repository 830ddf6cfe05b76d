"""Write report files atomically, all of a run's or none: a reader sees an old file or a new one,
never half of one, and never new reports beside a failed one."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from aimscheck.errors import UsageError

_ATTEMPTS = 100


def _open_temp(path: Path) -> tuple[int, Path]:
    """Create a fresh temp file beside `path` (same folder, so os.replace cannot cross devices)."""
    for _ in range(_ATTEMPTS):
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 through the umask, like a plain open(); mkstemp's 0o600 would leave a CI
            # artifact unreadable to the uploader running as another user.
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` via a temp file in the same folder, fsync and os.replace.

    The temp file is removed on any failure, so the target keeps its old content (or stays
    absent). Problems with the folder or the disk are a UsageError naming the path (exit 2).
    """
    write_all({path: text})


def write_all(texts: Mapping[Path, str]) -> None:
    """Write each text to its path, all or none: every one to a temp file beside its target
    first (written, fsync'd), and only then are they all renamed into place.

    A failure before the renames (a read-only folder, a full disk) leaves every target as it
    was; the temp files are removed. A rename that fails after others succeeded (which nothing
    short of the folder vanishing causes) removes the reports already renamed, so that no mixed
    set remains. Problems are a UsageError naming the path (exit 2).
    """
    for path in texts:
        _check_target(path)
    # Encode first: text that cannot be written must fail before anything touches the disk.
    data = {path: text.encode("utf-8") for path, text in texts.items()}
    temps: dict[Path, Path] = {}  # target: its temp file, until it is renamed
    renamed: list[Path] = []
    try:
        for path, raw in data.items():
            temps[path] = _write_temp(path, raw)
        for path in data:
            _replace(temps[path], path)
            del temps[path]
            renamed.append(path)
    except BaseException:
        for leftover in [*temps.values(), *renamed]:
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise


def _check_target(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(
            f"cannot write {path}: the folder {folder} does not exist",
            hint="create the folder first or choose another output path",
        )
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")


def _write_temp(path: Path, data: bytes) -> Path:
    """A temp file beside `path` holding `data`, on disk (fsync); removed on any failure."""
    try:
        fd, temp = _open_temp(path)
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: the folder {path.parent} is not writable ({exc.strerror or exc})"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    return temp


def _replace(temp: Path, path: Path) -> None:
    try:
        os.replace(temp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
