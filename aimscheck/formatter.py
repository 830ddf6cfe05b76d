"""`aimscheck fmt`: one canonical layout for rule files; comments kept, meaning unchanged.

The layout: one blank line between rules; inside a rule the metadata first, in a fixed order
with the values aligned, then a blank line, then `when`, `for` and the statements in their
order (blank lines between statements kept, at most one); `because` on its own line under its
statement; long conditions broken before `and`/`or`/`where`; `\"\"\"long text\"\"\"` metadata
re-wrapped. Comments stay with the line they were on or the entry they precede; a comment
inside a multi-line statement moves above it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aimscheck.dsl import nodes as n
from aimscheck.dsl.parser import parse_layout, parse_text
from aimscheck.dsl.printer import LINE, SUM, WIDTH, Align, Doc, Group, Nest, Printer, quote, render
from aimscheck.dsl.transformer import Comment, DefinitionLayout, Entry, RuleLayout
from aimscheck.errors import AimscheckError, RuleSemanticError, raise_all
from aimscheck.source import Location, Span, render_snippet

META_ORDER = (
    "overrides",
    "title",
    "description",
    "fix",
    "clause",
    "control",
    "severity",
    "phase",
    "tags",
    "param",
)
_MERGED = ("clause", "control", "tags")  # given twice, their values join on one line
_KEY = 12  # metadata values start this many columns after the indent
# The text token of a `title`/`description`/`fix` entry, past any comment before it.
_TEXT_TOKEN = re.compile(r'#[^\n]*|("""[\s\S]*?"""|"[^"\\\n]*(?:\\.[^"\\\n]*)*")')
_INDENT = "  "


@dataclass
class _Attached:
    """The comments that go with one anchor (an item or a rule entry)."""

    leading: list[Comment] = field(default_factory=list)
    trailing: list[Comment] = field(default_factory=list)


def _start(span: Span) -> tuple[int, int]:
    return span.line, span.column


def _end(span: Span) -> tuple[int, int]:
    return span.end_line, span.end_column


class _Formatter:
    def __init__(self, text: str, items: list[Any], comments: list[Comment]) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.items = items
        self.comments = sorted(comments, key=lambda c: (c.line, c.column))
        self.printer = Printer(text)
        self.attached: dict[int, _Attached] = {}  # id(anchor) → comments
        self.header: dict[int, list[Comment]] = {}  # id(rule layout) → on its `{` line
        self.closing: dict[int, list[Comment]] = {}  # id(rule layout) → before its `}`
        self.tail: list[Comment] = []  # after the last item

    # ---- comments ----------------------------------------------------------------------------

    def at(self, anchor: object) -> _Attached:
        return self.attached.setdefault(id(anchor), _Attached())

    def attach(self) -> None:
        for c in self.comments:
            pos = (c.line, c.column)
            item = next(
                (i for i in self.items if _start(i.span) <= pos and c.line <= i.span.end_line),
                None,
            )
            if item is None:
                following = next((i for i in self.items if _start(i.span) > pos), None)
                if following is None:
                    self.tail.append(c)
                else:
                    self.at(following).leading.append(c)
            elif c.line == item.span.end_line and c.column >= item.span.end_column:
                self.at(item).trailing.append(c)
            elif isinstance(item, n.FieldDecl | DefinitionLayout):
                self.at(item).leading.append(c)
            else:
                self.attach_inside(item, c)

    def attach_inside(self, layout: RuleLayout, c: Comment) -> None:
        pos = (c.line, c.column)
        entries = layout.entries
        ending = [e for e in entries if e.span.end_line == c.line and e.span.end_column <= c.column]
        inside = [e for e in entries if _start(e.span) <= pos <= _end(e.span)]
        following = [e for e in entries if _start(e.span) > pos]
        if ending:
            self.at(max(ending, key=lambda e: _end(e.span))).trailing.append(c)
        elif inside:
            self.at(inside[0]).leading.append(c)
        elif c.line == layout.span.line:
            self.header.setdefault(id(layout), []).append(c)
        elif following:
            self.at(following[0]).leading.append(c)
        else:
            self.closing.setdefault(id(layout), []).append(c)

    def blank_between(self, first: int, last: int) -> bool:
        """Whether a blank line lies strictly between lines `first` and `last`."""
        return any(not self.lines[i - 1].strip() for i in range(first + 1, last))

    def leading(self, comments: list[Comment], before: int, start: int, indent: str) -> list[str]:
        """Comment lines above an anchor starting at line `start`, blank lines kept (one)."""
        out: list[str] = []
        previous = before
        for c in comments:
            if out and self.blank_between(previous, c.line):
                out.append("")
            out.append(indent + c.text)
            previous = c.line
        if out and self.blank_between(previous, start):
            out.append("")
        return out

    # ---- file level ----------------------------------------------------------------------------

    def run(self) -> str:
        self.attach()
        out: list[str] = []
        previous: Any = None
        for item in self.items:
            mine = self.at(item)
            first = mine.leading[0].line if mine.leading else item.span.line
            if previous is not None:
                # Field declarations, and definitions, stand together unless parted by a blank
                same = next(
                    (k for k in (n.FieldDecl, DefinitionLayout) if isinstance(previous, k)), None
                )
                together = same is not None and isinstance(item, same)
                if not together or self.blank_between(previous.span.end_line, first):
                    out.append("")
            out += self.leading(mine.leading, first, item.span.line, "")
            if isinstance(item, n.FieldDecl):
                out.append(self.with_trailing(self.field_decl(item), mine.trailing))
            elif isinstance(item, DefinitionLayout):
                out.append(self.with_trailing(self.definition(item.definition), mine.trailing))
            else:
                out += self.rule(item)
            previous = item
        if self.tail:
            last = self.items[-1].span.end_line if self.items else 0
            if out and self.blank_between(last, self.tail[0].line):
                out.append("")
            out += self.leading(self.tail, self.tail[0].line, self.tail[-1].line, "")
        return "\n".join(out).rstrip("\n") + "\n" if out else ""

    def field_decl(self, decl: n.FieldDecl) -> str:
        head = f"field {'.'.join(decl.path)}: "
        if decl.values:  # as many values on a line as fit, the others aligned under the first
            values = self.printer.join([quote(v) for v in decl.values])
            return head + render(("one of ", Align(Group(values))), len(head))
        if decl.ref is not None:
            return head + ("list of ref " if decl.type == "list" else "ref ") + decl.ref
        return head + decl.type

    def definition(self, d: n.Definition) -> str:
        params = "" if d.params is None else f"({', '.join(d.params)})"
        head = f"define {d.name}{params} = "
        return render((head, Align(self.printer.expr(d.body))), 0)

    @staticmethod
    def with_trailing(line: str, trailing: list[Comment]) -> str:
        return line + "".join(f"  {c.text}" for c in trailing[:1])

    # ---- rules --------------------------------------------------------------------------------

    def rule(self, layout: RuleLayout) -> list[str]:
        rule = layout.rule
        head = f"rule {self.printer.raw(rule.span) or quote(rule.id)} {{"
        out = [self.with_trailing(head, self.header.get(id(layout), []))]
        meta = [e for e in layout.entries if e.key in META_ORDER]
        logic = [e for e in layout.entries if e.key not in META_ORDER]
        for key in META_ORDER:
            group = [e for e in meta if e.key == key]
            if key in _MERGED and group:
                group = [group[0], *group[1:]]
                out += self.piece(group, self.meta_line(key, group), blank=False)
            else:
                for entry in group:
                    out += self.piece([entry], self.meta_line(key, [entry]), blank=False)
        ordered = [e for e in logic if e.key == "when"] + [e for e in logic if e.key == "for"]
        ordered += [e for e in logic if e.key not in ("when", "for")]
        previous_end = meta[-1].span.end_line if meta else layout.span.line
        for index, entry in enumerate(ordered):
            first = index == 0
            lines = self.piece([entry], self.statement(entry), blank=not first, after=previous_end)
            out += ([""] if first and meta else []) + lines
            previous_end = entry.span.end_line
        closing = self.closing.get(id(layout), [])
        if closing:
            last = layout.entries[-1].span.end_line if layout.entries else layout.span.line
            if self.blank_between(last, closing[0].line):
                out.append("")
            out += self.leading(closing, closing[0].line, closing[-1].line, _INDENT)
        out.append(self.with_trailing("}", self.at(layout).trailing))
        return out

    def piece(self, entries: list[Entry], body: str, blank: bool, after: int = 0) -> list[str]:
        """An entry's printed lines with its comments; `blank`: keep a blank line above it."""
        comments = sorted(
            (c for e in entries for c in self.at(e).leading + self.at(e).trailing[1:]),
            key=lambda c: (c.line, c.column),
        )
        trailing = [c for e in entries for c in self.at(e).trailing[:1]]
        lead = [c for c in comments if c not in trailing]
        start = entries[0].span.line
        out: list[str] = []
        first = lead[0].line if lead else start
        if blank and self.blank_between(after, first):
            out.append("")
        if blank:
            out += self.leading(lead, first, start, _INDENT)
        else:
            out += [_INDENT + c.text for c in lead]
        lines = body.split("\n")
        lines[-1] = self.with_trailing(lines[-1], trailing[:1])
        out += [_INDENT + extra.text for extra in trailing[1:]]  # merged entries' own
        return out + lines

    def meta_line(self, key: str, entries: list[Entry]) -> str:
        label = f"{_INDENT}{key:<{_KEY - 1}} "
        if key == "overrides":
            return _INDENT + "overrides"
        if key in ("clause", "control", "tags"):
            texts = [t for e in entries for t in e.value]
            return label + ", ".join(self.printer.raw(t.span) or quote(t.value) for t in texts)
        entry = entries[0]
        if key in ("severity", "phase"):
            text: n.Text = entry.value
            return label + text.value
        if key == "param":
            param: n.Param = entry.value
            doc = (f"{param.name} = ", Align(self.printer.expr(param.default)))
            return label + render(doc, len(label))
        tokens = _TEXT_TOKEN.finditer(self.printer.raw(entry.span)[len(key) :])
        written = next((m.group(1) for m in tokens if m.group(1)), "")
        if written.startswith('"""'):
            return label + self.long_text(written[3:-3], len(label))
        return label + (written or quote(entry.value))

    @staticmethod
    def long_text(text: str, column: int) -> str:
        """Re-wrap `\"\"\"…\"\"\"` metadata (its spaces and line breaks carry no meaning)."""
        words = text.split()
        if words and words[-1].endswith('"'):
            words[-1] += " "  # `…""""` would end the string one quote early
        indent = " " * (column + 3)
        lines: list[str] = []
        current = ""
        for word in words:
            if current and column + 3 + len(current) + 1 + len(word) > WIDTH:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
        return '"""' + ("\n" + indent).join(lines) + '"""'

    def statement(self, entry: Entry) -> str:
        p = self.printer
        value = entry.value
        doc: Doc
        if entry.key == "when":
            doc = ("when ", Align(p.expr(value)))
        elif entry.key == "for":
            where: Doc = ()
            if value.where is not None:
                where = Nest(4, (LINE, "where ", Nest(2, p.expr(value.where))))
            doc = Group((f"for {value.var} in ", p.wrap(value.source, SUM), where))
        elif entry.key == "let":
            doc = (f"let {value.name} = ", Align(p.expr(value.expr)))
        elif entry.key == "only":
            doc = ("only if ", Align(p.expr(value.cond)))
        else:
            inner = value.cond if entry.key == "require" else value.expr
            doc = (f"{entry.key} ", Align(p.expr(inner)))
        text = _INDENT + render(doc, len(_INDENT))
        if entry.key in ("require", "evidence", "only") and value.message is not None:
            text += f"\n{_INDENT}because " + self.message(value.message)
        return text

    def message(self, tmpl: n.Template) -> str:
        written = self.printer.raw(tmpl.span)
        if written:
            return written
        body = []
        for part in tmpl.parts:
            if isinstance(part, str):
                escaped = quote(part)[1:-1]
                body.append(escaped.replace("{", "\\{").replace("}", "\\}"))
            else:
                body.append("{" + self.printer.flat(part).replace('"', '\\"') + "}")
        return '"' + "".join(body) + '"'


def _duplicates(path: str, text: str, items: list[Any]) -> None:
    errors: list[AimscheckError] = []
    for item in items:
        if isinstance(item, RuleLayout):
            for key, span in item.rule.duplicates:
                errors.append(
                    RuleSemanticError(
                        f"'{key}' is given twice in rule {item.rule.id}: "
                        "keep one before formatting",
                        Location(path, span.line, span.column),
                        render_snippet(text, span.line, span.column),
                    )
                )
    raise_all(errors)


def format_text(text: str, path: str = "<text>") -> str:
    """The canonical layout of a rule file; raises its syntax errors (nothing to format then).

    The result is checked: it must parse to the same rules and keep every comment.
    """
    items, comments = parse_layout(text, path)
    _duplicates(path, text, items)
    result = _Formatter(text, items, comments).run()
    before = parse_text(text, path)
    try:
        after_comments = parse_layout(result, path)[1]
        after = parse_text(result, path)
        same = (after.rules, after.fields, after.definitions) == (
            before.rules,
            before.fields,
            before.definitions,
        ) and Counter(c.text for c in after_comments) == Counter(c.text for c in comments)
    except AimscheckError:
        same = False
    if not same:
        raise AimscheckError(
            "internal error: formatting would change this file's meaning or drop a comment; "
            "the file was left as it is (please report it)",
            Location(path, 1),
        )
    return result
