"""`aimscheck fmt`: one canonical layout that keeps comments and never changes what rules mean."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimscheck.cli import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from aimscheck.commands import fmt
from aimscheck.dsl.parser import parse_layout, parse_text
from aimscheck.errors import AimscheckError
from aimscheck.formatter import format_text
from aimscheck.resources import default_pack

PACK_FILES = sorted(default_pack().glob("*.aims"))


def comments(text: str) -> Counter[str]:
    return Counter(c.text for c in parse_layout(text, "x.aims")[1])


def assert_sound(text: str) -> str:
    """fmt(text) parses to the same rules, keeps every comment and is a fixed point."""
    out = format_text(text, "x.aims")
    before, after = parse_text(text, "x.aims"), parse_text(out, "x.aims")
    assert (after.rules, after.fields, after.definitions) == (
        before.rules,
        before.fields,
        before.definitions,
    )
    assert comments(out) == comments(text)
    assert format_text(out, "x.aims") == out
    return out


# ---- the default pack ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", PACK_FILES, ids=[p.name for p in PACK_FILES])
def test_every_pack_file_formats_to_the_same_rules_and_is_a_fixed_point(path: Path) -> None:
    assert_sound(path.read_text(encoding="utf-8"))


SHIPPED_FILES = sorted(default_pack().parent.glob("*/*.aims"))


@pytest.mark.parametrize(
    "path", SHIPPED_FILES, ids=[p.parent.name + "/" + p.name for p in SHIPPED_FILES]
)
def test_every_shipped_pack_file_is_already_in_the_canonical_layout(path: Path) -> None:
    # What `aimscheck fmt --check rules/` asks of an organisation's pack, the shipped packs meet.
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text


# ---- generated rules -----------------------------------------------------------------------------
# The generator writes rules the messiest legal way: every sub-expression in parentheses, any
# whitespace (line breaks included) or a comment between any two tokens, metadata in any order.

NAMES = st.sampled_from(["sys", "x", "risk", "owner", "item", "review", "max_age", "ok"])
FIELDS = st.sampled_from(["id", "name", "status", "owner_ref", "approved_at", "refs"])
COLLECTIONS = st.sampled_from(["people", "risks", "documents", "ai_systems"])
FUNCS = st.sampled_from(["len", "age", "lower", "coalesce", "first", "latest"])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)
PLAIN = st.text(st.sampled_from("abcdefghij ABC-:.,()'?!0123456789"), max_size=30)

Tokens = list[str]


def string_token(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def paren(tokens: Tokens) -> Tokens:
    return ["(", *tokens, ")"]


LEAVES: st.SearchStrategy[Tokens] = st.one_of(
    NAMES.map(lambda n: [n]),
    st.integers(0, 10_000).map(lambda i: [str(i)]),
    st.decimals(0, 1000, places=2).map(lambda d: [str(d)]),
    TEXT.map(lambda s: [string_token(s)]),
    st.dates().map(lambda d: [d.isoformat()]),
    st.sampled_from([["true"], ["false"]]),
    st.tuples(st.integers(1, 400), st.sampled_from(["day", "days", "weeks", "month", "years"])).map(
        lambda t: [str(t[0]), t[1]]
    ),
)

OPS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in", "+", "-", "*", "/", "and", "or"]


def compound(inner: st.SearchStrategy[Tokens]) -> st.SearchStrategy[Tokens]:
    def binary(t: tuple[Tokens, str, Tokens]) -> Tokens:
        return [*paren(t[0]), *t[1].split(), *paren(t[2])]

    def quantifier(t: tuple[str, str, Tokens, Tokens, Tokens]) -> Tokens:
        kind, var, source, where, body = t
        if kind in ("count", "filter"):
            return [kind, "(", var, "in", *paren(source), "where", *paren(where), ")"]
        if kind == "all":
            return ["all", var, "in", *paren(source), "where", *where, ":", *body]
        return [kind, var, "in", *paren(source), "where", *where]

    return st.one_of(
        st.tuples(inner, st.sampled_from(OPS), inner).map(binary),
        inner.map(lambda a: ["not", *paren(a)]),
        inner.map(lambda a: ["-", *paren(a)]),
        st.tuples(inner, FIELDS).map(lambda t: [*paren(t[0]), ".", t[1]]),
        st.tuples(inner, COLLECTIONS).map(lambda t: [*paren(t[0]), "->", t[1]]),
        st.tuples(inner, inner).map(lambda t: [*paren(t[0]), "[", *t[1], "]"]),
        st.tuples(FUNCS, st.lists(inner, max_size=3)).map(
            lambda t: [
                t[0],
                "(",
                *[x for i, a in enumerate(t[1]) for x in ([","] if i else []) + a],
                ")",
            ]
        ),
        st.lists(inner, max_size=3).map(
            lambda items: [
                "[",
                *[x for i, a in enumerate(items) for x in ([","] if i else []) + a],
                "]",
            ]
        ),
        st.tuples(inner, st.sampled_from(["^[A-Z]+$", "a|b", "x.*y"])).map(
            lambda t: [*paren(t[0]), "matches", string_token(t[1])]
        ),
        st.tuples(inner, st.sampled_from(["set", "missing", "empty", "not empty"])).map(
            lambda t: [*paren(t[0]), "is", *t[1].split()]
        ),
        st.tuples(
            st.sampled_from(["exists", "none", "all", "count", "filter"]),
            NAMES,
            inner,
            inner,
            inner,
        ).map(quantifier),
    )


EXPRS: st.SearchStrategy[Tokens] = st.recursive(LEAVES, compound, max_leaves=12)
HOLES = st.recursive(
    st.one_of(NAMES.map(lambda n: [n]), st.integers(0, 99).map(lambda i: [str(i)])),
    lambda inner: st.one_of(
        st.tuples(inner, FIELDS).map(lambda t: [*t[0], ".", t[1]]),
        st.tuples(FUNCS, inner).map(lambda t: [t[0], "(", *t[1], ")"]),
    ),
    max_leaves=3,
)


@st.composite
def message(draw: st.DrawFn) -> str:
    body = ""
    for _ in range(draw(st.integers(0, 3))):
        text = draw(PLAIN).replace("{", "").replace("}", "")
        body += text.replace('"', '\\"')
        if draw(st.booleans()):
            body += "{" + " ".join(draw(HOLES)) + "}"
    return '"' + body + '"'


@st.composite
def meta_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(["audit", "risk", "the", "AI", "system's"]), max_size=25))
    if draw(st.booleans()):
        return (
            '"""' + "".join(w + draw(st.sampled_from([" ", "\n   ", "  "])) for w in words) + '"""'
        )
    return string_token(" ".join(words))


@st.composite
def rule(draw: st.DrawFn, index: int) -> list[Tokens]:
    """A rule as a list of entries (each a token list), metadata shuffled."""
    meta: list[Tokens] = [["title", draw(meta_text())]]
    for key in ("description", "fix"):
        if draw(st.booleans()):
            meta.append([key, draw(meta_text())])
    meta.append(["clause", '"4.3"', ",", '"6.1.2"'] if draw(st.booleans()) else ["clause", '"9.3"'])
    if draw(st.booleans()):
        meta.append(["control", '"A.5.2"'])
    meta += [["severity", "major"], ["phase", "monitoring"]]
    if draw(st.booleans()):
        meta.append(["tags", '"a"', ",", '"b c"'])
    if draw(st.booleans()):
        meta.append(["overrides"])
    for i in range(draw(st.integers(0, 2))):
        value = draw(
            st.sampled_from([["365", "days"], ["0.25"], ["[", '"a"', ",", '"b"', "]"], ["-", "3"]])
        )
        meta.append(["param", f"p{i}", "=", *value])
    meta = draw(st.permutations(meta))
    logic: list[Tokens] = []
    if draw(st.booleans()):
        logic.append(["when", *draw(EXPRS)])
    if draw(st.booleans()):
        where = ["where", *draw(EXPRS)] if draw(st.booleans()) else []
        logic.append(["for", "sys", "in", *paren(draw(EXPRS)), *where])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["let", "require", "require", "evidence", "only if"]))
        if kind == "let":
            logic.append(["let", draw(NAMES), "=", *draw(EXPRS)])
        else:
            because = ["because", draw(message())] if draw(st.booleans()) else []
            logic.append([*kind.split(), *draw(EXPRS), *because])
    return [["rule", f'"ORG-{index}"', "{"], *meta, *logic, ["}"]]


FIELD_TYPES = [
    ["string"],
    ["list"],
    ["one", "of", '"a"', ",", '"b c"', ",", string_token('x"y')],
    ["ref", "documents"],
    ["list", "of", "ref", "evidence"],
]
SEPARATORS = st.sampled_from([" ", " ", "\n  ", "\n", "\n\n", "  # note\n", "\n# aside\n\n", "\t"])


@st.composite
def rule_file(draw: st.DrawFn) -> str:
    entries: list[Tokens] = []
    for index in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            kind = draw(st.sampled_from(FIELD_TYPES))
            entries.append(["field", "ai_systems", ".", f"custom_{index}", ":", *kind])
        if draw(st.booleans()):
            params = draw(
                st.sampled_from([[], ["(", ")"], ["(", "s", ")"], ["(", "a", ",", "b", ")"]])
            )
            entries.append(["define", f"shared_{index}", *params, "=", *draw(EXPRS)])
        entries += draw(rule(index))
    out = draw(st.sampled_from(["", "# header\n\n", "# header\n"]))
    for entry in entries:
        for token in entry:
            out += token + draw(SEPARATORS)
        out += draw(st.sampled_from(["\n", "  # end of entry\n", "\n\n"]))
    return out + draw(st.sampled_from(["", "# the end\n"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_file())
def test_generated_rules_format_to_the_same_rules_idempotently(text: str) -> None:
    parse_text(text, "x.aims")  # the generator writes only legal rule files
    assert_sound(text)


# ---- the layout ----------------------------------------------------------------------------------

MESSY = """\
# Pack header, kept at the top.

rule "ORG-1" {   # on the header line
  require sys.owner_ref is set     # why: the owner answers for it
  severity minor
  # the clause comment moves with its entry
  clause "4.3"
  for sys in ai_systems where sys.in_scope
  title "Every system has an owner"
  let unused = 3


  require (sys.owner_ref -> people).name is set because "{sys.id} has no named owner"
  # before the closing brace
}
# after everything
"""

EXPECTED = """\
# Pack header, kept at the top.

rule "ORG-1" {  # on the header line
  title       "Every system has an owner"
  # the clause comment moves with its entry
  clause      "4.3"
  severity    minor

  for sys in ai_systems where sys.in_scope
  require sys.owner_ref is set  # why: the owner answers for it
  let unused = 3

  require (sys.owner_ref -> people).name is set
  because "{sys.id} has no named owner"
  # before the closing brace
}
# after everything
"""


def test_canonical_layout_orders_metadata_and_keeps_every_comment_in_place() -> None:
    assert format_text(MESSY, "x.aims") == EXPECTED
    assert format_text(EXPECTED, "x.aims") == EXPECTED


def test_long_conditions_break_before_and_or_and_where() -> None:
    text = (
        'rule "ORG-2" {\n  title "t"\n  clause "4.3"\n  severity minor\n  phase monitoring\n'
        '  for sys in ai_systems where sys.in_scope and sys.lifecycle_stage != "retired" and '
        "sys.deployed_at is set and sys.owner_ref is set\n"
        '  require exists r in risks where sys.id in r.ai_system_refs and r.status == "treated" '
        "and r.assessed_at >= sys.last_significant_change_at\n}\n"
    )
    out = assert_sound(text)
    assert (
        "\n  for sys in ai_systems\n      where sys.in_scope\n        and sys.lifecycle_stage"
        in out
    )
    assert "\n  require exists r in risks\n          where sys.id in r.ai_system_refs" in out
    assert all(len(line) <= 100 for line in out.splitlines())


def test_long_metadata_text_is_rewrapped_and_never_ends_in_four_quotes() -> None:
    words = " ".join(["Major:"] + ["the impact assessment was never approved"] * 5) + ' "approved"'
    text = f'rule "ORG-3" {{\n  description """{words}\n   """\n  require true\n}}\n'
    out = assert_sound(text)
    lines = out.splitlines()
    assert lines[1].startswith('  description """Major:')
    assert lines[2].startswith(" " * 17) and out.count('"""') == 2
    assert '"approved" """' in out


def test_parentheses_a_reader_needs_are_added_and_meaning_kept() -> None:
    text = (
        'rule "X" {\n  require not a < b or c and d\n'
        "  require (r -> documents).approved_at is set\n}\n"
    )
    out = assert_sound(text)
    assert "require not (a < b) or (c and d)" in out
    assert "require (r -> documents).approved_at is set" in out


def test_only_if_is_laid_out_like_require_with_its_because_on_its_own_line() -> None:
    text = (
        'rule "X" {\n  for m in metrics\n  only   if m.lower_limit is set or m.upper_limit is set '
        'or (m.threshold is set and m.threshold matches "^[<>]") because "Metric {m.id} '
        'gives no direction"  # why\n  require true\n}\n'
    )
    out = assert_sound(text)
    assert out == (
        'rule "X" {\n  for m in metrics\n'
        "  only if m.lower_limit is set\n"
        "          or m.upper_limit is set\n"
        '          or (m.threshold is set and m.threshold matches "^[<>]")\n'
        '  because "Metric {m.id} gives no direction"  # why\n'
        "  require true\n}\n"
    )


def test_field_declarations_of_every_kind_have_one_layout() -> None:
    values = ", ".join(f'"region-{i}"' for i in range(12))
    text = (
        'field people.status:   one of\n  "active","left"  # the vocabulary\n'
        "field datasets.documentation_refs: list   of ref\n documents\n"
        f"field ai_systems.region: one of {values}\n"
        "field datasets.documentation_ref :ref documents\n"
        'rule "X" {\n  require true\n}\n'
    )
    assert assert_sound(text) == (
        'field people.status: one of "active", "left"  # the vocabulary\n'
        "field datasets.documentation_refs: list of ref documents\n"
        'field ai_systems.region: one of "region-0", "region-1", "region-2", "region-3", '
        '"region-4",\n'
        + " " * 32
        + '"region-5", "region-6", "region-7", "region-8", "region-9",\n'
        + " " * 32
        + '"region-10", "region-11"\n'
        "field datasets.documentation_ref: ref documents\n\n"
        'rule "X" {\n  require true\n}\n'
    )


def test_a_file_with_a_syntax_error_is_refused_with_its_location() -> None:
    with pytest.raises(AimscheckError) as caught:
        format_text('rule "X" {\n  titel "t"\n}\n', "bad.aims")
    assert "bad.aims:2:3" in caught.value.render()


def test_duplicate_metadata_is_refused_rather_than_silently_dropped() -> None:
    with pytest.raises(AimscheckError, match="'title' is given twice"):
        format_text('rule "X" {\n  title "a"\n  title "b"\n  require true\n}\n', "d.aims")


# ---- the command ---------------------------------------------------------------------------------


def run(*args: str | Path) -> tuple[int, str]:
    group = click.Group()
    group.add_command(fmt.command)
    result = CliRunner().invoke(group, ["fmt", *[str(a) for a in args]])
    return result.exit_code, result.output


def test_fmt_rewrites_check_reports_and_a_formatted_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "org.aims"
    path.write_text(MESSY)
    code, out = run("--check", tmp_path)
    assert code == EXIT_FINDINGS and f"would reformat {path}" in out
    assert path.read_text() == MESSY
    code, out = run("--diff", path)
    assert code == EXIT_FINDINGS and "+  title       " in out and path.read_text() == MESSY
    code, out = run(path)
    assert code == EXIT_OK and path.read_text() == EXPECTED
    assert run("--check", path)[0] == EXIT_OK


def test_fmt_leaves_a_broken_file_untouched_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.aims"
    bad.write_text('rule "X" {\n  require (a\n}\n')
    good = tmp_path / "good.aims"
    good.write_text(MESSY)
    code, out = run(tmp_path)
    assert code == EXIT_ERROR
    assert f"{bad}:2:11: '(' is never closed" in out
    assert bad.read_text() == 'rule "X" {\n  require (a\n}\n'
    assert good.read_text() == EXPECTED
