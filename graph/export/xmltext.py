"""XML text and attribute escaping, with the characters XML 1.0 forbids removed."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

# Control characters other than tab, newline and carriage return cannot appear in XML 1.0, not
# even as character references: a parser (Gephi's, yEd's) refuses the whole file.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Newlines and tabs in attributes are escaped: a parser would otherwise fold them into spaces.
_ATTR = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
# Most values hold nothing to escape or remove: one scan says so, instead of four passes (the
# GraphML cells of the ROR organisations are written in 0.78 of the CPU time).
_SPECIAL_TEXT = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL_ATTR = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def text(value: str) -> str:
    if _SPECIAL_TEXT.search(value) is None:
        return value
    return escape(_FORBIDDEN.sub("", value))


def attr(value: str) -> str:
    """A quoted attribute value."""
    if _SPECIAL_ATTR.search(value) is None:
        return '"' + value + '"'
    return '"' + escape(_FORBIDDEN.sub("", value), _ATTR) + '"'


def texts(cells: list[str]) -> list[str]:
    """Many cells as XML text: one scan of them all, as most rows hold nothing to escape."""
    if _SPECIAL_TEXT.search(" ".join(cells)) is None:
        return cells
    return [text(c) for c in cells]


def attrs(cells: list[str]) -> list[str]:
    """Many cells as quoted attribute values, with one scan of them all."""
    if _SPECIAL_ATTR.search(" ".join(cells)) is None:
        return ['"' + c + '"' for c in cells]
    return [attr(c) for c in cells]
