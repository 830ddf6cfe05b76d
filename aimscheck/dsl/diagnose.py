"""Words for syntax errors: what was expected, in words, and the likely fix for common slips."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from aimscheck.dsl.keywords import ENTRY_KEYWORDS, EXPRESSION_WORDS, ITEM_KEYWORDS, RESERVED

# The words of the language come from the grammar (keywords.py); a list here would drift.
__all__ = ["ENTRY_KEYWORDS", "ITEM_KEYWORDS", "RESERVED", "diagnose", "suggest"]
_EXPR_START = frozenset(
    {"(", "-", "[", "DATE", "NAME", "NUMBER", "STRING", "true", "false", "count", "filter"}
)
_OPERATORS = frozenset(
    {"==", "!=", "<", "<=", ">", ">=", "in", "not", "matches", "is", "+", "*", "/", "and", "or"}
)
_OPERAND_WORDS = ("matches", "in", "is", "and", "or", "not", "where", "days", "months", "years")
_WORDS = {
    "NAME": "a name",
    "STRING": "text in double quotes",
    "LONG_STRING": "text in double quotes",
    "NUMBER": "a number",
    "DATE": "a date (YYYY-MM-DD)",
    "UNIT": "a unit (days, weeks, months, years)",
    "$END": "the end of the file",
}
# Words from other languages and what they are called here.
_ALIASES = {
    "if": "when",
    "assert": "require",
    "check": "require",
    "must": "require",
    "expect": "require",
    "name": "title",
    "desc": "description",
    "remediation": "fix",
    "level": "severity",
    "controls": "control",
    "clauses": "clause",
    "tag": "tags",
    "foreach": "for",
    "var": "let",
    "const": "param",
    "message": "because",
}
# `if` alone starts no statement: the rule's `when`, or a subject's `only if`.
_IF_HINT = "did you mean 'when' (for the whole rule) or 'only if' (for each subject)?"
# What a stray character most likely meant.
_CHAR_HINTS = {
    "'": ("text goes in double quotes", "write \"…\" instead of '…'"),
    "&": ("'&' is not an operator", "write 'and' to combine conditions"),
    "|": ("'|' is not an operator", "write 'or' for either condition"),
    "!": ("'!' is not an operator", "write 'not x' to negate, or '!=' for 'not equal'"),
    ";": ("';' is not needed", "a statement ends at the end of its line: remove the ';'"),
    "@": ("'@' has no meaning in a rule", ""),
    "$": ("'$' has no meaning in a rule", "names are written plainly: sys.owner_ref"),
}


@dataclass(frozen=True, slots=True)
class Tok:
    """A token or a reduced construct, by kind: a keyword or sign as written, else its class."""

    kind: str  # "title", "==", "}", "NAME", "STRING", "$END", or "tree" for a reduced construct
    value: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Failure:
    """Where the parser stopped: the unexpected token, what it expected, what it had read."""

    token: Tok
    expected: frozenset[str]
    stack: tuple[Tok, ...]
    stray_char: bool  # the lexer found a character no token starts with


@dataclass(frozen=True, slots=True)
class Diagnosis:
    line: int
    column: int
    width: int
    message: str
    hint: str = ""


def expected_words(expected: Iterable[str]) -> str:
    """`a rule entry, '}' or 'because'`: the expected tokens grouped and said in words."""
    rest = set(expected) - {"COMMENT", "WS"}
    phrases: list[str] = []
    if len(rest & set(ENTRY_KEYWORDS)) >= 8:
        phrases.append("a rule entry (title, clause, require, …)")
        rest -= set(ENTRY_KEYWORDS)
    if len(rest & _EXPR_START) >= 5:
        phrases.append("a value, a name or '('")
        rest -= _EXPR_START | {"exists", "all", "none", "not"}
    if len(rest & _OPERATORS) >= 6:
        phrases.append("an operator (==, <, in, is, and, or, …)")
        rest -= _OPERATORS | {"-", ".", "->", "["}
    words = sorted({_WORDS.get(k, f"'{k}'") for k in rest})
    phrases += words
    if len(phrases) > 5:
        phrases = [*phrases[:5], "…"]
    if len(phrases) <= 2:
        return " or ".join(phrases)
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _said(tok: Tok) -> str:
    if tok.kind == "$END":
        return "the end of the file"
    if tok.kind in ("STRING", "LONG_STRING"):
        return f"text {tok.value}" if len(tok.value) < 40 else "text"
    return f"'{tok.value}'"


def suggest(word: str, options: Iterable[str]) -> str:
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{found[0]}'?" if found else ""


class Diagnoser:
    """Turns one parser failure into one precise message, most specific explanation first."""

    def __init__(self, failure: Failure, lines: list[str]) -> None:
        self.f = failure
        self.tok = failure.token
        self.lines = lines
        stack = failure.stack
        brace = max((i for i, t in enumerate(stack) if t.kind == "{"), default=-1)
        if any(t.kind == "}" for t in stack[brace + 1 :]):
            brace = -1  # that rule is closed; the parser has not folded it yet
        self.rule_tok = next((t for t in stack[:brace] if t.kind == "rule"), None)
        self.brace_tok = stack[brace] if brace >= 0 else None
        self.id_tok = next((t for t in stack[:brace] if t.kind == "STRING"), None)
        inner = stack[brace + 1 :]
        entries = [i for i, t in enumerate(inner) if t.kind in ENTRY_KEYWORDS]
        self.entry = inner[entries[-1]] if entries else None
        tail = inner[entries[-1] :] if entries else inner
        closes = {")": "(", "]": "["}
        opened: list[Tok] = []
        for t in tail:
            if t.kind in ("(", "["):
                opened.append(t)
            elif t.kind in closes and opened:
                opened.pop()
        self.unclosed = opened
        self.prev = stack[-1] if stack else None
        self.new_line = self.prev is None or self.prev.end_line < self.tok.line

    def at(self, tok: Tok, message: str, hint: str = "") -> Diagnosis:
        width = tok.end_column - tok.column if tok.end_line == tok.line else 1
        return Diagnosis(tok.line, tok.column, max(width, 1), message, hint)

    def after(self, tok: Tok, message: str, hint: str = "") -> Diagnosis:
        """A message placed just after `tok`: where the missing piece belongs."""
        return Diagnosis(tok.end_line, tok.end_column, 1, message, hint)

    def rule_name(self) -> str:
        return f"rule {self.id_tok.value}" if self.id_tok else "the rule"

    def diagnose(self) -> Diagnosis:
        if self.f.stray_char:
            return self.stray()
        for check in (
            self.definition_slips,
            self.unclosed_rule,
            self.quote_in_hole,
            self.split_keyword,
            self.glued_keyword,
            self.only_without_if,
            self.top_level,
            self.rule_header,
            self.incomplete,
            self.operand_slips,
            self.entry_value,
            self.misplaced,
            self.misspelt_counter,
            self.unknown_word,
        ):
            found = check()
            if found is not None:
                return found
        return self.at(
            self.tok, f"unexpected {_said(self.tok)}: expected {expected_words(self.f.expected)}"
        )

    # ---- each explanation returns None when it does not apply ----------------------------------

    def stray(self) -> Diagnosis:
        ch = self.tok.value
        if ch == '"':
            return self.at(
                self.tok,
                'unterminated text: close it with " on the same line',
                'use """…""" for text over several lines',
            )
        if ch == "'":
            line = self.lines[self.tok.line - 1] if 0 < self.tok.line <= len(self.lines) else ""
            end = line.find("'", self.tok.column)
            if end > 0:
                inner = line[self.tok.column : end]
                return self.at(
                    self.tok,
                    "text goes in double quotes",
                    f"write \"{inner}\" instead of '{inner}'",
                )
        message, hint = _CHAR_HINTS.get(
            ch, (f"unexpected character '{ch}'", f"expected {expected_words(self.f.expected)}")
        )
        return self.at(self.tok, message, hint)

    def unclosed_rule(self) -> Diagnosis | None:
        if self.tok.kind not in ("$END", *ITEM_KEYWORDS) or "}" not in self.f.expected:
            return None
        if self.unclosed:
            return self.bracket()
        if self.brace_tok is None or self.prev is None:
            return None
        last = self.prev.end_line
        return self.at(
            self.brace_tok,
            f"the '{{' of {self.rule_name()} is never closed",
            f"add '}}' on the line after line {last}",
        )

    def bracket(self) -> Diagnosis:
        opened = self.unclosed[-1]
        close = ")" if opened.kind == "(" else "]"
        return self.at(
            opened,
            f"'{opened.kind}' is never closed",
            f"add '{close}' where the {'group' if close == ')' else 'list'} ends",
        )

    def glued_keyword(self) -> Diagnosis | None:
        prev = self.prev
        if (
            prev is None
            or not prev.value.isalpha()
            or prev.kind in ("NAME", "tree")
            or self.tok.kind != "NAME"
            or (prev.end_line, prev.end_column) != (self.tok.line, self.tok.column)
        ):
            return None
        word = prev.value + self.tok.value
        options = sorted(RESERVED) if self.brace_tok else ITEM_KEYWORDS
        hint = suggest(word, options) or f"'{prev.value}' is a keyword: put a space after it"
        return Diagnosis(prev.line, prev.column, len(word), f"unknown word '{word}'", hint)

    def definition_slips(self) -> Diagnosis | None:
        """A `define` inside a rule, or without its single '='."""
        tok, stack = self.tok, self.f.stack
        if tok.kind == "define" and self.brace_tok is not None:
            return self.at(
                tok,
                f"a definition stands outside the rules, not inside {self.rule_name()}",
                "move it above the rule (or into a file of definitions): "
                "every rule of the pack can use it",
            )
        head = next((t for t in reversed(stack) if t.kind in ITEM_KEYWORDS), None)
        if head is None or head.kind != "define" or self.brace_tok is not None:
            return None
        if "=" in self.f.expected and any(t.kind == "NAME" for t in stack):
            name = next(t.value for t in stack if t.kind == "NAME" and t.line >= head.line)
            return self.at(
                tok,
                "'=' is missing after the definition's name",
                f"write: define {name}(…) = CONDITION, or define {name} = VALUE",
            )
        if tok.kind == "=" and self.prev is not None and self.prev.kind == "=":
            return self.at(
                self.prev,
                "a definition takes one '=' (and '==' compares)",
                "write: define NAME(…) = CONDITION",
            )
        return None

    def split_keyword(self) -> Diagnosis | None:
        """`requires`: the lexer read the keyword `require` and then a name `s` (a name cannot
        follow there); the word as written is the misspelt keyword."""
        stack = self.f.stack
        if len(stack) < 2 or stack[-1].kind != "NAME":
            return None
        word, rest = stack[-2], stack[-1]
        glued = (word.end_line, word.end_column) == (rest.line, rest.column)
        if not glued or word.kind != word.value or not word.value.isalpha():
            return None
        written = word.value + rest.value
        entry = word.kind in ENTRY_KEYWORDS and self.brace_tok is not None
        options = ENTRY_KEYWORDS if entry else sorted(RESERVED)
        hint = suggest(written, options) or f"'{word.value}' is a keyword: put a space after it"
        where = " in a rule" if entry else ""
        return Diagnosis(
            word.line, word.column, len(written), f"unknown keyword '{written}'{where}", hint
        )

    def quote_in_hole(self) -> Diagnosis | None:
        """`because "… {x == "a"} …"`: the quote inside the braces ended the message."""
        prev = self.prev
        if prev is None or prev.kind != "STRING" or prev.end_line != self.tok.line:
            return None
        if len(self.f.stack) < 2 or self.f.stack[-2].kind != "because":
            return None
        body = prev.value[1:-1].replace("\\{", "").replace("\\}", "")
        if body.count("{") <= body.count("}"):
            return None
        return Diagnosis(
            prev.end_line,
            prev.end_column - 1,
            1,
            "a '\"' inside '{…}' ends the message",
            'write a quote inside the braces as \\" ({x == \\"a\\"}), or compute the value '
            "in a let above",
        )

    def only_without_if(self) -> Diagnosis | None:
        if self.prev is None or self.prev.kind != "only" or self.f.expected != {"if"}:
            return None
        return self.at(
            self.prev,
            "'only' is always followed by 'if'",
            'write: only if CONDITION, then because "why the subject cannot be judged"',
        )

    def top_level(self) -> Diagnosis | None:
        if not (set(ITEM_KEYWORDS) & self.f.expected) or self.brace_tok is not None:
            return None
        if self.tok.kind == "}":
            return self.at(self.tok, "unmatched '}': no rule is open here", "remove it")
        hint = suggest(self.tok.value, ITEM_KEYWORDS)
        return self.at(
            self.tok,
            f'unexpected {_said(self.tok)}: a rule file holds rule "ID" {{ … }} blocks, '
            "field declarations and definitions",
            hint or 'start a rule with: rule "ORG-4.3-01" {',
        )

    def rule_header(self) -> Diagnosis | None:
        prev = self.prev
        if prev is None or (self.brace_tok is not None and prev.kind != "rule"):
            return None
        if prev.kind == "rule" and "STRING" in self.f.expected:
            return self.at(
                self.tok, "a rule id goes in double quotes", 'write: rule "ORG-4.3-01" {'
            )
        if prev.kind == "STRING" and self.f.expected == {"{"}:
            return self.after(prev, "expected '{' after the rule id", 'write: rule "ID" {')
        if prev.kind == "NAME" and self.f.expected <= {".", ":"} and self.tok.kind == "NAME":
            return self.after(
                prev,
                "':' is missing before the field's type",
                f"write: {prev.value}: {self.tok.value}",
            )
        return None

    def keyword_read_as_name(self) -> Tok | None:
        """`require` at a line's start read as a name, because the line above was unfinished."""
        stack = self.f.stack
        if len(stack) < 2 or stack[-1].kind != "NAME" or stack[-1].value not in ENTRY_KEYWORDS:
            return None
        word, before = stack[-1], stack[-2]
        line = self.lines[word.line - 1] if 0 < word.line <= len(self.lines) else ""
        if line[: word.column - 1].strip() or before.end_line >= word.line:
            return None
        return before

    def incomplete(self) -> Diagnosis | None:
        """The previous line ended before its statement did."""
        before = self.keyword_read_as_name()
        if before is not None and self.prev is not None:
            if self.unclosed:
                return self.bracket()
            hint = f"finish it on its line: line {self.prev.line} starts a new statement"
            if before.kind == "tree":
                return self.after(before, "the statement ends before it is complete", hint)
            return self.at(
                before, f"the statement ends after '{before.value}' before it is complete", hint
            )
        ends = self.tok.kind in ("}", "$END", "because", *ENTRY_KEYWORDS)
        if not (self.new_line and ends) or self.prev is None:
            return None
        if "}" in self.f.expected or (self.f.expected & set(ENTRY_KEYWORDS)):
            return None
        if self.unclosed:
            return self.bracket()
        prev = self.prev
        if prev.kind == "because":
            return self.at(prev, "'because' needs a message in double quotes", 'because "…"')
        if prev.kind in ENTRY_KEYWORDS:
            return self.at(
                prev, f"'{prev.kind}' needs a value: expected {expected_words(self.f.expected)}"
            )
        if ":" in self.f.expected and any(t.kind == "all" for t in self.f.stack):
            all_tok = next(t for t in reversed(self.f.stack) if t.kind == "all")
            return self.at(
                all_tok,
                "'all' needs ': CONDITION' after its list",
                "write: all x in LIST [where FILTER]: CONDITION",
            )
        if prev.kind != "tree":
            return self.at(
                prev,
                f"the statement ends after '{prev.value}': "
                f"expected {expected_words(self.f.expected)}",
            )
        return self.after(
            prev, f"the statement is not complete: expected {expected_words(self.f.expected)}"
        )

    def operand_slips(self) -> Diagnosis | None:
        """A missing '=', an unquoted pattern, a quantifier that needs parentheses."""
        prev, tok = self.prev, self.tok
        if prev is None:
            return None
        if prev.kind == "NAME" and self.f.expected == {"="}:
            return self.after(prev, "'=' is missing", f"write: param {prev.value} = VALUE")
        if prev.kind == "matches":
            return self.at(
                tok,
                "'matches' takes a regular expression in double quotes",
                'write: x matches "^[A-Z]+-[0-9]+$"',
            )
        if (
            prev.kind == "NAME"
            and tok.kind == "NAME"
            and not self.new_line
            and prev.value not in RESERVED
        ):
            # `exist r in risks`: a misspelt word of the language, read as a name
            close = suggest(prev.value, EXPRESSION_WORDS)
            if close:
                return self.at(prev, f"unknown keyword '{prev.value}'", close)
        words = sorted(k for k in self.f.expected if k in RESERVED)
        only_words = words and not self.f.expected & _EXPR_START  # `is misisng`
        if tok.kind == "NAME" and prev.kind in ("is", "not") and only_words:
            return self.at(
                tok,
                f"unknown word '{tok.value}' after '{prev.kind}'",
                suggest(tok.value, words) or f"expected {expected_words(self.f.expected)}",
            )
        all_tok = self.open_all()
        if all_tok is not None and ":" in self.f.expected and not self.new_line:
            return self.at(
                all_tok,
                "'all' needs ': CONDITION' after its list",
                "write: all x in LIST [where FILTER]: CONDITION",
            )
        if prev.value in ("exists", "all", "none") and tok.kind == "NAME":
            return self.at(
                prev,
                f"'{prev.value}' cannot follow an operator without parentheses",
                f"write ({prev.value} {tok.value} in … where …) inside and/or/not",
            )
        return None

    def open_all(self) -> Tok | None:
        """The `all` of the statement being read, when its ':' has not come yet."""
        inner = self.f.stack[_after_entry(self.f.stack) :]
        alls = [i for i, t in enumerate(inner) if t.kind == "all"]
        if not alls or any(t.kind == ":" for t in inner[alls[-1] :]):
            return None
        return inner[alls[-1]]

    def entry_value(self) -> Diagnosis | None:
        """Slips in an entry's value: quotes, '=' or ':' where none belong."""
        prev, tok = self.prev, self.tok
        if prev is None or prev.kind not in ("because", *ENTRY_KEYWORDS):
            return None
        if tok.kind in ("=", ":") and prev.kind != "param":
            return self.at(
                tok,
                f"'{tok.value}' does not belong after '{prev.kind}'",
                f"write the value right after the keyword: {prev.kind} …",
            )
        if prev.kind == "because" and "STRING" in self.f.expected:
            line = self.lines[tok.line - 1] if 0 < tok.line <= len(self.lines) else ""
            words = line[tok.column - 1 :].split("#")[0].strip()
            return self.at(
                tok, "a 'because' message goes in double quotes", f'write: because "{words}"'
            )
        if prev.kind in ("severity", "phase") and tok.kind in ("STRING", "LONG_STRING"):
            bare = tok.value.strip('"')
            return self.at(
                tok, f"{prev.kind} is a plain word, not text", f"write: {prev.kind} {bare}"
            )
        if prev.kind in ("clause", "control", "tags") and "STRING" in self.f.expected:
            example = {"clause": '"6.1.2"', "control": '"A.5.2"', "tags": '"impact"'}[prev.kind]
            return self.at(
                tok,
                f"{prev.kind} values go in double quotes",
                f"write: {prev.kind} {example}, separated by commas",
            )
        return None

    def misplaced(self) -> Diagnosis | None:
        tok, expected = self.tok, self.f.expected
        if tok.kind == "because":
            return self.at(
                tok,
                "'because' must follow a require, evidence or only if line, once",
                "remove it",
            )
        if tok.kind == "=" and "==" in expected:
            return self.at(tok, "'=' does not compare", "write '==' to compare two values")
        if tok.kind == "set" and self.prev is not None and self.prev.kind == "not":
            return self.at(tok, "'is not set' is written 'is missing'", "write: x is missing")
        if tok.kind == ":" and "where" in expected:
            return self.at(
                tok,
                "':' does not follow this quantifier",
                "write: exists x in LIST where CONDITION (only 'all' takes ':')",
            )
        if tok.kind == "(" and self.prev is not None and self.prev.kind == "NAME":
            return None
        if "(" in expected and len(expected) == 1 and self.prev is not None:
            word = self.prev.value
            if word in ("count", "filter"):
                return self.at(
                    self.prev,
                    f"'{word}' is a word of the language: {word}(x in LIST where CONDITION)",
                    "if it is a variable, choose another name",
                )
        if tok.kind == "," and expected == {")"}:
            return self.at(
                tok, "unexpected ',' inside '( )'", 'a list is written in brackets: ["a", "b"]'
            )
        if tok.kind in (")", "]") and not self.unclosed and "}" in expected:
            return self.at(tok, f"unmatched '{tok.kind}'", "remove it, or add the opening one")
        if tok.kind == "STRING" and "," in expected and self.entry is not None:
            return self.after(self.prev or tok, "a ',' is missing between the values")
        return None

    def misspelt_counter(self) -> Diagnosis | None:
        """`coutn(r in risks where …)`: a call to a misspelt `count` or `filter`."""
        if not self.unclosed or self.unclosed[-1].kind != "(":
            return None
        stack = self.f.stack
        at = max(i for i, t in enumerate(stack) if t is self.unclosed[-1])
        name = stack[at - 1] if at > 0 else None
        if name is None or name.kind != "NAME" or self.tok.value not in ("in", "where"):
            return None
        close = suggest(name.value, ("count", "filter"))
        if not close:
            return None
        return self.at(name, f"unknown keyword '{name.value}'", close)

    def unknown_word(self) -> Diagnosis | None:
        tok, expected = self.tok, self.f.expected
        if tok.kind not in ("NAME", "UNIT") and not tok.value.isalpha():
            return None
        if len(expected & set(ENTRY_KEYWORDS)) >= 8 and self.new_line:
            alias = _ALIASES.get(tok.value.lower())
            hint = (
                _IF_HINT
                if tok.value.lower() == "if"
                else (f"did you mean '{alias}'?" if alias else "")
                or suggest(tok.value, [*ENTRY_KEYWORDS, *(expected & {"because"})])
                or ("a rule holds: " + ", ".join(ENTRY_KEYWORDS))
            )
            return self.at(tok, f"unknown keyword '{tok.value}' in a rule", hint)
        if self.prev is not None and self.prev.kind == "NUMBER" and not self.new_line:
            return self.at(
                tok,
                f"unknown unit '{tok.value}' after {self.prev.value}",
                "write a duration as 90 days, 2 weeks, 12 months or 1 year",
            )
        if expected & _OPERATORS and not self.new_line:
            close = suggest(tok.value, sorted(k for k in expected if k in RESERVED))
            if close and tok.value not in RESERVED:  # `wher`, `mathces`, `becuase`
                return self.at(tok, f"unknown keyword '{tok.value}'", close)
            if tok.value in ("like", "contains"):
                hint = "use 'matches \"regex\"' for a pattern, or '\"text\" in x' for a part of it"
            elif tok.value in ("null", "none", "nil"):
                hint = "write 'x is missing'"
            elif tok.value in RESERVED:
                hint = f"'{tok.value}' cannot follow this expression"
            else:
                hint = suggest(tok.value, _OPERAND_WORDS) or ""
            return self.at(
                tok,
                f"unexpected word '{tok.value}' after an expression: "
                "expected an operator (==, <, in, matches, is, and, or, …)",
                hint,
            )
        return None


def _after_entry(stack: tuple[Tok, ...]) -> int:
    """Where the statement being read starts on the parser's stack."""
    return max((i for i, t in enumerate(stack) if t.kind in ENTRY_KEYWORDS), default=0)


def diagnose(failure: Failure, text: str) -> Diagnosis:
    """One message for the failure; the plain 'unexpected X: expected Y' if wording fails."""
    try:
        return Diagnoser(failure, text.splitlines()).diagnose()
    except Exception:  # a wording bug must never hide the error itself
        tok = failure.token
        return Diagnosis(
            tok.line,
            tok.column,
            1,
            f"unexpected {_said(tok)}: expected {expected_words(failure.expected)}",
        )
