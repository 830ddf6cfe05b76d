"""Yes-or-no environment variables: one reading of on and off for every AIMSCHECK_* switch."""

from __future__ import annotations

import os
from collections.abc import Mapping

from aimscheck.errors import UsageError

ON = ("1", "true", "yes", "on")
OFF = ("0", "false", "no", "off")
# aimscheck's own switches, checked when a command starts: a misspelt value is an error at
# once, not when (or whether) the code that reads it happens to run.
SWITCHES = ("AIMSCHECK_NO_CACHE", "AIMSCHECK_DEBUG")


def word(text: str | None) -> bool | None:
    """True or False for a yes-or-no word (any case, spaces around ignored); None for an
    unset or empty value; raises ValueError for anything else."""
    if text is None:
        return None
    folded = text.strip().lower()
    if not folded:
        return None
    if folded in ON:
        return True
    if folded in OFF:
        return False
    raise ValueError(text)


def flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """The switch `name` (False when unset or empty); any other word is a UsageError naming
    the variable and the words it takes, so that `AIMSCHECK_NO_CACHE=false` never means on."""
    text = (os.environ if environ is None else environ).get(name)
    try:
        return word(text) is True
    except ValueError:
        shown = text if text is not None and len(text) <= 20 else f"{(text or '')[:20]}…"
        raise UsageError(
            f"the environment variable {name} is {shown!r}, which is neither on nor off",
            hint=f"set it to one of {', '.join(ON)} (on) or {', '.join(OFF)} (off), "
            "or leave it empty",
        ) from None


def check_switches(environ: Mapping[str, str] | None = None) -> None:
    """Raise a UsageError for the first AIMSCHECK_* switch whose value is not a yes-or-no word."""
    for name in SWITCHES:
        flag(name, environ)
