"""The command line: a thin click group over the library; exit codes as named constants."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from aimscheck import __version__

EXIT_OK = 0  # conforms at the --fail-on threshold
EXIT_FINDINGS = 1  # findings at or above the threshold
EXIT_ERROR = 2  # the run could not be made: bad rules, invalid export, bad options
# The reader of our output went away (`aimscheck fmt --diff | head`): the status a program
# killed by SIGPIPE has in the shell (128 + 13), as conftest (Go), git and the coreutils give.
# Not 0: a pipeline under `set -o pipefail` must not take a cut-off report for a full one.
EXIT_CLOSED_PIPE = 141

F = TypeVar("F", bound=Callable[..., Any])
# Each line of an error message is cut here: a message names a file, a line and what to do, and
# a megabyte of data quoted in one must not flood the CI log.
MAX_ERROR_LINE = 2000


# Set by `run`, the entry point of the `aimscheck` program. Commands invoked otherwise (a
# test's CliRunner, an embedding tool) exit by raising SystemExit, as click commands do.
_PROGRAM: list[bool] = []


def run() -> None:
    """The `aimscheck` program (its console script and `python -m aimscheck`)."""
    _PROGRAM.append(True)
    try:
        main(prog_name="aimscheck")
    except SystemExit:
        try:  # what is still buffered meets the closed pipe here, at the latest
            sys.stdout.flush()
        except BrokenPipeError:
            closed_pipe()
        raise


def closed_pipe() -> NoReturn:
    """End quietly when standard output was closed by its reader: no message (nobody reads
    it, and `head` has what it asked for), status EXIT_CLOSED_PIPE."""
    if _PROGRAM:
        # Python's advice (its signal module docs, "Note on SIGPIPE"): point stdout at
        # devnull, so that the flush at exit does not fail again and print a traceback.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        os._exit(EXIT_CLOSED_PIPE)
    sys.exit(EXIT_CLOSED_PIPE)


def exit_now(code: int) -> NoReturn:
    """End a command that holds a whole export with exit `code`.

    As the program, the process ends at once: otherwise Python frees the export, the rules
    and every result one object at a time (about 0.4 s on a large export), for nothing. The
    reports are already written and closed; standard output and error are flushed first.
    Under a profiler, coverage or a debugger the exit is the usual one: they write at exit.
    """
    if _PROGRAM and sys.getprofile() is None and sys.gettrace() is None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            closed_pipe()
        except (OSError, ValueError):
            pass
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def fail(error: Exception) -> NoReturn:
    """Print one clear message (never a traceback), never empty and never huge, and exit 2."""
    from aimscheck.errors import AimscheckError

    text = error.render() if isinstance(error, AimscheckError) else str(error)
    if isinstance(error, MemoryError):  # whose text is empty
        text = (
            "out of memory: this run needs more memory than the process may use; give it more, "
            "or lower the limits of docs/security.md (such as max_export_mb) to fail earlier"
        )
    elif not text.strip():
        text = f"{type(error).__name__} without a message; please report it"
    from aimscheck.terminal import visible  # messages quote the repo's data

    text = "\n".join(_cut_line(visible(line)) for line in text.strip("\n").split("\n"))
    click.echo(
        f"aimscheck: error: {text}" if "\n" not in text else f"aimscheck: error:\n{text}", err=True
    )
    sys.exit(EXIT_ERROR)


def _cut_line(line: str) -> str:
    """A line of an error message, cut at MAX_ERROR_LINE characters with a visible `…`."""
    return line if len(line) <= MAX_ERROR_LINE else f"{line[:MAX_ERROR_LINE]}…"


# `--rules DIR`, shared by every command that loads rule packs.
rules_option = click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A folder (or .aims file) of extra rules; repeatable.",
)


no_config_option = click.option("--no-config", is_flag=True, help="Ignore aimscheck.yaml.")
evidence_root_option = click.option(
    "--evidence-root",
    type=click.Path(path_type=Path),
    help="Where evidence paths are resolved (default: the export root).",
)
# The CI operator's widening of what proof files may be, and of the input limits.
allow_hard_links_option = click.option(
    "--allow-hard-links",
    is_flag=True,
    help="Accept proof files that have other names (hard links); see docs/security.md.",
)
limit_option = click.option(
    "--limit",
    "limit_settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Raise or lower one input limit (see docs/security.md); repeatable.",
)


def config_option(
    help: str = "The configuration file (default: aimscheck.yaml beside the export).",
) -> Callable[[F], F]:
    """`--config FILE`, read into the parameter `config_path`."""
    return click.option(
        "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help=help
    )


def as_of_option(help: str, callback: Callable[..., dt.date] | None = None) -> Callable[[F], F]:
    """`--as-of YYYY-MM-DD`, a date (by default `parse_date`'s: today in UTC when not given)."""
    return click.option("--as-of", callback=callback or parse_date, metavar="YYYY-MM-DD", help=help)


def guarded(func: F) -> F:
    """Turn every input problem, and any unforeseen failure, into exit 2 with a message."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from aimscheck.errors import AimscheckError

        try:
            return func(*args, **kwargs)
        except AimscheckError as exc:
            fail(exc)
        except BrokenPipeError:  # `aimscheck … | head`: the reader has what it wanted
            closed_pipe()
        except (OSError, MemoryError, RecursionError) as exc:
            fail(exc)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for debugging
            if _debugging():
                raise
            fail(
                RuntimeError(
                    f"internal error ({type(exc).__name__}: {exc}); please report it, "
                    "with AIMSCHECK_DEBUG=1 set to see the traceback"
                )
            )

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper  # type: ignore[return-value]


def _debugging() -> bool:
    """AIMSCHECK_DEBUG is on (a bad value was reported when the command started)."""
    from aimscheck.envflags import flag

    try:
        return flag("AIMSCHECK_DEBUG")
    except Exception:
        return False


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date:
    """`--as-of`: the date given, else today in UTC for every command (docs/export.md)."""
    if value is None:
        from aimscheck.export.dates import today

        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


# The commands, each in the module of its name under aimscheck/commands/, imported only when the
# command runs: `aimscheck check` does not pay for `fmt` or `lint`, and `--help` lists them from
# here without importing any. Each line is a whole sentence that fits the listing: click would
# cut a longer docstring mid-sentence.
COMMANDS = {
    "check": "Check an AIMS export against the rules and write the reports.",
    "test": "Run the tests (*.tests.yaml) of rule packs.",
    "lint": "Report every error in rule files without running them.",
    "fmt": "Put rule files in the one canonical layout.",
    "explain": "Show, part by part, why a rule fails or passes for a record.",
    "rules": "List the rules of the loaded packs.",
    "evidence": "Inventory the proof files of an export and check their sha256.",
    "init": "Create a governance repo that passes the check from the start.",
    "lsp": "Serve lint, hover and completion for rule files to an editor.",
}


class _Commands(dict[str, click.Command]):
    """The group's commands; a registered name counts as present before its module loads."""

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or super().__contains__(name)


class _LazyGroup(click.Group):
    """A click group that imports each command's module on first use, suggests the command
    meant by a misspelt one, and reports click's usage errors in the layout of every other
    error (`aimscheck: error: …` with a hint, exit 2)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if self.commands.get(cmd_name) is None and cmd_name in COMMANDS:
            module = importlib.import_module(f"aimscheck.commands.{cmd_name}")
            module.command.short_help = COMMANDS[cmd_name]
            self.add_command(module.command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if name in COMMANDS or ctx.resilient_parsing or name.startswith("-"):
            return super().resolve_command(ctx, args)
        # Unknown: suggest from every command, loaded or not (click's own list holds only
        # the loaded ones).
        raise click.exceptions.NoSuchCommand(name, possibilities=COMMANDS, ctx=ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name]) for name in sorted(COMMANDS)])

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # a bare `aimscheck`: the help
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            fail(usage_error(exc))
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(EXIT_FINDINGS)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


def usage_error(exc: click.ClickException) -> Exception:
    """Click's message (a bad option, value or command) as the project's usage error, with a
    hint that names the help to read."""
    from aimscheck.errors import UsageError

    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "aimscheck"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        return UsageError(exc.format_message(), hint=f"'{where} --help' lists the commands")
    hint = f"see '{where} --help'" if ctx is not None else ""
    return UsageError(exc.format_message(), hint=hint)


@click.group("aimscheck", cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aimscheck")
def main() -> None:
    """Check an ISO/IEC 42001 AI management system export against conformity rules."""
    from aimscheck.envflags import check_switches
    from aimscheck.errors import AimscheckError

    try:  # AIMSCHECK_NO_CACHE=maybe is an error whether or not the command reads the cache
        check_switches()
    except AimscheckError as exc:
        fail(exc)


def _register() -> None:
    """Every command lives in its own module under aimscheck/commands/ (see COMMANDS)."""
    main.commands = _Commands(main.commands)


_register()
