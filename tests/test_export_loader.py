"""Tests for export/loader.py: the three shapes, record lines, and every input problem."""

from __future__ import annotations

import gc
import os
import re
import shutil
from pathlib import Path

import pytest

from aimscheck.errors import AimscheckError, ErrorGroup, ExportLoadError
from aimscheck.export.loader import load_export
from aimscheck.export.model import Export

DATA = Path(__file__).parent / "data" / "exports"


@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the data folder so that display paths are short and exact."""
    monkeypatch.chdir(DATA)
    return DATA


def where(export: Export, obj: object) -> str:
    location = export.location_of(obj)
    assert location is not None, f"no location for {obj!r}"
    return str(location)


def problems(path: Path) -> list[str]:
    """The rendered message lines (`file:line[:col]: message`) of a failing load."""
    with pytest.raises(AimscheckError) as caught:
        load_export(path)
    error = caught.value
    errors = error.errors if isinstance(error, ErrorGroup) else [error]
    assert all(isinstance(e, ExportLoadError) for e in errors)
    return [f"{e.location}: {e.message}" for e in errors]


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# ---- the shapes


def test_single_yaml_file(in_data: Path) -> None:
    export = load_export(Path("single.yaml"))
    data = export.data
    assert data["schema_version"] == "1"
    # Unquoted YAML dates and timestamps become ISO strings: the data is JSON-typed.
    assert data["exported_at"] == "2026-11-20"
    assert data["ai_systems"][0]["deployed_at"] == "2026-03-01T09:30:00+00:00"
    assert data["risks"][0]["treatment"]["due"] == "2026-12-01"
    assert data["objectives"][0]["measurements"] == [
        {"at": "2026-06-30", "value": 7},
        {"at": "2026-09-30", "value": 6},
    ]
    assert data["scope"]["approved_at"] == "2026-01-31"  # quoted: stays as written
    assert [p["id"] for p in export.collection("people")] == ["p-ann", "p-bob"]
    assert where(export, export.collection("people")[0]) == "single.yaml:11"
    assert where(export, export.collection("people")[1]) == "single.yaml:13"
    assert where(export, export.collection("risks")[0]) == "single.yaml:22"
    assert where(export, data["organization"]) == "single.yaml:4"
    assert where(export, data["scope"]) == "single.yaml:7"
    assert export.main_file == Path("single.yaml")
    assert export.root == Path(".")
    assert export.files == (Path("single.yaml"),)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", export.digest)


def test_single_json_file(in_data: Path) -> None:
    export = load_export(Path("single.json"))
    people = export.collection("people")
    assert [p["id"] for p in people] == ["p-ann", "p-bob"]
    # The line of `"id":` when it is the record's first key (as YAML's `- id:`), else of `{`.
    assert where(export, people[0]) == "single.json:6"
    assert where(export, people[1]) == "single.json:9"
    assert where(export, export.collection("soa")[0]) == "single.json:12"
    assert where(export, export.data["organization"]) == "single.json:3"


def test_folder_mixing_all_shapes(in_data: Path) -> None:
    export = load_export(Path("folder"))
    risks = export.collection("risks")
    # aims.yaml first, then the list file, then the record folder's files by name.
    assert [r["id"] for r in risks] == ["R-1", "R-2", "R-3", "R-9"]
    assert [where(export, r) for r in risks] == [
        "folder/aims.yaml:10",
        "folder/risks.yaml:1",
        "folder/risks.yaml:4",
        "folder/risks/r-9.yaml:2",
    ]
    systems = export.collection("ai_systems")
    assert [s["id"] for s in systems] == ["credit-scoring", "chatbot"]
    assert [where(export, s) for s in systems] == [
        "folder/ai_systems/a-credit.yaml:1",
        "folder/ai_systems/b-chatbot.json:2",
    ]
    assert [p["id"] for p in export.collection("people")] == ["p-ann", "p-bob"]
    assert where(export, export.collection("people")[1]) == "folder/people.json:2"
    assert where(export, export.data["scope"]) == "folder/aims.yaml:4"
    assert export.root == Path("folder")
    assert export.main_file == Path("folder/aims.yaml")
    # README.md, notes.txt and files/ are not export files: neither read nor hashed.
    assert sorted(p.as_posix() for p in export.files) == [
        "folder/ai_systems/a-credit.yaml",
        "folder/ai_systems/b-chatbot.json",
        "folder/aims.yaml",
        "folder/people.json",
        "folder/risks.yaml",
        "folder/risks/r-9.yaml",
    ]


def test_digest_depends_on_content_and_not_on_location(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(DATA / "folder", one)
    shutil.copytree(DATA / "folder", two)
    assert load_export(one).digest == load_export(two).digest
    write(two / "files" / "minutes.pdf", "other proof")  # not an export file
    assert load_export(one).digest == load_export(two).digest
    write(two / "risks" / "r-9.yaml", "id: R-9\ntitle: changed\n")
    assert load_export(one).digest != load_export(two).digest


def test_keys_stay_as_written_and_merges_are_not_duplicates(tmp_path: Path) -> None:
    text = (
        'schema_version: "1"\norganization: {name: A}\n'
        "defaults: &d {in_scope: true, lifecycle_stage: design}\n"
        "ai_systems:\n  - <<: *d\n    id: s1\n    name: S\n    lifecycle_stage: operation\n"
        "custom:\n  1: one\n  yes: two\n  2026-01-31: three\n"
    )
    export = load_export(write(tmp_path / "e.yaml", text))
    assert export.collection("ai_systems")[0] == {
        "in_scope": True,
        "lifecycle_stage": "operation",
        "id": "s1",
        "name": "S",
    }
    assert export.data["custom"] == {"1": "one", "yes": "two", "2026-01-31": "three"}


def test_gc_is_enabled_again_after_success_and_failure(tmp_path: Path) -> None:
    assert gc.isenabled()
    load_export(DATA / "single.yaml")
    assert gc.isenabled()
    with pytest.raises(ExportLoadError):
        load_export(tmp_path / "missing.yaml")
    assert gc.isenabled()


# ---- input problems: each with file and line, and what to do


def test_duplicate_ids_name_both_places(in_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    shutil.copytree(DATA / "folder", folder)
    write(folder / "risks" / "r-10.yaml", "id: R-2\ntitle: again\n")
    write(folder / "ai_systems" / "c.yaml", "id: credit-scoring\nname: twin\n")
    os.chdir(tmp_path)
    assert problems(Path("repo")) == [
        "repo/ai_systems/c.yaml:1: duplicate id 'credit-scoring' in ai_systems: also at "
        "repo/ai_systems/a-credit.yaml:1; give each record its own id",
        "repo/risks/r-10.yaml:1: duplicate id 'R-2' in risks: also at repo/risks.yaml:1; "
        "give each record its own id",
    ]


def test_duplicate_soa_controls_in_one_file(tmp_path: Path) -> None:
    text = (
        'schema_version: "1"\norganization: {name: A}\nsoa:\n'
        "  - {control: A.2.2, applicable: true}\n  - {control: A.2.2, applicable: false}\n"
    )
    path = write(tmp_path / "e.yaml", text)
    display = Export(tmp_path, path, {}).display(path)
    assert problems(path) == [
        f"{display}:5: duplicate control 'A.2.2' in soa: also at {display}:4; "
        "give each record its own control"
    ]


def test_duplicate_keys_at_any_depth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        'schema_version: "1"\norganization:\n  name: A\n  name: B\n'
        "risks:\n  - id: R1\n    treatment: {due: 2026-01-01, due: 2026-02-01}\n"
    )
    write(tmp_path / "e.yaml", text)
    assert problems(Path("e.yaml")) == [
        "e.yaml:4:3: duplicate key 'name' (first at line 3)",
        "e.yaml:7:34: duplicate key 'due' (first at line 7)",
    ]


def test_duplicate_keys_in_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = '{\n  "people": [],\n  "people": [\n    {"id": "p", "name": "A", "name": "B"}\n  ]\n}\n'
    write(tmp_path / "e.json", text)
    assert problems(Path("e.json")) == [
        "e.json:3: duplicate key 'people' (first at line 2)",
        "e.json:4: duplicate key 'name' in this record: keep one (JSON keeps the last)",
    ]


def test_yaml_syntax_error_points_at_the_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "e.yaml", 'schema_version: "1"\nscope:\n  statement: [a, b\n')
    with pytest.raises(ExportLoadError) as caught:
        load_export(path)
    error = caught.value
    assert error.location is not None
    assert (error.location.line, error.location.column) == (4, 1)
    assert error.message.startswith("invalid YAML (while parsing a flow sequence): ")
    assert "indentation" in error.hint


def test_json_syntax_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a.json", '{\n  "people": [\n    {"id": "p"},\n  ]\n}\n')
    write(tmp_path / "b.json", '{"organization": {"name": "A",}}')
    write(tmp_path / "c.json", '{"a": 1} {"b": 2}')
    write(tmp_path / "d.json", '{"people": [{"id": "p"},')  # cut off after a record
    write(tmp_path / "e.json", '{"people": [{"id": "p"}\n  {"id": "q"}]}')
    write(tmp_path / "f.json", '{"people": [{"id": "p", "tags": [1, 2 ,\n]}]}')
    write(tmp_path / "g.json", '{"organization": {"name": "A"},\n}')
    # A trailing comma reads the same on every Python (3.13's decoder words it otherwise).
    assert problems(Path("a.json")) == ["a.json:3:16: invalid JSON: a comma before the closing ']'"]
    assert problems(Path("b.json")) == ["b.json:1:30: invalid JSON: a comma before the closing '}'"]
    assert problems(Path("f.json")) == ["f.json:1:39: invalid JSON: a comma before the closing ']'"]
    assert problems(Path("g.json")) == ["g.json:1:31: invalid JSON: a comma before the closing '}'"]
    assert problems(Path("d.json")) == ["d.json:1:25: invalid JSON: Expecting value"]
    assert problems(Path("e.json")) == ["e.json:2:3: invalid JSON: Expecting ',' delimiter"]
    assert problems(Path("c.json")) == ["c.json:1:10: invalid JSON: Extra data"]


@pytest.mark.parametrize("file", ["aims.json", "risks.json"])
def test_json_records_nest_up_to_the_limit_and_no_further(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str
) -> None:
    monkeypatch.chdir(tmp_path)

    def export(lists: int) -> str:
        records = '[{"id": "r1"},\n {"id": "r2", "x": ' + "[" * lists + "]" * lists + "}]"
        if file == "risks.json":
            return records
        return '{"schema_version": "1", "organization": {"name": "A"}, "risks": ' + records + "}"

    # The record sits 3 levels deep in aims.json (mapping, list, record), 2 in risks.json.
    deepest = 61 if file == "aims.json" else 62
    for folder, lists in (("ok", deepest), ("deep", deepest + 1)):
        write(tmp_path / folder / "aims.yaml", 'schema_version: "1"\norganization: {name: A}\n')
        write(tmp_path / folder / file, export(lists))
        if file == "aims.json":
            (tmp_path / folder / "aims.yaml").unlink()
    assert len(load_export(tmp_path / "ok").collection("risks")) == 2
    assert problems(tmp_path / "deep") == [
        f"deep/{file}:2: data nested more than 64 levels deep (max_depth): an export's records "
        "nest a few levels; flatten this value"
    ]


def test_python_tags_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.yaml", "organization: !!python/object/apply:os.system [echo hi]\n")
    write(tmp_path / "s.yaml", "organization: !!set {a, b}\n")
    assert problems(Path("e.yaml")) == [
        "e.yaml:1:15: YAML tag '!!python/object/apply:os.system' is not allowed: "
        "an export holds plain data; remove the tag"
    ]
    assert problems(Path("s.yaml")) == [
        "s.yaml:1:15: YAML tag '!!set' is not allowed: an export holds plain data; remove the tag"
    ]


def test_recursive_aliases_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.yaml", "organization: {name: A}\nrisks: &r\n  - id: R1\n    x: *r\n")
    assert problems(Path("e.yaml")) == [
        "e.yaml:2:8: an alias is used inside its own anchor: an export cannot hold recursive data"
    ]


def test_impossible_unquoted_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.yaml", "organization: {name: A}\nexported_at: 2026-02-30\n")
    assert problems(Path("e.yaml")) == [
        "e.yaml:2:14: invalid date '2026-02-30' (February 2026 has 28 days): give a real date"
    ]
    # In our words, not Python's (whose wording changed in 3.14), so every version agrees.
    for value, reason in [
        ("2028-02-30", "February 2028 has 29 days"),
        ("2026-13-01", "there is no month 13"),
        ("0000-01-01", "there is no year 0"),
        ("2026-01-01T25:00:00Z", "the time of day is out of range"),
    ]:
        write(tmp_path / "e.yaml", f"organization: {{name: A}}\nexported_at: {value}\n")
        expected = f"e.yaml:2:14: invalid date '{value}' ({reason}): give a real date"
        assert problems(Path("e.yaml")) == [expected], value


def test_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.yaml", b"organization:\n  name: Caf\xe9\n")
    assert problems(Path("e.yaml")) == [
        "e.yaml:2:12: not UTF-8 text (byte 0xe9): save the file as UTF-8"
    ]


def test_empty_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.yaml", "\n  \n")
    write(tmp_path / "c.yaml", "# only a comment\n")
    write(tmp_path / "e.json", "")
    assert problems(Path("e.yaml")) == ["e.yaml:1: empty file: remove it or give it content"]
    assert problems(Path("c.yaml")) == [
        "c.yaml:1: empty file (only comments): remove it or give it content"
    ]
    assert problems(Path("e.json")) == ["e.json:1: empty file: remove it or give it content"]


def test_top_level_must_be_a_mapping(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.yaml", "# risks\n- id: R1\n")
    assert problems(Path("e.yaml")) == [
        'e.yaml:2: the export must be a mapping (schema_version: "1", organization: ...), '
        "got a list"
    ]


def test_collections_and_sections_confused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = 'schema_version: "1"\nrisks:\n  id: R1\nscope:\n  - statement: x\n'
    write(tmp_path / "e.yaml", text)
    assert problems(Path("e.yaml")) == [
        "e.yaml:2: 'risks' is a collection: give a list of records ('- id: ...'), not a mapping",
        "e.yaml:4: 'scope' is a section: give a mapping of its fields, not a list",
    ]


def test_folder_file_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "repo" / "aims.yaml", 'schema_version: "1"\norganization: {name: A}\n')
    write(tmp_path / "repo" / "risks.yaml", "id: R1\ntitle: not in a list\n")
    write(tmp_path / "repo" / "people" / "p.yaml", "- id: p1\n  name: in a list\n")
    write(tmp_path / "repo" / "aims.json", '{"schema_version": "1"}')
    assert problems(Path("repo")) == [
        "repo/aims.json:1: aims.yaml and aims.json are both in this folder: keep only one of them",
        "repo/people/p.yaml:1: a file in people/ holds one record as a mapping (id: ...), "
        "got a list",
        "repo/risks.yaml:1: this file must hold a list of risks records ('- id: ...'), "
        "got a mapping",
    ]


def test_paths_that_are_not_exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    write(tmp_path / "export.txt", "organization: {}\n")
    assert problems(Path("nowhere.yaml")) == [
        "nowhere.yaml:1: export not found: give an export file (.yaml, .yml, .json) or folder"
    ]
    assert problems(Path("empty")) == [
        "empty:1: no aims.yaml in export folder 'empty': add aims.yaml (or aims.yml or "
        'aims.json) holding schema_version: "1" and organization'
    ]
    assert problems(Path("export.txt")) == [
        "export.txt:1: not an export: give a .yaml, .yml or .json file, or an export folder"
    ]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "e.yaml", "organization: {name: A}\n")

    real_open = os.open

    def refuse(path: str, flags: int, *args: int) -> int:
        # chmod 0 does not stop root (CI containers): simulate what the OS says instead.
        if str(path).endswith("e.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    assert problems(Path("e.yaml")) == [
        "e.yaml:1: cannot read file (Permission denied): check its permissions"
    ]


def test_all_problems_are_reported_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "repo" / "aims.yaml", 'schema_version: "1"\norganization: {name: A}\n')
    write(tmp_path / "repo" / "risks" / "a.yaml", "id: [unclosed\n")
    write(tmp_path / "repo" / "risks" / "b.yaml", "")
    write(tmp_path / "repo" / "people.json", '{"id": "p1"}')
    with pytest.raises(ErrorGroup) as caught:
        load_export(Path("repo"))
    assert [str(e.location) for e in caught.value.errors] == [
        "repo/people.json:1",
        "repo/risks/a.yaml:2:1",
        "repo/risks/b.yaml:1",
    ]
    assert caught.value.render().count("\n") >= 3  # each problem rendered on its own


def test_ids_are_read_in_nfc_and_compared_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "repo" / "aims.yaml", 'schema_version: "1"\n')
    decomposed = "cafe\u0301-scoring"  # `é` as `e` and a combining accent
    write(tmp_path / "repo" / "ai_systems.yaml", f"- id: {decomposed}\n  name: A\n")
    export = load_export(Path("repo"))
    assert export.collection("ai_systems")[0]["id"] == "caf\u00e9-scoring"
    # Written both ways, it is one id given twice.
    write(tmp_path / "repo" / "ai_systems/b.yaml", "id: caf\u00e9-scoring\nname: B\n")
    assert problems(Path("repo")) == [
        "repo/ai_systems/b.yaml:1: duplicate id 'café-scoring' in ai_systems: also at "
        "repo/ai_systems.yaml:1; give each record its own id"
    ]


@pytest.mark.parametrize(
    "ident", ["κίνδυνος-1", "リスク-1", "AI-システム", "风险-1", "AI시스템-1", "Straße", "a b"]
)
def test_ids_in_one_script_or_one_writing_are_kept(
    ident: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "aims.yaml", f'schema_version: "1"\nrisks:\n  - id: "{ident}"\n')
    export = load_export(Path("aims.yaml"))
    assert export.collection("risks")[0]["id"] == ident


@pytest.mark.parametrize(
    ("ident", "why"),
    [
        ("\u0441redit", "mixes Cyrillic with Latin letters (U+0441 CYRILLIC SMALL LETTER ES)"),
        ("\u03a9mega", "mixes Greek with Latin letters (U+03A9 GREEK CAPITAL LETTER OMEGA)"),
        ("リスク한", "mixes Hangul with Katakana letters (U+D55C HANGUL SYLLABLE HAN)"),
    ],
)
def test_ids_mixing_scripts_are_refused(
    ident: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "aims.yaml", f'schema_version: "1"\nrisks:\n  - id: "{ident}"\n')
    assert problems(Path("aims.yaml")) == [
        f"aims.yaml:3: risks id {ident!r} {why}: an id in mixed scripts can pass for another; "
        "write it in one script"
    ]


@pytest.mark.parametrize(
    ("escaped", "shown", "why"),
    [
        ("\\t", "\\t", "holds U+0009, a control character: remove it"),
        ("\\x7f", "\\x7f", "holds U+007F, a control character: remove it"),
        ("\\x85", "\\x85", "holds U+0085, a control character: remove it"),
        ("\\u200d", "\\u200d", "holds U+200D ZERO WIDTH JOINER, an invisible format character: "
         "remove it"),
        ("\\ufeff", "\\ufeff", "holds U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible format "
         "character: remove it"),
        ("\\u2028", "\\u2028", "holds U+2028 LINE SEPARATOR, a line separator: remove it"),
        ("\\xa0", "\\xa0", "holds U+00A0 NO-BREAK SPACE, a space that looks like the plain one: "
         "write a plain space"),
        ("\\uff43", "ｃ", "holds U+FF43 FULLWIDTH LATIN SMALL LETTER C, a variant of 'c': write "
         "'c'"),
    ],
)  # fmt: skip
def test_ids_with_invisible_or_look_alike_characters_are_refused(
    escaped: str, shown: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "aims.yaml", f'schema_version: "1"\nrisks:\n  - id: "risk{escaped}"\n')
    assert problems(Path("aims.yaml")) == [f"aims.yaml:3: risks id 'risk{shown}' {why}"]
