"""The parsed-rule cache: a hit gives the same rules, any change to a rule file misses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import pickle
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from aimscheck.dsl import cache
from aimscheck.dsl import nodes as n
from aimscheck.dsl.ruleset import compile_collect, compile_files, rule_files
from aimscheck.engine import evaluate
from aimscheck.errors import AimscheckError, UsageError
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
    assert entry.read_bytes().startswith(cache.MAGIC)  # rewritten by the parse that followed


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


# ---- a cache that nobody else can fill (issue #16): signed entries in a private folder ---------


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths parsed from here on: a miss parses, a hit does not."""
    from aimscheck.dsl import parser

    seen: list[str] = []
    real = parser.parse_recovering

    def spy(text: str, path: str) -> Any:
        seen.append(path)
        return real(text, path)

    monkeypatch.setattr("aimscheck.dsl.parser.parse_recovering", spy)
    return seen


def toothless(text: str, path: str) -> n.RuleFile:
    """What an attacker would plant: the file's rules, each requiring only `true`."""
    from aimscheck.dsl.parser import parse_recovering

    parsed = parse_recovering(text, path).file
    body = (n.Require(n.Literal(True), None),)
    return dataclasses.replace(
        parsed, rules=tuple(dataclasses.replace(r, body=body) for r in parsed.rules)
    )


def signed(rule_file: n.RuleFile, name: str, secret: bytes) -> bytes:
    """An entry as aimscheck writes it, signed with `secret`."""
    buffer = io.BytesIO()
    cache._Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(rule_file)
    payload = buffer.getvalue()
    return cache.MAGIC + cache._tag(secret, name, payload) + payload


def plant(folder: Path, secret: bytes | None) -> None:
    """Replace the entry of every default pack file by a toothless one: signed with `secret`,
    or in the format of aimscheck before entries were signed (a bare pickle) when None."""
    for path in rule_files([default_pack()]):
        text, name = path.read_text(), cache.key(path.read_text(), str(path))
        planted = toothless(text, str(path))
        entry = folder / f"{name}.pickle"
        if secret is None:
            buffer = io.BytesIO()
            cache._Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(planted)
            entry.write_bytes(buffer.getvalue())
        else:
            entry.write_bytes(signed(planted, name, secret))
        entry.chmod(0o600)


def check_gaps() -> tuple[int, str]:
    from click.testing import CliRunner

    from aimscheck.cli import main

    result = CliRunner().invoke(main, ["check", str(ROOT / "fixtures" / "gaps"), *AS_OF])
    return result.exit_code, result.stdout


AS_OF = ("--as-of", "2026-11-20")


def test_a_planted_entry_never_changes_a_result(cache_home: Path) -> None:
    clean = check_gaps()
    assert clean[0] == 1 and "verdict: not ready for stage 1" in clean[1]
    secret = (cache_home / cache.SECRET_NAME).read_bytes()
    for guess in (None, os.urandom(32), b"\0" * 32):  # unsigned, or signed with a wrong key
        plant(cache_home, guess)
        assert check_gaps() == clean
    # The control: signed with the user's own secret, the same entries are taken (the run is
    # "ready"). The secret, private to the user, is what keeps anyone else from doing this.
    plant(cache_home, secret)
    assert "verdict: ready for stage 1" in check_gaps()[1]


def make_secret(folder: Path) -> bytes:
    secret = os.urandom(32)
    (folder / cache.SECRET_NAME).write_bytes(secret)
    (folder / cache.SECRET_NAME).chmod(0o600)
    return secret


root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving files away needs root"
)
OTHER_USER = 4242


@root_only
def test_a_world_writable_cache_folder_of_another_user_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"  # say, XDG_CACHE_HOME=/var/tmp/cache, planted by someone else
    folder = shared / "aimscheck" / "rules"
    folder.mkdir(parents=True)
    plant(folder, make_secret(folder))  # entries signed with the planter's own secret
    for path in (shared, shared / "aimscheck", folder, *folder.iterdir()):
        os.chown(path, OTHER_USER, OTHER_USER)
        path.chmod(0o777 if path.is_dir() else 0o600)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    monkeypatch.delenv("AIMSCHECK_NO_CACHE", raising=False)
    code, report = check_gaps()
    assert code == 1 and "verdict: not ready for stage 1" in report
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing written there
    # Our own folders below a world-writable parent of someone else are refused as well.
    shutil.rmtree(shared / "aimscheck")
    seen = parses(monkeypatch)
    own_pack_file = own_pack(tmp_path, "Parent") / "org.aims"
    compile_files([own_pack_file])
    compile_files([own_pack_file])
    assert seen == [str(own_pack_file)] * 2
    assert not (shared / "aimscheck").exists()


@root_only
def test_an_entry_or_a_secret_owned_by_another_user_is_not_used(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = own_pack(tmp_path, "Owned") / "org.aims"
    text = path.read_text()
    compile_files([path])
    name = cache.key(text, str(path))
    entry = cache_home / f"{name}.pickle"
    planted = signed(
        toothless(text, str(path)), name, (cache_home / cache.SECRET_NAME).read_bytes()
    )
    entry.write_bytes(planted)
    os.chown(entry, OTHER_USER, OTHER_USER)
    seen = parses(monkeypatch)
    clean = compile_files([path]).rules[0].ast.body  # parsed again: the clean rule
    assert clean != (n.Require(n.Literal(True), None),)
    assert seen == [str(path)]
    entry.write_bytes(planted)
    os.chown(entry, os.geteuid(), os.getegid())  # the control: ours, it is taken
    assert compile_files([path]).rules[0].ast.body == (n.Require(n.Literal(True), None),)
    os.chown(cache_home / cache.SECRET_NAME, OTHER_USER, OTHER_USER)
    assert compile_files([path]).rules[0].ast.body == clean
    assert seen == [str(path)] * 2


def test_a_secret_readable_by_others_or_of_the_wrong_size_disables_the_cache(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = own_pack(tmp_path, "Secret") / "org.aims"
    compile_files([path])
    key_file = cache_home / cache.SECRET_NAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    seen = parses(monkeypatch)
    compile_files([path])
    assert seen == []  # the control: a hit
    key_file.chmod(0o644)
    compile_files([path])
    key_file.chmod(0o600)
    key_file.write_bytes(key_file.read_bytes()[:16])
    compile_files([path])
    assert seen == [str(path)] * 2
    assert key_file.read_bytes() != b"" and len(key_file.read_bytes()) == 16  # never replaced


def test_a_named_pipe_in_place_of_an_entry_is_not_waited_for(
    cache_home: Path, tmp_path: Path
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    from hostiledata import process

    path = own_pack(tmp_path, "Pipe") / "org.aims"
    compile_files([path])
    (entry,) = cache_home.glob("*.pickle")
    entry.unlink()
    os.mkfifo(entry)
    proc = process("rules", "--no-default-rules", "--rules", path.parent, timeout=20)
    assert proc.returncode == 0, proc.stderr
    assert "ORG-1" in proc.stdout
    assert entry.is_file()  # replaced by a fresh entry


def test_a_link_in_place_of_an_entry_is_never_followed(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = own_pack(tmp_path, "Link") / "org.aims"
    compile_files([path])
    (entry,) = cache_home.glob("*.pickle")
    entry.unlink()
    entry.symlink_to("/dev/zero")
    real_read = os.read
    read_from: list[int] = []

    def spy(fd: int, size: int) -> bytes:
        read_from.append(os.fstat(fd).st_mode)
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", spy)
    assert compile_files([path]).rules[0].info.title == "Link"
    assert not any(stat.S_ISCHR(mode) for mode in read_from)
    assert not entry.is_symlink() and entry.is_file()  # the link itself was replaced


def test_a_cache_folder_writable_by_others_is_not_used(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = own_pack(tmp_path, "Writable") / "org.aims"
    compile_files([path])
    cache_home.chmod(0o777)
    seen = parses(monkeypatch)
    for _ in range(2):
        assert compile_files([path]).rules[0].info.title == "Writable"
    assert seen == [str(path)] * 2
    assert cache_home.stat().st_mode & 0o777 == 0o777  # left alone: it is not ours to fix
    # A parent that others may write to (and that is not sticky, as /tmp is) is as bad.
    cache_home.chmod(0o700)
    cache_home.parent.parent.chmod(0o757)
    compile_files([path])
    assert seen == [str(path)] * 3
    cache_home.parent.parent.chmod(0o1777)  # sticky: others cannot rename what is ours
    compile_files([path])
    assert seen == [str(path)] * 3


def test_a_cache_folder_readable_by_others_is_made_private(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = own_pack(tmp_path, "Readable") / "org.aims"
    compile_files([path])
    assert cache_home.stat().st_mode & 0o777 == 0o700
    cache_home.chmod(0o755)  # as aimscheck before issue #16 made it
    seen = parses(monkeypatch)
    compile_files([path])
    assert seen == []
    assert cache_home.stat().st_mode & 0o777 == 0o700


def test_a_missing_home_folder_is_never_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "no-such-home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("AIMSCHECK_NO_CACHE", raising=False)
    assert cache.cache_dir() == home / ".cache" / "aimscheck" / "rules"
    assert compile_files([own_pack(tmp_path, "Homeless")]).rules[0].info.title == "Homeless"
    assert not home.exists()
    # Nor the parent of XDG_CACHE_HOME: only the cache base itself, and the folders below it.
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    compile_files([own_pack(tmp_path, "Homeless")])
    assert not home.exists()


def test_an_entry_larger_than_its_limit_is_not_read(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = own_pack(tmp_path, "Large") / "org.aims"
    compile_files([path])
    (entry,) = cache_home.glob("*.pickle")
    size = entry.stat().st_size
    monkeypatch.setattr(cache, "ENTRY_BASE_BYTES", size - 1 - len(path.read_text()))
    monkeypatch.setattr(cache, "ENTRY_BYTES_PER_CHAR", 1)
    seen = parses(monkeypatch)
    compile_files([path])
    assert seen == [str(path)]
    monkeypatch.setattr(cache, "ENTRY_BASE_BYTES", size - len(path.read_text()))
    compile_files([path])
    assert seen == [str(path)]  # at the limit: read


def test_a_signed_entry_deeper_or_larger_than_a_parse_could_be_is_refused(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Should the signature ever be defeated, the tree is still checked against the depth limit.
    path = own_pack(tmp_path, "Deep") / "org.aims"
    text = path.read_text()
    compile_files([path])
    name = cache.key(text, str(path))
    secret = (cache_home / cache.SECRET_NAME).read_bytes()
    clean = compile_files([path]).rules[0].ast
    deep: n.Expr = n.Literal(True)
    for _ in range(400):  # past 2 x max_rule_depth + 32 (pickle itself recurses, in C)
        deep = n.Unary("not", deep)
    shared: n.Expr = n.Name("sys")
    for _ in range(200):  # 2**200 nodes as a tree
        shared = n.Binary("and", shared, shared)
    seen = parses(monkeypatch)
    for cond in (deep, shared):
        rule = dataclasses.replace(clean, body=(n.Require(cond, None),))
        planted = n.RuleFile(str(path), text, (rule,))
        (cache_home / f"{name}.pickle").write_bytes(signed(planted, name, secret))
        assert compile_files([path]).rules[0].ast == clean
    assert seen == [str(path)] * 2


@pytest.mark.parametrize(
    ("value", "cached"),
    [
        ("", True),
        ("0", True),
        ("false", True),
        (" Off ", True),
        ("no", True),
        ("1", False),
        ("TRUE", False),
        ("yes", False),
        ("on", False),
    ],
)
def test_aimscheck_no_cache_reads_yes_and_no(
    value: str, cached: bool, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMSCHECK_NO_CACHE", value)
    assert (cache.cache_dir() is not None) is cached


def test_aimscheck_no_cache_with_another_word_is_an_error(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIMSCHECK_NO_CACHE", "maybe")
    with pytest.raises(UsageError) as caught:
        compile_files([own_pack(tmp_path, "Unsure")])
    assert caught.value.render() == (
        "the environment variable AIMSCHECK_NO_CACHE is 'maybe', which is neither on nor off\n"
        "  hint: set it to one of 1, true, yes, on (on) or 0, false, no, off (off), "
        "or leave it empty"
    )


def test_a_secret_that_cannot_be_made_means_no_cache_not_an_error(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = own_pack(tmp_path, "Linkless") / "org.aims"
    seen = parses(monkeypatch)
    for _ in range(2):
        assert compile_files([path]).rules[0].info.title == "Linkless"
    assert seen == [str(path)] * 2
    assert not list(cache_home.iterdir())  # no secret, no entry, no temporary file left
