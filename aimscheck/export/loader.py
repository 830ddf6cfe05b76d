"""Loading an AIMS export (a file or a governance-repo folder) with every record's file and line."""

from __future__ import annotations

import errno
import gc
import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from aimscheck.errors import AimscheckError, ExportLoadError, raise_all
from aimscheck.export.model import COLLECTIONS, ID_FIELD, SECTIONS, Export
from aimscheck.export.parsing import Document, Problem, decode, snippet
from aimscheck.limits import Limits, current, how_to_raise
from aimscheck.source import Location

SUFFIXES = (".yaml", ".yml", ".json")
MAIN_NAMES = tuple(f"aims{suffix}" for suffix in SUFFIXES)
# Sections holding a mapping: a list there means a collection was meant (and vice versa).
MAPPING_SECTIONS = frozenset(SECTIONS) - {"schema_version", "exported_at"}
_COLLECTIONS = frozenset(COLLECTIONS)
_MB = 2**20
# From this many records on, a loaded export is frozen out of the cyclic collector's way.
FREEZE_RECORDS = 20_000


def load_export(path: Path, limits: Limits | None = None) -> Export:
    """Read an export file or folder; input problems are raised, all of them together.

    Reads only regular files inside the export (a link leading out of an export folder is
    refused, never opened), within `limits` (default: the limits in force).
    """
    # The loaders allocate millions of small objects that the cyclic GC would rescan for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        export = _Reader(path, limits or current()).run()
        if sum(len(export.collection(name)) for name in COLLECTIONS) >= FREEZE_RECORDS:
            # The export lives as long as the run and holds no cycles: moved out of the cyclic
            # collector's sight, it is never rescanned (each full collection of a 30 MB export
            # costs about 0.4 s). Reference counting still frees it as usual.
            gc.freeze()
        return export
    finally:
        if enabled:
            gc.enable()


class _Reader:
    """One load: the Export being filled, the problems found and the bytes read (for the digest)."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.export = Export(root=path.parent, main_file=path, data={})
        self.errors: list[AimscheckError] = []
        self.read: dict[Path, bytes] = {}
        self.ids: dict[str, dict[object, Location]] = {name: {} for name in COLLECTIONS}
        self.real_root = ""  # set for a folder: nothing outside it is opened
        self.charged = 0  # bytes read, YAML aliases written out (max_export_mb)
        self.records = 0  # items of top-level lists read so far (max_records)
        self.stopped = False  # a limit of the whole export was hit: read nothing more

    def run(self) -> Export:
        path = self.path
        info = self.stat(path)
        if info is None:
            pass
        elif stat.S_ISDIR(info.st_mode):
            self.export.root = path
            self.real_root = os.path.realpath(path)
            self.load_folder(path)
        elif stat.S_ISREG(info.st_mode) and path.suffix.lower() in SUFFIXES:
            self.take_top(self.parse(path, info))
        else:
            self.fail(path, "not an export: give a .yaml, .yml or .json file, or an export folder")
        raise_all(self.errors)
        self.export.files = tuple(self.read)
        self.export.digest = self.digest()
        return self.export

    def stat(self, path: Path) -> os.stat_result | None:
        """What `path` is (links followed), or None with the problem recorded.

        In a folder export, a path whose links lead out of the folder is refused here, before
        anything opens it. Problems name the path as listed: resolving a loop would fail.
        """
        try:
            info = os.stat(path)
        except OSError as exc:
            self.fail_at(str(path), 1, _stat_problem(path, exc))
            return None
        if self.real_root and not _inside(os.path.realpath(path), self.real_root):
            self.fail_at(
                str(path),
                1,
                "this is a link to a place outside the export folder, which aimscheck never "
                "reads: copy the file into the export instead",
            )
            return None
        return info

    def load_folder(self, root: Path) -> None:
        try:
            entries = {entry.name: entry for entry in root.iterdir()}
        except OSError as exc:
            self.fail(root, f"cannot list the export folder ({exc.strerror}): check permissions")
            return
        mains = [entries[name] for name in MAIN_NAMES if name in entries]
        if not mains:
            self.fail(
                root,
                f"no aims.yaml in export folder '{self.export.display(root)}': add aims.yaml "
                '(or aims.yml or aims.json) holding schema_version: "1" and organization',
            )
            return
        if len(mains) > 1:
            names = " and ".join(main.name for main in mains)
            self.fail(mains[1], f"{names} are both in this folder: keep only one of them")
        self.export.main_file = mains[0]
        self.take_top(self.parse(mains[0]))
        for name in COLLECTIONS:
            for file in (entries.get(name + suffix) for suffix in SUFFIXES):
                if file is not None and (doc := self.parse(file)) is not None:
                    self.take_list(name, doc)
            folder = entries.get(name)
            if folder is not None and (info := self.stat(folder)) and stat.S_ISDIR(info.st_mode):
                self.load_record_folder(name, folder)

    def load_record_folder(self, name: str, folder: Path) -> None:
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        except OSError as exc:
            self.fail(folder, f"cannot list this folder ({exc.strerror}): check its permissions")
            return
        for file in files:
            # Hidden files are editor and OS droppings (.#risk.yaml, ._risk.yaml); folders
            # named like files are not records either.
            if file.name.startswith(".") or (info := self.stat(file)) is None:
                continue
            if not stat.S_ISDIR(info.st_mode) and (doc := self.parse(file, info)) is not None:
                self.take_record(name, doc)

    def take_list(self, name: str, doc: Document) -> None:
        """A `<collection>.yaml` file: a list of records."""
        if isinstance(doc.data, list):
            self.add_records(name, doc.data, doc.top_items, doc.display)
        else:
            message = f"this file must hold a list of {name} records ('- id: ...')"
            self.fail_at(doc.display, doc.line, f"{message}, got {_kind(doc.data)}")

    def take_record(self, name: str, doc: Document) -> None:
        """A file of a `<collection>/` folder: one record."""
        if isinstance(doc.data, dict):
            self.add_records(name, [doc.data], [doc.line], doc.display)
        else:
            message = f"a file in {name}/ holds one record as a mapping (id: ...)"
            self.fail_at(doc.display, doc.line, f"{message}, got {_kind(doc.data)}")

    def take_top(self, doc: Document | None) -> None:
        """The sections and collections of a whole-export file (one file, or aims.*)."""
        if doc is None:
            return
        if not isinstance(doc.data, dict):
            message = 'the export must be a mapping (schema_version: "1", organization: ...)'
            self.fail_at(doc.display, doc.line, f"{message}, got {_kind(doc.data)}")
            return
        for key, value in doc.data.items():
            line = doc.keys.get(key, doc.line)
            self.export.keys[key] = Location(doc.display, line)
            if key in _COLLECTIONS and isinstance(value, list):
                self.add_records(key, value, doc.items.get(key, []), doc.display)
            elif key in _COLLECTIONS and isinstance(value, dict):
                message = f"'{key}' is a collection: give a list of records ('- id: ...')"
                self.fail_at(doc.display, line, f"{message}, not a mapping")
            elif key in MAPPING_SECTIONS and isinstance(value, list):
                message = f"'{key}' is a section: give a mapping of its fields, not a list"
                self.fail_at(doc.display, line, message)
            else:
                self.export.data[key] = value
                if isinstance(value, dict):
                    self.export.locations[id(value)] = Location(doc.display, line)

    def add_records(self, name: str, records: list[Any], lines: list[int], display: str) -> None:
        """Append records to a collection, locate them and report ids seen before."""
        target = self.export.data.setdefault(name, [])
        if not isinstance(target, list):
            return  # a scalar given there was kept for the schema to report
        target.extend(records)
        self.records += len(records)
        seen, key_field = self.ids[name], ID_FIELD[name]
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                continue  # the schema reports it, with its path
            where = Location(display, lines[index])  # the parsers give a line to every item
            self.export.locations[id(record)] = where
            key = record.get(key_field)
            if type(key) is str and not (key.isascii() and key.isprintable()):
                key = self.normal_id(name, key_field, record, where)
            if isinstance(key, str | int) and (first := seen.setdefault(key, where)) is not where:
                self.errors.append(
                    ExportLoadError(
                        f"duplicate {key_field} {key!r} in {name}: also at {first}; "
                        f"give each record its own {key_field}",
                        where,
                    )
                )

    def normal_id(
        self, name: str, key_field: str, record: dict[str, Any], where: Location
    ) -> str | None:
        """A record's id in NFC (written back), or None when it is refused (the error noted):
        ids that look alike must not name two records (aimscheck/export/ids.py)."""
        from aimscheck.export.ids import normal_id

        key, refused = normal_id(record[key_field])
        if refused is not None:
            message = f"{name} {key_field} {key!r} {refused}"
            self.errors.append(ExportLoadError(message, where))
            return None
        record[key_field] = key
        return key

    def parse(self, file: Path, info: os.stat_result | None = None) -> Document | None:
        """Read, decode and parse one file; None (the problems recorded) when it cannot be."""
        raw = self.read_file(file, info)
        if raw is None:
            return None
        display = self.export.display(file)
        limits = self.limits
        text = ""
        try:
            text = decode(raw)
            depth, left, digits = limits.max_depth, self.left(), limits.max_number_digits
            if file.suffix.lower() == ".json":
                from aimscheck.export.jsonparse import parse_json

                doc, duplicates = parse_json(text, display, depth, left, digits)
            else:
                from aimscheck.export.yamlparse import parse_yaml

                yaml_bytes = int(limits.max_yaml_mb * _MB)
                doc, duplicates = parse_yaml(text, display, depth, yaml_bytes, left, digits)
        except Problem as exc:
            shown = snippet(text, exc.line, exc.column) if exc.column and text else ""
            where = Location(display, exc.line, exc.column)
            self.errors.append(ExportLoadError(exc.message, where, shown, exc.hint))
            self.stopped = self.stopped or exc.final
            return None
        for message, line, column in duplicates:
            self.errors.append(ExportLoadError(message, Location(display, line, column)))
        self.export.sources[display] = (file, doc.data, doc.lines)
        if doc.size > len(raw):  # aliases written out count against the export's size
            self.charge(file, doc.size - len(raw))
        return doc

    def read_file(self, file: Path, info: os.stat_result | None) -> bytes | None:
        """The bytes of one regular file inside the export, within the size limits."""
        if self.stopped or (info is None and (info := self.stat(file)) is None):
            return None
        if stat.S_ISDIR(info.st_mode):
            self.fail(file, "this is a folder, not a file: rename it or remove it")
            return None
        if not stat.S_ISREG(info.st_mode):
            self.fail(file, "not a regular file (a device, pipe or socket): remove it")
            return None
        limits = self.limits
        if len(self.read) >= limits.max_files:
            message = f"the export has more than {limits.max_files} files (max_files)"
            self.stop(file, message, "max_files")
            return None
        is_yaml = file.suffix.lower() != ".json"
        mb = min(limits.max_file_mb, limits.max_yaml_mb) if is_yaml else limits.max_file_mb
        name = "max_yaml_mb" if is_yaml and mb == limits.max_yaml_mb else "max_file_mb"
        raw = None
        if info.st_size <= mb * _MB:  # never open a file known to be too large
            try:
                raw = _read(os.path.realpath(file), int(mb * _MB))
            except OSError as exc:
                self.fail(file, f"cannot read file ({exc.strerror}): check its permissions")
                return None
        if raw is None:
            kind = "YAML file" if is_yaml else "file"
            message = f"{kind} larger than {mb:g} MB ({name}): split it into record files"
            self.errors.append(
                ExportLoadError(
                    message, Location(self.export.display(file), 1), hint=how_to_raise(name)
                )
            )
            return None
        self.read[file] = raw
        self.charge(file, len(raw))
        return raw

    def left(self) -> tuple[int, int]:
        """How many more records a file may hold, and the export's limit (max_records)."""
        return self.limits.max_records - self.records, self.limits.max_records

    def charge(self, file: Path, size: int) -> None:
        self.charged += size
        limit = self.limits.max_export_mb
        if self.charged > limit * _MB and not self.stopped:
            message = f"the export's files add up to more than {limit:g} MB (max_export_mb)"
            self.stop(file, message, "max_export_mb")

    def stop(self, file: Path, message: str, name: str) -> None:
        """A limit of the whole export is hit: say so once, and read no further file."""
        self.stopped = True
        where = Location(self.export.display(file), 1)
        self.errors.append(
            ExportLoadError(f"{message}: reading stopped here", where, hint=how_to_raise(name))
        )

    def fail(self, path: Path, message: str) -> None:
        self.fail_at(self.export.display(path), 1, message)

    def fail_at(self, display: str, line: int, message: str) -> None:
        self.errors.append(ExportLoadError(message, Location(display, line)))

    def digest(self) -> str:
        """sha256 over (path relative to the root, bytes) of every file read, in path order."""
        digest = hashlib.sha256()
        root = self.export.root
        for rel, raw in sorted((_relative(p, root), raw) for p, raw in self.read.items()):
            digest.update(f"{rel}\0{len(raw)}\0".encode())
            digest.update(raw)
        return "sha256:" + digest.hexdigest()


def _read(path: str, limit: int) -> bytes | None:
    """At most `limit` bytes of a file, or None when it holds more (it may grow meanwhile)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(limit + 1)
    return None if len(raw) > limit else raw


def _inside(real: str, real_root: str) -> bool:
    """Whether a resolved path is the resolved root or lies in it."""
    try:
        return os.path.commonpath([real, real_root]) == real_root
    except ValueError:  # another drive
        return False


def _stat_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a loop of symbolic links: fix or remove the link"
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        if path.is_symlink():
            return "a symbolic link to nothing: fix or remove the link"
        return "export not found: give an export file (.yaml, .yml, .json) or folder"
    return f"cannot access this ({exc.strerror}): check its permissions"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _kind(value: object) -> str:
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return "nothing (null)" if value is None else f"a single value ({value!r})"
