"""Progress on stderr for people at a terminal; silent in CI, in pipes and with --quiet."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from aimscheck.envflags import word

# Environment variables CI services set (Jenkins sets no CI variable, Azure DevOps TF_BUILD).
CI_VARIABLES = (
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "JENKINS_URL",
    "BUILD_NUMBER",
    "TF_BUILD",
    "BUILDKITE",
    "CIRCLECI",
    "TEAMCITY_VERSION",
    "BITBUCKET_BUILD_NUMBER",
)
DELAY = 0.5  # seconds before the first line: a quick run shows no progress at all
INTERVAL = 0.1  # at most ten redraws a second


def in_ci(environ: Mapping[str, str]) -> bool:
    """True when a CI service runs us (CI=false, 0, no or off says it does not).

    These variables are the CI services', not aimscheck's: any other value of CI (even one
    that is not a yes-or-no word) means CI, and is never an error.
    """
    try:
        off = word(environ.get("CI")) is False
    except ValueError:
        off = False
    names = CI_VARIABLES[1:] if off else CI_VARIABLES
    return any(environ.get(name, "").strip() for name in names)


def wanted(stream: TextIO, environ: Mapping[str, str], quiet: bool) -> bool:
    """Progress only for a person: a terminal on stderr, not CI, not a dumb terminal, not quiet."""
    if quiet or in_ci(environ) or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """One status line, redrawn in place and wiped when the run ends.

    A disabled Progress does nothing at all, so callers never test whether it is on.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        enabled: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.clock = clock
        self.started = clock()
        self.last = float("-inf")
        self.shown = False
        self.width = 0

    @classmethod
    def for_terminal(cls, quiet: bool = False) -> Progress:
        """Progress on stderr when a person watches it, otherwise a silent one."""
        return cls(sys.stderr, wanted(sys.stderr, os.environ, quiet))

    def stage(self, text: str) -> None:
        """A step without a count: `loading the export`."""
        self._draw(text)

    def step(self, done: int, total: int, what: str, item: str = "") -> None:
        """A counted step: `evaluating rules 34/80 AIMS-6.1.3-02`."""
        percent = done * 100 // total if total else 100
        self._draw(f"{what} {done}/{total} ({percent}%) {item}".rstrip())

    def _draw(self, text: str) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < DELAY or now - self.last < INTERVAL:
            return
        self.last = now
        line = f"aimscheck: {text}"[:79]
        # Pad over the previous line instead of an escape code: works on every terminal.
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)
        self.shown = True

    def close(self) -> None:
        """Wipe the status line so that the report or an error starts on a clean line."""
        if self.shown:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.shown = False
            self.width = 0
