"""`aimscheck explain`: show why one rule passes or fails, part by part, for one subject."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from aimscheck.cli import (
    as_of_option,
    config_option,
    evidence_root_option,
    guarded,
    no_config_option,
    rules_option,
)


@click.command("explain")
@click.argument("rule")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--subject", metavar="ID", help="The record to explain (default: the first that fails)."
)
@rules_option
@click.option("--no-default-rules", is_flag=True, help="Load only the --rules packs.")
@as_of_option("The date every date rule is judged against (default: today).")
@config_option()
@no_config_option
@evidence_root_option
@guarded
def command(
    rule: str,
    path: Path,
    subject: str | None,
    rules: tuple[Path, ...],
    no_default_rules: bool,
    as_of: dt.date,
    config_path: Path | None,
    no_config: bool,
    evidence_root: Path | None,
) -> None:
    """Evaluate RULE on the export at PATH and show, for one subject, the value of each part
    of its conditions: which requirement failed, and which part of it, with what values.
    Rules load as for `check`: the built-in pack, aimscheck.yaml's packs, then --rules."""
    from aimscheck.explain import ExplainOptions, explain

    click.echo(
        explain(
            ExplainOptions(
                rule=rule,
                path=path,
                subject=subject,
                rules=rules,
                default_rules=not no_default_rules,
                as_of=as_of,
                evidence_root=evidence_root,
                config=config_path,
                use_config=not no_config,
            )
        ),
        nl=False,
    )
