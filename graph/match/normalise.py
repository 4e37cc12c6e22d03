"""Text -> folded words -> canonical key: the one normal form names and affiliations share."""

from __future__ import annotations

import re
import unicodedata

from graph.match.abbrev import STOP_WORDS, canonical

# Letters NFKD does not take apart.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",
        "ħ": "h",
    }
)
# Apostrophes join ("King's" -> "kings"); everything else that is not a letter or digit splits.
_APOSTROPHES = re.compile(r"['\u2019\u02bc`\u00b4]")
_NON_WORD = re.compile(r"[\W_]+")

Key = tuple[str, ...]


def fold(text: str) -> str:
    """Lower case, no diacritics, '&' as 'and', punctuation as spaces; scripts kept."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    text = _APOSTROPHES.sub("", text.casefold()).replace("&", " and ")
    return _NON_WORD.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The folded words of a text, canonical, stop words kept (their positions matter)."""
    return [canonical(w) for w in fold(text).split()]


def folded_key(folded: str) -> Key:
    """`key` of text already folded."""
    return tuple(c for c in (canonical(w) for w in folded.split()) if c not in STOP_WORDS)


def key(text: str) -> Key:
    """The key a name is indexed and looked up by: canonical words without stop words."""
    return folded_key(fold(text))


def acronym_key(text: str) -> str:
    """An acronym as one upper-case token: "M.I.T." and "MIT" are one."""
    return _NON_WORD.sub("", fold(text)).upper()
