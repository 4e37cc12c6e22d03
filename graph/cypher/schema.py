"""Schema, health and whole-graph statements: constraints, indexes, ping, counts, wipe."""

from __future__ import annotations

from typing import LiteralString

from graph.cypher import nametext
from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.loadmark import CONSTRAINT as INCOMPLETE_LOAD
from graph.cypher.loadmark import DIGEST_CONSTRAINT as LOADED_UNIT
from graph.cypher.loadmark import DIGEST_INDEX as LOADED_DIGEST
from graph.cypher.props import PLACE_COUNTRY, REGISTRY_CODE
from graph.cypher.read import ORDERED_WITH_ID, ORDERED_WITHIN
from graph.cypher.resolve import lookup_indexes

PING: LiteralString = "RETURN 1 AS ok"
AWAIT_INDEXES: LiteralString = "CALL db.awaitIndexes(300)"
# Index statistics are sampled in the background after enough writes; until then the planner
# may think a freshly filled index empty. Asking for the sampling makes its plans current.
RESAMPLE_INDEXES: LiteralString = "CALL db.resampleOutdatedIndexes()"


_FILTERED: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("Organisation", REGISTRY_CODE),
    ("Organisation", "status"),
    ("Organisation", "established"),
    ("Organisation", "city"),
    ("Agreement", "kind"),
    ("Agreement", "status"),
    ("Event", "kind"),
    ("Event", "title"),
    ("Event", PLACE_COUNTRY),
    ("Dataset", "country"),
    ("Dataset", "individuals"),
    ("Project", "kind"),
    ("Project", "status"),
    ("Project", "start"),
    ("Source", "title"),
)


def _schema() -> tuple[LiteralString, ...]:
    statements: list[LiteralString] = []
    for label in Label:
        name = checked_label(label)
        statements.append(
            "CREATE CONSTRAINT " + name.lower() + "_id IF NOT EXISTS "
            "FOR (n:" + name + ") REQUIRE n.id IS UNIQUE"
        )
    statements.append(
        "CREATE CONSTRAINT audit_id IF NOT EXISTS FOR (n:AuditEntry) REQUIRE n.id IS UNIQUE"
    )
    statements.append("CREATE INDEX audit_target IF NOT EXISTS FOR (n:AuditEntry) ON (n.target)")
    # Two nodes with one ROR id would be a failed resolution. Wikidata ids are not unique in
    # real data: ROR's withdrawn duplicates carry the Wikidata id of the record they duplicate.
    statements.append(
        "CREATE CONSTRAINT organisation_ror IF NOT EXISTS "
        "FOR (n:Organisation) REQUIRE n.ror IS UNIQUE"
    )
    for prop in ("wikidata", "isni", "grid", "fundref", "pic", "country", "kind"):
        statements.append(
            "CREATE INDEX organisation_" + prop + " IF NOT EXISTS "
            "FOR (n:Organisation) ON (n." + prop + ")"
        )
    # Range indexes for the `where` filters on scalar properties, so that a filter (alone or in
    # an AND) is an index seek, not a scan of the label; tests/api/test_plans.py reads
    # the plans. Names apart (the sort keys below and the identifiers above).
    for filter_label, prop in _FILTERED:
        statements.append(
            "CREATE INDEX " + filter_label.lower() + "_" + prop + " IF NOT EXISTS "
            "FOR (n:" + filter_label + ") ON (n." + prop + ")"
        )
    # One full-text index over every name of organisations and people; "standard-folding"
    # folds diacritics, so "Tartu Ulikool" finds "Tartu Ülikool". Hangul is tokenised as words.
    statements.append(
        "CREATE FULLTEXT INDEX name_search IF NOT EXISTS "
        "FOR (n:Organisation|Person) ON EACH [n.name, n.searchText] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}"
    )
    # `name` filters: every name lower-cased in one string (graph.cypher.nametext).
    statements.extend(nametext.indexes())
    # Sort keys of the root connections.
    for sort_label, prop in (
        ("Organisation", "name"),
        ("Person", "name"),
        ("Agreement", "signed"),
        ("Agreement", "title"),
        ("Event", "date"),
        ("Project", "title"),
        ("Dataset", "title"),
    ):
        statements.append(
            "CREATE INDEX " + sort_label.lower() + "_" + prop + " IF NOT EXISTS "
            "FOR (n:" + sort_label + ") ON (n." + prop + ")"
        )
    # A sort key within an equality filter (graph/cypher/read.py ORDERED_WITHIN): the page of
    # one country by name is read in order from the composite index and stops after the page.
    for within_label, within, sort_key in ORDERED_WITHIN:
        statements.append(
            "CREATE INDEX " + within_label.lower() + "_" + within + "_" + sort_key + " "
            "IF NOT EXISTS FOR (n:" + within_label + ") ON (n." + within + ", n." + sort_key + ")"
        )
    # A sort key many nodes share, with the id after it (graph/cypher/read.py ORDERED_WITH_ID).
    for by_label, key in ORDERED_WITH_ID:
        statements.append(
            "CREATE INDEX " + by_label.lower() + "_" + key + "_id IF NOT EXISTS "
            "FOR (n:" + by_label + ") ON (n." + key + ", n.id)"
        )
    # Entity resolution's look-ups by key and by origin (graph.cypher.resolve).
    statements.extend(lookup_indexes())
    statements += [INCOMPLETE_LOAD, LOADED_UNIT, LOADED_DIGEST]
    return tuple(statements)


SCHEMA: tuple[LiteralString, ...] = _schema()
# What earlier versions created and this one no longer wants; dropped before SCHEMA runs, so a
# database made by an earlier version converges on the current schema.
OBSOLETE_SCHEMA: tuple[LiteralString, ...] = (
    "DROP CONSTRAINT organisation_wikidata IF EXISTS",  # Wikidata ids are not unique in ROR
    "DROP INDEX organisation_names IF EXISTS",  # both replaced by name_search
    "DROP INDEX person_names IF EXISTS",
)


COUNT_NODES: LiteralString = "MATCH (n) RETURN count(n) AS count"
# The graph's nodes, without the loader's bookkeeping (graph.cypher.loadmark's marks).
FINGERPRINT_NODES: LiteralString = (
    "MATCH (n) WHERE NOT n:IncompleteLoad AND NOT n:LoadedUnit "
    "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"
)
FINGERPRINT_RELS: LiteralString = (
    "MATCH (a)-[r]->(b) RETURN a.id AS start, type(r) AS type, b.id AS end, "
    "properties(r) AS props ORDER BY start, type, end, r.key"
)
WIPE: LiteralString = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
STATS: LiteralString = (
    "CALL () { MATCH (n) RETURN count(n) AS nodes } "
    "CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } "
    "RETURN nodes, relationships"
)


def degree_counts(label: Label, rel_type: RelType, outgoing: bool | None) -> LiteralString:
    """For one label, relationship type and direction (`None`: both): the nodes of the label and
    the relationships, both from Neo4j's count store, in constant time whatever the graph."""
    name = checked_label(label)
    rel = checked_type(rel_type)
    left, right = _arrows(outgoing)
    return (
        "CALL () { MATCH (n:" + name + ") RETURN count(n) AS nodes } "
        "CALL () { MATCH (:" + name + ")" + left + "[r:" + rel + "]" + right + "() "
        "RETURN count(r) AS relationships } "
        "RETURN nodes, relationships"
    )


def degree_largest(label: Label, rel_type: RelType, outgoing: bool | None) -> LiteralString:
    """The largest degree of the type among the label's nodes: each node's degree from the
    store, but a pass over the whole label (about 50 ms for 51k organisations, a second at a
    million), so read seldom (graph/api/execution/limits/degrees.py)."""
    name = checked_label(label)
    rel = checked_type(rel_type)
    left, right = _arrows(outgoing)
    return (
        "MATCH (n:" + name + ") "
        "RETURN max(COUNT { (n)" + left + "[:" + rel + "]" + right + "() }) AS largest"
    )


def _arrows(outgoing: bool | None) -> tuple[LiteralString, LiteralString]:
    if outgoing is None:
        return "-", "-"
    return ("-", "->") if outgoing else ("<-", "-")
