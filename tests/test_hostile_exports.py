"""Broken and hostile exports: each gets one exact message and exit 2, fast, and runs nothing."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import time
from pathlib import Path

import pytest
from hostiledata import AIMS, AS_OF, SYSTEM, check, problems, process, repo, rules, write

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from aimscheck.export.loader import load_export
from aimscheck.export.schema import validate_export
from aimscheck.limits import Limits

BILLION_LAUGHS = "\n".join(
    ['lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)
MERGE_BOMB = "\n".join(
    ["m0: &m0 {k0: v}"]
    + [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: v}}" for i in range(1, 40)]
)
DEEP = 5000
TOO_DEEP = (
    "data nested more than 64 levels deep (max_depth): an export's records nest a few levels; "
    "flatten this value"
)
BOMB = (
    "YAML aliases here expand the file past 16 MB once written out (max_yaml_mb): write the "
    "values out rather than repeating aliases of aliases"
)
PYTHON_TAG = "is not allowed: an export holds plain data; remove the tag"
NOT_FINITE = (
    "a number that is infinite or not a number (.inf, .nan, or past 1e308) is not data: "
    "write a finite number, or quote it if it is text"
)
TOO_LONG = (
    "a number written with {:,} characters, past the limit of 100 (max_number_digits): no data "
    "holds such a number; quote it if it is text"
)

# name → (files of the export folder "repo", the problems reported, in order)
CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "empty file": (
        {"aims.yaml": ""},
        ["repo/aims.yaml:1: empty file: remove it or give it content"],
    ),
    "only comments": (
        {"aims.yaml": "# nothing here\n"},
        ["repo/aims.yaml:1: empty file (only comments): remove it or give it content"],
    ),
    "empty folder": (
        {"notes.txt": "x"},
        [
            "repo:1: no aims.yaml in export folder 'repo': add aims.yaml (or aims.yml or "
            'aims.json) holding schema_version: "1" and organization'
        ],
    ),
    "not UTF-8": (
        {"aims.yaml": b'schema_version: "1"\norganization: {name: Caf\xe9}\n'},
        ["repo/aims.yaml:2:25: not UTF-8 text (byte 0xe9): save the file as UTF-8"],
    ),
    "UTF-16": (
        {"aims.yaml": AIMS.encode("utf-16")},
        ["repo/aims.yaml:1: the file is UTF-16 text: save it as UTF-8"],
    ),
    "binary": (
        {"aims.yaml": AIMS, "risks.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
        [
            "repo/risks.yaml:1: a binary file, not YAML or JSON text: remove it, or give it a "
            "name aimscheck skips"
        ],
    ),
    "billion laughs": ({"aims.yaml": AIMS + BILLION_LAUGHS}, [f"repo/aims.yaml:9:7: {BOMB}"]),
    "merge-key bomb": ({"aims.yaml": AIMS + MERGE_BOMB}, [f"repo/aims.yaml:23:16: {BOMB}"]),
    "recursive alias": (
        {"aims.yaml": 'schema_version: "1"\norganization: &o {name: A, parent: *o}\n'},
        [
            "repo/aims.yaml:2:15: an alias is used inside its own anchor: an export cannot hold "
            "recursive data"
        ],
    ),
    "flow nesting thousands deep": (
        {"aims.yaml": AIMS + "context: " + "[" * DEEP + "]" * DEEP + "\n"},
        [f"repo/aims.yaml:3:1009: {TOO_DEEP}"],  # LibYAML's own stop, at 1000 levels
    ),
    "flow nesting past the limit": (
        # The file's top-level mapping is the first level: the 64th list is the 65th level.
        {"aims.yaml": AIMS + "context: " + "[" * 64 + "]" * 64 + "\n"},
        [f"repo/aims.yaml:3:73: {TOO_DEEP}"],
    ),
    "block nesting past the limit": (
        {
            "aims.yaml": AIMS
            + "context:\n"
            + "".join("  " * (i + 1) + "a:\n" for i in range(70))
            + "  " * 71
            + "1\n"
        },
        [f"repo/aims.yaml:67:129: {TOO_DEEP}"],
    ),
    "JSON nesting thousands deep": (
        {"aims.json": '{"schema_version": "1", "context": ' + "[" * DEEP + "]" * DEEP + "}"},
        [f"repo/aims.json:1: {TOO_DEEP}"],
    ),
    "JSON nesting past the limit in one record": (
        {
            "aims.yaml": AIMS,
            "risks.json": '[{"id": "r1"},\n {"id": "r2", "x": ' + "[" * 70 + "]" * 70 + "}]",
        },
        [f"repo/risks.json:2: {TOO_DEEP}"],
    ),
    "duplicate mapping keys": (
        {"aims.yaml": AIMS + "scope: {statement: a, statement: b}\n"},
        ["repo/aims.yaml:3:23: duplicate key 'statement' (first at line 3)"],
    ),
    "duplicate JSON keys": (
        {"aims.yaml": AIMS, "people.json": '[{"id": "p1", "name": "A", "name": "B"}]'},
        ["repo/people.json:1: duplicate key 'name' in this record: keep one (JSON keeps the last)"],
    ),
    "top-level list": (
        {"aims.yaml": "- schema_version: '1'\n"},
        [
            'repo/aims.yaml:1: the export must be a mapping (schema_version: "1", organization: '
            "...), got a list"
        ],
    ),
    "tabs": (
        {"aims.yaml": 'schema_version: "1"\norganization:\n\tname: Acme\n'},
        [
            "repo/aims.yaml:3:1: invalid YAML (while scanning for the next token): found character "
            "that cannot start any token"
        ],
    ),
    "two documents": (
        {"aims.yaml": AIMS + "---\nrisks: []\n"},
        [
            "repo/aims.yaml:3:1: invalid YAML (expected a single document in the stream): but "
            "found another document"
        ],
    ),
    "duplicate ids across files": (
        {"aims.yaml": AIMS, "ai_systems/a.yaml": SYSTEM, "ai_systems/b.yaml": SYSTEM},
        [
            "repo/ai_systems/b.yaml:1: duplicate id 's1' in ai_systems: also at "
            "repo/ai_systems/a.yaml:1; give each record its own id"
        ],
    ),
    "python object tag": (
        {"aims.yaml": AIMS + 'x: !!python/object/apply:os.system ["touch PWNED"]\n'},
        [f"repo/aims.yaml:3:4: YAML tag '!!python/object/apply:os.system' {PYTHON_TAG}"],
    ),
    "python name tag": (
        {"aims.yaml": AIMS + "x: !!python/name:os.system\n"},
        [f"repo/aims.yaml:3:4: YAML tag '!!python/name:os.system' {PYTHON_TAG}"],
    ),
    "python tag through a %TAG directive": (
        {
            "aims.yaml": "%TAG !p! tag:yaml.org,2002:python/\n---\n"
            'schema_version: "1"\nx: !p!object:os.system a\n'
        },
        [f"repo/aims.yaml:4:4: YAML tag '!!python/object:os.system' {PYTHON_TAG}"],
    ),
    "a number of thousands of digits": (
        {"aims.yaml": AIMS + "x: " + "9" * 5000 + "\n"},
        [f"repo/aims.yaml:3:4: {TOO_LONG.format(5000)}"],
    ),
    # Converting a sexagesimal integer is quadratic in its length (1.2 MB: 25 s); a hex or
    # binary one of any length becomes a huge number: all refused by their text's length.
    "a sexagesimal integer": (
        {"aims.yaml": AIMS + "x: 1" + ":59" * 40 + "\n"},
        [f"repo/aims.yaml:3:4: {TOO_LONG.format(121)}"],
    ),
    "a sexagesimal float": (
        {"aims.yaml": AIMS + "x: 1" + ":59" * 40 + ".5\n"},
        [f"repo/aims.yaml:3:4: {TOO_LONG.format(123)}"],
    ),
    "a hex integer": (
        {"aims.yaml": AIMS + "x: 0x" + "f" * 120 + "\n"},
        [f"repo/aims.yaml:3:4: {TOO_LONG.format(122)}"],
    ),
    "a binary integer in a record": (
        {"aims.yaml": AIMS, "risks/r1.yaml": "id: r1\nimpact: 0b" + "1" * 200 + "\n"},
        [f"repo/risks/r1.yaml:2:9: {TOO_LONG.format(202)}"],
    ),
    "an octal integer with a tag": (
        {"aims.yaml": AIMS + "x: !!int 0" + "7" * 150 + "\n"},
        [f"repo/aims.yaml:3:4: {TOO_LONG.format(151)}"],
    ),
    # Ids that look like others: a Cyrillic letter, an invisible one, a NUL.
    "a look-alike id in mixed scripts": (
        {"aims.yaml": AIMS, "ai_systems.yaml": "- {id: \u0441redit-scoring, name: X}\n"},
        [
            "repo/ai_systems.yaml:1: ai_systems id 'сredit-scoring' mixes Cyrillic with Latin "
            "letters (U+0441 CYRILLIC SMALL LETTER ES): an id in mixed scripts can pass for "
            "another; write it in one script"
        ],
    ),
    "an id ending in a zero-width space": (
        {"aims.yaml": AIMS, "ai_systems.yaml": '- {id: "credit-scoring\\u200b", name: X}\n'},
        [
            "repo/ai_systems.yaml:1: ai_systems id 'credit-scoring\\u200b' holds U+200B ZERO "
            "WIDTH SPACE, an invisible format character: remove it"
        ],
    ),
    "an id ending in NUL (JSON)": (
        {"aims.yaml": AIMS, "ai_systems.json": '[{"id": "credit-scoring\\u0000", "name": "X"}]'},
        [
            "repo/ai_systems.json:1: ai_systems id 'credit-scoring\\x00' holds U+0000, a "
            "control character: remove it"
        ],
    ),
    "a soa control with a bidi control": (
        {"aims.yaml": AIMS, "soa.yaml": '- {control: "A.2.2\\u202e", applicable: true}\n'},
        [
            "repo/soa.yaml:1: soa control 'A.2.2\\u202e' holds U+202E RIGHT-TO-LEFT OVERRIDE, "
            "an invisible format character: remove it"
        ],
    ),
    # JSON numbers: the same limit, checked on their text before conversion, at their line.
    "a JSON number of thousands of digits": (
        {"aims.yaml": AIMS, "risks.json": '[{"id": "r1", "impact": ' + "9" * 5000 + "}]"},
        [f"repo/risks.json:1: {TOO_LONG.format(5000)}"],
    ),
    "a long JSON fraction in a later record": (
        {
            "aims.yaml": AIMS,
            "risks.json": '[{"id": "r1"},\n {"id": "r2",\n  "x": 0.' + "3" * 120 + "}]",
        },
        [f"repo/risks.json:3: {TOO_LONG.format(122)}"],
    ),
    "a JSON number past a float's range": (
        {"aims.yaml": AIMS, "risks.json": '[{"id": "r1",\n  "score": 1e400}]'},
        [
            "repo/risks.json:2: the number 1e400 is out of range (past ±1.8e308, it would be "
            "infinity): no data holds such a number; quote it if it is text"
        ],
    ),
    "a negative JSON number past a float's range, in aims.json": (
        {"aims.json": '{"schema_version": "1",\n "organization": {"name": "A"},\n "x": -1E+999}'},
        [
            "repo/aims.json:3: the number -1E+999 is out of range (past ±1.8e308, it would be "
            "infinity): no data holds such a number; quote it if it is text"
        ],
    ),
    # YAML floats: infinity and not-a-number are not data, whether written or overflowed.
    "a YAML number past a float's range": (
        {"aims.yaml": AIMS + "x: 1.0e+400\n"},
        [f"repo/aims.yaml:3:4: {NOT_FINITE}"],
    ),
    "a YAML .nan": (
        {"aims.yaml": AIMS, "risks.yaml": "- {id: r1, impact: .nan}\n"},
        [f"repo/risks.yaml:1:20: {NOT_FINITE}"],
    ),
    "a tag that does not fit the value": (
        {"aims.yaml": AIMS + 'x: !!int "twelve"\n'},
        [
            "repo/aims.yaml:3:4: the value 'twelve' is tagged !!int but cannot be read as one: "
            "remove the tag"
        ],
    ),
    "NaN in JSON": (
        {"aims.json": '{"schema_version": "1", "organization": {"name": "A"}, "x": NaN}'},
        ["repo/aims.json:1: NaN is not JSON: give a number, or quote it"],
    ),
    "a lone surrogate in JSON": (
        {"aims.json": '{"schema_version": "1",\n "organization": {"name": "\\udc00"}}'},
        ["repo/aims.json:2:28: \\udc00 is half of a character (a lone surrogate): fix the text"],
    ),
}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run inside tmp_path so that messages show short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", list(CASES))
def test_each_broken_export_gets_its_exact_message(name: str, here: Path) -> None:
    files, expected = CASES[name]
    root = here / "repo"
    root.mkdir()
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body if isinstance(body, bytes) else body.encode())
    started = time.perf_counter()
    assert problems(Path("repo")) == expected
    assert time.perf_counter() - started < 5
    assert not (here / "PWNED").exists()  # no tag was ever constructed


@pytest.mark.parametrize(
    "name", ["billion laughs", "JSON nesting thousands deep", "python object tag", "binary"]
)
def test_the_cli_answers_exit_2_with_the_message(name: str, here: Path) -> None:
    files, expected = CASES[name]
    root = here / "repo"
    for rel, body in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(body if isinstance(body, bytes) else body.encode())
    result = check(Path("repo"), rules(here))
    assert result.exit_code == EXIT_ERROR
    assert _first_problem(result.stderr) == expected[0]
    assert "Traceback" not in result.output


def _first_problem(stderr: str) -> str:
    """The first `file:line: message` line of what the CLI printed."""
    return stderr.removeprefix("aimscheck: error:").strip().splitlines()[0]


def test_tab_errors_say_to_indent_with_spaces(here: Path) -> None:
    repo(here / "repo", **{"aims.yaml": 'schema_version: "1"\norganization:\n\tname: Acme\n'})
    result = check(Path("repo"), rules(here))
    assert result.exit_code == EXIT_ERROR
    assert (
        "hint: YAML indents with spaces only: replace the tab characters with spaces"
        in result.stderr
    )


def test_long_lines_show_a_window_around_the_caret(here: Path) -> None:
    line = "organization: {name: " + "x" * 2_000_000 + " : }\n"
    repo(here / "repo", **{"aims.yaml": 'schema_version: "1"\n' + line})
    started = time.perf_counter()
    result = check(Path("repo"), rules(here))
    assert time.perf_counter() - started < 10
    assert result.exit_code == EXIT_ERROR
    head, source, caret = result.stderr.splitlines()[1:4]
    assert head == (
        "repo/aims.yaml:2:2000023: invalid YAML (while parsing a flow mapping): "
        "did not find expected ',' or '}'"
    )
    assert source == "  …" + "x" * 96 + " : }"  # a window of the 2 MB line, not all of it
    assert caret.index("^") == source.index(" : }") + 1  # under the ':' LibYAML stopped at


def test_a_valid_file_with_a_long_line_loads(here: Path) -> None:
    long_name = "x" * 1_000_000
    repo(here / "repo", **{"ai_systems__s1.yaml": f"id: s1\nname: {long_name}\n"})
    export = load_export(Path("repo"))
    assert export.collection("ai_systems")[0]["name"] == long_name


def test_shared_aliases_within_the_limit_load_as_data(here: Path) -> None:
    text = (
        AIMS
        + "defaults: &d {in_scope: true}\nai_systems:\n"
        + "".join(f"  - {{<<: *d, id: s{i}, name: S{i}}}\n" for i in range(3))
    )
    write(here / "repo", {"aims.yaml": text})
    export = load_export(Path("repo"))
    systems = export.collection("ai_systems")
    assert [(s["id"], s["in_scope"]) for s in systems] == [
        ("s0", True),
        ("s1", True),
        ("s2", True),
    ]


WRONG_TYPES = """\
schema_version: "1"
organization: {name: 42, ai_roles: provider}
scope: [a, b]
ai_systems:
  - {id: s1, name: Scoring, in_scope: "yes", deployed_at: next week, model_refs: {a: 1}}
risks:
  - {id: r1, title: Bias, likelihood: high, impact: 2.5, treatment: none}
documents:
  - {id: d1, type: policy, title: P, sha256: abc, review_interval_days: "365"}
soa:
  - {control: A.99.1, applicable: maybe}
"""


def test_wrong_types_for_every_field_kind(here: Path) -> None:
    write(here / "repo", {"aims.yaml": WRONG_TYPES})
    with pytest.raises(Exception) as caught:
        load_export(Path("repo"))
    assert "'scope' is a section: give a mapping of its fields, not a list" in str(caught.value)
    write(
        here / "repo", {"aims.yaml": WRONG_TYPES.replace("scope: [a, b]", "scope: {statement: 7}")}
    )
    export = load_export(Path("repo"))
    messages = [f"{e.location}: {e.message}" for e in validate_export(export)]
    assert messages == [
        "repo/aims.yaml:2: $.organization.name: expected a string, got 42; put it in quotes",
        'repo/aims.yaml:2: $.organization.ai_roles: expected a list, got "provider"',
        "repo/aims.yaml:3: $.scope.statement: expected a string, got 7; put it in quotes",
        'repo/aims.yaml:5: $.ai_systems[0].in_scope: expected true or false, got "yes"',
        "repo/aims.yaml:5: $.ai_systems[0].model_refs: expected a list, got a mapping",
        'repo/aims.yaml:5: $.ai_systems[0].deployed_at: expected a date YYYY-MM-DD, got "next '
        'week"',
        'repo/aims.yaml:7: $.risks[0].likelihood: expected an integer, got "high"',
        "repo/aims.yaml:7: $.risks[0].impact: expected an integer, got 2.5",
        'repo/aims.yaml:7: $.risks[0].treatment: expected a mapping, got "none"',
        "repo/aims.yaml:9: $.documents[0].type: must be one of: scope, ai_policy, "
        "risk_methodology, impact_methodology, soa, treatment_plan, objectives, procedure, "
        "responsible_use, data_management, technical_doc, user_info, audit_programme, "
        'communication_plan, document_control, other (got "policy"; did you mean "ai_policy"?)',
        'repo/aims.yaml:9: $.documents[0].review_interval_days: expected an integer, got "365"',
        "repo/aims.yaml:9: $.documents[0].sha256: expected a SHA-256 of 64 hexadecimal digits, "
        'got "abc"',
        'repo/aims.yaml:11: $.soa[0].control: unknown Annex A control "A.99.1": did you mean '
        '"A.9.4"?',
        'repo/aims.yaml:11: $.soa[0].applicable: expected true or false, got "maybe"',
    ]


def test_unknown_schema_version(here: Path) -> None:
    repo(here / "repo", **{"aims.yaml": 'schema_version: "7"\norganization: {name: A}\n'})
    result = check(Path("repo"), rules(here))
    assert result.exit_code == EXIT_ERROR
    assert (
        'unsupported schema_version "7": this aimscheck reads schema_version "1"' in result.stderr
    )


# ---- files the operating system makes hostile


def test_a_100_mb_file_is_refused_before_it_is_read(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo(here / "repo")
    with open(here / "repo" / "risks.json", "wb") as handle:
        handle.truncate(100 * 2**20)  # sparse: costs no disk
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a: opened.append(str(p)) or real_open(p, *a))
    started = time.perf_counter()
    assert problems(Path("repo")) == [
        "repo/risks.json:1: file larger than 64 MB (max_file_mb): split it into record files"
    ]
    assert time.perf_counter() - started < 2
    assert not any(p.endswith("risks.json") for p in opened)


def test_size_limits_are_configurable_and_counted_while_reading(here: Path) -> None:
    repo(here / "repo", **{"risks.yaml": "- {id: r1, title: " + "t" * 3 * 2**20 + "}\n"})
    small = dataclasses.replace(Limits(), max_yaml_mb=2)
    assert problems(Path("repo"), small) == [
        "repo/risks.yaml:1: YAML file larger than 2 MB (max_yaml_mb): split it into record files"
    ]
    total = dataclasses.replace(Limits(), max_export_mb=1)
    assert problems(Path("repo"), total) == [
        "repo/risks.yaml:1: the export's files add up to more than 1 MB (max_export_mb): reading "
        "stopped here"
    ]
    assert len(load_export(Path("repo")).collection("risks")) == 1


@pytest.mark.parametrize(
    ("number", "kind"),
    [("9" * 5000, "decimal"), ("0x" + "f" * 5000, "hex"), ("1" + ":59" * 3000, "sexagesimal")],
)
def test_numbers_python_cannot_write_out_are_refused_whatever_the_limit(
    here: Path, number: str, kind: str
) -> None:
    """With max_number_digits raised, a number past what Python writes out (4,300 digits)
    would fail every message and report that shows it: refused at its line all the same."""
    repo(here / "repo", **{"risks/r1.yaml": f"id: r1\nimpact: {number}\n"})
    raised = dataclasses.replace(Limits(), max_number_digits=10**6)
    assert problems(Path("repo"), raised) == [
        "repo/risks/r1.yaml:2:9: a number of thousands of digits is not data: quote it if it is "
        "text"
    ], kind
    fits = dataclasses.replace(Limits(), max_number_digits=20)
    repo(here / "repo", **{"risks/r1.yaml": "id: r1\nimpact: 0x" + "f" * 18 + "\n"})
    assert load_export(Path("repo"), fits).collection("risks")[0]["impact"] == 16**18 - 1


def test_json_numbers_python_cannot_write_out_are_refused_whatever_the_limit(here: Path) -> None:
    repo(here / "repo", **{"risks.json": '[{"id": "r1",\n  "impact": ' + "9" * 5000 + "}]"})
    raised = dataclasses.replace(Limits(), max_number_digits=10**6)
    assert problems(Path("repo"), raised) == [
        "repo/risks.json:2: a number of thousands of digits is not data: quote it if it is text"
    ]
    fits = dataclasses.replace(Limits(), max_number_digits=20)
    repo(
        here / "repo", **{"risks.json": '[{"id": "r1", "impact": -1.5e300, "n": ' + "9" * 20 + "}]"}
    )
    (risk,) = load_export(Path("repo"), fits).collection("risks")
    assert (risk["impact"], risk["n"]) == (-1.5e300, 10**20 - 1)


def test_aliases_count_against_the_export_size(here: Path) -> None:
    bomb = (
        "big: &b ["
        + ", ".join(["xxxxxxxxxx"] * 1000)
        + "]\nuses: ["
        + ", ".join(["*b"] * 200)
        + "]\n"
    )
    repo(here / "repo", **{"aims.yaml": AIMS + bomb})
    assert problems(Path("repo"), dataclasses.replace(Limits(), max_export_mb=1)) == [
        "repo/aims.yaml:1: the export's files add up to more than 1 MB (max_export_mb): reading "
        "stopped here"
    ]
    assert load_export(Path("repo")).data["uses"][199][999] == "xxxxxxxxxx"


def test_too_many_records_are_refused_while_parsing(here: Path) -> None:
    records = ",\n".join(f'{{"id": "r{i}", "title": "t"}}' for i in range(300_000))
    repo(here / "repo", **{"risks.json": f"[{records}]"})
    started = time.perf_counter()
    assert problems(Path("repo")) == [  # the system of ai_systems/ is record 1: refused at r249999
        "repo/risks.json:250000: the export holds more than 250,000 records (max_records): "
        "reading stopped here"
    ]
    assert time.perf_counter() - started < 10
    few = dataclasses.replace(Limits(), max_records=3)
    repo(here / "small", **{"risks.yaml": "".join(f"- {{id: r{i}, title: t}}\n" for i in range(5))})
    assert problems(Path("small"), few) == [
        "small/risks.yaml:3:3: the export holds more than 3 records (max_records): "
        "reading stopped here"
    ]


def test_too_many_files(here: Path) -> None:
    repo(here / "repo", **{f"risks__r{i}.yaml": f"id: r{i}\ntitle: R\n" for i in range(5)})
    assert problems(Path("repo"), dataclasses.replace(Limits(), max_files=4)) == [
        "repo/risks/r2.yaml:1: the export has more than 4 files (max_files): reading stopped here"
    ]


def test_a_pipe_named_like_an_export_file_never_blocks(here: Path) -> None:
    repo(here / "repo")
    os.mkfifo(here / "repo" / "risks.yaml")
    os.mkfifo(here / "repo" / "ai_systems" / "s2.yaml")
    assert problems(Path("repo")) == [
        "repo/ai_systems/s2.yaml:1: not a regular file (a device, pipe or socket): remove it",
        "repo/risks.yaml:1: not a regular file (a device, pipe or socket): remove it",
    ]


def test_links_out_of_the_export_are_never_opened(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = here / "secret.yaml"
    secret.write_text("- {id: p1, name: Leaked}\n")
    (here / "elsewhere").mkdir()
    (here / "elsewhere" / "x.yaml").write_text("id: s9\nname: Leaked\n")
    repo(here / "repo")
    (here / "repo" / "people.yaml").symlink_to(secret)
    (here / "repo" / "risks").symlink_to(here / "elsewhere")
    (here / "repo" / "ai_systems" / "s2.yaml").symlink_to(here / "elsewhere" / "x.yaml")
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, *a: opened.append(str(p)) or real_open(p, *a))
    outside = (
        "this is a link to a place outside the export folder, which aimscheck never reads: "
        "copy the file into the export instead"
    )
    assert problems(Path("repo")) == [
        f"repo/ai_systems/s2.yaml:1: {outside}",
        f"repo/people.yaml:1: {outside}",
        f"repo/risks:1: {outside}",
    ]
    assert not [p for p in opened if "secret" in p or "elsewhere" in p]


def test_links_inside_the_export_are_followed(here: Path) -> None:
    repo(here / "repo", **{"shared/r.yaml": "id: r1\ntitle: R\n"})
    (here / "repo" / "risks").mkdir()
    (here / "repo" / "risks" / "r1.yaml").symlink_to(here / "repo" / "shared" / "r.yaml")
    assert load_export(Path("repo")).collection("risks")[0]["id"] == "r1"


def test_symbolic_link_loops(here: Path) -> None:
    repo(here / "repo")
    (here / "repo" / "risks.yaml").symlink_to("risks.yaml")
    (here / "repo" / "ai_systems" / "loop.yaml").symlink_to("loop2.yaml")
    (here / "repo" / "ai_systems" / "loop2.yaml").symlink_to("loop.yaml")
    (here / "repo" / "people.yaml").symlink_to("nowhere.yaml")
    assert problems(Path("repo")) == [
        "repo/ai_systems/loop.yaml:1: a loop of symbolic links: fix or remove the link",
        "repo/ai_systems/loop2.yaml:1: a loop of symbolic links: fix or remove the link",
        "repo/people.yaml:1: a symbolic link to nothing: fix or remove the link",
        "repo/risks.yaml:1: a loop of symbolic links: fix or remove the link",
    ]


def test_unreadable_files_and_folders_simulated(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI runs as root, where chmod does not stop reading: make the OS calls fail instead.
    repo(here / "repo", **{"risks__r1.yaml": "id: r1\ntitle: R\n"})
    real_open, real_iterdir = os.open, Path.iterdir

    def deny_open(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("s1.yaml"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args)

    def deny_list(self: Path):  # type: ignore[no-untyped-def]
        if self.name == "risks":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(os, "open", deny_open)
    monkeypatch.setattr(Path, "iterdir", deny_list)
    assert problems(Path("repo")) == [
        "repo/ai_systems/s1.yaml:1: cannot read file (Permission denied): check its permissions",
        "repo/risks:1: cannot list this folder (Permission denied): check its permissions",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_files_and_folders_for_real(here: Path) -> None:
    repo(here / "repo", **{"risks__r1.yaml": "id: r1\ntitle: R\n"})
    (here / "repo" / "ai_systems" / "s1.yaml").chmod(0)
    (here / "repo" / "risks").chmod(0)
    try:
        assert problems(Path("repo")) == [
            "repo/ai_systems/s1.yaml:1: cannot read file (Permission denied): check its "
            "permissions",
            "repo/risks:1: cannot list this folder (Permission denied): check its permissions",
        ]
    finally:
        (here / "repo" / "risks").chmod(0o755)


def test_a_valid_export_still_passes(here: Path) -> None:
    result = check(repo(here / "repo"), rules(here))
    assert result.exit_code == EXIT_OK, result.output


# ---- proof files (issue #16): each attack run as CI runs it, with its exact message --------

CONTRACT = """\
rule "T-8.1-01" {
  title "Each supplier's contract is on file and sound"
  clause "8.1"
  severity minor
  phase control_design
  for tp in third_parties
  evidence tp.contract_ref
}
"""


def _proof_repo(here: Path, evidence: str) -> Path:
    """An export whose one supplier's contract is evidence record EV-1 (line 4 of aims.yaml)."""
    return repo(
        here / "repo",
        **{
            "aims.yaml": AIMS
            + "third_parties: [{id: tp-1, name: Acme, contract_ref: EV-1}]\n"
            + f"evidence:\n  - {{id: EV-1, kind: record, {evidence}}}\n",
        },
    )


def _proof_messages(output: str) -> list[tuple[str, str]]:
    report = json.loads(output)
    return [(e["status"], e["message"]) for r in report["results"] for e in r["evidence"]]


def test_a_pipe_swapped_in_for_a_proof_file_never_hangs_the_run(here: Path) -> None:
    _proof_repo(here, "path: files/contract.pdf")
    (here / "repo" / "files").mkdir()
    os.mkfifo(here / "repo" / "files" / "contract.pdf")
    done = process(
        "check",
        "repo",
        "--no-default-rules",
        "--rules",
        rules(here, CONTRACT),
        *AS_OF,
        "--format",
        "json",
        timeout=20,
        cwd=here,
    )
    assert done.returncode == EXIT_FINDINGS, done.stderr
    assert _proof_messages(done.stdout) == [
        (
            "file_not_found",
            "files/contract.pdf is not a regular file (a pipe): restore the file or correct the "
            "path (evidence/EV-1, repo/aims.yaml:5)",
        )
    ]


def test_a_hard_link_to_a_file_outside_the_repo_is_not_sound_proof(here: Path) -> None:
    _proof_repo(here, "path: files/contract.pdf")
    (here / "repo" / "files").mkdir()
    (here / "secret.txt").write_text("TOKEN=not-for-the-auditor\n")
    os.link(here / "secret.txt", here / "repo" / "files" / "contract.pdf")
    result = check(Path("repo"), rules(here, CONTRACT), "--format", "json")
    assert result.exit_code == EXIT_FINDINGS, result.output
    assert _proof_messages(result.stdout) == [
        (
            "hard_link",
            "files/contract.pdf has other names (2 hard links); its content may be controlled "
            "from outside the root: keep a single copy in the repo, or run with "
            "--allow-hard-links if your checkout makes hard links (evidence/EV-1, "
            "repo/aims.yaml:5)",
        )
    ]
    assert "TOKEN" not in result.output
    allowed = check(Path("repo"), rules(here, CONTRACT), "--allow-hard-links")
    assert allowed.exit_code == EXIT_OK, allowed.output


def test_a_one_terabyte_sparse_proof_file_is_refused_by_its_size(here: Path) -> None:
    _proof_repo(here, "path: files/huge.bin")
    (here / "repo" / "files").mkdir()
    try:
        with open(here / "repo" / "files" / "huge.bin", "wb") as handle:
            handle.truncate(2**40)  # sparse: no disk space; hashing it took until the timeout
    except OSError as exc:
        pytest.skip(f"this file system holds no 1 TB sparse file ({exc.strerror})")
    started = time.perf_counter()
    result = check(Path("repo"), rules(here, CONTRACT), "--format", "json")
    assert time.perf_counter() - started < 20
    assert result.exit_code == EXIT_FINDINGS, result.output
    assert _proof_messages(result.stdout) == [
        (
            "too_large",
            "files/huge.bin is 1,099,511,627,776 bytes, past the limit of 512 MB (max_proof_mb), "
            "and was not read: if the input is genuine, raise the limit: "
            "AIMSCHECK_MAX_PROOF_MB=N or --limit max_proof_mb=N (evidence/EV-1, repo/aims.yaml:5)",
        )
    ]


@pytest.mark.parametrize(
    ("dates", "found"),
    [
        # 2026-11-20T10:30Z: collected during the as-of day, not in the future.
        ("collected_at: 2026-11-21T00:30+14:00", []),
        # 2026-11-21T01:00Z: valid to the end of the as-of day (judged on its first ten
        # characters, it had expired).
        ("expires_at: 2026-11-20T20:00-05:00", []),
        (
            "expires_at: 2026-11-20T20:00:00Z",
            [
                (
                    "expired",
                    "expired at 2026-11-20T20:00:00Z, before the end of 2026-11-20 (UTC): "
                    "collect a current proof (evidence/EV-1, repo/aims.yaml:5)",
                )
            ],
        ),
    ],
)
def test_proof_dates_with_zones_are_instants_in_utc(
    here: Path, dates: str, found: list[tuple[str, str]]
) -> None:
    _proof_repo(here, f"path: files/contract.pdf, {dates}")
    write(here / "repo", {"files/contract.pdf": "signed\n"})
    result = check(Path("repo"), rules(here, CONTRACT), "--format", "json")
    assert result.exit_code == (EXIT_FINDINGS if found else EXIT_OK), result.output
    assert _proof_messages(result.stdout) == found
