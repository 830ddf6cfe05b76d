"""`aimscheck rules`: list the rules with their metadata, filter them, show what they cover,
and which of them could not judge records of an export for want of data."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aimscheck.cli import (
    as_of_option,
    config_option,
    evidence_root_option,
    guarded,
    no_config_option,
    rules_option,
)

if TYPE_CHECKING:
    from aimscheck.check import CheckOptions
    from aimscheck.config import Config
    from aimscheck.reportpaths import Inputs, Targets


@click.command("rules")
@rules_option
@click.option("--no-default-rules", is_flag=True, help="List only the --rules packs.")
@config_option("The configuration whose packs to add (default: ./aimscheck.yaml if there is one).")
@no_config_option
@click.option("--clause", multiple=True, help="Only rules naming this clause (6.1 takes 6.1.x).")
@click.option("--control", multiple=True, help="Only rules naming this control (A.5 takes A.5.x).")
@click.option("--phase", multiple=True, help="Only rules of this phase.")
@click.option("--tag", multiple=True, help="Only rules with this tag.")
@click.option(
    "--severity",
    multiple=True,
    type=click.Choice(["major", "minor", "observation"]),
    help="Only rules of this severity.",
)
@click.option(
    "--coverage", is_flag=True, help="Show every clause and Annex A control with its rules."
)
@click.option(
    "--not-assessed",
    "not_assessed",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Check the export at PATH and list the rules that could not judge a record of it for "
    "want of data, with the record and the reason.",
)
@as_of_option("With --not-assessed: the date the export is judged on (default: today in UTC).")
@evidence_root_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), help="Write to this file instead.")
@guarded
def command(
    rules: tuple[Path, ...],
    no_default_rules: bool,
    config_path: Path | None,
    no_config: bool,
    clause: tuple[str, ...],
    control: tuple[str, ...],
    phase: tuple[str, ...],
    tag: tuple[str, ...],
    severity: tuple[str, ...],
    coverage: bool,
    not_assessed: Path | None,
    as_of: dt.date,
    evidence_root: Path | None,
    fmt: str,
    output: Path | None,
) -> None:
    """List the rules of the loaded packs (default: the built-in one) with their metadata.

    Filters of different kinds must all hold; several values of one filter are alternatives.
    --format markdown writes the rule catalogue (as in docs/rules.md); --coverage lists every
    clause of ISO/IEC 42001 and every Annex A control with the rules that check it;
    --not-assessed PATH checks that export (as `check` does, with its aimscheck.yaml) and lists
    the records the rules could not judge for want of data, rule by rule, with the reason.
    """
    from aimscheck.check import CheckOptions
    from aimscheck.config import find_config
    from aimscheck.errors import UsageError
    from aimscheck.reportpaths import Targets

    if no_config and config_path is not None:
        raise UsageError("--config and --no-config contradict each other: give one")
    if coverage and not_assessed is not None:
        raise UsageError("--coverage and --not-assessed are two views: give one")
    filters = (clause, control, phase, tag, severity)
    # --output is a report: never over a file the run reads; on exit 2, an earlier one at its
    # path is removed (docs/security.md, "Reports").
    targets = Targets.of({} if output is None else {"output": output}, {})
    with targets.stale_removed():
        inputs = _inputs(rules, not no_default_rules, not_assessed, evidence_root)
        targets.check(inputs)
        found = None if no_config else config_path or find_config(not_assessed or Path("."))
        config = _config(found, inputs, targets)
        if not_assessed is None:
            text = _listed(rules, not no_default_rules, config, filters, fmt, coverage)
        else:
            options = CheckOptions(
                path=not_assessed,
                rules=rules,
                default_rules=not no_default_rules,
                config=config,
                inventory=False,
                as_of=as_of,
                evidence_root=evidence_root,
                on_export=functools.partial(targets.check_export, inputs, evidence_root),
            )
            text = _not_assessed(options, filters, fmt)
        if output is not None:
            from aimscheck.output import write_atomic

            write_atomic(output, text if text.endswith("\n") else text + "\n")
    if output is None:
        from aimscheck.terminal import printable  # the repo's data shown, never acted on

        click.echo(printable(text, fmt), nl=not text.endswith("\n"))


Filters = tuple[tuple[str, ...], ...]  # clause, control, phase, tag, severity


def _inputs(
    rules: tuple[Path, ...], default_rules: bool, export: Path | None, evidence_root: Path | None
) -> Inputs:
    """What the command reads that the command line names: packs, and the export checked."""
    from aimscheck.reportpaths import Inputs
    from aimscheck.resources import default_pack

    inputs = Inputs()
    inputs.add_rules(rules)
    if default_rules:
        inputs.add_rules([default_pack()], "a rule file of the built-in pack")
    if export is not None:
        inputs.add_export(export, evidence_root)
    return inputs


def _config(found: Path | None, inputs: Inputs, targets: Targets) -> Config:
    """The configuration (`found`: the working folder's for a list, the export's for
    --not-assessed), with the files it names checked against the report path."""
    from aimscheck.config import Config, load_config

    if found is None:
        return Config()
    inputs.add_config(found)
    targets.check(inputs)
    config = load_config(found)
    inputs.add_configured(config)
    targets.check(inputs)
    return config


def _listed(
    rules: tuple[Path, ...],
    default_rules: bool,
    config: Config,
    filters: Filters,
    fmt: str,
    coverage: bool,
) -> str:
    """The rule list, catalogue or coverage, of the packs the configuration adds too."""
    from aimscheck.check import load_ruleset
    from aimscheck.rulelist import render, select

    packs = [*config.packs, *rules]
    ruleset = load_ruleset(packs, default_rules=default_rules and config.default_pack)
    infos = select(list(ruleset.infos), *filters)
    if fmt == "text":  # a title may hold any character: escaped before it is put in a line
        from aimscheck.terminal import visible

        infos = [replace(info, id=visible(info.id), title=visible(info.title)) for info in infos]
    return render(infos, fmt, coverage)


def _not_assessed(options: CheckOptions, filters: Filters, fmt: str) -> str:
    """The records the rules of `filters` could not judge in the export, with the reasons."""
    from aimscheck.check import run_check
    from aimscheck.notassessed import build, render
    from aimscheck.progress import Progress
    from aimscheck.rulelist import select

    report = run_check(options, Progress.for_terminal())
    kept = {r.id for r in select(report.rules, *filters)}
    return render(build(report, kept), fmt)
