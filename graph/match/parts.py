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
# "PennsylvaniaPhiladelphia": a lower-case letter then an upper-case one inside a word.
_GLUED = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z\u00c0-\u00de])")


@dataclass(frozen=True, slots=True)
class Part:
    text: str  # as written
    words: tuple[str, ...]  # canonical words, stop words kept
    key: Key  # canonical words without stop words
    raw: tuple[str, ...]  # the words as written (case kept), for acronyms


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


def part(text: str) -> Part:
    text = text.strip(" .:-")
    canon = tuple(words(text))
    return Part(
        text=text,
        words=canon,
        key=tuple(w for w in canon if w not in STOP_WORDS),
        raw=tuple(re.findall(r"[\w.&]+(?:-[\w.&]+)*", text)),
    )


def groups(text: str, known: Callable[[str], bool] | None = None) -> list[list[Part]]:
    """The affiliation's groups, each a list of non-empty parts, in order."""
    out: list[list[Part]] = []
    for group in _GROUPS.split(unglue(text, known)):
        parts = [p for p in (part(piece) for piece in _PARTS.split(group)) if p.key]
        if parts:
            out.append(parts)
    return out
