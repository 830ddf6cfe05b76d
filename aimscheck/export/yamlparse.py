"""Safe YAML reading: the node graph bounded in depth and alias expansion, then plain data."""

from __future__ import annotations

import functools
import math
import re
from array import array
from collections.abc import Hashable
from typing import Any, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aimscheck.export.parsing import (
    HUGE_NUMBER,
    Document,
    Duplicates,
    Problem,
    Records,
    number_too_long,
    too_deep,
    too_many,
)
from aimscheck.limits import current, how_to_raise

try:
    from yaml import CSafeLoader as _SafeBase
except ImportError:  # PyYAML built without LibYAML: same results, about 3x slower
    from yaml import SafeLoader as _SafeBase  # type: ignore[assignment]

_TAG = re.compile(r"constructor for the tag '([^']*)'")
# What a scalar constructor raises on a value its tag cannot read (`!!int "abc"`, `!!bool x`).
_BAD_SCALAR = (ValueError, KeyError, AttributeError, TypeError, OverflowError, IndexError)


class BoundedLoader(_SafeBase):
    """PyYAML's safe loader, with numbers (`int`, `float`) refused past `max_number_digits`
    characters before they are converted: converting a sexagesimal integer (`1:59:59:...`)
    is quadratic in its length, and a hex or binary one of any length becomes a huge number."""

    def __init__(self, text: str, max_number: int | None = None) -> None:
        super().__init__(text)
        self.max_number = current().max_number_digits if max_number is None else max_number


class NumberTooLong(yaml.constructor.ConstructorError):
    """A number past `max_number_digits`, refused at its line before it is converted (or,
    with the limit raised, a whole number past what Python can write out: 4,300 digits)."""

    def __init__(self, node: Node, limit: int | None) -> None:
        if limit is None:
            problem, self.hint = HUGE_NUMBER, ""
        else:
            problem = number_too_long(len(node.value), limit)
            self.hint = how_to_raise("max_number_digits")
        super().__init__(None, None, problem, node.start_mark)


_NOT_FINITE = (
    "a number that is infinite or not a number (.inf, .nan, or past 1e308) is not data: "
    "write a finite number, or quote it if it is text"
)
# Python writes out whole numbers of at most 4,300 digits: any message, report or schema error
# showing a larger one would fail. 14,000 bits is about 4,214 digits.
_MAX_BITS = 14_000


class _Loader(BoundedLoader):
    """Safe YAML that reports duplicate keys and keeps data JSON-typed (dates, keys as str)."""

    def __init__(self, text: str, max_number: int | None = None) -> None:
        super().__init__(text, max_number)
        self.duplicates: Duplicates = []
        # The line of every key and list item `plain` reads, in the order of model.field_lines.
        self.lines = array("I")
        self.checked: set[int] = set()
        # Depth-first construction: an alias inside its own anchor (&a [*a]) is then refused
        # instead of becoming a recursive structure that validation would never leave.
        self.deep_construct = True

    def flatten_mapping(self, node: MappingNode) -> None:
        # Merges (<<) rewrite node.value, and a merged node may be flattened before its own
        # construction: check each node's own keys once, before anything is rewritten.
        if id(node) not in self.checked:
            self.checked.add(id(node))
            seen: dict[str, int] = {}
            for key, _ in node.value:
                if not isinstance(key, ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                    continue
                if key.value in seen:
                    message = f"duplicate key {key.value!r} (first at line {seen[key.value]})"
                    self.duplicates.append(
                        (message, key.start_mark.line + 1, key.start_mark.column + 1)
                    )
                else:
                    seen[key.value] = key.start_mark.line + 1
        super().flatten_mapping(node)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, MappingNode):  # `!!map [a]`: a tag that does not fit
            _refuse(self, node, _MISFIT)
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                _refuse(self, key, "a mapping key must be a plain value")
            # The key as written: `1`, `yes` or `2026-01-31` stay the strings a person typed.
            mapping[key.value] = self.construct_object(value, deep=deep)
        return mapping

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """The tag of a node written without one: PyYAML's rules (no path resolvers are ever
        added), without its per-call set-up. The composer asks once per node: millions of
        times for a big export, a fifth of the time LibYAML takes to compose it."""
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _implicit(value[:1]):
                    if regexp.match(value):
                        return tag
            return _STR
        return _MAP if kind is MappingNode else _SEQ

    def plain(self, node: Node) -> Any:
        """The data of a document without anchors, by a tight walk of the usual nodes (text,
        mappings of plain keys, lists); any other node (numbers, dates, merges, tags, bad
        values) goes to the constructor as always. Twice as fast as constructing it all."""
        tag = node.tag
        if tag == _STR and type(node) is ScalarNode:
            return node.value
        if tag == _MAP and type(node) is MappingNode:
            pairs = node.value
            if any(type(key) is not ScalarNode or key.tag == _MERGE for key, _ in pairs):
                return self.construct_object(node, deep=True)
            mapping: dict[Hashable, Any] = {}
            note = self.lines.append
            for key, value in pairs:
                name = key.value  # the key as written, as construct_mapping keeps it
                mark = key.start_mark
                if name in mapping:
                    self.duplicate(pairs, key)
                note(mark.line + 1)
                mapping[name] = self.plain(value)
            return mapping
        if tag == _SEQ and type(node) is SequenceNode:
            items = node.value  # a list's item lines come before what is inside its items
            self.lines.extend([item.start_mark.line + 1 for item in items])
            return [self.plain(item) for item in items]
        return self.construct_object(node, deep=True)

    def duplicate(self, pairs: list[tuple[Node, Node]], key: Node) -> None:
        first = next(k for k, _ in pairs if k.value == key.value).start_mark.line + 1
        message = f"duplicate key {key.value!r} (first at line {first})"
        self.duplicates.append((message, key.start_mark.line + 1, key.start_mark.column + 1))


_MISFIT = "this value's tag does not fit it (a mapping tag on a list, ...): remove the tag"
_STR, _MAP, _SEQ, _MERGE = (f"tag:yaml.org,2002:{n}" for n in ("str", "map", "seq", "merge"))


@functools.cache
def _implicit(first: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The implicit resolvers PyYAML tries on a plain scalar starting with `first`, in order."""
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = _Loader.yaml_implicit_resolvers
    return (*table.get(first, []), *table.get(None, []))


def _unreadable(node: Node, exc: Exception) -> str:
    value = node.value if isinstance(node, ScalarNode) else ""
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"the value {shown!r} is tagged {tag} but cannot be read as one: remove the tag"


def _refuse(loader: _Loader, node: Node, problem: str = "") -> NoReturn:
    if not problem:
        loader.construct_undefined(node)  # raises "could not determine a constructor"
    raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


_MONTHS = "January February March April May June July August September October November December"
_YMD = re.compile(r"(\d{4})-(\d\d?)-(\d\d?)")


def _not_a_date(value: str) -> str:
    """Why a value written as a date is not one, in our words: Python's own (a ValueError's
    text) differs between versions, and the output must not."""
    import calendar  # the error path only

    found = _YMD.match(value)
    if found is None:  # cannot happen: the timestamp pattern matched
        return "not a real date"
    year, month, day = (int(part) for part in found.groups())
    if year < 1:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{_MONTHS.split()[month - 1]} {year} has {last} days"
    return "the time of day is out of range"


def _iso_date(loader: _Loader, node: ScalarNode) -> str:
    try:
        return loader.construct_yaml_timestamp(node).isoformat()
    except ValueError:
        reason = _not_a_date(str(node.value))
        _refuse(loader, node, f"invalid date {node.value!r} ({reason}): give a real date")
    except AttributeError as exc:  # `!!timestamp x`: the pattern did not match at all
        _refuse(loader, node, _unreadable(node, exc))


def _bounded(construct: Any) -> Any:
    """A number constructor that refuses, before converting, a number past the loader's limit."""

    def bounded(loader: BoundedLoader, node: ScalarNode) -> Any:
        if len(node.value) > loader.max_number:
            raise NumberTooLong(node, loader.max_number)
        try:
            value = construct(loader, node)
        except ValueError:  # Python's own bound: more than 4,300 decimal digits
            if len(node.value) > 4000:
                raise NumberTooLong(node, None) from None
            raise
        if type(value) is int and value.bit_length() > _MAX_BITS:  # only past a raised limit
            raise NumberTooLong(node, None)
        if type(value) is float and not math.isfinite(value):  # `.inf`, `.nan`, `1e400`
            raise yaml.constructor.ConstructorError(None, None, _NOT_FINITE, node.start_mark)
        return value

    return bounded


def _checked(construct: Any) -> Any:
    """A scalar constructor whose failures (`!!int "abc"`, `!!bool x`) say where and why."""

    def checked(loader: _Loader, node: ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except _BAD_SCALAR as exc:
            _refuse(loader, node, _unreadable(node, exc))

    return checked


for _kind in ("int", "float"):
    _constructor = getattr(_SafeBase, f"construct_yaml_{_kind}")
    BoundedLoader.add_constructor(f"tag:yaml.org,2002:{_kind}", _bounded(_constructor))
# Only these scalar constructors can fail on a value; wrapping them (not every node) keeps
# construction as fast as before.
for _kind in ("int", "float", "bool"):
    _constructor = BoundedLoader.yaml_constructors[f"tag:yaml.org,2002:{_kind}"]
    _Loader.add_constructor(f"tag:yaml.org,2002:{_kind}", _checked(_constructor))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _iso_date)
for _tag in ("binary", "set", "omap", "pairs"):  # no JSON equivalent: refused like python tags
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)


def _children(node: Node) -> list[Node]:
    """The nodes inside a mapping (keys and values) or a list; none for a scalar."""
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return node.value if isinstance(node, SequenceNode) else []


def expanded_size(root: Node, limit: int, name: str = "max_yaml_mb") -> int:
    """The size in bytes of the document with every alias written out (about: 2 per value).

    Each collection is measured once (memoised) and scalars inline, so a billion-laughs document
    costs a walk of the few nodes it is written with. Raises Problem for an alias inside its own
    anchor, and at the first (innermost) collection whose written-out size passes `limit` (the
    limit called `name`).
    """
    sizes: dict[int, int] = {}
    opened: set[int] = set()  # collections whose children are being measured: the current path
    stack = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in sizes:
            stack.pop()
            continue
        children = _children(node)
        if key not in opened:
            opened.add(key)
            pending = [c for c in children if type(c.value) is list and id(c) not in sizes]
            for child in pending:
                if id(child) in opened:
                    raise _problem(child, _RECURSIVE)
            if pending:
                stack.extend(pending)
                continue
        total = 2
        for child in children:
            value = child.value
            total += len(value) + 2 if type(value) is str else sizes[id(child)]
        if total > limit:
            raise _problem(
                node,
                f"YAML aliases here expand the file past {limit / 2**20:g} MB once written out "
                f"({name}): write the values out rather than repeating aliases of aliases",
                how_to_raise(name),
            )
        sizes[key] = total
        opened.discard(key)
        stack.pop()
    return sizes.get(id(root), 0)


_RECURSIVE = "an alias is used inside its own anchor: an export cannot hold recursive data"
# An anchor (`&name`) starts a node: after a blank, a flow indicator or `:`, never inside a word.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:])&[^\s\[\]{},]", re.MULTILINE)


def _problem(node: Node, message: str, hint: str = "") -> Problem:
    mark = node.start_mark
    return Problem(message, mark.line + 1, mark.column + 1, hint)


def check_depth(root: Node, limit: int, shared: bool) -> None:
    """Raise Problem at the first mapping or list nested more than `limit` deep (level by level).

    Keys are not walked: a key that is a mapping or a list is refused when constructed.
    """
    level = [root] if type(root.value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            raise too_deep(limit, level[0].start_mark.line + 1, level[0].start_mark.column + 1)
        below: list[Node] = []
        for node in level:
            if isinstance(node, MappingNode):
                below.extend([v for _, v in node.value if type(v.value) is list])
            else:
                below.extend([v for v in node.value if type(v.value) is list])
        if shared:  # a node shared through aliases is walked once per level
            below = list({id(node): node for node in below}.values())
        level = below


def check_nodes(
    text: str, root: Node, max_depth: int, max_bytes: int, name: str = "max_yaml_mb"
) -> int:
    """Bound a composed document before anything walks it; raises Problem past a limit.

    Returns its size with aliases written out, or 0 when it has no anchor (its size is then the
    text's). Any reader of untrusted YAML nodes should call it before constructing or walking;
    `name` names the limit `max_bytes` comes from.
    """
    # No anchor: nothing to expand, no walk to pay. (`&` is rare: looked for first, fast.)
    shared = "&" in text and _ANCHOR.search(text) is not None
    size = expanded_size(root, max_bytes, name) if shared else 0
    check_depth(root, max_depth, shared)
    return size


def parse_yaml(
    text: str,
    display: str,
    max_depth: int,
    max_bytes: int,
    records: Records,
    max_number: int | None = None,
) -> tuple[Document, Duplicates]:
    """Parse one YAML document within the depth, expanded-size and number-length limits
    (`max_number`: the limits in force when None), never running code."""
    loader = _Loader(text, max_number)
    try:
        node = loader.get_single_node()
        if node is None:
            raise Problem("empty file (only comments): remove it or give it content", 1)
        size = check_nodes(text, node, max_depth, max_bytes)
        _check_items(node, records)
        # Without anchors every node is used once: the tight walk. With them the constructor
        # builds what aliases repeat once, and shares it, as PyYAML does.
        data = loader.construct_document(node) if size else loader.plain(node)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc, text, max_depth) from None
    except yaml.reader.ReaderError as exc:  # a forbidden character: a position, no mark
        line = text.count("\n", 0, exc.position) + 1
        raise Problem(f"invalid YAML: {exc.reason}: remove the character", line) from None
    except RecursionError:  # only the pure-Python composer recurses before the depth check
        raise too_deep(max_depth, 1) from None
    finally:
        loader.dispose()
    first, lines = node.start_mark.line + 1, array("I") if size else loader.lines
    doc = Document(display, data, first, top_items=_item_lines(node), size=size, lines=lines)
    if isinstance(node, MappingNode):
        for key, value in node.value:  # flattened by now: the last key wins, as in `data`
            doc.keys[key.value] = key.start_mark.line + 1
            doc.items[key.value] = _item_lines(value)
    return doc, loader.duplicates


def _check_items(root: Node, records: Records) -> None:
    """Refuse, before constructing them, more items in top-level lists than the file may hold."""
    left, max_records = records
    lists = [root] if isinstance(root, SequenceNode) else []
    if isinstance(root, MappingNode):
        lists = [value for _, value in root.value if isinstance(value, SequenceNode)]
    for items in lists:
        if len(items.value) > left:
            mark = items.value[max(left, 0)].start_mark
            raise too_many(max_records, mark.line + 1, mark.column + 1)
        left -= len(items.value)


def _item_lines(node: Node) -> list[int]:
    if isinstance(node, SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, max_depth: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 0)
    problem = str(exc.problem)
    if tag := _TAG.search(problem):
        name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        message = f"YAML tag '{name}' is not allowed: an export holds plain data; remove the tag"
        return Problem(message, line, column)
    if "recursive node" in problem:
        return Problem(_RECURSIVE, line, column)
    if "maximum nesting depth" in problem:  # LibYAML's own bound (1000)
        return too_deep(max_depth, line, column)
    if isinstance(exc, NumberTooLong):
        return Problem(problem, line, column, exc.hint)
    if isinstance(exc, yaml.constructor.ConstructorError) and not exc.context:
        if problem.startswith("expected a") and " node, but found " in problem:
            return Problem(_MISFIT, line, column)  # `!!str [a]`, `!!seq {a: 1}`
        return Problem(problem, line, column)  # one of ours: already says what to do
    context = f" ({exc.context})" if exc.context else ""
    if mark and text[mark.index : mark.index + 1] == "\t":
        hint = "YAML indents with spaces only: replace the tab characters with spaces"
    else:
        hint = "check the indentation, colons and quotes here and on the line before"
    return Problem(f"invalid YAML{context}: {problem}", line, column, hint)
