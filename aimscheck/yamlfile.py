"""Small YAML files (configuration, waivers) read safely, with the line of every value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimscheck.errors import AimscheckError, UsageError, raise_all
from aimscheck.inputfile import MB, Kind, Refused, read_text
from aimscheck.limits import current, how_to_raise
from aimscheck.source import Location, render_snippet

# A JSON path as a tuple of keys and list indexes: ("waivers", 0, "expires").
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and the line of every value, by JSON path."""

    path: Path
    display: str
    data: Any
    lines: dict[Path_, int]
    # With `read_yaml(..., collect=True)`: what the reader refused (duplicate keys, impossible
    # dates), left for the caller to report with its own problems, in one run.
    problems: tuple[AimscheckError, ...] = ()
    refused: frozenset[Path_] = frozenset()  # where the values of `problems` are

    def at(self, path: Path_) -> Location:
        """The line of the value at `path`, or of the nearest enclosing value that has one."""
        while path not in self.lines and path:
            path = path[:-1]
        return Location(self.display, self.lines.get(path, 1))


def display(path: Path) -> str:
    """A path as messages show it: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_small_text(path: Path, what: str) -> str:
    """The text of a small YAML file (configuration, waivers, rule tests): a plain file within
    `max_config_mb`. Raises Refused, or OSError and UnicodeDecodeError as reading does."""
    return read_text(path, Kind(what, "max_config_mb", "it should hold a few entries"))


def bound_nodes(text: str, node: Any, what: str) -> tuple[str, int, int, str] | None:
    """Why a composed YAML document must not be walked, or None when it may.

    Past `max_depth` or, aliases written out, past `max_config_mb`: an alias bomb (a kilobyte
    expanding to billions of values) or nesting thousands deep would otherwise hang or crash
    whatever walks the data. Returns (message, line, column, hint).
    """
    from aimscheck.export.parsing import Problem
    from aimscheck.export.yamlparse import check_nodes

    limits = current()
    try:
        check_nodes(text, node, limits.max_depth, int(limits.max_config_mb * MB), "max_config_mb")
    except Problem as problem:
        message = problem.message
        if "inside its own anchor" in message:  # said for an export: say it for this file
            message = "a recursive alias: an alias is used inside its own anchor"
        elif "(max_depth)" in message:
            message = too_deep(what)
        return message, problem.line, problem.column, problem.hint
    return None


def too_deep(what: str) -> str:
    """The message of data nested past `max_depth` (its hint: `how_to_raise("max_depth")`)."""
    return (
        f"data nested more than {current().max_depth} levels deep (max_depth): "
        f"a {what} nests a few levels; flatten this value"
    )


def libyaml_too_deep(exc: Exception) -> bool:
    """Whether a YAML error is LibYAML's own bound on nesting (1,000 levels)."""
    return "maximum nesting depth" in str(getattr(exc, "problem", ""))


_YAML_HINT = "check the indentation, colons and quotes here and on the line before"
_NO_COLON_HINT = "write a ':' after the key, then its value (name: value)"


def yaml_problem(
    exc: Any, text: str, shown: str, what: str, kind: type[AimscheckError] = UsageError
) -> AimscheckError:
    """A YAML syntax error as every small YAML file tells it (configuration, waivers, rule
    tests): `invalid YAML in <what>` at the line of the mistake, its source line with a caret,
    and how to fix it. A key without its ':' is found only on the next line: the error is
    moved to the key, where the ':' is missing."""
    mark = exc.problem_mark or exc.context_mark
    hint = _YAML_HINT
    if exc.context == "while scanning a simple key" and exc.context_mark is not None:
        mark, hint = exc.context_mark, _NO_COLON_HINT
    if mark is None:
        return kind(f"invalid YAML in {what}: {exc.problem}", Location(shown, 1), hint=hint)
    line, column = mark.line + 1, mark.column + 1
    return kind(
        f"invalid YAML in {what}: {exc.problem}",
        Location(shown, line, column),
        render_snippet(text, line, column),
        hint,
    )


def _too_deep_for_python(shown: str) -> tuple[str, Location, str, str]:
    return (
        f"data nested too deeply for Python to read (max_depth is {current().max_depth}): "
        "flatten it",
        Location(shown, 1),
        "",
        "lower the limit: AIMSCHECK_MAX_DEPTH=N or --limit max_depth=N",
    )


def read_yaml(path: Path, what: str, collect: bool = False) -> YamlDocument:
    """Parse a small YAML file (safe loader only), noting where every value starts.

    The problems of single values are raised, or with `collect` kept in `problems`."""
    import yaml

    shown = display(path)
    try:
        text = read_small_text(path, what)
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {shown}") from None
    except Refused as exc:
        raise UsageError(exc.message, Location(shown, 1), hint=exc.hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {shown}: {exc}") from None
    from aimscheck.export.yamlparse import BoundedLoader, NumberTooLong

    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and (bound := bound_nodes(text, node, what)) is not None:
            message, line, column, hint = bound
            raise UsageError(message, Location(shown, line, column), hint=hint)
        reader = _NodeReader(loader, shown, what, text)
        data = None if node is None else reader.value(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown, 1)
        if isinstance(exc, NumberTooLong):
            raise UsageError(str(exc.problem), where, hint=exc.hint) from None
        if libyaml_too_deep(exc):
            raise UsageError(too_deep(what), where, hint=how_to_raise("max_depth")) from None
        raise yaml_problem(exc, text, shown, what) from None
    except yaml.YAMLError as exc:
        raise UsageError(f"invalid YAML in {what} {shown}: {exc}") from None
    except RecursionError:  # only when max_depth is raised past what Python can walk
        raise UsageError(*_too_deep_for_python(shown)) from None
    finally:
        loader.dispose()
    if not collect:
        raise_all(list(reader.errors))
    return YamlDocument(
        path, shown, data, reader.lines, tuple(reader.errors), frozenset(reader.refused)
    )


def _unreadable(node: Any, where: Location) -> UsageError:
    """The message of a scalar whose explicit tag does not fit it (`!!int abc`)."""
    shown = repr(node.value) if len(str(node.value)) <= 40 else repr(str(node.value)[:37] + "...")
    return UsageError(
        f"{shown} cannot be read as {node.tag.replace('tag:yaml.org,2002:', '!!')}",
        where,
        hint="write the value without a tag (no `!` or `!!` before it)",
    )


class _NodeReader:
    """Builds plain data from a composed YAML node tree, recording lines and duplicate keys."""

    def __init__(
        self, loader: Any, shown: str, what: str = "configuration", text: str = ""
    ) -> None:
        self.loader, self.shown, self.what, self.text = loader, shown, what, text
        self.refused: set[Path_] = set()  # values refused here: the schema says nothing more
        self.lines: dict[Path_, int] = {}
        self.errors: list[AimscheckError] = []
        self.open: set[int] = set()

    def value(self, node: Any, path: Path_) -> Any:
        import yaml
        from yaml.nodes import MappingNode, SequenceNode

        self.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in self.open:  # an alias inside its own anchor
            self.errors.append(UsageError("a recursive alias", self.location(node)))
            return None
        if isinstance(node, SequenceNode):
            self.open.add(id(node))
            items = [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
            self.open.discard(id(node))
            return items
        if isinstance(node, MappingNode):
            self.open.add(id(node))
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if not isinstance(key, str):
                    message = "a key must be a plain word, not a list or a mapping"
                    self.errors.append(UsageError(message, self.location(key_node)))
                    continue
                if key in out:
                    first = self.lines.get((*path, key), 0)
                    message = f"duplicate key '{key}' (first at line {first}): keep one"
                    self.errors.append(UsageError(message, self.location(key_node)))
                    continue
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[str(key)] = self.value(value_node, (*path, str(key)))
            self.open.discard(id(node))
            return out
        try:
            value = self.loader.construct_object(node, deep=True)
            # Settings are text, numbers, true/false and dates: `!!binary`, `!!set` are not.
            if isinstance(value, str | int | float | dt.date) or value is None:
                return value
            self.refused.add(path)
            self.errors.append(_unreadable(node, self.location(node)))
        except yaml.MarkedYAMLError as exc:  # a number too long: its own message
            from aimscheck.export.yamlparse import NumberTooLong

            self.refused.add(path)
            where = self.location(node)
            if isinstance(exc, NumberTooLong):
                self.errors.append(UsageError(str(exc.problem), where, hint=exc.hint))
            else:  # a tag no constructor knows: as a YAML mistake is said (yaml_problem)
                message = f"invalid YAML in {self.what}: {exc.problem}"
                snippet = render_snippet(self.text, where.line, where.column) if self.text else ""
                hint = "write the value without a tag (no `!` or `!!` before it)"
                self.errors.append(UsageError(message, where, snippet, hint))
        except (ValueError, TypeError, LookupError, AttributeError, OverflowError, yaml.YAMLError):
            # An impossible date (2027-02-30) raises out of PyYAML's constructor: it stays
            # text, as if quoted, for the setting that wants a date to refuse at its line.
            if node.tag != "tag:yaml.org,2002:timestamp":
                self.refused.add(path)
                self.errors.append(_unreadable(node, self.location(node)))
        return node.value

    def location(self, node: Any) -> Location:
        mark = node.start_mark
        return Location(self.shown, mark.line + 1, mark.column + 1)
