"""The bounds that keep every run finite on hostile input: sizes, depths and evaluation work."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from aimscheck.errors import UsageError

ENV_PREFIX = "AIMSCHECK_"


@dataclass(frozen=True, slots=True)
class Limits:
    """Every limit, with its default. Each can be set by `AIMSCHECK_<NAME>` or `--limit NAME=N`.

    The defaults sit far above what real governance repos and rule packs need (hundreds to a
    few thousand records; the largest benchmark export has 184,000) and far below what would
    take many minutes or gigabytes. docs/security.md explains each; hitting one is a clear error.
    """

    # ---- the export (aimscheck/export/) ---------------------------------------------------
    max_file_mb: float = 64  # one export file; JSON costs about 10x its size in memory
    max_yaml_mb: float = 16  # one YAML file, aliases written out: YAML costs about 40x
    max_export_mb: float = 256  # every export file together, aliases written out
    max_files: int = 100_000  # export files read
    max_records: int = 250_000  # items of the files' top-level lists (the benchmark: 184,000)
    max_depth: int = 64  # mappings and lists inside each other (records nest 4-6 deep)
    max_number_digits: int = 100  # characters of a YAML or JSON number, checked before conversion
    # ---- rule packs (aimscheck/dsl/) ------------------------------------------------------
    max_rule_file_mb: float = 0.25  # one .aims file (the pack's largest is 32 kB): ~3 s to parse
    max_rule_depth: int = 100  # brackets, operators and field steps inside each other
    # ---- proof files (aimscheck/evidence.py) ---------------------------------------------
    max_proof_mb: float = 512  # one proof file, hashed (never parsed); its size read by fstat
    # ---- configuration and rule tests (aimscheck.yaml, waivers, *.tests.yaml) ------------------
    max_config_mb: float = 2  # one such file, aliases written out (the pack's largest: 40 kB)
    max_regex_pattern: int = 1_000  # characters of a `matches` pattern
    max_regex_subject: int = 100_000  # characters of a text `matches` will search
    # ---- evaluation (aimscheck/engine.py) -------------------------------------------------
    max_text: int = 1_000_000  # characters a `+` of texts may build
    max_message: int = 2_000  # characters of a result's message, cut while it is built
    max_message_value: int = 500  # characters of one value shown in a message
    max_rule_steps: int = 1_000_000  # work of one rule, plus steps_per_record per record
    max_run_steps: int = 10_000_000  # work of all rules, plus 10 x steps_per_record per record
    steps_per_record: int = 20  # how the budgets grow with the export

    def rule_budget(self, records: int) -> int:
        """Steps one rule may take on an export of `records` records."""
        return self.max_rule_steps + self.steps_per_record * records

    def run_budget(self, records: int) -> int:
        """Steps all rules together may take on an export of `records` records."""
        return self.max_run_steps + 10 * self.steps_per_record * records

    def replace(self, settings: Iterable[tuple[str, str]], source: str) -> Limits:
        """A copy with `(name, text)` settings applied; a bad name or value is a UsageError."""
        changes: dict[str, float | int] = {}
        for name, text in settings:
            kind = _FIELDS.get(name)
            if kind is None:
                raise UsageError(
                    f"unknown limit '{name}' in {source}",
                    hint="the limits are: " + ", ".join(_FIELDS),
                )
            changes[name] = _number(name, text, kind, source)
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


_FIELDS: dict[str, type] = {
    f.name: float if f.type in ("float", float) else int for f in dataclasses.fields(Limits)
}


def env_name(name: str) -> str:
    """The environment variable of a limit: `max_file_mb` is AIMSCHECK_MAX_FILE_MB."""
    return ENV_PREFIX + name.upper()


def how_to_raise(name: str) -> str:
    """The hint every limit error ends with."""
    return f"if the input is genuine, raise the limit: {env_name(name)}=N or --limit {name}=N"


def _number(name: str, text: str, kind: type, source: str) -> float | int:
    try:
        value: float | int = kind(text.strip().replace("_", ""))
    except ValueError:
        value = -1
    if value <= 0 or value != value:  # also refuses NaN
        what = "a whole number" if kind is int else "a number"
        raise UsageError(f"limit {name} in {source} must be {what} above 0, got {text!r}")
    return value


def parse_settings(texts: Iterable[str], source: str = "--limit") -> list[tuple[str, str]]:
    """`["max_depth=100"]` as `[("max_depth", "100")]`; text without `=` is a UsageError."""
    out: list[tuple[str, str]] = []
    for text in texts:
        name, sep, value = text.partition("=")
        if not sep:
            raise UsageError(f"{source} takes NAME=VALUE (such as max_file_mb=128), got {text!r}")
        out.append((name.strip().lower(), value))
    return out


@functools.lru_cache(maxsize=8)
def _from_env(values: tuple[str | None, ...]) -> Limits:
    given = [(name, text) for name, text in zip(_FIELDS, values, strict=True) if text is not None]
    return Limits().replace(given, "the environment") if given else Limits()


def from_env() -> Limits:
    """The defaults with every `AIMSCHECK_<NAME>` environment variable applied."""
    return _from_env(tuple(os.environ.get(env_name(name)) for name in _FIELDS))


_ACTIVE: ContextVar[Limits | None] = ContextVar("aimscheck_limits", default=None)


def current() -> Limits:
    """The limits in force: those set by `use()`, else the defaults and the environment."""
    active = _ACTIVE.get()
    return active if active is not None else from_env()


@contextlib.contextmanager
def use(limits: Limits) -> Iterator[Limits]:
    """Make `limits` the ones in force inside the block (the CLI wraps each command)."""
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)


def configured(settings: Iterable[str] = ()) -> Limits:
    """The environment's limits with `--limit NAME=VALUE` options applied on top."""
    return from_env().replace(parse_settings(settings), "--limit")
