"""One error family for every input problem: a stable code, a location and a clear message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from aimscheck.source import Location


class AimscheckError(Exception):
    """A problem with the input (rules, export, options): the run cannot be made, exit 2."""

    code: ClassVar[str] = "AIMS-E000"

    def __init__(
        self, message: str, location: Location | None = None, snippet: str = "", hint: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.snippet = snippet
        self.hint = hint

    def render(self) -> str:
        """`file:line:col: message`, then the source line and caret, then the hint.

        Messages quote the repo's file names and data: each line is shown with its control
        characters and CI workflow commands made visible (a newline in a value as `\\n`).
        """
        from aimscheck.terminal import visible

        head = f"{self.location}: {self.message}" if self.location else self.message
        parts = [visible(head)]
        if self.snippet:
            parts.extend(visible(line) for line in self.snippet.split("\n"))
        if self.hint:
            parts.append(f"  hint: {visible(self.hint)}")
        return "\n".join(parts)

    def sort_key(self) -> tuple[str, int, int]:
        loc = self.location
        return (loc.file, loc.line, loc.column) if loc else ("", 0, 0)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "location": None
            if self.location is None
            else {
                "file": self.location.file,
                "line": self.location.line,
                "column": self.location.column,
            },
            "hint": self.hint or None,
        }

    def __str__(self) -> str:
        return self.render()


class RuleSyntaxError(AimscheckError):
    """A rule file does not follow the grammar."""

    code = "AIMS-E001"


class RuleSemanticError(AimscheckError):
    """A rule file parses but says something impossible (unknown field, function, control...)."""

    code = "AIMS-E002"


class ExportLoadError(AimscheckError):
    """The export cannot be read: missing file, bad YAML or JSON, duplicate ids."""

    code = "AIMS-E003"


class SchemaError(AimscheckError):
    """The export does not follow the AIMS export schema."""

    code = "AIMS-E004"


class UsageError(AimscheckError):
    """A command-line option or configuration value is wrong."""

    code = "AIMS-E005"


class RuleTestError(AimscheckError):
    """A rule test file is malformed."""

    code = "AIMS-E006"


class ErrorGroup(AimscheckError):
    """Several problems found together; each is reported, sorted by position."""

    code = "AIMS-E100"

    def __init__(self, errors: Iterable[AimscheckError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.sort_key())
        first = self.errors[0] if self.errors else None
        super().__init__(f"{len(self.errors)} problem(s)", first.location if first else None)

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "errors": [e.to_dict() for e in self.errors]}


def raise_all(errors: list[AimscheckError]) -> None:
    """Raise nothing, the one error, or an ErrorGroup of all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorGroup(errors)


class EvaluationError(Exception):
    """A rule could not be evaluated for one subject; becomes an `error` outcome, never a crash."""


# Exceptions that mean "this rule cannot be evaluated for this subject" rather than a bug in
# aimscheck: they become an ERROR result with the message.
EVAL_ERRORS = (EvaluationError, ArithmeticError, RecursionError, ValueError, TypeError)
