"""The parsed-rule cache: a hit gives the same rules, any change to a rule file misses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest

from aimscheck.dsl import cache
from aimscheck.dsl.ruleset import compile_collect, compile_files, rule_files
from aimscheck.engine import evaluate
from aimscheck.errors import AimscheckError
from aimscheck.export.loader import load_export
from aimscheck.resources import default_pack

ROOT = Path(__file__).resolve().parents[1]
RULE = """\
rule "ORG-1" {{
  title    "{title}"
  clause   "4.3"
  severity minor
  phase    scope_definition
  for sys in ai_systems where sys.in_scope
  require sys.owner_ref is set
  because "AI system {{sys.id}} has no owner"
}}
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("AIMSCHECK_NO_CACHE", raising=False)
    return home / "aimscheck" / "rules"


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, parsing a rule file fails the test: everything must come from the cache."""

    def refuse(text: str, path: str) -> Any:
        raise AssertionError(f"{path} was parsed, not read from the cache")

    monkeypatch.setattr("aimscheck.dsl.parser.parse_recovering", refuse)


def spans(node: object) -> list[object]:
    """Every node with its span, depth first: equality of nodes ignores spans, this does not."""
    out: list[object] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(reversed(item))
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            out.append((type(item).__name__, getattr(item, "span", None)))
            stack.extend(reversed([getattr(item, f.name) for f in dataclasses.fields(item)]))
        else:
            out.append(item)
    return out


def own_pack(tmp_path: Path, title: str) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    (folder / "org.aims").write_text(RULE.format(title=title))
    return folder


def test_a_hit_gives_the_same_rules_and_the_same_results(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = rule_files([default_pack()])
    parsed = compile_files(files)
    assert len(list(cache_home.glob("*.pickle"))) == len(files)
    no_parsing(monkeypatch)
    cached = compile_files(files)
    assert [r.info for r in cached.rules] == [r.info for r in parsed.rules]
    assert [r.ast for r in cached.rules] == [r.ast for r in parsed.rules]
    assert spans([r.ast for r in cached.rules]) == spans([r.ast for r in parsed.rules])
    export = load_export(ROOT / "fixtures" / "gaps")
    as_of = dt.date(2026, 11, 20)
    assert evaluate(cached, export, as_of) == evaluate(parsed, export, as_of)


def test_only_if_and_every_kind_of_field_declaration_come_back_from_the_cache(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "org.aims"
    path.write_text(
        'field people.status: one of "active", "left"\n'
        "field datasets.docs: list of ref documents\nfield datasets.doc: ref documents\n"
        + RULE.format(title="t").replace(
            "  require", '  only if sys.owner_ref is set because "{sys.id}: no owner"\n  require'
        )
    )
    parsed = compile_files([path])
    no_parsing(monkeypatch)
    cached = compile_files([path])
    assert cached.declared_fields == parsed.declared_fields and len(parsed.declared_fields) == 3
    assert [r.ast for r in cached.rules] == [r.ast for r in parsed.rules]
    assert spans([r.ast for r in cached.rules]) == spans([r.ast for r in parsed.rules])
    assert [s.kind for s in cached.rules[0].steps] == ["only", "require"]


def test_the_format_of_entries_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    text = RULE.format(title="t")
    first = cache.key(text, "a/org.aims")
    monkeypatch.setattr(cache, "FORMAT", cache.FORMAT + 1)
    cache._fingerprint.cache_clear()
    try:
        assert cache.key(text, "a/org.aims") != first
    finally:
        cache._fingerprint.cache_clear()


def test_editing_a_rule_file_invalidates_its_entry(cache_home: Path, tmp_path: Path) -> None:
    pack = own_pack(tmp_path, "First title")
    assert compile_files([pack]).rules[0].info.title == "First title"
    own_pack(tmp_path, "Second title")
    assert compile_files([pack]).rules[0].info.title == "Second title"
    assert len(list(cache_home.glob("*.pickle"))) == 2


def test_the_key_covers_the_path_the_grammar_and_the_version(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = RULE.format(title="t")
    first = cache.key(text, "a/org.aims")
    assert cache.key(text, "b/org.aims") != first
    monkeypatch.setattr(cache, "__version__", "99.0")
    cache._fingerprint.cache_clear()
    try:
        assert cache.key(text, "a/org.aims") != first
    finally:
        cache._fingerprint.cache_clear()


def test_a_corrupt_entry_is_ignored_and_replaced(cache_home: Path, tmp_path: Path) -> None:
    pack = own_pack(tmp_path, "Kept")
    compile_files([pack])
    (entry,) = cache_home.glob("*.pickle")
    entry.write_bytes(b"\x80\x05not a pickle at all")
    assert compile_files([pack]).rules[0].info.title == "Kept"
    assert cache._read(entry) is not None  # rewritten by the parse that followed


def test_an_entry_that_would_run_code_is_refused(cache_home: Path, tmp_path: Path) -> None:
    pack = own_pack(tmp_path, "Safe")
    compile_files([pack])
    (entry,) = cache_home.glob("*.pickle")
    planted = tmp_path / "planted"

    class Payload:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.mkdir, (str(planted),))

    entry.write_bytes(pickle.dumps(Payload()))
    assert compile_files([pack]).rules[0].info.title == "Safe"
    assert not planted.exists()


def test_an_unwritable_cache_is_silently_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.delenv("AIMSCHECK_NO_CACHE", raising=False)
    assert compile_files([own_pack(tmp_path, "Fine")]).rules[0].info.title == "Fine"


def test_aimscheck_no_cache_writes_nothing(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMSCHECK_NO_CACHE", "1")
    assert cache.cache_dir() is None
    compile_files([own_pack(tmp_path, "Uncached")])
    assert not cache_home.exists()


def test_files_with_syntax_errors_are_never_cached(cache_home: Path, tmp_path: Path) -> None:
    pack = own_pack(tmp_path, "Broken")
    (pack / "org.aims").write_text(RULE.format(title="Broken").replace("require", "requir"))
    for _ in range(2):  # the second run reports the same errors: nothing was stored
        _, errors = compile_collect([pack])
        assert errors and all(isinstance(e, AimscheckError) for e in errors)
        assert "org.aims:7" in errors[0].render()
    assert not list(cache_home.glob("*.pickle"))


def test_old_entries_are_pruned(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for i in range(5):
        cache.parse_cached(RULE.format(title=f"Title {i}"), f"org{i}.aims")
    assert len(list(cache_home.glob("*.pickle"))) == 3


def test_a_check_writes_nothing_into_the_export(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from aimscheck.cli import main

    export = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures" / "conforming", export)
    before = sorted(p.relative_to(export) for p in export.rglob("*"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", str(export), "--as-of", "2026-11-20", "-q"])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(export) for p in export.rglob("*")) == before
    assert list(cache_home.glob("*.pickle"))  # the cache went to the user's cache folder


def test_without_a_home_folder_there_is_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("AIMSCHECK_NO_CACHE", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # "~" stays "~"
    assert cache.cache_dir() is None  # and never a relative folder in the working directory
