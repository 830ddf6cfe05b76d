"""Where a run's reports may go: never over a file the run reads, never two at one path, and
those named by aimscheck.yaml away from the repo's records, proof files and rule packs."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aimscheck.errors import AimscheckError, UsageError, raise_all
from aimscheck.source import Location
from aimscheck.yamlfile import display

if TYPE_CHECKING:
    from aimscheck.export.model import Export

_EXPORT_SUFFIXES = (".yaml", ".yml", ".json")
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
        self.export_root = ""  # a folder export, resolved: names its loader reads are inputs

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

    def add_export(self, export: Path) -> None:
        """The export, and in a folder export every name its loader would read (present or
        not: a report written there would be read as records by the next run)."""
        self.add(export, "the export")
        self.export_root = os.path.realpath(export) if export.is_dir() else ""

    def clash(self, real: str) -> str | None:
        """What input a resolved path is, or None when it is none."""
        if real in self.reals:
            return self.reals[real]
        with contextlib.suppress(OSError, ValueError):
            info = os.stat(real)
            if (info.st_dev, info.st_ino) in self.files:
                return self.files[(info.st_dev, info.st_ino)]
        root = self.export_root
        if root and os.path.splitext(real)[1].lower() in _EXPORT_SUFFIXES:
            from aimscheck.export.model import COLLECTIONS

            folder, name = os.path.split(real)
            if (folder == root and os.path.splitext(name)[0] in (*COLLECTIONS, "aims")) or (
                os.path.dirname(folder) == root and os.path.basename(folder) in COLLECTIONS
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
        self.checked = True
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
        write, once they were checked; never a path that was refused."""
        if not self.checked:
            return
        for target in self.targets:
            if target.path not in self.refused and target.path.is_file():
                with contextlib.suppress(OSError):
                    target.path.unlink()
