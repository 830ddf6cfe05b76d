"""A rule's basis besides ISO ids: its framework tags (`eu-ai-act:26(6)`), read and checked."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from aimscheck.frameworks import REGISTRY
from aimscheck.frameworks.ids import (
    AI_ACT_ARTICLES,
    NIST_AI_RMF_SUBCATEGORIES,
    article_of,
    article_ref_problem,
)

# The ids a tag may name per framework, for a did-you-mean: every article and paragraph of the AI
# Act in scope, every NIST AI RMF subcategory (aimscheck/frameworks/ids.py).
_AI_ACT_REFS: tuple[str, ...] = tuple(
    ref
    for article, count in AI_ACT_ARTICLES.items()
    for ref in (str(article), *(f"{article}({p})" for p in range(1, count + 1)))
)


def framework_of(tag: str) -> str | None:
    """`eu-ai-act:26(6)` → `eu-ai-act`; None for a plain tag or one naming no known framework."""
    name, colon, _ = tag.partition(":")
    return name if colon and name in REGISTRY else None


def frameworks_of(tags: Iterable[str]) -> tuple[str, ...]:
    """The known frameworks a rule's tags give as its basis, in the order first tagged."""
    return tuple(dict.fromkeys(f for f in map(framework_of, tags) if f is not None))


def tag_problem(tag: str) -> tuple[str, str] | None:
    """Why a `<framework>:<ref>` tag names no framework or no id of it, with a hint; None when it
    does, or when the tag is a plain label (no colon)."""
    name, colon, ref = tag.partition(":")
    if not colon:
        return None
    if name not in REGISTRY:
        # A colon tag of another scheme (`owasp:llm01`) stays a free label; only a prefix close to
        # a framework aimscheck knows (`eu-ai-ac:26`) is taken for a misspelt basis.
        close = difflib.get_close_matches(name.lower(), REGISTRY, n=1, cutoff=0.75)
        if not close:
            return None
        return (
            f"unknown framework '{name}' in tag '{tag}'",
            f"did you mean '{close[0]}'? (a tag '<framework>:<id>' names the rule's basis)",
        )
    if name == "eu-ai-act":
        problem = article_ref_problem(ref)
        if problem is None:
            return None
        # A paragraph the article lacks: suggest one of its own (`4(1)` → `4`, not `49(1)`).
        same = [r for r in _AI_ACT_REFS if article_of(r) == article_of(ref)]
        return (
            f"tag '{tag}': {problem}",
            _did_you_mean(ref, same or _AI_ACT_REFS, "write the article and paragraph: '26(6)'"),
        )
    if name == "nist-ai-rmf":
        if ref in NIST_AI_RMF_SUBCATEGORIES:
            return None
        return (
            f"tag '{tag}': '{ref}' is not a NIST AI RMF 1.0 subcategory",
            _did_you_mean(ref, NIST_AI_RMF_SUBCATEGORIES, "write a subcategory: 'GOVERN 1.1'"),
        )
    return None  # a framework registered without canonical ids: its crosswalk test checks them


def _did_you_mean(word: str, options: Iterable[str], otherwise: str) -> str:
    listed = list(options)
    # The one id left (an article without paragraphs) is the suggestion, however far.
    found = listed if len(listed) == 1 else difflib.get_close_matches(word, listed, n=1, cutoff=0.6)
    return f"did you mean '{found[0]}'?" if found else otherwise
