"""A cache of parsed rule files in the user's private cache folder, each entry signed (HMAC)."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import hmac
import io
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aimscheck import __version__
from aimscheck.dsl import nodes as n
from aimscheck.resources import grammar_path
from aimscheck.source import Span

if TYPE_CHECKING:
    from aimscheck.dsl.parser import Damage
    from aimscheck.errors import AimscheckError

# Bumped whenever what is stored changes shape; part of every key.
FORMAT = 3
# Entries kept: past this many, the oldest are removed when a new one is written.
MAX_ENTRIES = 256
# An entry is a pickle of the rule file's syntax tree, about as large as the file's text (the
# default pack: 0.2 MB of rules, 0.2 MB of entries). Larger than this is a miss, never read.
ENTRY_BASE_BYTES = 64 << 10
ENTRY_BYTES_PER_CHAR = 16
# An entry: MAGIC, then HMAC-SHA256(secret, entry name + pickle), then the pickle.
MAGIC = b"aimscheck-rules\x00"
TAG_BYTES = 32
SECRET_NAME = "secret.key"  # the per-user key: 32 random bytes, mode 0600
SECRET_BYTES = 32
# The modules whose code decides what a parse produces: their text is part of the key, so an
# edited checkout never reads an AST the code would no longer build.
_PARSER_MODULES = ("nodes.py", "transformer.py", "parser.py")
_NODE_CLASSES: tuple[type, ...] = (
    Span,
    *(
        obj
        for obj in vars(n).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == n.__name__
    ),
)
_DIRECTORY = (
    os.O_RDONLY
    | getattr(os, "O_DIRECTORY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_FILE = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_NEW_FILE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
# Without these (Windows), the folder cannot be opened safely: no cache.
_SUPPORTED = hasattr(os, "O_NOFOLLOW") and hasattr(os, "geteuid") and os.open in os.supports_dir_fd

ParseResult = tuple[n.RuleFile, tuple["AimscheckError", ...], tuple["Damage", ...]]


def _location() -> tuple[str, tuple[str, ...]] | None:
    """The cache folder as an existing folder (never created) and the names below it that may
    be created: `$HOME` and `.cache/aimscheck/rules`, or the parent of `$XDG_CACHE_HOME` and
    `<its name>/aimscheck/rules`. None when AIMSCHECK_NO_CACHE is on or no home is known."""
    from aimscheck.envflags import flag

    if flag("AIMSCHECK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = os.path.normpath(base)
        anchor, name = os.path.dirname(base), os.path.basename(base)
        return (anchor, (name, "aimscheck", "rules")) if name else None
    home = os.path.expanduser("~")
    if not os.path.isabs(home):  # no home folder known: no cache (never the working folder)
        return None
    return home, (".cache", "aimscheck", "rules")


def cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/aimscheck/rules` (else `~/.cache/aimscheck/rules`); None when
    AIMSCHECK_NO_CACHE is on (or no home folder is known).

    The cache is the user's, never the export's: nothing is ever written beside the rules or
    inside the governance repo being checked.
    """
    found = _location()
    return None if found is None else Path(found[0], *found[1])


@cache
def _fingerprint() -> bytes:
    """What every entry depends on besides its own text: versions, grammar, parser code."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version_info[:2]}\0".encode())
    digest.update(grammar_path().read_bytes())
    here = Path(__file__).parent
    for name in _PARSER_MODULES:
        digest.update((here / name).read_bytes())
    return digest.digest()


def key(text: str, path: str) -> str:
    """The entry name for one rule file's text at one path, under the depth limit in force
    (a parse accepted under a higher limit must not be taken under a lower one)."""
    from aimscheck.limits import current

    digest = hashlib.sha256(_fingerprint())
    digest.update(f"{current().max_rule_depth}\0".encode())
    digest.update(path.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def parse_cached(text: str, path: str) -> ParseResult:
    """The rule file parsed, from the cache when an entry for exactly this text exists.

    Only files that parse without an error are stored. An entry is used only if it carries
    the signature this user's secret gives its name (which covers the text, the path, the
    depth limit and the parser) and its content: a planted or altered entry is a miss. Any
    doubt about the folder, the secret or the entry is a miss; a cache that cannot be read or
    written is ignored (the file is parsed as if there were none).
    """
    found = _location()
    name = key(text, path)
    limit = ENTRY_BASE_BYTES + ENTRY_BYTES_PER_CHAR * len(text)
    with _private_folder(found) as folder:
        if folder is not None:
            rule_file = _read(folder, name, limit)
            if rule_file is not None and rule_file.path == path and rule_file.text == text:
                return rule_file, (), ()
    from aimscheck.dsl.parser import parse_recovering

    parsed = parse_recovering(text, path)
    if found is not None and not parsed.errors and not parsed.damage:
        with _private_folder(found, create=True) as folder:
            if folder is not None:
                _write(folder, name, parsed.file, limit)
    return parsed.file, parsed.errors, parsed.damage


@dataclasses.dataclass(frozen=True, slots=True)
class _Folder:
    """The private cache folder, open, with this user's secret."""

    fd: int
    secret: bytes


@contextlib.contextmanager
def _private_folder(
    found: tuple[str, tuple[str, ...]] | None, create: bool = False
) -> Iterator[_Folder | None]:
    """The cache folder, or None when it is missing (and not `create`) or in any doubt."""
    fd = None if found is None or not _SUPPORTED else _open_folder(*found, create=create)
    try:
        secret = None if fd is None else _secret(fd, create)
        yield None if fd is None or secret is None else _Folder(fd, secret)
    finally:
        if fd is not None:
            os.close(fd)


def _open_folder(anchor: str, names: tuple[str, ...], create: bool) -> int | None:
    """Walk from `/` to the cache folder one folder at a time, never following a link.

    Every folder on the way is owned by root or this user, and not writable by others unless
    sticky (as /tmp): nobody else can swap a folder in. The cache folder itself is this
    user's and private (0700; tightened when it is only readable by others, refused when
    writable by them). Only `names` may be created (0700), and the anchor (the home folder)
    never is.
    """
    me = os.geteuid()
    try:
        real = Path(os.path.realpath(anchor))
    except (OSError, ValueError):
        return None
    steps = [*real.parts[1:], *names]
    creatable = len(steps) - len(names)
    try:
        fd = os.open("/", _DIRECTORY)
    except OSError:
        return None
    kept = False
    try:
        for index, name in enumerate(steps):
            if not _shared_ok(os.fstat(fd), me):
                return None
            try:
                inner = os.open(name, _DIRECTORY, dir_fd=fd)
            except FileNotFoundError:
                if not create or index < creatable:
                    return None
                with contextlib.suppress(FileExistsError):  # made by a parallel run
                    os.mkdir(name, 0o700, dir_fd=fd)
                inner = os.open(name, _DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        info = os.fstat(fd)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != me or info.st_mode & 0o022:
            return None
        if info.st_mode & 0o077:
            os.fchmod(fd, 0o700)  # ours, readable by others (an older aimscheck made it so)
        kept = True
        return fd
    except (OSError, ValueError):
        return None
    finally:
        if not kept:
            with contextlib.suppress(OSError):
                os.close(fd)


def _shared_ok(info: os.stat_result, me: int) -> bool:
    """A folder on the way to the cache: nobody but root or us can replace what is in it."""
    if not stat.S_ISDIR(info.st_mode) or info.st_uid not in (0, me):
        return False
    return not info.st_mode & 0o022 or bool(info.st_mode & stat.S_ISVTX)


class _Absent:
    """A private file that does not exist (as opposed to one in doubt, which is None)."""


_ABSENT = _Absent()


def _read_private(folder: int, name: str, limit: int) -> bytes | _Absent | None:
    """The bytes of a regular file of ours, private, of at most `limit` bytes, read without
    following a link or waiting on a pipe; None for anything else."""
    try:
        fd = os.open(name, _FILE, dir_fd=folder)
    except FileNotFoundError:
        return _ABSENT
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.geteuid()
            or info.st_mode & 0o077
            or info.st_size > limit
        ):
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # at most limit + 1 bytes, should the file grow meanwhile
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > limit else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _secret(folder: int, create: bool) -> bytes | None:
    """This user's secret key, made (0600, all at once) when the folder has none yet."""
    found = _read_private(folder, SECRET_NAME, SECRET_BYTES)
    if isinstance(found, _Absent) and create:
        try:
            _new_file(folder, SECRET_NAME, os.urandom(SECRET_BYTES), replace=False)
        except OSError:  # a full disk, a file system without hard links: no cache
            return None
        found = _read_private(folder, SECRET_NAME, SECRET_BYTES)
    return found if isinstance(found, bytes) and len(found) == SECRET_BYTES else None


def _new_file(folder: int, name: str, data: bytes, replace: bool) -> None:
    """Write `data` to a new private file (O_EXCL, 0600), then move it into place whole: by
    rename (`replace`) or by a link that fails if `name` exists (a parallel run's secret)."""
    tmp = f".tmp-{os.getpid()}-{os.urandom(8).hex()}"
    fd = os.open(tmp, _NEW_FILE, 0o600, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if replace:
            os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)


def _tag(secret: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(secret, name.encode() + b"\0" + payload, hashlib.sha256).digest()


def _read(folder: _Folder, name: str, limit: int) -> n.RuleFile | None:
    data = _read_private(folder.fd, f"{name}.pickle", limit)
    if not isinstance(data, bytes) or not data.startswith(MAGIC):
        return None
    head = len(MAGIC) + TAG_BYTES
    tag, payload = data[len(MAGIC) : head], memoryview(data)[head:]
    if not hmac.compare_digest(tag, _tag(folder.secret, name, bytes(payload))):
        return None  # not written by this user's aimscheck for this text: planted or altered
    enabled = gc.isenabled()
    gc.disable()  # thousands of new nodes would trigger collections that free nothing
    try:
        found = _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # a corrupt or foreign entry is a miss, whatever it raises
        return None
    finally:
        if enabled:
            gc.enable()
    if not isinstance(found, n.RuleFile) or not _plausible(found):
        return None
    return found


def _plausible(rule_file: n.RuleFile) -> bool:
    """Whether the tree has the shape a parse of its text could have: at most
    2 x max_rule_depth + 32 nodes deep, and not many more nodes than its text has characters.

    A signed entry always has (the parse was checked against the depth limit, which is part
    of the key): this is the second lock, should the first ever fail. Walked as a tree, with
    an explicit stack, and stopped at the bound, so that subtrees shared many times over
    cost no more than the bound either.
    """
    from aimscheck.limits import current

    deepest = 2 * current().max_rule_depth + 32
    budget = 2 * len(rule_file.text) + 1024
    fields = _child_fields()
    level: list[object] = [rule_file]
    depth = 0
    while level:  # one level of the tree at a time: a node shared n times counts n times
        depth += 1
        budget -= len(level)
        if depth > deepest or budget < 0:
            return False
        below: list[object] = []
        push = below.append
        for node in level:
            for name in fields[type(node)]:
                child = getattr(node, name)
                if type(child) in fields:
                    push(child)
                elif type(child) is tuple:  # a tuple of nodes is not a level of its own
                    items = [child]
                    while items:
                        for item in items.pop():
                            if type(item) in fields:
                                push(item)
                            elif type(item) is tuple:
                                items.append(item)
        level = below
    return True


@cache
def _child_fields() -> dict[type, tuple[str, ...]]:
    """The fields of each node class that may hold other nodes (not its span or text)."""
    return {
        cls: tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("span", "text"))
        for cls in _NODE_CLASSES
        if cls is not Span
    }


def _write(folder: _Folder, name: str, rule_file: n.RuleFile, limit: int) -> None:
    """Write atomically (a private file renamed into place); give up silently on failure."""
    try:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(rule_file)
        payload = buffer.getvalue()
        data = MAGIC + _tag(folder.secret, name, payload) + payload
        if len(data) > limit:
            return  # it would be refused when read
        _new_file(folder.fd, f"{name}.pickle", data, replace=True)
        _prune(folder.fd)
    except Exception:  # a cache that cannot be written only costs time
        pass


def _prune(folder: int) -> None:
    """Keep the newest MAX_ENTRIES entries (rule edits would otherwise pile up old ones)."""
    names = [e.name for e in os.scandir(folder) if e.name.endswith(".pickle")]
    if len(names) <= MAX_ENTRIES:
        return
    ages: list[tuple[float, str]] = []
    for name in names:
        with contextlib.suppress(OSError):
            ages.append((os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime, name))
    ages.sort()
    for _, old in ages[: len(ages) - MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(old, dir_fd=folder)


# ---- serialisation ------------------------------------------------------------------------------
# Frozen slotted dataclasses unpickle through a Python-level __setstate__ (about 3 µs a node,
# 50 ms for the default pack). Each node is stored instead as a call to a small builder that
# sets the slots directly, and loading accepts no other global: an entry can only ever
# rebuild AST nodes and dates.


def _builder(cls: type) -> Callable[..., Any]:
    new: Callable[[type], Any] = object.__new__
    setters: tuple[Any, ...] = tuple(cls.__dict__[f.name].__set__ for f in dataclasses.fields(cls))

    def build_any(*values: Any) -> Any:
        obj = new(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(obj, value)
        return obj

    def build_2(a: Any, b: Any) -> Any:  # most nodes: one field and the span
        obj = new(cls)
        s0(obj, a)
        s1(obj, b)
        return obj

    def build_3(a: Any, b: Any, c: Any) -> Any:
        obj = new(cls)
        s0(obj, a)
        s1(obj, b)
        s2(obj, c)
        return obj

    def build_4(a: Any, b: Any, c: Any, d: Any) -> Any:  # spans and binary operations
        obj = new(cls)
        s0(obj, a)
        s1(obj, b)
        s2(obj, c)
        s3(obj, d)
        return obj

    s0, s1, s2, s3 = (*setters, None, None, None, None)[:4]
    builders: dict[int, Callable[..., Any]] = {2: build_2, 3: build_3, 4: build_4}
    build = builders.get(len(setters), build_any)
    build.__module__ = __name__
    build.__name__ = build.__qualname__ = f"_build_{cls.__name__}"
    return build


@cache
def _builders() -> dict[type, Callable[..., Any]]:
    """One builder per node class, also made a module global so pickle can name it."""
    made = {cls: _builder(cls) for cls in _NODE_CLASSES}
    for build in made.values():
        globals()[build.__name__] = build
    return made


class _Pickler(pickle.Pickler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._builders = _builders()
        self._fields = {c: tuple(f.name for f in dataclasses.fields(c)) for c in _NODE_CLASSES}

    def reducer_override(self, obj: Any) -> Any:
        build = self._builders.get(type(obj))
        if build is None:
            return NotImplemented
        return build, tuple(getattr(obj, name) for name in self._fields[type(obj)])


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name.startswith("_build_"):
            _builders()
            return globals()[name]
        if module == "datetime" and name == "date":
            import datetime

            return datetime.date
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a rule cache entry")
