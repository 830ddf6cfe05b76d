"""What a long-lived caller (the language server) keeps between compiles of the same pack."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aimscheck.dsl import nodes as n
from aimscheck.errors import AimscheckError

if TYPE_CHECKING:
    from aimscheck.dsl.cache import ParseResult
    from aimscheck.dsl.parser import Damage
    from aimscheck.dsl.ruleset import CompiledRule, _FileCompiler


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One rule's compile, with the errors it gave and what it was compiled against."""

    text: str
    deps: object
    rule: CompiledRule | None
    errors: tuple[AimscheckError, ...]  # the file compiler's
    def_errors: tuple[AimscheckError, ...]  # the definitions' (a use that does not fit)


@dataclass
class Memo:
    """Each rule file's parse by its text, and each rule's compile by its file's text and what
    it reads of the other files: the shared definitions of its scope and the pack's `field`
    declarations (`deps`). A keystroke in one file then compiles that file's rules only, and
    not the whole pack again, with the very results and errors a fresh compile gives.

    One entry per file and per rule position: an old text's entry is replaced, not kept."""

    parses: dict[str, tuple[str, ParseResult]] = field(default_factory=dict)
    rules: dict[tuple[str, int], _Compiled] = field(default_factory=dict)

    def parse(self, text: str, path: str) -> ParseResult:
        from aimscheck.dsl.cache import parse_cached

        kept = self.parses.get(path)
        if kept is None or kept[0] != text:
            kept = self.parses[path] = (text, parse_cached(text, path))
        return kept[1]

    def compile(
        self,
        fc: _FileCompiler,
        rule: n.Rule,
        position: int,
        damage: tuple[Damage, ...],
        deps: object,
    ) -> CompiledRule | None:
        """`fc.compile_rule(rule, damage)`, or what it gave last time for the same text and
        `deps`, its errors added again as it would add them."""
        key = (fc.rf.path, position)
        kept = self.rules.get(key)
        if kept is None or kept.text != fc.rf.text or kept.deps != deps:
            # The definitions' errors of this rule alone: another rule may have given one of
            # them first, and kept here it must be given again when that rule is not compiled.
            shared, fc.defs.errors = fc.defs.errors, []
            before = len(fc.errors)
            try:
                compiled = fc.compile_rule(rule, damage)
            finally:
                mine, fc.defs.errors = fc.defs.errors, shared
            kept = _Compiled(fc.rf.text, deps, compiled, tuple(fc.errors[before:]), tuple(mine))
            self.rules[key] = kept
        else:
            fc.errors.extend(kept.errors)
        for e in kept.def_errors:  # as Definitions.error adds one: each message once
            if not any(x.message == e.message and x.location == e.location for x in fc.defs.errors):
                fc.defs.errors.append(e)
        return kept.rule


def deps_of(files: list[n.RuleFile], scope: list[n.RuleFile], lost: frozenset[str]) -> object:
    """What a rule's compile reads beyond its own file: the files with shared definitions in
    its scope (their text: a definition's place counts too, and nodes ignore places), the
    definitions cut by syntax errors, and the files that declare fields."""
    return (
        tuple((rf.path, rf.text) for rf in scope if rf.definitions),
        lost,
        tuple((rf.path, rf.text) for rf in files if rf.fields),
    )
