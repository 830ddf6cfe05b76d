"""Where a run's reports may go: never over a file the run reads, never two at one path, and
those named by aimscheck.yaml away from the repo's records, proof files and rule packs."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aimscheck.errors import AimscheckError, UsageError, raise_all
from aimscheck.limits import current
from aimscheck.source import Location
from aimscheck.yamlfile import display

if TYPE_CHECKING:
    from aimscheck.config import Config
    from aimscheck.export.model import Export

_EXPORT_SUFFIXES = (".yaml", ".yml", ".json")
_MB = 2**20
_HINT = "write reports outside the export, its proof files and the rule packs (e.g. to reports/)"


@dataclass(frozen=True, slots=True)
class Target:
    """One report to write: its format, its path as given, and where the path was named (the
    configuration's line, or None for the command line)."""

    name: str
    path: Path
    where: Location | None = None

    @property
    def real(self) -> str:
        return os.path.realpath(self.path)

    def refuse(self, message: str, hint: str = "") -> UsageError:
        """A refusal of this path: at the configuration line that names it, if one does."""
        if self.where is None:
            return UsageError(message, hint=hint)
        return UsageError(f"$.outputs.{self.name}: {message}", self.where, hint=hint)


class Inputs:
    """The files a run reads, known by resolved path and by file identity (a hard link to an
    input is that input too), each with what it is ("a rule file")."""

    def __init__(self) -> None:
        self.reals: dict[str, str] = {}
        self.files: dict[tuple[int, int], str] = {}
        self.folders: dict[str, str] = {}  # folders reports named in the repo stay out of
        self.export_roots: set[str] = set()  # folder exports, resolved: names read there
        # What is not known yet: the files a configuration names, until it is read, and the
        # proof files of the export (and its files), until it is read.
        self.config: Path | None = None
        self.export: Path | None = None
        self.proof_root = ""  # resolved: where the export's proof paths lead

    def add(self, path: Path | str, what: str) -> None:
        real = os.path.realpath(path)
        self.reals.setdefault(real, what)
        with contextlib.suppress(OSError, ValueError):
            info = os.stat(real)
            self.files.setdefault((info.st_dev, info.st_ino), what)

    def add_folder(self, path: Path | str, what: str) -> None:
        """A folder reports named in the repo stay out of; `what` says which ("" for a folder
        of proof files, named by its path only if a report is refused there)."""
        self.folders.setdefault(os.path.realpath(path), what)

    def add_candidates(self, paths: Iterable[tuple[str, str]], targets: list[Target]) -> None:
        """Of many files (an export's, its proof paths), add those that may be one of the
        `targets`: of the same name (resolved, links followed), or, for a target that exists,
        the same file. A proof path per evidence record would otherwise cost a `realpath`
        each (5 s on the 31,000 records of the benchmark export)."""
        names = {os.path.basename(target.real) for target in targets}
        present: set[tuple[int, int]] = set()
        for target in targets:
            with contextlib.suppress(OSError, ValueError):
                info = os.stat(target.path)
                present.add((info.st_dev, info.st_ino))
        for path, what in paths:
            if os.path.basename(path) in names:
                self.add(path, what)
            elif present:
                with contextlib.suppress(OSError, ValueError):
                    info = os.stat(path)
                    if (info.st_dev, info.st_ino) in present:
                        self.files.setdefault((info.st_dev, info.st_ino), what)

    def add_rules(self, packs: Iterable[Path], what: str = "a rule file") -> None:
        """The `.aims` files of rule packs (files and folders), and the folders themselves."""
        for pack in packs:
            if pack.is_dir():
                self.add_folder(pack, f"the rule pack {pack}")
                for file in pack.rglob("*.aims"):
                    self.add(file, what)
            else:
                self.add(pack, what)

    def add_export(self, export: Path, evidence_root: Path | None = None) -> None:
        """The export, and in a folder export every name its loader would read (present or
        not: a report written there would be read as records by the next run). Its proof
        files, under `evidence_root` (default: the export's folder), are known once it is
        read (`Targets.check_export`)."""
        self.add(export, "the export")
        if export.is_dir():
            self.export_roots.add(os.path.realpath(export))
        self.export = export
        root = evidence_root or (export if export.is_dir() else export.parent)
        self.proof_root = os.path.realpath(root)

    def add_config(self, path: Path) -> None:
        """The configuration; the files it names are known once it is read (`add_configured`)."""
        self.add(path, "the configuration")
        self.config = path

    def add_configured(self, config: Config, baseline: Path | None = None) -> None:
        """What a configuration that was read adds: its waiver files, the baseline (the
        command line's or its own) and its rule packs."""
        for file in config.waiver_files:
            self.add(file, "a waiver file")
        baseline = baseline or config.baseline
        if baseline is not None:
            self.add(baseline, "the baseline")
        self.add_rules(config.packs)
        self.config = None

    def unknown(self, real: str) -> bool:
        """Whether a resolved path may be an input this run did not get to learn of: a file
        named by a configuration that could not be read, or a proof file of an export that
        could not be read (its name written in the export's files). A run that fails never
        removes such a file as a stale report."""
        if self.config is not None and _named_by(self.config, real):
            return True
        if self.export is not None and self.proof_root and _inside(real, self.proof_root):
            return _in_export_text(self.export, os.path.basename(real))
        return False

    def clash(self, real: str) -> str | None:
        """What input a resolved path is, or None when it is none."""
        if real in self.reals:
            return self.reals[real]
        with contextlib.suppress(OSError, ValueError):
            info = os.stat(real)
            if (info.st_dev, info.st_ino) in self.files:
                return self.files[(info.st_dev, info.st_ino)]
        if self.export_roots and os.path.splitext(real)[1].lower() in _EXPORT_SUFFIXES:
            from aimscheck.export.model import COLLECTIONS

            folder, name = os.path.split(real)
            stem, roots = os.path.splitext(name)[0], self.export_roots
            if (folder in roots and stem in (*COLLECTIONS, "aims")) or (
                os.path.dirname(folder) in roots and os.path.basename(folder) in COLLECTIONS
            ):
                return "a file of the export"
        return None

    def folder_of(self, real: str) -> str | None:
        """The input folder (rule pack, proof folder) that holds a resolved path, if any."""
        folder, above = os.path.dirname(real), real
        while folder != above:  # up to the file system's root
            what = self.folders.get(folder)
            if what is not None:
                return what or f"{display(Path(folder))}, a folder of proof files"
            folder, above = os.path.dirname(folder), folder
        return None


class Targets:
    """The reports of one run, checked against each other and against the run's inputs.

    Only a report path that passed every check is ever written or removed: a run that cannot
    be made removes the earlier reports at those paths (so that CI never reads yesterday's
    report as today's), and never touches a path that was refused.
    """

    def __init__(self, targets: Iterable[Target]) -> None:
        self.targets = tuple(targets)
        self.refused: set[Path] = set()
        self.checked = False
        self.inputs = Inputs()  # those of the last check, learnt more of as the run goes on

    @classmethod
    def of(cls, paths: Mapping[str, Path], where: Mapping[str, Location]) -> Targets:
        return cls(Target(name, path, where.get(name)) for name, path in paths.items())

    def __iter__(self) -> Iterator[Target]:
        return iter(self.targets)

    def check(self, inputs: Inputs) -> None:
        """Refuse (all problems at once) a report path that is a folder, lies in a missing
        folder, is another report's, or is an input of the run; and one named in the
        configuration that lies in a rule pack or a folder of proof files."""
        errors: list[AimscheckError] = []
        first: dict[str, Target] = {}
        for target in self.targets:
            problem = self._problem(target, inputs, first)
            if problem is not None:
                self.refused.add(target.path)
                errors.append(problem)
        self.checked, self.inputs = True, inputs
        raise_all(errors)

    def _problem(
        self, target: Target, inputs: Inputs, first: dict[str, Target]
    ) -> UsageError | None:
        path, name = target.path, target.name
        if path.is_dir():
            return target.refuse(f"{path} is a folder: give a file name for the {name} report")
        if not path.parent.is_dir():
            return target.refuse(
                f"cannot write the {name} report {path}: the folder {path.parent} does not exist",
                hint="create the folder first or choose another output path",
            )
        real = target.real
        other = first.setdefault(real, target)
        if other is not target:
            return target.refuse(
                f"the {other.name} and {name} reports would both be written to {path}: "
                "give each report its own file"
            )
        what = inputs.clash(real)
        if what is not None:
            return target.refuse(
                f"the {name} report {path} would overwrite a file this run reads ({what})", _HINT
            )
        if target.where is not None and (folder := inputs.folder_of(real)) is not None:
            return target.refuse(
                f"the {name} report {path} would be written into {folder}: a report named in "
                "the configuration stays out of the repo's rule packs and proof folders",
                f"write it elsewhere (e.g. to reports/), or from the command line: --{name} FILE",
            )
        return None

    def check_export(self, inputs: Inputs, evidence_root: Path | None, export: Export) -> None:
        """Once the export is read: its files, and the proof files its records name (present
        or not: a report written there would become proof), are inputs too."""
        from aimscheck.evidence import refused_path

        inputs.proof_root = ""  # the proof paths are known from here on
        targets = [target for target in self.targets if target.path not in self.refused]
        if not targets:
            return
        root = os.path.realpath(evidence_root if evidence_root is not None else export.root)
        named = {
            record.get("path")
            for collection in ("evidence", "documents")
            for record in export.collection(collection)
            if type(record) is dict
        }
        proofs = {
            os.path.normpath(path)
            for path in named
            if isinstance(path, str) and path and refused_path(path) is None
        }
        files = [(str(file), "a file of the export") for file in export.files]
        files += [(os.path.join(root, proof), "a proof file") for proof in proofs]
        inputs.add_candidates(files, targets)
        if any(target.where is not None for target in targets):
            for folder in {os.path.dirname(proof) for proof in proofs} - {""}:
                inputs.add_folder(os.path.join(root, folder), "")
        self.check(inputs)

    def remove_stale(self) -> None:
        """A run that cannot be made removes earlier reports at the paths it was asked to
        write, once they were checked; never a path that was refused, nor one that may be an
        input the run did not get to learn of (`Inputs.unknown`)."""
        if not self.checked:
            return
        for target in self.targets:
            if target.path in self.refused or not target.path.is_file():
                continue
            if not self.inputs.unknown(target.real):
                with contextlib.suppress(OSError):
                    target.path.unlink()

    @contextlib.contextmanager
    def stale_removed(self) -> Iterator[None]:
        """Inside: a failure removes the stale reports (`remove_stale`), then goes on."""
        try:
            yield
        except Exception:
            self.remove_stale()
            raise


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _read_bounded(path: Path | str, limit: int) -> bytes | None:
    """At most `limit` bytes of a regular file, opened without waiting (a pipe is never
    read); None when it cannot be read or is larger."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


# Tokens of a configuration's text that may be paths: what lies between YAML's punctuation.
_TOKEN = re.compile(rb"[^\s\"'\[\]{},#]+")


def _named_by(config: Path, real: str) -> bool:
    """Whether the text of a configuration that could not be read names `real`: its file
    name appears in it, or a folder it names (a rule pack) holds it. Without the data (the
    text may not even be YAML), every mention counts."""
    text = _read_bounded(config, int(current().max_config_mb * _MB))
    if text is None:
        return False
    if os.path.basename(real).encode() in text:
        return True
    base = os.path.realpath(config.parent)
    if not _inside(real, base) or real == base:
        return False  # the configuration names nothing outside its repo
    parts = os.path.relpath(real, base).split(os.sep)
    folders = {os.sep.join(parts[:end]) for end in range(1, len(parts))}  # those holding it
    return any(
        os.path.normpath(os.fsdecode(token.rstrip(b":"))) in folders
        for token in set(_TOKEN.findall(text))
    )


def _in_export_text(export: Path, name: str) -> bool:
    """Whether `name` appears in a file of an export that could not be read: as a proof path
    of one of its records, perhaps. A file that cannot be read (or too much to read) counts
    as naming it: what is not known is kept."""
    from aimscheck.export.loader import SUFFIXES
    from aimscheck.export.model import COLLECTIONS

    limits = current()
    left = int(limits.max_export_mb * _MB)
    wanted = name.encode()
    if export.is_dir():
        files = [export / f"aims{suffix}" for suffix in SUFFIXES]
        files += [export / f"{c}{suffix}" for c in COLLECTIONS for suffix in SUFFIXES]
        for collection in COLLECTIONS:
            with contextlib.suppress(OSError):
                folder = export / collection
                if folder.is_dir():
                    files += sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        root = os.path.realpath(export)
    else:
        files, root = [export], ""
    for file in files:
        if not os.path.lexists(file) or (root and not _inside(os.path.realpath(file), root)):
            continue  # what the loader never reads names no proof
        data = _read_bounded(file, min(left, int(limits.max_file_mb * _MB)))
        if data is None or wanted in data:
            return True
        left -= len(data)
    return False
