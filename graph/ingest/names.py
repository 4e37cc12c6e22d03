"""Name keys for entity resolution: one spelling-insensitive key per name, per country."""

from __future__ import annotations

import re
import unicodedata

from graph.model import Name, NameType, clean_text

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def normalise_name(value: str) -> str:
    """Case, diacritics, Unicode form, punctuation and spacing folded away.

    "Tartu Ülikool", "TARTU ULIKOOL" and "Tartu  Ülikool" (NFD) share one key. Hangul survives
    intact: syllables decompose into jamo under NFD, which are letters, not combining marks, and
    recompose under the final NFC.
    """
    text = clean_text(value)
    if text.isascii():
        # Most names: no marks to fold and nothing for NFKD/NFC to change, and casefold() is
        # lower() on ASCII; resolution folds every name of a load, so this path is worth having.
        return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _PUNCTUATION.sub(" ", text)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def name_keys(names: list[Name], country: str | None) -> list[str]:
    """Keys `CC|normalised name` for every name but acronyms, which collide too easily."""
    if country is None:
        return []
    keys = {
        f"{country}|{key}"
        for name in names
        if NameType.ACRONYM not in name.types and (key := normalise_name(name.value))
    }
    return sorted(keys)
