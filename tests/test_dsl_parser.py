"""The parser: a conflict-free grammar, recovery that reports each mistake once, comments kept."""

from __future__ import annotations

from aimscheck.dsl import nodes as n
from aimscheck.dsl.parser import build_strict, parse_layout, parse_recovering

GOOD = 'rule "ORG-1" {  # the header\n  title "t"\n  require true  # why\n}\n'


def test_the_grammar_builds_strictly_without_any_conflict() -> None:
    build_strict()  # raises on any shift/reduce or reduce/reduce conflict, or terminal collision


def test_recovery_skips_only_the_broken_statement_and_says_what_it_cut() -> None:
    text = (
        'rule "A" {\n  title "t"\n  let x = (1 +\n  require y is set\n}\n'
        'rule "B" {\n  titel "u"\n  require true\n}\n'
    )
    parsed = parse_recovering(text, "r.aims")
    assert [str(e.location) for e in parsed.errors] == ["r.aims:3:11", "r.aims:7:3"]
    assert [r.id for r in parsed.file.rules] == ["A", "B"]
    assert [(d.first_line, d.last_line, d.names) for d in parsed.damage] == [
        (3, 4, frozenset({"x"})),
        (7, 8, frozenset()),
    ]
    # what survived the cut is still there to be checked
    assert len(parsed.file.rules[0].body) == 1 and len(parsed.file.rules[1].body) == 1


def test_a_rule_left_open_is_closed_so_the_next_one_is_still_read() -> None:
    text = 'rule "A" {\n  require true\n\nrule "B" {\n  require false\n}\n'
    parsed = parse_recovering(text, "r.aims")
    assert [e.message for e in parsed.errors] == ["the '{' of rule \"A\" is never closed"]
    assert [r.id for r in parsed.file.rules] == ["A", "B"] and parsed.damage == ()


def test_layout_keeps_every_comment_with_its_place() -> None:
    items, comments = parse_layout(GOOD, "r.aims")
    assert [(c.line, c.column, c.text) for c in comments] == [
        (1, 17, "# the header"),
        (3, 17, "# why"),
    ]
    assert [e.key for e in items[0].entries] == ["title", "require"]


def test_only_if_is_a_statement_in_its_place_and_only_and_if_stay_field_names() -> None:
    text = (
        'rule "A" {\n  for m in metrics\n  let x = m.only\n'
        '  only if m.if is set because "Metric {m.id}: no direction"\n'
        "  only if x\n  require true\n}\n"
    )
    parsed = parse_recovering(text, "r.aims")
    assert parsed.errors == ()
    body = parsed.file.rules[0].body
    assert [type(s).__name__ for s in body] == ["Let", "OnlyIf", "OnlyIf", "Require"]
    only = body[1]
    assert isinstance(only, n.OnlyIf) and only.message is not None
    assert only.cond == n.IsCheck(n.FieldAccess(n.Name("m"), "if"), "set")
    assert only.message.parts == ("Metric ", n.FieldAccess(n.Name("m"), "id"), ": no direction")
    assert (only.span.line, only.span.column) == (4, 3)
    assert body[2] == n.OnlyIf(n.Name("x"), None)


def test_only_without_if_is_one_error_and_the_next_statement_is_still_read() -> None:
    text = 'rule "A" {\n  only m.x is set\n  require y\n}\n'
    parsed = parse_recovering(text, "r.aims")
    assert [(str(e.location), e.message) for e in parsed.errors] == [
        ("r.aims:2:3", "'only' is always followed by 'if'")
    ]
    assert parsed.file.rules[0].body == (n.Require(n.Name("y"), None),)


def test_the_words_of_the_language_are_those_the_grammar_writes() -> None:
    from aimscheck.dsl.keywords import ENTRY_KEYWORDS, ITEM_KEYWORDS, RESERVED

    assert ITEM_KEYWORDS == ("rule", "field", "define")
    assert ENTRY_KEYWORDS[-3:] == ("require", "evidence", "only")
    # a word only a field's type uses (`list of ref people`) still names a variable
    assert {"define", "because", "where", "missing"} <= RESERVED
    assert not {"list", "one", "of", "ref"} & RESERVED


def test_a_definition_is_parsed_with_its_name_and_parameters_placed() -> None:
    parsed = parse_recovering(
        'define open_statuses = ["open"]\ndefine owned(s, p) = s.owner_ref == p\n', "d.aims"
    )
    assert parsed.errors == ()
    plain, owned = parsed.file.definitions
    assert (plain.name, plain.params) == ("open_statuses", None)
    assert (owned.name, owned.params) == ("owned", ("s", "p"))
    assert (owned.span.line, owned.span.column) == (2, 8)
    assert [(s.line, s.column) for s in owned.param_spans] == [(2, 14), (2, 17)]


def test_a_brace_never_closed_in_a_message_is_told_at_the_brace_quoting_only_the_file() -> None:
    text = 'rule "A" {\n  require x\n  because "{a.id} ({a.name) and {a.title"\n}\n'
    parsed = parse_recovering(text, "r.aims")
    assert [(str(e.location), e.message, e.snippet) for e in parsed.errors] == [
        (
            "r.aims:3:20",
            "this '{' in the message is never closed",
            '    because "{a.id} ({a.name) and {a.title"\n' + " " * 21 + "^",
        ),
        (
            "r.aims:3:33",
            "this '{' in the message is never closed",
            '    because "{a.id} ({a.name) and {a.title"\n' + " " * 34 + "^",
        ),
    ]
