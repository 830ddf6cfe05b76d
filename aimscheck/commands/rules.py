"""`aimscheck rules`: list the rules with their metadata, filter them, show what they cover."""

from __future__ import annotations

from pathlib import Path

import click

from aimscheck.cli import config_option, guarded, no_config_option, rules_option


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
    fmt: str,
    output: Path | None,
) -> None:
    """List the rules of the loaded packs (default: the built-in one) with their metadata.

    Filters of different kinds must all hold; several values of one filter are alternatives.
    --format markdown writes the rule catalogue (as in docs/rules.md); --coverage lists every
    clause of ISO/IEC 42001 and every Annex A control with the rules that check it.
    """
    from aimscheck.check import load_ruleset
    from aimscheck.config import find_config, load_config
    from aimscheck.rulelist import render, select

    packs, default = list(rules), not no_default_rules
    found = None if no_config else config_path or find_config(Path("."))
    if found is not None:
        config = load_config(found)
        packs, default = [*config.packs, *packs], default and config.default_pack
    ruleset = load_ruleset(packs, default_rules=default)
    infos = select([r.info for r in ruleset.rules], clause, control, phase, tag, severity)
    text = render(infos, fmt, coverage)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        from aimscheck.output import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n")
