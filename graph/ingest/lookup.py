"""Entity resolution's reads: the graph's organisations a load may resolve to, by index seeks.

Only the nodes that share a ROR id, Wikidata id, id, alias or name key with an incoming record
(or that a relationship names) are read, in batches: a load's cost follows the load, not the
graph (graph.cypher.resolve says how each key is indexed).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from typing import TYPE_CHECKING, LiteralString

from graph.cypher import Label
from graph.cypher import resolve as cypher_resolve
from graph.cypher.resolve import ALIAS, NAME, ORIGIN, needle
from graph.store import Row

if TYPE_CHECKING:
    from graph.ingest.plan import Reader, Unit

# Values per look-up query: big enough to amortise a round trip, small enough to keep one
# query's parameters and result well under a megabyte or two.
LOOKUP_BATCH = 5000


async def _sought(read: Reader, query: LiteralString, values: Iterable[str]) -> list[Row]:
    wanted = sorted(set(values))
    rows: list[Row] = []
    for i in range(0, len(wanted), LOOKUP_BATCH):
        rows += await read(query, {"values": wanted[i : i + LOOKUP_BATCH]})
    return rows


# Values below which the look-ups are run without asking first whether there is anything to
# find: asking is a round trip of its own, as dear as a look-up of a few keys (an API write).
ASK_FIRST_FROM = 100


async def _no_organisations(read: Reader, sought: int) -> bool:
    """The graph holds no organisation (a first load), for look-ups of `sought` values: every
    look-up would find nothing, and each costs a text-index seek (about 0.3 ms a key on this
    machine, even on an empty index)."""
    if sought == 0:
        return True
    if sought < ASK_FIRST_FROM:
        return False
    (row,) = await read(cypher_resolve.ORG_COUNT, None)
    return int(row["count"]) == 0


async def candidates(units: Sequence[Unit], read: Reader) -> list[Row]:
    """The graph's organisations any incoming organisation or organisation reference may be."""
    rows, _ = await candidates_and_origins(units, read, ())
    return rows


async def candidates_and_origins(
    units: Sequence[Unit], read: Reader, origins: Iterable[str]
) -> tuple[list[Row], list[tuple[Label, str]] | None]:
    """`candidates`, and for a small load (an API write) `origin_nodes` of `origins` read in
    the same round trip (None otherwise: the caller reads them with `origin_nodes`)."""
    sought = _sought_values(units)
    total = sum(len(values) for values in sought.values())
    needles = sorted(needle(ORIGIN, origin) for origin in origins)
    # Below ASK_FIRST_FROM the look-ups run unasked anyway (`_no_organisations`).
    if needles and total < ASK_FIRST_FROM:
        params: dict[str, list[str]] = {kind: sorted(v) for kind, v in sought.items()}
        (row,) = await read(cypher_resolve.ORGS_AND_ORIGINS, {**params, "needles": needles})
        found = [(Label(o["label"]), o["id"]) for o in row["origins"]]
        by_id = {org["id"]: org for org in row["orgs"]}
        # In id order: where two nodes share an alias, the first one added keeps it.
        return [by_id[i] for i in sorted(by_id)], found
    if await _no_organisations(read, total):
        return [], None
    rows: dict[str, Row] = {}
    for query, kind in (
        (cypher_resolve.ORGS_BY_ROR, "rors"),
        (cypher_resolve.ORGS_BY_WIKIDATA, "wikidata"),
        (cypher_resolve.ORGS_BY_ID, "ids"),
        (cypher_resolve.ORGS_BY_KEY, "keys"),
    ):
        for row in await _sought(read, query, sought[kind]):
            rows.setdefault(row["id"], row)
    # In id order: where two nodes share an alias, the first one added keeps it, as a scan did.
    return [rows[i] for i in sorted(rows)], None


def _sought_values(units: Sequence[Unit]) -> dict[str, set[str]]:
    """What entity resolution seeks, by kind: RORs, Wikidata ids, ids, `lookup` needles."""
    rors: set[str] = set()
    wikidata: set[str] = set()
    ids: set[str] = set()
    keys: set[str] = set()
    for unit in units:
        for claim in unit.claims:
            if claim.label is Label.ORGANISATION:
                keys.update(needle(NAME, k) for k in claim.name_keys or ())
                ids.add(claim.id)
        for org in unit.parsed.bundle.organisations:
            if org.identifiers.ror:
                rors.add(org.identifiers.ror)
            if org.identifiers.wikidata:
                wikidata.add(org.identifiers.wikidata)
        # A name's placeholder (graph.parsed.NamedOrganisation) is no organisation's id: name
        # matching replaces it before any reference is resolved (`references` seeks what it
        # became). Seeking it would cost two index look-ups per participant of a CORDIS dump.
        placeholders = {n.placeholder for n in unit.parsed.names}
        for rel in unit.rels:
            if rel.start_label is Label.ORGANISATION and rel.start not in placeholders:
                ids.add(rel.start)
            if rel.end_label is Label.ORGANISATION and rel.end not in placeholders:
                ids.add(rel.end)
        ids.update(ref for label, ref in unit.ends if label is Label.ORGANISATION)
    keys.update(needle(ALIAS, i) for i in ids)
    return {"rors": rors, "wikidata": wikidata, "ids": ids, "keys": keys}


async def origin_nodes(origins: Iterable[str], read: Reader) -> list[tuple[Label, str]]:
    """Every node the origins asserted before this load, in one round trip."""
    needles = sorted(needle(ORIGIN, origin) for origin in origins)
    if not needles:
        return []
    rows = await read(cypher_resolve.NODES_OF_ORIGINS, {"needles": needles})
    return [(Label(row["label"]), row["id"]) for row in rows]


async def references(units: Sequence[Unit], read: Reader, known: Container[str]) -> list[Row]:
    """The graph's organisations the load's relationships name that `known` lacks (the ids
    matching put in place of names, after the first look-up)."""
    ids = {
        ref
        for unit in units
        for rel in unit.rels
        for label, ref in ((rel.start_label, rel.start), (rel.end_label, rel.end))
        if label is Label.ORGANISATION and ref not in known
    }
    return await orgs_by_id(read, ids)


async def orgs_by_id(read: Reader, ids: set[str]) -> list[Row]:
    """The graph's organisations with these ids or aliases, in id order."""
    if await _no_organisations(read, 2 * len(ids)):
        return []
    rows: dict[str, Row] = {}
    for query, values in (
        (cypher_resolve.ORGS_BY_ID, ids),
        (cypher_resolve.ORGS_BY_KEY, {needle(ALIAS, i) for i in ids}),
    ):
        for row in await _sought(read, query, values):
            rows.setdefault(row["id"], row)
    return [rows[i] for i in sorted(rows)]
