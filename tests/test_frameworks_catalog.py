"""Reading a crosswalk file (aimscheck/frameworks/catalog.py): what docs/frameworks.md promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimscheck.frameworks.catalog import read_framework

CROSSWALK = """\
framework: acme
title: Acme
edition: "1.0"
unit: control
sources:
  acme:
    cites: The Acme framework, version 1.0.
requirements:
  - id: C-1
    title: A control
    maps: [{iso: "6.1.2", strength: partial, source: acme}]
"""


def test_a_source_without_url_is_read(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(CROSSWALK, encoding="utf-8")
    framework = read_framework(path)
    assert (framework.sources["acme"].cites, framework.sources["acme"].url) == (
        "The Acme framework, version 1.0.",
        "",
    )


def test_a_source_without_cites_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(CROSSWALK.replace("cites: The Acme framework, version 1.0.", "url: x"))
    with pytest.raises(ValueError, match=r"^acme.yaml: 'cites'$"):
        read_framework(path)
