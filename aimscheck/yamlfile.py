"""Small YAML files (configuration, waivers) read safely, with the line of every value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimscheck.errors import AimscheckError, UsageError, raise_all
from aimscheck.source import Location

# A JSON path as a tuple of keys and list indexes: ("waivers", 0, "expires").
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and the line of every value, by JSON path."""

    path: Path
    display: str
    data: Any
    lines: dict[Path_, int]

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


def read_yaml(path: Path, what: str) -> YamlDocument:
    """Parse a small YAML file (safe loader only), noting where every value starts."""
    import yaml

    shown = display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {shown}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} {shown}: {exc}") from None
    try:
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - PyYAML without LibYAML
        from yaml import SafeLoader as Loader  # type: ignore[assignment]
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        reader = _NodeReader(loader, shown)
        data = None if node is None else reader.value(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown, 1)
        raise UsageError(
            f"invalid YAML in {what}: {exc.problem}",
            where,
            hint="check the indentation, colons and quotes here and on the line before",
        ) from None
    except yaml.YAMLError as exc:
        raise UsageError(f"invalid YAML in {what} {shown}: {exc}") from None
    finally:
        loader.dispose()
    raise_all(list(reader.errors))
    return YamlDocument(path, shown, data, reader.lines)


class _NodeReader:
    """Builds plain data from a composed YAML node tree, recording lines and duplicate keys."""

    def __init__(self, loader: Any, shown: str) -> None:
        self.loader, self.shown = loader, shown
        self.lines: dict[Path_, int] = {}
        self.errors: list[AimscheckError] = []
        self.open: set[int] = set()

    def value(self, node: Any, path: Path_) -> Any:
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
        return self.loader.construct_object(node, deep=True)

    def location(self, node: Any) -> Location:
        mark = node.start_mark
        return Location(self.shown, mark.line + 1, mark.column + 1)
