"""The canonical ids the crosswalks may name: NIST AI RMF 1.0 subcategories, AI Act articles."""

from __future__ import annotations

import re

# NIST AI 100-1 (AI RMF 1.0, January 2023), Tables 1 to 4: each category's number of
# subcategories. GOVERN 1 has seven (1.1 to 1.7), and so on: 72 subcategories in all.
_NIST_CATEGORIES: dict[str, tuple[int, ...]] = {
    "GOVERN": (7, 3, 2, 3, 2, 2),
    "MAP": (6, 3, 5, 2, 2),
    "MEASURE": (3, 13, 3, 3),
    "MANAGE": (4, 4, 2, 3),
}

NIST_AI_RMF_SUBCATEGORIES: tuple[str, ...] = tuple(
    f"{function} {category}.{sub}"
    for function, counts in _NIST_CATEGORIES.items()
    for category, count in enumerate(counts, start=1)
    for sub in range(1, count + 1)
)

NIST_FUNCTIONS: tuple[str, ...] = tuple(_NIST_CATEGORIES)

# Regulation (EU) 2024/1689 as published in the Official Journal (OJ L, 12.7.2024): the
# articles a crosswalk row may name, each with its number of numbered paragraphs (0: the
# article has none, such as Art. 4 and Art. 16, whose parts are lettered points).
AI_ACT_ARTICLES: dict[int, int] = {
    3: 0,  # definitions (roles of operators)
    4: 0,  # AI literacy
    5: 8,  # prohibited practices
    6: 8,  # classification rules for high-risk systems
    9: 10,  # risk management system
    10: 6,  # data and data governance
    11: 3,  # technical documentation
    12: 3,  # record-keeping
    13: 3,  # transparency and information to deployers
    14: 5,  # human oversight
    15: 5,  # accuracy, robustness and cybersecurity
    16: 0,  # obligations of providers (lettered points)
    17: 4,  # quality management system
    18: 3,  # documentation keeping
    19: 2,  # automatically generated logs
    20: 2,  # corrective actions and duty of information
    26: 12,  # obligations of deployers
    27: 5,  # fundamental rights impact assessment
    43: 6,  # conformity assessment
    47: 5,  # EU declaration of conformity
    48: 5,  # CE marking
    49: 5,  # registration
    50: 7,  # transparency obligations of providers and deployers
    53: 4,  # obligations of providers of general-purpose AI models
    55: 3,  # general-purpose AI models with systemic risk
    72: 4,  # post-market monitoring
    73: 11,  # reporting of serious incidents
    86: 3,  # right to explanation of individual decision-making
    111: 3,  # systems already on the market (transition)
    113: 0,  # entry into force and application dates (lettered points)
}

_ARTICLE_REF = re.compile(r"^(?P<article>[1-9][0-9]*)(?:\((?P<paragraph>[1-9][0-9]*)\))?$")


def article_ref_problem(ref: str) -> str | None:
    """Why `ref` (`"26"`, `"26(6)"`) names no article or paragraph in scope; None when it does."""
    match = _ARTICLE_REF.match(ref)
    if match is None:
        return f"{ref!r} is not an article number with an optional paragraph, such as '26(6)'"
    article = int(match["article"])
    if article not in AI_ACT_ARTICLES:
        return f"Art. {article} is not among the AI Act articles in scope (frameworks/ids.py)"
    paragraph = match["paragraph"]
    count = AI_ACT_ARTICLES[article]
    if paragraph is not None and int(paragraph) > count:
        has = f"has {count} paragraphs" if count else "has no numbered paragraphs"
        return f"Art. {article} {has}, so {ref!r} names none"
    return None


def article_of(ref: str) -> str:
    """`"26(6)"` → `"26"`."""
    return ref.split("(", 1)[0]
