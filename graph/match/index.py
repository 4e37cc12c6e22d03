"""The in-memory name index: every name, acronym and city of the organisations, by key."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph.match.normalise import Key, acronym_key, fold, folded_key, key
from graph.match.record import OrgRecord

# An upper-case word without spaces, of a length acronyms have ("EUT", "KAIST", "CNRS"): used
# as an acronym even where the registry typed it a label or an alias.
_LOOKS_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.\-]{1,9}$")
# Longer names are kept whole but looked up by their first MAX_WORDS words only.
MAX_WORDS = 14
_MAX_DEPTH = 8  # of hierarchies and successor chains: ROR's are shallow; loops are data errors


@dataclass(frozen=True, slots=True)
class Entry:
    record: str  # the organisation's id
    name: str  # the name as the organisation writes it
    kind: str  # display | label | alias | former | acronym


class NameIndex:
    """Names by key, acronyms by upper-case form, cities by key, hierarchy and successors."""

    def __init__(self, records: Iterable[OrgRecord]) -> None:
        self.records: dict[str, OrgRecord] = {}
        self.phrases: dict[Key, list[Entry]] = defaultdict(list)
        self.acronyms: dict[str, list[Entry]] = defaultdict(list)
        self.prefixes: set[Key] = set()
        self.vocab: set[str] = set()
        self.city_keys: dict[str, Key] = {}
        self.parents: dict[str, set[str]] = defaultdict(set)
        for record in records:
            self._add(record)
        for record in self.records.values():
            for child in record.children:
                if child in self.records:
                    self.parents[child].add(record.id)
        # Plain dicts from here: a miss must not grow them (the matcher only reads).
        self.phrases = dict(self.phrases)
        self.acronyms = dict(self.acronyms)
        self.parents = dict(self.parents)

    def __len__(self) -> int:
        return len(self.records)

    def _entries(self, record: OrgRecord) -> list[tuple[bool, Key | str, Entry]]:
        """(is an acronym, key, entry) for every name of the record, each key once."""
        out: list[tuple[bool, Key | str, Entry]] = []
        seen: set[tuple[Key | str, bool]] = set()
        for name in record.names:
            folded = fold(name.value)
            if name.kind == "acronym" or _LOOKS_ACRONYM.fullmatch(name.value):
                short = acronym_key(name.value)
                if len(short) >= 2 and (short, True) not in seen:
                    seen.add((short, True))
                    out.append((True, short, Entry(record.id, name.value, "acronym")))
                if name.kind == "acronym":
                    continue
            name_key = folded_key(folded)[:MAX_WORDS]
            if not name_key or (name_key, False) in seen:
                continue
            seen.add((name_key, False))
            out.append((False, name_key, Entry(record.id, name.value, name.kind)))
        return out

    def _add(self, record: OrgRecord) -> None:
        self.records[record.id] = record
        self.parents.setdefault(record.id, set()).update(record.parents)
        if record.city:
            self.city_keys[record.id] = key(record.city)
            self.vocab.update(fold(record.city).split())
        for name in record.names:
            self.vocab.update(fold(name.value).split())
        for is_acronym, entry_key, entry in self._entries(record):
            if is_acronym:
                self.acronyms.setdefault(str(entry_key), []).append(entry)
                continue
            phrase = tuple(entry_key)
            self.phrases.setdefault(phrase, []).append(entry)
            for i in range(1, len(phrase) + 1):
                self.prefixes.add(phrase[:i])

    def _remove(self, record_id: str) -> None:
        record = self.records.pop(record_id, None)
        if record is None:
            return
        self.parents.pop(record_id, None)
        self.city_keys.pop(record_id, None)
        for is_acronym, entry_key, _ in self._entries(record):
            table: dict[Any, list[Entry]] = self.acronyms if is_acronym else self.phrases
            kept = [e for e in table.get(entry_key, ()) if e.record != record_id]
            if kept:
                table[entry_key] = kept
            else:
                table.pop(entry_key, None)
        # Prefixes and words stay: a stale one costs the matcher a look-up that finds nothing.

    def update(self, records: Iterable[OrgRecord], removed: Iterable[str] = ()) -> None:
        """Replace some organisations' entries (a write's delta): the others stay untouched.

        Not thread-safe against a concurrent `match`: the cache applies deltas on the event
        loop, between requests (a write changes a few entries, microseconds each).
        """
        for record_id in removed:
            self._remove(record_id)
        for record in records:
            self._remove(record.id)
            self._add(record)

    def known(self, word: str) -> bool:
        """Whether a folded word occurs in some name (to unglue "PennsylvaniaPhiladelphia")."""
        return word in self.vocab

    def ancestors(self, record_id: str) -> set[str]:
        out: set[str] = set()
        frontier = {record_id}
        for _ in range(_MAX_DEPTH):
            frontier = {p for r in frontier for p in self.parents.get(r, ()) if p not in out}
            if not frontier:
                break
            out |= frontier
        out.discard(record_id)
        return out

    def current(self, record_id: str) -> tuple[str, ...]:
        """A withdrawn record's successors (followed to active ones), or the record itself."""
        chain: tuple[str, ...] = (record_id,)
        for _ in range(_MAX_DEPTH):
            nxt: list[str] = []
            for rid in chain:
                record = self.records.get(rid)
                if record is None:
                    continue
                followed = [s for s in record.successors if s in self.records]
                if record.status == "withdrawn" and followed:
                    nxt.extend(followed)
                else:
                    nxt.append(rid)
            nxt_t = tuple(dict.fromkeys(nxt))
            if nxt_t == chain:
                break
            chain = nxt_t
        return chain
