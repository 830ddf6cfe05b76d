"""Where the shipped grammar, default rule pack and schema live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """`aimscheck/<name>` in an installed wheel, else the top-level `<name>/` of a checkout."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def grammar_path() -> Path:
    return _shipped("grammar") / "aims.lark"


def rules_root() -> Path:
    return _shipped("rules")


def default_pack() -> Path:
    """The ISO/IEC 42001 pack every check runs unless told otherwise."""
    return rules_root() / "iso42001"
