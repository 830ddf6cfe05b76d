"""Every limit is documented, set by its environment variable or `--limit`, and refused if bad."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from aimscheck.errors import UsageError
from aimscheck.limits import Limits, configured, env_name, from_env, how_to_raise

ROOT = Path(__file__).resolve().parents[1]
NAMES = [f.name for f in dataclasses.fields(Limits)]


def documented() -> dict[str, str]:
    """The rows of docs/security.md's Limits table: limit name -> its default as written."""
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    table = text.split("## Limits", 1)[1].split("\n\n|", 1)[1].split("\n\n", 1)[0]
    return dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", "|" + table, re.MULTILINE))


def test_every_limit_has_a_row_in_the_security_doc_with_its_default() -> None:
    rows = documented()
    assert sorted(rows) == sorted(NAMES)
    for name in NAMES:
        default = getattr(Limits(), name)
        assert float(rows[name].replace(",", "")) == default, name


def test_the_message_limits_are_set_like_any_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env_name("max_message"), "300")
    assert from_env().max_message == 300
    assert configured(["max_message_value=40"]).max_message_value == 40
    assert how_to_raise("max_message") == (
        "if the input is genuine, raise the limit: AIMSCHECK_MAX_MESSAGE=N or --limit max_message=N"
    )
    for bad in ("0", "-1", "many", "2.5"):
        with pytest.raises(UsageError) as caught:
            configured([f"max_message={bad}"])
        assert caught.value.message == (
            f"limit max_message in --limit must be a whole number above 0, got {bad!r}"
        )
