"""A cache of parsed rule files in the user's cache folder, keyed by all a parse depends on."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable
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
FORMAT = 2
# Entries kept: past this many, the oldest are removed when a new one is written.
MAX_ENTRIES = 256
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

ParseResult = tuple[n.RuleFile, tuple["AimscheckError", ...], tuple["Damage", ...]]


def cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/aimscheck/rules` (else `~/.cache/aimscheck/rules`); None when
    AIMSCHECK_NO_CACHE=1 (or no home folder is known).

    The cache is the user's, never the export's: nothing is ever written beside the rules or
    inside the governance repo being checked.
    """
    if os.environ.get("AIMSCHECK_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home folder known: no cache (never the working folder)
        return None
    return Path(base) / "aimscheck" / "rules"


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

    Only files that parse without an error are stored; a corrupt, unreadable or unwritable
    cache is ignored (the file is parsed as if there were none).
    """
    folder = cache_dir()
    entry = None if folder is None else folder / f"{key(text, path)}.pickle"
    if entry is not None:
        found = _read(entry)
        if found is not None and found.path == path and found.text == text:
            return found, (), ()
    from aimscheck.dsl.parser import parse_recovering

    parsed = parse_recovering(text, path)
    if entry is not None and not parsed.errors and not parsed.damage:
        _write(entry, parsed.file)
    return parsed.file, parsed.errors, parsed.damage


def _read(entry: Path) -> n.RuleFile | None:
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()  # thousands of new nodes would trigger collections that free nothing
    try:
        found = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # a corrupt or foreign entry is a miss, whatever it raises
        return None
    finally:
        if enabled:
            gc.enable()
    return found if isinstance(found, n.RuleFile) else None


def _write(entry: Path, rule_file: n.RuleFile) -> None:
    """Write atomically (a temporary file renamed into place); give up silently on failure."""
    try:
        import tempfile  # only a miss writes (and pays for this import)

        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(rule_file)
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(entry.parent)
    except Exception:  # a cache that cannot be written only costs time
        pass


def _prune(folder: Path) -> None:
    """Keep the newest MAX_ENTRIES entries (rule edits would otherwise pile up old ones)."""
    entries = list(folder.glob("*.pickle"))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            old.unlink()


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
