"""Write report files atomically: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import secrets
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
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(
            f"cannot write {path}: the folder {folder} does not exist",
            hint="create the folder first or choose another output path",
        )
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")
    # Encode first: text that cannot be written must fail before anything touches the disk.
    data = text.encode("utf-8")
    try:
        fd, temp = _open_temp(path)
    except OSError as exc:
        raise UsageError(
            f"cannot write {path}: the folder {folder} is not writable ({exc.strerror or exc})"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
