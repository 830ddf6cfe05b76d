"""`aimscheck evidence`: the evidence inventory of an export, and sha256 lines for its records."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from aimscheck.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    allow_hard_links_option,
    as_of_option,
    evidence_root_option,
    exit_now,
    guarded,
    limit_option,
)

if TYPE_CHECKING:
    from aimscheck.export.contract import VocabularyExtension
    from aimscheck.export.model import Export
    from aimscheck.inventory import Entry, Inventory
    from aimscheck.reportpaths import Inputs

FORMAT = "aimscheck-evidence/1"  # the JSON document's version; bump it on a breaking change


class _DefaultGroup(click.Group):
    """A group that runs `inventory` when its first argument names no subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            if args and not Path(args[0]).exists():  # `evidence hsah`: a subcommand misspelt
                close = difflib.get_close_matches(args[0], list(self.commands), n=1)
                if close:
                    raise click.exceptions.NoSuchCommand(args[0], possibilities=close, ctx=ctx)
            args = ["inventory", *args]
        return super().parse_args(ctx, args)


@click.group("evidence", cls=_DefaultGroup)
def command() -> None:
    """Evidence integrity: the inventory of an export's proof (the default) and sha256 lines.

    `aimscheck evidence PATH` is `aimscheck evidence inventory PATH`.
    """


@command.command("inventory", short_help="List the proof behind every clause and Annex A control.")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@as_of_option(
    "The date expiry and review dates are judged against, to the end of that day in UTC "
    "(default: today in UTC)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="What to print on standard output.",
)
@click.option(
    "--json", "json_path", type=click.Path(path_type=Path), help="Write the JSON inventory here."
)
@evidence_root_option
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A folder (or .aims file) of extra rules whose evidence counts; repeatable.",
)
@click.option("--no-default-rules", is_flag=True, help="Use only the --rules packs.")
@click.option(
    "--uri-counts-missing",
    is_flag=True,
    help="Count proof kept in another system (a uri, never fetched) as missing.",
)
@allow_hard_links_option
@limit_option
@guarded
def inventory_command(
    path: Path,
    as_of: dt.date,
    fmt: str,
    json_path: Path | None,
    evidence_root: Path | None,
    rules: tuple[Path, ...],
    no_default_rules: bool,
    uri_counts_missing: bool,
    allow_hard_links: bool,
    limit_settings: tuple[str, ...],
) -> None:
    """List the proof behind every clause and Annex A control of the export at PATH.

    Also lists files in the evidence folders that no record names (orphans) and records that
    no rule or record refers to. Exits 1 when a referenced proof is missing or unsound.
    """
    from aimscheck.check import load_ruleset
    from aimscheck.config import Config, find_config, load_config
    from aimscheck.engine import Evaluator
    from aimscheck.errors import UsageError, raise_all
    from aimscheck.export.contract import Extensions
    from aimscheck.export.dates import coerce_dates
    from aimscheck.export.loader import load_export
    from aimscheck.export.schema import validate_export
    from aimscheck.inventory import build_inventory
    from aimscheck.limits import configured, use
    from aimscheck.output import write_atomic
    from aimscheck.reportpaths import Targets

    # The JSON inventory is a report: never over a file the run reads; on exit 2, an earlier
    # one at its path is removed (docs/security.md, "Reports").
    targets = Targets.of({} if json_path is None else {"json": json_path}, {})
    with targets.stale_removed(), use(configured(limit_settings)):
        inputs = _inputs(path, rules, not no_default_rules, evidence_root)
        # The values aimscheck.yaml adds to closed vocabularies are part of the export's contract.
        found = find_config(path)
        if found is not None:
            inputs.add_config(found)
        targets.check(inputs)
        vocabulary: tuple[VocabularyExtension, ...] = ()
        config = Config()
        if found is not None:
            config = load_config(found)
            inputs.add_configured(config)
            targets.check(inputs)
            vocabulary = config.vocabulary
        ruleset = load_ruleset(rules, not no_default_rules, vocabulary=vocabulary)
        export = load_export(path)
        targets.check_export(inputs, evidence_root, export)
        added = Extensions(vocabulary=vocabulary, fields=ruleset.declared_fields)
        raise_all(list(validate_export(export, extensions=added)))
        coerce_dates(export, ruleset.custom_date_fields)
        if evidence_root is not None and not evidence_root.is_dir():
            raise UsageError(f"--evidence-root {evidence_root} is not a folder")
        evaluator = Evaluator(
            export,
            as_of,
            evidence_root,
            # What counts as proof: the pack's choice, aimscheck.yaml's `evidence:`, the flag.
            uri_counts_missing=not config.evidence_policy(uri_counts_missing).uri_counts,
            allow_hard_links=allow_hard_links,
            require_sha256=config.evidence_policy().require_sha256,
        )
        resolver = evaluator.ctx.evidence
        inventory = build_inventory(export, resolver, evaluator.run(ruleset))
        root = export.display(resolver.root)
        document = _document(inventory, export, path, as_of, root)
        if json_path is not None:
            write_atomic(json_path, document)
    if fmt == "json":
        from aimscheck.terminal import printable  # the repo's data shown, never acted on

        click.echo(printable(document, "json"), nl=False)
    else:
        click.echo(render_text(inventory, path, as_of, root), nl=False)
    exit_now(EXIT_FINDINGS if inventory.missing else EXIT_OK)


def _inputs(
    path: Path, rules: tuple[Path, ...], default_rules: bool, evidence_root: Path | None
) -> Inputs:
    """What the inventory reads that the command line names: the export, the rule packs."""
    from aimscheck.reportpaths import Inputs
    from aimscheck.resources import default_pack

    inputs = Inputs()
    inputs.add_export(path, evidence_root)
    inputs.add_rules(rules)
    if default_rules:
        inputs.add_rules([default_pack()], "a rule file of the built-in pack")
    return inputs


def _document(inventory: Inventory, export: Export, path: Path, as_of: dt.date, root: str) -> str:
    import json

    data: dict[str, Any] = {
        "format": FORMAT,
        "as_of": as_of.isoformat(),
        "export": {"path": str(path), "digest": export.digest},
        "evidence_root": root,
        **inventory.to_dict(),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _line(entry: Entry) -> str:
    check = entry.check
    name = check.record or (check.ref and f"'{check.ref}'") or "(no reference)"
    path = f"  {check.path}" if check.path else ""
    return f"{check.status:<20} {name}{path}"


def render_text(inventory: Inventory, path: Path, as_of: dt.date, root: str) -> str:
    """The inventory for people: problems first, then the proof by control and by clause."""
    missing = inventory.missing
    out = [
        f"Evidence inventory of {path} as of {as_of.isoformat()} (evidence root: {root})",
        f"{len(inventory.records)} proof records, {len(inventory.references)} proofs referenced: "
        f"{len(missing)} missing, {len(inventory.orphans)} orphan files, "
        f"{len(inventory.unreferenced)} unreferenced records",
    ]
    if missing:
        out += ["", "Missing evidence"]
        for entry in missing:
            out.append(f"  {_line(entry)}")
            out.append(f"      {entry.check.message}")
            out.append(f"      cited by: {'; '.join(entry.cited_by)}")
    width = max((len(ident) for ident in (*inventory.controls, *inventory.clauses)), default=0)
    for title, group in (("Annex A controls", inventory.controls), ("Clauses", inventory.clauses)):
        if group:
            out += ["", title]
            for ident, entries in group.items():
                for n, entry in enumerate(entries):
                    out.append(f"  {(ident if n == 0 else ''):<{width}}  {_line(entry)}")
    if inventory.orphans:
        out += ["", "Orphan files (in an evidence folder, named by no record)"]
        out += [f"  {name}" for name in inventory.orphans]
    if inventory.unreferenced:
        out += ["", "Unreferenced records (no rule or record refers to them)"]
        out += [f"  {name}" for name in inventory.unreferenced]
    from aimscheck.terminal import visible

    # Every line quotes the repo's data (ids, paths, messages): escaped line by line, a
    # newline inside a value is shown as `\\n`, never a line of its own in the CI log.
    return "\n".join(map(visible, out)) + "\n"


def _files(paths: tuple[Path, ...]) -> Iterator[Path]:
    """The files named; a folder gives every file in it, sorted by path (hidden ones skipped)."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(path):  # linked folders are not entered
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            found.extend(Path(dirpath, f) for f in filenames if not f.startswith("."))
        yield from sorted(found)


@command.command("hash", short_help="Print `sha256 path` lines for proof files.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--relative-to",
    type=click.Path(path_type=Path, file_okay=False),
    help="Print paths relative to this folder (the export root), as records give them.",
)
@guarded
def hash_command(paths: tuple[Path, ...], relative_to: Path | None) -> None:
    """Print `sha256  path` for each file in PATHS (folders: every file in them).

    Paste the lines into the sha256 and path of evidence and document records. Nothing is
    written anywhere.
    """
    from aimscheck.errors import UsageError
    from aimscheck.evidence import inside
    from aimscheck.prooffile import sha256_file
    from aimscheck.terminal import visible

    absent = [str(p) for p in paths if not p.exists()]
    if absent:
        raise UsageError(f"not found: {', '.join(absent)}", hint="check the paths and try again")
    base = None if relative_to is None else os.path.abspath(relative_to)
    for file in _files(paths):
        shown = file.as_posix()
        if base is not None:
            full = os.path.abspath(file)
            if not inside(full, base):
                raise UsageError(f"{file} is not inside --relative-to {relative_to}")
            shown = Path(os.path.relpath(full, base)).as_posix()
        digest, _size = sha256_file(file)
        click.echo(f"{digest}  {visible(shown)}")  # a file name may hold any character
