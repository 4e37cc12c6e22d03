"""An affiliation string -> groups (one organisation each, at most) -> parts -> words."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from graph.match.abbrev import STOP_WORDS
from graph.match.normalise import Key, fold, words

# Semicolons and line breaks separate affiliations; commas and brackets separate the parts of
# one ("Dept of Physics, University of Tartu, Estonia").
_GROUPS = re.compile(r"[;\n\r|]+")
_PARTS = re.compile(r"[,()\[\]{}\t/]+|\s+-\s+|\s+\u2013\s+")
# "University of Tartu and Tartu University Hospital": a conjunction between words ends a part
# too, but a name may run over it ("Ministry of SMEs and Startups"), as it may not over a comma.
_CONJUNCTIONS = re.compile(r"\s+(?:and|und|et|ja|&|\+|및)\s+", re.IGNORECASE)
# "PennsylvaniaPhiladelphia": a lower-case letter then an upper-case one inside a word.
_GLUED = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z\u00c0-\u00de])")


@dataclass(frozen=True, slots=True)
class Part:
    text: str  # as written
    words: tuple[str, ...]  # canonical words, stop words kept
    key: Key  # canonical words without stop words
    raw: tuple[str, ...]  # the words as written (case kept), for acronyms
    joined: bool = False  # follows a conjunction, not a comma: the same clause as the part before


def unglue(text: str, known: Callable[[str], bool] | None = None) -> str:
    """Split words glued without a space ("PennsylvaniaPhiladelphia") where both halves are
    known words and the whole is not: "McGill" and "DeepMind" stay whole."""

    def split(match: re.Match[str]) -> str:
        word = match.group(0)
        pieces = _GLUED.split(word)
        if len(pieces) < 2:
            return word
        if known is None:
            ok = all(len(p) >= 3 for p in pieces)
        else:
            ok = not known(fold(word)) and all(known(fold(p)) for p in pieces)
        return " ".join(pieces) if ok else word

    return re.sub(r"\w+", split, text)


def part(text: str, *, joined: bool = False) -> Part:
    text = text.strip(" .:-")
    canon = tuple(words(text))
    return Part(
        text=text,
        words=canon,
        key=tuple(w for w in canon if w not in STOP_WORDS),
        raw=tuple(re.findall(r"[\w.&]+(?:-[\w.&]+)*", text)),
        joined=joined,
    )


def _clause(text: str) -> list[Part]:
    """One comma-separated piece: its conjunction-separated parts."""
    pieces = _CONJUNCTIONS.split(text)
    return [part(piece, joined=i > 0) for i, piece in enumerate(pieces)]


def groups(text: str, known: Callable[[str], bool] | None = None) -> list[list[Part]]:
    """The affiliation's groups, each a list of non-empty parts, in order."""
    out: list[list[Part]] = []
    for group in _GROUPS.split(unglue(text, known)):
        parts = [p for piece in _PARTS.split(group) for p in _clause(piece) if p.key]
        if parts:
            out.append(parts)
    return out
