"""Small YAML files read with the line of every value, and refused clearly when broken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aimscheck.errors import UsageError
from aimscheck.yamlfile import read_yaml

TEXT = """\
# a comment
rules:
  disabled:
    - rule: R-1
      reason: one
    - {rule: R-2, reason: two}
expires: 2027-01-31
"""


def test_values_and_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(TEXT, encoding="utf-8")
    doc = read_yaml(path, "configuration")
    assert doc.data["rules"]["disabled"][1] == {"rule": "R-2", "reason": "two"}
    assert doc.data["expires"] == dt.date(2027, 1, 31)  # YAML dates stay dates
    assert doc.at(("rules",)).line == 2
    assert doc.at(("rules", "disabled", 0)).line == 4
    assert doc.at(("rules", "disabled", 0, "reason")).line == 5
    assert doc.at(("rules", "disabled", 1, "reason")).line == 6
    assert doc.at(("rules", "disabled", 1, "missing")).line == 6  # the nearest enclosing value
    assert doc.at(("nowhere",)).line == 2  # the document itself starts at its first value


def test_an_empty_file_has_no_data(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("# only a comment\n", encoding="utf-8")
    assert read_yaml(path, "configuration").data is None


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("a: &x [*x]\n", 1, "a recursive alias"),
        ("? [a, b]\n: 1\n", 1, "a key must be a plain word"),
        ("a: 1\nb: [\n", 3, "invalid YAML in configuration"),
        ("a: !!python/name:os.system x\n", 1, "invalid YAML in configuration"),
    ],
)
def test_broken_files_name_the_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_yaml(path, "configuration")
    assert needle in caught.value.render()
    assert caught.value.location is not None and caught.value.location.line == line


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="waiver file not found"):
        read_yaml(tmp_path / "w.yaml", "waiver file")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"a: \xff\n")
    with pytest.raises(UsageError, match="cannot read configuration"):
        read_yaml(binary, "configuration")
