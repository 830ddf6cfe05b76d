"""The pack an open file belongs to: its rule and test files, read from the editor or the disk."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aimscheck.dsl import nodes as n
from aimscheck.export.fields import FieldType
from aimscheck.source import Span

if TYPE_CHECKING:
    from aimscheck.dsl.memo import Memo

TESTS = ".tests.yaml"
# Declared fields by the id of the type they are added to (aimscheck.dsl.declare).
Custom = Mapping[int, Mapping[str, FieldType]]


@dataclass(frozen=True, slots=True)
class Entry:
    """Something a rule file defines, with its place: a rule, or a shared definition."""

    kind: str  # "rule" or "define"
    name: str
    file: str
    span: Span
    rule: n.Rule | None = None
    definition: n.Definition | None = None


@dataclass(frozen=True, slots=True)
class Pack:
    """The rule files of an open file's folder and the built-in pack loaded beside them."""

    folder: Path
    own: tuple[Path, ...]
    builtin: tuple[Path, ...]  # empty when the folder is the built-in pack itself


@functools.cache
def _builtin_files() -> tuple[Path, ...]:
    from aimscheck.dsl.ruleset import rule_files
    from aimscheck.resources import default_pack

    return tuple(p.absolute() for p in rule_files([default_pack()]))


def pack_of(path: Path) -> Pack:
    """The pack of a rule or test file: every .aims file of its folder (the file itself even
    before it is saved), with the built-in pack beside unless it is that pack."""
    folder = path.absolute().parent
    own = sorted(folder.rglob("*.aims"))
    if path.suffix == ".aims" and path.absolute() not in own:
        own.append(path.absolute())
    builtin = _builtin_files()
    if any(p in own for p in builtin):
        builtin = ()
    return Pack(folder, tuple(own), builtin)


def read(path: Path, buffers: Mapping[Path, str]) -> str | None:
    """A file's text: the editor's buffer when it is open, else the disk's (None if unreadable)."""
    if path in buffers:
        return buffers[path]
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def parsed(path: Path, text: str, memo: Memo) -> n.RuleFile:
    """What can be parsed of a rule file: the parse the pack's last lint kept for this text
    (hover and completion ask for the whole pack's rules at every request)."""
    return memo.parse(text, str(path))[0]


def entries(pack: Pack, buffers: Mapping[Path, str], memo: Memo) -> dict[str, Entry]:
    """The rules and shared definitions of the pack and the built-in pack, by id or name; a
    rule of the pack wins over the built-in one it overrides."""
    found: dict[str, Entry] = {}
    for path in (*pack.builtin, *pack.own):
        text = read(path, buffers)
        if text is None:
            continue
        rf = parsed(path, text, memo)
        for rule in rf.rules:
            found[rule.id] = Entry("rule", rule.id, str(path), rule.span, rule=rule)
        if path not in pack.own:
            continue  # a pack's definitions are its own rules' (docs/language.md)
        for d in rf.definitions:
            entry = Entry("define", d.name, str(path), d.span, definition=d)
            found.setdefault(f"define {d.name}", entry)
    return found


def declared(pack: Pack, buffers: Mapping[Path, str], memo: Memo) -> Custom:
    """The fields the pack's files declare, as the compiler adds them to the export's types."""
    from aimscheck.dsl.declare import declare
    from aimscheck.export.fields import export_type

    files = [
        parsed(path, text, memo)
        for path in (*pack.builtin, *pack.own)
        if (text := read(path, buffers)) is not None
    ]
    return declare(files, export_type(), []).custom


def builtin_rule(rule_id: str, memo: Memo) -> Entry | None:
    """The built-in pack's rule with this id (what a rule that `overrides` replaces)."""
    for path in _builtin_files():
        text = read(path, {})
        if text is None:
            continue
        for rule in parsed(path, text, memo).rules:
            if rule.id == rule_id:
                return Entry("rule", rule.id, str(path), rule.span, rule=rule)
    return None
