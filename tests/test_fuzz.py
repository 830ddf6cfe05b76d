"""Property-based fuzzing of exports and rule files: nothing escapes, everything is deterministic.

Example counts are modest so that CI stays fast; `python benchmarks/fuzz.py` runs the same
properties with many more (AIMSCHECK_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import string
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimscheck.dsl.parser import parse_text
from aimscheck.dsl.ruleset import RuleSet, compile_files
from aimscheck.engine import Evaluator
from aimscheck.errors import AimscheckError
from aimscheck.export.dates import coerce_dates
from aimscheck.export.loader import load_export
from aimscheck.export.model import Export
from aimscheck.export.schema import validate_export
from aimscheck.resources import default_pack

AS_OF = dt.date(2026, 11, 20)
FUZZ = settings(
    max_examples=int(os.environ.get("AIMSCHECK_FUZZ_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="AIMSCHECK_FUZZ_EXAMPLES" not in os.environ,  # CI: the same examples each run
)

# ---- values, exports and their files

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False)
    | TEXT
    | st.sampled_from(["2026-01-31", "2026-02-30", "A.5.2", "p1", "s1", "", "yes", "1e999"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
# The records every generated export holds, so that its references can name them.
PEOPLE = [{"id": "p1", "name": "Ann"}, {"id": "p2", "name": "Bo"}]
MODELS = [{"id": "m1", "name": "Scorer v1"}]


def valid_fields(systems: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Valid values of known fields: most records pass validation, so their evaluation is
    fuzzed. References name records of the export (a dangling one is an export error);
    `systems` are the AI systems' ids."""
    return {
        "owner_ref": st.sampled_from([p["id"] for p in PEOPLE]),
        "model_refs": st.lists(st.sampled_from([m["id"] for m in MODELS]), max_size=3),
        "deployed_at": st.sampled_from(["2026-01-31", "2024-02-29", "2026-11-20T10:00:00Z"]),
        "likelihood": st.integers(1, 5),
        "ai_system_refs": st.lists(st.sampled_from(systems), max_size=3)
        if systems
        else st.just([]),
    }


@st.composite
def records(
    draw: st.DrawFn,
    prefix: str,
    count: int,
    systems: list[str],
    required: dict[str, Any],
    broken: bool,
) -> list[dict[str, Any]]:
    """`count` records valid but for a random `extra` (custom fields are accepted), and, when
    `broken`, sometimes one known field of a random type (refused by the schema). `required`:
    fields every record must have, with the values they may take."""
    valid = valid_fields(systems)
    out = []
    for index in range(count):
        record: dict[str, Any] = {"id": f"{prefix}{index}", "name": "N", "title": "T"}
        record |= {name: draw(values) for name, values in required.items()}
        for name in draw(st.lists(st.sampled_from(sorted(valid)), max_size=4)):
            record[name] = draw(valid[name])
        record["extra"] = draw(VALUES)
        if broken and draw(st.integers(0, 5)) == 0:
            record[draw(st.sampled_from(sorted([*valid, *required])))] = draw(VALUES)
        out.append(record)
    return out


@st.composite
def exports(draw: st.DrawFn, broken: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"schema_version": "1", "organization": {"name": "Org"}}
    data["people"] = PEOPLE
    data["models"] = MODELS
    ids = [f"s{i}" for i in range(draw(st.integers(0, 4)))]
    required = {"in_scope": st.booleans()}
    data["ai_systems"] = draw(records("s", len(ids), ids, required, broken))
    data["risks"] = draw(records("r", draw(st.integers(0, 4)), ids, {}, broken))
    if draw(st.booleans()):
        data["scope"] = {
            "statement": "S",
            "is_pilot": draw(st.booleans()),
            "ai_system_refs": ids[:1],
        }
    if draw(st.booleans()):
        data["x_extra"] = draw(VALUES)
    return data


# How a file is written: "-ascii" escapes text outside ASCII (\u escapes, YAML escapes).
KINDS = st.sampled_from(["yaml", "yaml-ascii", "json", "json-ascii"])


def dump(data: Any, kind: str, strict: bool = False) -> bytes:
    """The file text; `strict` refuses what JSON has no word for (inf: ValueError)."""
    ascii_only = kind.endswith("-ascii")
    if kind.startswith("yaml"):
        return yaml.safe_dump(data, allow_unicode=not ascii_only, sort_keys=False).encode()
    return json.dumps(data, ensure_ascii=ascii_only, allow_nan=not strict).encode()


def suffix(kind: str) -> str:
    return kind.removesuffix("-ascii")


# Pieces of YAML and JSON syntax, tags (every kind of constructor) and merges included.
SYNTAX = [
    *(c.encode() for c in "[]{}:,\n\t-\"'\\"),
    *(f"!!{tag} ".encode() for tag in ("map", "seq", "str", "int", "float", "bool", "null")),
    *(f"!!{tag} ".encode() for tag in ("timestamp", "binary", "set", "omap", "python/name:x")),
    b"&a ",
    b"*a",
    b"<<: *a",
    b"\\ud800",
    b"NaN",
    b"1e999",
    b"9" * 5000,
]


@st.composite
def mutated(draw: st.DrawFn, raw: bytes) -> bytes:
    """Bytes with a few random edits: deletions, insertions of syntax, replaced bytes."""
    out = bytearray(raw)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 4]))):  # half the files stay intact
        at = draw(st.integers(0, len(out)))
        edit = draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = draw(st.sampled_from(SYNTAX) | st.binary(min_size=1, max_size=3))
        if edit == "delete":
            del out[at : at + draw(st.integers(1, 8))]
        elif edit == "insert":
            out[at:at] = piece
        else:
            out[at : at + len(piece)] = piece
    return bytes(out)


@functools.cache
def pack() -> RuleSet:
    """The built-in pack plus a few rules that read the fuzzed custom field."""
    folder = Path(tempfile.mkdtemp(prefix="aimscheck-fuzz-"))
    (folder / "fuzz.aims").write_text(
        "field ai_systems.extra: any\nfield risks.extra: any\n"
        + "".join(
            f'rule "FUZZ-{i}" {{\n  title "t"\n  clause "4.3"\n  severity minor\n'
            f"  phase scope_definition\n  for sys in ai_systems\n  require {body}\n}}\n"
            for i, body in enumerate(
                [
                    "sys.extra is set and len(sys.extra) > 0",
                    'sys.extra > 3 or sys.extra == "x"',
                    'sys.extra matches "^(a+)+$" or lower(sys.extra) == "a"',
                    "exists x in sys.extra where x == sys.id",
                    "sum(sys.extra) + max(sys.extra) >= min(sys.extra)",
                    "age(sys.extra) <= 30 days and days(sys.extra) > 1 days",
                    'first(distinct(pluck(sys.extra, "id"))) is missing',
                    'sys.extra[0] == sys.extra["k"] and sys.extra -> people is set',
                    "count(r in risks where r.extra == sys.extra) < 2",
                ]
            )
        )
    )
    return compile_files([default_pack(), folder], builtin_count=0)


def outcomes(
    export: Export, generate: bool = False, ruleset: RuleSet | None = None
) -> list[tuple[str, str, str, str]]:
    """Every result, by the closures or (`generate`) by generated code."""
    results = Evaluator(export, AS_OF, generate=generate).run(ruleset or pack())
    return [(r.rule.id, r.outcome.value, str(r.subject), r.message) for r in results]


def load_and_run(root: Path) -> list[tuple[str, str, str, str]] | None:
    """The outcomes of a full check, or None when the input is refused with an AimscheckError."""
    ruleset = pack()  # outside the try: a pack that does not compile must fail loudly
    try:
        export = load_export(root)
        if validate_export(export):
            return None
        coerce_dates(export, ruleset.custom_date_fields)
    except AimscheckError:
        return None
    first = outcomes(export)
    # The same export evaluates the same way twice, and the same with generated code.
    assert outcomes(export, generate=True) == first
    return first


def write_tree(root: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    for name, raw in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(raw)
    return files


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_fuzzed_pack_runs_on_a_valid_export(tmp_path: Path) -> None:
    """Guards the property below from passing vacuously, every input refused."""
    write_tree(tmp_path, {"export.json": json.dumps(EXPORT).encode()})
    found = load_and_run(tmp_path / "export.json")
    assert found is not None and {r for r, *_ in found} >= {f"FUZZ-{i}" for i in range(9)}


@FUZZ
@given(exports(broken=False))
def test_generated_exports_are_valid_unless_broken_on_purpose(data: dict[str, Any]) -> None:
    """Guards the property below from fuzzing refusals only: an export the generator means
    as valid (required fields, references to its own records) passes validation."""
    export = Export(Path("export.json"), Path("export.json"), data)
    assert validate_export(export) == []


@FUZZ
@given(exports(), KINDS, st.booleans(), st.data())
def test_fuzzed_exports_never_crash_and_evaluate_deterministically(
    data: dict[str, Any], kind: str, folder: bool, draw: st.DataObject
) -> None:
    ext = suffix(kind)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if folder:
            systems = data.pop("ai_systems")
            files = {f"aims.{ext}": dump(data, kind)}
            files |= {f"ai_systems/s{i}.{ext}": dump(s, kind) for i, s in enumerate(systems)}
        else:
            files = {f"export.{ext}": dump(data, kind)}
        name = draw.draw(st.sampled_from(sorted(files)))
        files[name] = draw.draw(mutated(files[name]))
        write_tree(root, files)
        load_and_run(root if folder else root / f"export.{ext}")
        assert tree_bytes(root) == files  # nothing was written into the export


@FUZZ
@given(
    st.dictionaries(TEXT.map(lambda k: "x_" + k), VALUES, max_size=5),
    # PyYAML writes a NEL (U+0085) raw in quoted text, where YAML reads it as a line break:
    # its own round trip loses it, so YAML is written escaped here.
    st.sampled_from(["yaml-ascii", "json", "json-ascii"]),
)
def test_export_files_load_back_to_the_data_they_were_written_from(
    extra: dict[str, Any], kind: str
) -> None:
    data = {"schema_version": "1", **extra}
    try:
        raw = dump(data, kind, strict=True)
    except ValueError:  # infinity: no JSON for it
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{suffix(kind)}"
        path.write_bytes(raw)
        try:
            loaded = load_export(path).data
        except AimscheckError as exc:  # only the limits may refuse what the dumper wrote
            assert "(max_" in exc.message, exc.render()
            return
        assert loaded == data


# ---- rule files

FIELD = st.sampled_from(
    ["id", "name", "in_scope", "owner_ref", "model_refs", "deployed_at", "extra"]
)
ATOMS = st.one_of(
    FIELD.map(lambda f: f"sys.{f}"),
    st.sampled_from(
        [
            "today",
            "true",
            "false",
            "30 days",
            "12 months",
            "2026-01-31",
            "1.5",
            "0",
            '"A.5.2"',
            '""',
        ]
    ),
    st.integers(-5, 5).map(str),
    st.text(string.ascii_letters + " {}\\", max_size=6).map(
        lambda s: '"' + s.replace("\\", "\\\\") + '"'
    ),
    st.sampled_from(["risks", "ai_systems", "annex_a_controls", "scope", "organization"]),
)


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    cond = inner
    return st.one_of(
        st.tuples(
            inner,
            st.sampled_from(
                ["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "in", "and", "or"]
            ),
            inner,
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"not {x}"),
        inner.map(lambda x: f"-{x}"),
        st.tuples(inner, st.sampled_from(["set", "missing", "empty", "not empty"])).map(
            lambda t: f"({t[0]} is {t[1]})"
        ),
        st.tuples(inner, st.sampled_from(["^a", "(a+)+$", "[", "\\\\d"])).map(
            lambda t: f'({t[0]} matches "{t[1]}")'
        ),
        st.tuples(
            st.sampled_from(
                [
                    "len",
                    "lower",
                    "trim",
                    "age",
                    "days",
                    "distinct",
                    "sum",
                    "max",
                    "min",
                    "first",
                    "clause_group",
                    "in_scope",
                ]
            ),
            inner,
        ).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
        st.tuples(inner, st.sampled_from(['"id"', '"held_at"'])).map(
            lambda t: f"pluck({t[0]}, {t[1]})"
        ),
        st.tuples(st.sampled_from(["exists", "none"]), cond).map(
            lambda t: f"({t[0]} r in risks where {t[1]})"
        ),
        cond.map(lambda c: f"(all r in risks: {c})"),
        st.tuples(st.sampled_from(["count", "filter"]), cond).map(
            lambda t: f"{t[0]}(r in risks where {t[1]})"
        ),
        inner.map(lambda x: f"({x} -> people)"),
        st.tuples(inner, FIELD).map(lambda t: f"({t[0]}).{t[1]}"),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
    )


EXPRESSIONS = st.recursive(ATOMS | st.just("r.id") | st.just("r.likelihood"), _grow, max_leaves=8)


# Typed pieces, so that most generated rules compile and their evaluation is fuzzed too;
# `sys.extra` (declared `any`) holds values of every type at run time.
NUMBERS = st.sampled_from(
    [
        "len(sys.name)",
        "sys.extra",
        "count(r in risks where r.likelihood > 1)",
        "2",
        "0",
        "-1.5",
    ]
)
TEXTS = st.sampled_from(["sys.id", "sys.name", "lower(sys.name)", "trim(sys.extra)", '"s1"', '""'])
DATES = st.sampled_from(
    [
        "today",
        "sys.deployed_at",
        "2026-01-31",
        "today - 30 days",
        "sys.extra",
        "today - 12 months",
        "sys.deployed_at + 1 month",
    ]
)
LISTS = st.sampled_from(
    ["sys.model_refs", "sys.extra", '["s1", "s2"]', 'pluck(risks, "id")', "distinct(sys.extra)"]
)
PATTERNS = st.sampled_from(["^s", "(a+)+$", "[", "^(a|aa)*$", "\\\\d"])


def _compare(pieces: st.SearchStrategy[str], ops: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(pieces, st.sampled_from(ops), pieces).map(lambda t: f"{t[0]} {t[1]} {t[2]}")


CONDITION_ATOMS = st.one_of(
    _compare(NUMBERS, ["==", "!=", "<", ">=", "+ 1 >", "/ 0 <", "* 2 =="]),
    _compare(TEXTS, ["==", "!=", "<", '+ "x" ==']),
    _compare(DATES, ["<", ">=", "=="]),
    st.tuples(TEXTS, LISTS).map(lambda t: f"{t[0]} in {t[1]}"),
    st.tuples(TEXTS, PATTERNS).map(lambda t: f'{t[0]} matches "{t[1]}"'),
    st.tuples(
        st.one_of(NUMBERS, TEXTS, DATES, LISTS), st.sampled_from(["set", "missing", "empty"])
    ).map(lambda t: f"{t[0]} is {t[1]}"),
    DATES.map(lambda d: f"age({d}) <= 30 days"),
    st.tuples(
        DATES, st.sampled_from(["<=", ">", "=="]), st.sampled_from(["1 month", "1 year"])
    ).map(lambda t: f"age({t[0]}) {t[1]} {t[2]}"),
    st.tuples(DATES, DATES).map(lambda t: f"months_between({t[0]}, {t[1]}) >= 1"),
    st.sampled_from(["in_scope(sys)", 'applicable("A.5.2")', "sys.in_scope", "true", "false"]),
    st.sampled_from(["(sys.owner_ref -> people).name is set", "first(sys.extra) is set"]),
)


def _conditions(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda c: f"not ({c})"),
        inner.map(lambda c: f"(exists r in risks where r.likelihood > 2 or {c})"),
        inner.map(lambda c: f"(all r in risks: r.id != sys.id and {c})"),
        inner.map(lambda c: f"(none x in sys.extra where x == sys.id or {c})"),
        inner.map(lambda c: f"count(r in risks where r.owner_ref == sys.owner_ref and {c}) >= 1"),
    )


CONDITIONS = st.recursive(CONDITION_ATOMS, _conditions, max_leaves=6)


@st.composite
def rule_files(draw: st.DrawFn) -> str:
    """Rule files that mostly compile (typed conditions), sometimes not (free expressions, a
    bad severity, a random edit)."""
    rules = []
    free = draw(st.integers(0, 9)) < 3  # a file of free expressions: mostly refused
    any_expr = st.one_of(CONDITIONS, EXPRESSIONS) if free else CONDITIONS
    for index in range(draw(st.integers(1, 3))):
        body = [f"  require {draw(any_expr)}" for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            value = st.one_of(NUMBERS, TEXTS, DATES, LISTS, *([EXPRESSIONS] if free else []))
            body.insert(0, f"  let v = {draw(value)}")
        if draw(st.booleans()):
            hole = draw(st.one_of(NUMBERS, TEXTS, LISTS, *([EXPRESSIONS] if free else [])))
            body.append(f'  evidence {draw(LISTS)}\n    because "no {{sys.id}} {{{hole}}}"')
        comment = "  # a comment\n" if draw(st.booleans()) else ""
        severity = draw(st.sampled_from(["minor", "major", "observation"] * 5 + ["critical"]))
        where = f" where {draw(any_expr)}" if draw(st.booleans()) else ""
        rules.append(
            f'rule "FZ-{index}" {{\n{comment}  title "t {index}"\n  clause "4.3"\n'
            f"  severity {severity}\n  phase scope_definition\n  for sys in ai_systems{where}\n"
            + "\n".join(body)
            + "\n}\n"
        )
    text = "field ai_systems.extra: any\n" + "\n".join(rules)
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 5))
        edit = draw(st.sampled_from(["", "(", ")", '"', "{", "}", "\n", " and ", "#"]))
        text = text[:at] + edit + text[at + cut :]
    return text


EXPORT = {
    "schema_version": "1",
    "organization": {"name": "Org"},
    "people": [{"id": "p1", "name": "Ann"}],
    "ai_systems": [
        {
            "id": "s1",
            "name": "Scoring",
            "in_scope": True,
            "owner_ref": "p1",
            "extra": [1, "a", None],
        },
        {"id": "s2", "name": "Chat", "in_scope": False, "extra": "aaaa"},
        {
            "id": "s3",
            "name": "Vision",
            "in_scope": True,
            "extra": {"k": 2},
            "deployed_at": "2026-01-31",
        },
    ],
    "risks": [{"id": "r1", "title": "R", "likelihood": 3}, {"id": "r2", "title": "S"}],
}


@functools.cache
def fixed_export() -> Path:
    path = Path(tempfile.mkdtemp(prefix="aimscheck-fuzz-")) / "export.json"
    path.write_text(json.dumps(EXPORT))
    return path


@FUZZ
@given(rule_files())
def test_fuzzed_rule_files_never_crash_and_evaluate_deterministically(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.aims"
        path.write_text(text)
        try:
            ruleset = compile_files([path])
        except AimscheckError:
            return
    export = load_export(fixed_export())
    coerce_dates(export, ruleset.custom_date_fields)
    first = outcomes(export, ruleset=ruleset)
    assert outcomes(export, ruleset=ruleset) == first
    assert outcomes(export, generate=True, ruleset=ruleset) == first  # both back ends agree


@FUZZ
@given(rule_files())
def test_formatting_is_idempotent_and_keeps_the_meaning(text: str) -> None:
    from aimscheck.formatter import format_text

    try:
        before = parse_text(text, "fuzz.aims")
    except AimscheckError:
        return
    try:
        once = format_text(text, "fuzz.aims")
    except AimscheckError as exc:  # a file it refuses (a key given twice), never its own bug
        assert "internal error" not in exc.message, exc.render()
        return
    assert format_text(once, "fuzz.aims") == once
    after = parse_text(once, "fuzz.aims")
    assert (after.rules, after.fields) == (before.rules, before.fields)
