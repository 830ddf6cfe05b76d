"""Hover: what a collection, field, function, clause, control or rule id under the cursor means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aimscheck.functions import FUNCTIONS
from aimscheck.iso42001 import ANNEX_A, ANNEX_GROUPS, CLAUSE_GROUPS, CLAUSES, annex_group, title
from aimscheck.lsp import places, scan
from aimscheck.lsp.pack import Custom, Entry


@dataclass(frozen=True, slots=True)
class Hover:
    """Markdown to show, over the text from `start` to `end` (offsets)."""

    markdown: str
    start: int
    end: int


def hover(
    text: str, offset: int, entries: Mapping[str, Entry], custom: Custom | None = None
) -> Hover | None:
    """The hover of a rule file at `offset`, or None where there is nothing to say."""
    toks = scan.tokens(text)
    i = scan.index_at(toks, offset)
    if i < 0 or toks[i].end < offset:
        return None
    tok = toks[i]
    said: str | None = None
    if tok.kind == "string":
        said = id_text(tok.value, entries)
    elif tok.kind == "name":
        said = _name(text, toks, i, entries, custom or {})
    return None if said is None else Hover(said, tok.start, tok.end)


def hover_tests(text: str, offset: int, entries: Mapping[str, Entry]) -> Hover | None:
    """The hover of a test file: the rule a case names."""
    found = scan.case_rule_at(text, offset)
    said = None if found is None else rule_text(found[0], entries)
    return None if said is None or found is None else Hover(said, found[1], found[2])


def id_text(value: str, entries: Mapping[str, Entry]) -> str | None:
    """A clause, Annex A control or rule id, in words."""
    if value in CLAUSES:
        group = value.split(".")[0]
        head = (
            f"**Clause {value}** of ISO/IEC 42001: {title(value)}\n\n"
            f"In clause group {group}: {CLAUSE_GROUPS[group]}{_OURS}"
        )
        return head + _checked_by(value, entries, "clauses")
    if value in ANNEX_A:
        group = annex_group(value)
        head = (
            f"**Annex A control {value}**: {title(value)}\n\n"
            f"In group {group}: {ANNEX_GROUPS[group]}{_OURS}"
        )
        return head + _checked_by(value, entries, "controls")
    return rule_text(value, entries)


# The titles are ours, not the standard's: the reader is told so.
_OURS = " (titles in aimscheck's words; see the standard for its own)"


def _checked_by(value: str, entries: Mapping[str, Entry], kind: str) -> str:
    """The rules of the loaded packs that check a clause or control (`kind`: the rule's
    `clauses` or `controls`)."""
    names = sorted(
        e.name
        for e in entries.values()
        if e.rule is not None and value in {t.value for t in getattr(e.rule, kind)}
    )
    if not names:
        return "\n\nNo loaded rule checks it."
    shown = ", ".join(f"`{name}`" for name in names[:8])
    more = f" and {len(names) - 8} more" if len(names) > 8 else ""
    return f"\n\nChecked by {shown}{more}."


def rule_text(rule_id: str, entries: Mapping[str, Entry]) -> str | None:
    """A rule's title and severity, and where it is."""
    entry = entries.get(rule_id)
    if entry is None or entry.rule is None:
        return None
    rule = entry.rule
    severity = rule.severity.value if rule.severity else "no severity"
    lines = [f"**{rule.id}** ({severity}): {rule.title or '(no title)'}"]
    checks = [t.value for t in (*rule.clauses, *rule.controls)]
    if checks:
        lines.append(f"Checks {', '.join(checks)}.")
    if rule.overrides:
        lines.append("Replaces the built-in rule with this id (`overrides`).")
    lines.append(f"Defined at {entry.file}:{entry.span.line}")
    return "\n\n".join(lines)


def _name(
    text: str, toks: list[scan.Token], i: int, entries: Mapping[str, Entry], custom: Custom
) -> str | None:
    tok = toks[i]
    called = i + 1 < len(toks) and toks[i + 1].text == "("
    after_dot = i > 0 and toks[i - 1].text in (".", "->")
    if called and not after_dot:
        if tok.text in FUNCTIONS:
            fn = FUNCTIONS[tok.text]
            arity = (
                str(fn.min_args) if fn.min_args == fn.max_args else f"{fn.min_args}–{fn.max_args}"
            )
            return f"**{fn.name}**(…) → {fn.returns}, {arity} argument(s)\n\n{fn.doc}"
        entry = entries.get(f"define {tok.text}")
        return None if entry is None else _definition(entry)
    block = scan.block_at(toks, i)
    names = places.Names(scan.bindings(toks, block, i) if block is not None else {}, custom)
    binds = names.binds
    if not after_dot and tok.text in binds:
        return _bound(text, tok.text, names)
    if not after_dot and f"define {tok.text}" in entries:
        return _definition(entries[f"define {tok.text}"])
    chain = scan.dotted_before(toks, i)
    place = places.resolve(chain, names)
    if place is None:
        return None
    return _place(place)


def _bound(text: str, name: str, names: places.Names) -> str:
    source = names.binds[name]
    written = text[source[1].start : source[-1].end] if len(source) > 1 else ""
    if source and source[0].text in ("let", "param"):
        return f"`{source[0].text} {name} = {written}`"
    place = places.bound(source, names, frozenset({name}))
    what = f"an item of `{text[source[0].start : source[-1].end]}`" if source else "a name"
    if place is not None and place.path == "" and place.part in places.reference():
        what = f"a record of `{place.part}`"
    return f"`{name}`: {what}" + ("" if place is None else "\n\n" + _place(place))


def _definition(entry: Entry) -> str:
    d = entry.definition
    if d is None:
        return ""
    params = "" if d.params is None else f"({', '.join(d.params)})"
    where = f"{entry.file}:{entry.span.line}"
    return f"`define {d.name}{params}`, a shared definition of this pack\n\nDefined at {where}"


def _place(place: places.Place) -> str:
    """A collection, section or field in the words of the export reference."""
    part = places.reference().get(place.part)
    if place.path == "" and part is not None:
        lines = [f"**{part.name}** ({part.kind})", part.description]
        if part.record:
            lines.append(f"Each record: {part.record}")
        return "\n\n".join(line for line in lines if line)
    row = places.row(place)
    if row is None:  # a field the pack declares: the export reference does not know it
        values = f", one of: {', '.join(place.type.enum)}" if place.type.enum else ""
        refers = f", the id of a record of {place.type.ref}" if place.type.ref else ""
        what = f"{place.type.kind}{values}{refers}"
        return f"**{place.part}.{place.path}**: {what}, declared by the pack"
    lines = [f"**{place.part}.{row.path}**: {row.type}" + (", required" if row.required else "")]
    if row.meaning:
        lines.append(row.meaning)
    if row.values:
        lines.append(f"Values: {row.values}")
    return "\n\n".join(lines)
