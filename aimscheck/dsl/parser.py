"""Builds the LALR parser once and turns rule text into an AST, with friendly syntax errors."""

from __future__ import annotations

import difflib
import functools
import re

from lark import Lark, Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.exceptions import VisitError

from aimscheck.dsl import nodes as n
from aimscheck.dsl.transformer import AstBuilder
from aimscheck.errors import AimscheckError, RuleSyntaxError, raise_all
from aimscheck.resources import grammar_path
from aimscheck.source import Location, render_snippet

ENTRY_KEYWORDS = (
    "title",
    "description",
    "fix",
    "clause",
    "control",
    "severity",
    "phase",
    "tags",
    "param",
    "overrides",
    "when",
    "for",
    "let",
    "require",
    "evidence",
)
# How terminals read in a message; keyword and punctuation terminals are quoted as written.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted string",
    "LONG_STRING": 'a """long string"""',
    "NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "UNIT": "a unit (days, weeks, months, years)",
    "$END": "the end of the file",
}
_RULE_START = re.compile(r"^[ \t]*(rule|field)\b", re.MULTILINE)


@functools.cache
def _lark() -> Lark:
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        start=["start", "expr"],
        propagate_positions=True,
        maybe_placeholders=True,
    )


def build_strict() -> Lark:
    """The grammar built with `strict=True` (needs `interegular`): fails on any conflict."""
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        start=["start", "expr"],
        strict=True,
        propagate_positions=True,
        maybe_placeholders=True,
    )


def _describe(term: str) -> str:
    if term in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[term]
    try:
        pattern = _lark().get_terminal(term).pattern
    except KeyError:
        return term.lower()
    return f"'{pattern.value}'" if pattern.type == "str" else term.lower()


def _expected_words(expected: set[str]) -> str:
    words = sorted({_describe(t) for t in expected})
    keywords = [w for w in words if w.strip("'") in ENTRY_KEYWORDS]
    if len(keywords) >= 8:
        rest = [w for w in words if w not in keywords]
        words = ["a rule entry (title, clause, control, severity, phase, require, …)", *rest]
    if len(words) > 6:
        return ", ".join(words[:6]) + ", …"
    return " or ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " or " + words[-1]


def _token_words(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type in ("STRING", "LONG_STRING"):
        return f"string {token}"
    return f"'{token}'"


class _Parse:
    """One file's parse: collects every syntax error, recovering at the next `rule` line."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.errors: list[AimscheckError] = []

    def error(self, line: int, column: int, message: str, hint: str = "", width: int = 1) -> None:
        self.errors.append(
            RuleSyntaxError(
                message,
                Location(self.path, line, column),
                render_snippet(self.text, line, column, width),
                hint,
            )
        )

    def parse_hole(self, source: str, line: int, column: int) -> n.Expr:
        """Parse the expression of a message hole `{...}`; errors point into the message."""
        if not source.strip():
            self.error(
                line,
                column,
                "empty '{}' in a message: put an expression inside, "
                "or write \\{ for a literal brace",
            )
            return n.Literal("")
        try:
            tree = _lark().parse(source, start="expr")
            result: n.Expr = AstBuilder(self.parse_hole).transform(tree)
        except UnexpectedInput as exc:
            self.error(
                line,
                column + max(exc.column, 1) - 1,
                f"cannot read '{{{source}}}' in the message: it must be an expression",
            )
            return n.Literal("")
        return _shift(result, line - 1, column - 1)

    def run(self) -> n.RuleFile:
        text = self.text
        items: list[object] = []
        for _ in range(10_000):  # each round blanks at least one line; a hard bound regardless
            try:
                tree = _lark().parse(text, start="start")
                items = AstBuilder(self.parse_hole).transform(tree)
                break
            except UnexpectedInput as exc:
                self.report(exc)
                rest = self.skip_failed(text, exc)
                if rest is None:
                    break
                text = rest
            except VisitError as exc:  # a transformer bug must not surface as a traceback
                self.error(1, 1, f"internal error while reading the rule: {exc.orig_exc}")
                break
        rules = tuple(i for i in items if isinstance(i, n.Rule))
        fields = tuple(i for i in items if isinstance(i, n.FieldDecl))
        return n.RuleFile(self.path, self.text, rules, fields)

    def skip_failed(self, text: str, exc: UnexpectedInput) -> str | None:
        """Blank out the rule that failed (keeping line breaks) so the rest can be parsed."""
        err_pos = _offset(text, exc.line, exc.column)
        starts = [m.start() for m in _RULE_START.finditer(text)]
        begin = max((s for s in starts if s <= err_pos), default=0)
        end = min((s for s in starts if s > err_pos), default=len(text))
        if begin == end:
            return None
        blank = re.sub(r"[^\n]", " ", text[begin:end])
        new = text[:begin] + blank + text[end:]
        return None if new == text or not new.strip() else new

    def report(self, exc: UnexpectedInput) -> None:
        line, col = exc.line, exc.column
        if isinstance(exc, UnexpectedCharacters):
            ch = self.text_char(line, col)
            if ch == '"':
                self.error(
                    line,
                    col,
                    'unterminated string: close it with " on the same line',
                    'use """...""" for text over several lines',
                )
            else:
                self.error(
                    line,
                    col,
                    f"unexpected character {ch!r}: "
                    f"expected {_expected_words(set(exc.allowed or ()))}",
                )
            return
        if isinstance(exc, UnexpectedToken):
            self.report_token(exc)
            return
        self.error(line, col, "cannot read the rule here")

    def report_token(self, exc: UnexpectedToken) -> None:
        token: Token = exc.token
        expected = set(exc.expected)
        if token.type == "$END":
            line, col = _end_position(self.text)
            if "RBRACE" in expected:
                self.error(
                    line,
                    col,
                    "unexpected end of file: a rule block is not closed",
                    f"add '}}' to close the rule opened at line {self.rule_line(line)}",
                )
            else:
                self.error(
                    line, col, f"unexpected end of file: expected {_expected_words(expected)}"
                )
            return
        line, col = token.line or 1, token.column or 1
        width = len(str(token))
        word = str(token)
        before = self.text.splitlines()[line - 1][: col - 1] if line else ""
        previous = re.search(r"([A-Za-z_]+)\s*$", before)
        if previous and previous.group(1) in ("exists", "all", "none") and token.type == "NAME":
            quant = previous.group(1)
            self.error(
                line,
                col - len(before) + previous.start(1),
                f"'{quant}' cannot follow an operator without parentheses",
                f"write ({quant} {word} in … where …) inside and/or/not",
                len(quant),
            )
            return
        entry_expected = sum(1 for t in expected if _describe(t).strip("'") in ENTRY_KEYWORDS)
        if token.type == "NAME" and entry_expected >= 8:
            guess = difflib.get_close_matches(word, ENTRY_KEYWORDS, n=1, cutoff=0.6)
            hint = (
                f"did you mean '{guess[0]}'?"
                if guess
                else (
                    "a rule holds: title, description, fix, clause, control, severity, phase, "
                    "tags, param, overrides, when, for, let, require, evidence"
                )
            )
            self.error(line, col, f"unknown keyword '{word}' in a rule", hint, width)
            return
        if token.type in ("EXISTS", "ALL", "NONE"):
            self.error(
                line,
                col,
                f"'{word}' cannot follow an operator without parentheses",
                f"write ({word} … where …) inside and/or/not",
                width,
            )
            return
        if token.type == "RULE" and "RBRACE" in expected:
            self.error(
                line,
                col,
                "a new rule starts before the previous one is closed",
                f"add '}}' to close the rule opened at line {self.rule_line(line - 1)}",
                width,
            )
            return
        self.error(
            line,
            col,
            f"unexpected {_token_words(token)}: expected {_expected_words(expected)}",
            width=width,
        )

    def text_char(self, line: int, col: int) -> str:
        lines = self.text.splitlines()
        if 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]):
            return lines[line - 1][col - 1]
        return "?"

    def rule_line(self, before: int) -> int:
        lines = self.text.splitlines()
        for i in range(min(before, len(lines)), 0, -1):
            if lines[i - 1].lstrip().startswith("rule"):
                return i
        return 1


def _offset(text: str, line: int, column: int) -> int:
    pos = 0
    for _ in range(line - 1):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos + max(column - 1, 0)


def _end_position(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    line = stripped.count("\n") + 1
    return line, len(stripped) - (stripped.rfind("\n") + 1) + 1


def _shift(expr: n.Expr, lines: int, columns: int) -> n.Expr:
    """Move a hole expression's spans from its own text to its place in the rule file."""
    import dataclasses

    def move(node: object) -> object:
        if isinstance(node, tuple):
            return tuple(move(x) for x in node)
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            return node
        changes: dict[str, object] = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name == "span" and value != n.NO_SPAN:
                first = columns if value.line == 1 else 0
                end_first = columns if value.end_line == 1 else 0
                changes["span"] = type(value)(
                    value.line + lines,
                    value.column + first,
                    value.end_line + lines,
                    value.end_column + end_first,
                )
            elif f.name != "span":
                changes[f.name] = move(value)
        return dataclasses.replace(node, **changes)

    return move(expr)  # type: ignore[return-value]


def parse_text(text: str, path: str) -> n.RuleFile:
    """Parse one rule file; raises RuleSyntaxError (or ErrorGroup) listing every syntax error."""
    parse = _Parse(text, path)
    result = parse.run()
    raise_all(parse.errors)
    return result


def parse_partial(text: str, path: str) -> tuple[n.RuleFile, list[AimscheckError]]:
    """Parse what can be parsed and return the syntax errors beside it (for `lint`)."""
    parse = _Parse(text, path)
    result = parse.run()
    return result, parse.errors
