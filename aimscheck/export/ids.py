"""Record ids people can tell apart: NFC, no invisible characters, one script (or one writing)."""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter

# Scripts named by the first word of a letter's Unicode name ("CYRILLIC SMALL LETTER ES").
# A letter whose name starts with another word (MICRO SIGN, MODIFIER LETTER ...) is not told
# apart: it counts as no script, like digits and punctuation.
_SCRIPTS = frozenset(
    (
        *("LATIN", "GREEK", "COPTIC", "CYRILLIC", "ARMENIAN", "GEORGIAN", "HEBREW", "ARABIC"),
        *("SYRIAC", "THAANA", "NKO", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA"),
        *("TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "THAI", "LAO", "TIBETAN"),
        *("MYANMAR", "HANGUL", "ETHIOPIC", "CHEROKEE", "CANADIAN", "OGHAM", "RUNIC", "KHMER"),
        *("MONGOLIAN", "HIRAGANA", "KATAKANA", "BOPOMOFO", "CJK", "YI", "VAI", "BAMUM"),
        *("JAVANESE", "BALINESE", "SUNDANESE", "TIFINAGH", "ADLAM"),
    )
)
# Words that only say how a letter is drawn: the script is the next word (FULLWIDTH LATIN ...).
_WIDTHS = frozenset({"FULLWIDTH", "HALFWIDTH"})
# Scripts that are written together (Unicode's "highly restrictive" level, UTS #39): Japanese,
# Chinese with Bopomofo, Korean, each with Latin. Any other mix is refused.
_WRITINGS = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)
_REMOVE = "remove it"
_INVISIBLE = {  # by Unicode category: what the character is, and what to do about it
    "Cc": ("a control character", _REMOVE),
    "Cf": ("an invisible format character", _REMOVE),
    "Co": ("a private-use character", _REMOVE),
    "Cn": ("not a character", _REMOVE),
    "Cs": ("half of a character (a surrogate)", _REMOVE),
    "Zl": ("a line separator", _REMOVE),
    "Zp": ("a paragraph separator", _REMOVE),
    "Zs": ("a space that looks like the plain one", "write a plain space"),
}


def normal_id(text: str) -> tuple[str, str | None]:
    """The id in NFC, and why it is refused (None when it is not).

    Refused: control and format characters (zero-width space, joiners, BOM, bidirectional
    controls), spaces other than the plain one, variants of ASCII characters (fullwidth `ｃ`,
    ligatures, superscripts) and letters of scripts not written together (a Cyrillic `с` in a
    Latin `сredit-scoring`): each would make an id that looks like another.
    """
    if text.isascii() and text.isprintable():
        return text, None  # nearly every id: ASCII is NFC and one script
    text = unicodedata.normalize("NFC", text)
    scripts: list[tuple[str, str]] = []  # (script, letter) of every letter with a script
    for char in text:
        refused, script = _judge(char)
        if refused:
            return text, refused
        if script:
            scripts.append((script, char))
    return text, _mixed(scripts)


@functools.lru_cache(maxsize=4096)
def _judge(char: str) -> tuple[str, str]:
    """Why one character is refused in an id (or ""), and its script ("" for none)."""
    if char.isascii() and char.isprintable():
        return "", "LATIN" if char.isalpha() else ""
    category = unicodedata.category(char)
    if category in _INVISIBLE:
        what, fix = _INVISIBLE[category]
        return f"holds {_named(char)}, {what}: {fix}", ""
    if (plain := unicodedata.normalize("NFKC", char)).isascii():
        return f"holds {_named(char)}, a variant of '{plain}': write '{plain}'", ""
    if category[0] != "L":
        return "", ""
    words = unicodedata.name(char, "").split(" ")
    if words[0] in _WIDTHS and len(words) > 1:
        words = words[1:]
    return "", words[0] if words[0] in _SCRIPTS else ""


def _mixed(scripts: list[tuple[str, str]]) -> str | None:
    if _together({script for script, _ in scripts}):
        return None
    # The letter named is the first that does not go with the script most letters are in.
    main = Counter(script for script, _ in scripts).most_common(1)[0][0]
    used = {main}
    for script, char in scripts:
        if not _together(used | {script}):
            return (
                f"mixes {_title(script)} with {_title(main)} letters ({_named(char)}): an id "
                "in mixed scripts can pass for another; write it in one script"
            )
        used.add(script)
    return None  # not reached: some letter does not go with the others


def _together(used: set[str]) -> bool:
    return len(used) <= 1 or any(used <= writing for writing in _WRITINGS)


def _title(script: str) -> str:
    return "Han" if script == "CJK" else script.title()


def _named(char: str) -> str:
    """`U+0441 CYRILLIC SMALL LETTER ES` (the code alone for a character without a name)."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}".rstrip()
