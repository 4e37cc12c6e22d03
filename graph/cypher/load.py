"""The write path's Cypher: node and relationship upserts, origin stripping, locks, look-ups."""

from __future__ import annotations

from functools import cache
from typing import LiteralString

from graph.cypher.audit import AUDIT_WRITE
from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.loadmark import UNMARK
from graph.cypher.nametext import assignment as name_text
from graph.cypher.resolve import delete_unasserted_rels_of, lookup_value, strip_rels_of


def merge_nodes(label: Label, rows: LiteralString = "$rows") -> LiteralString:
    """Upsert a batch of nodes; `props` is the node's full, merged property map."""
    name = checked_label(label)
    return (
        "UNWIND " + rows + " AS row MERGE (n:" + name + " {id: row.id}) SET n = row.props "
        "SET n.lookup = " + lookup_value(label) + name_text(label)
    )


# Write-locks node `n` for the rest of the transaction: the property is set and removed, only
# the lock stays (Neo4j reads are read-committed; a write lock is what orders two writers).
_LOCK: LiteralString = "SET n._locked = true REMOVE n._locked "


def stale_nodes(label: Label) -> LiteralString:
    """Of rows built from claims read earlier (`was`: the version then, null for a node that
    did not exist), the nodes another write changed since: each existing node write-locked
    first (set and removed), so none changes again before this transaction commits."""
    name = checked_label(label)
    return (
        "UNWIND $rows AS row MATCH (n:"
        + name
        + " {id: row.id}) "
        + _LOCK
        + "WITH n, row WHERE row.was IS NULL OR coalesce(n.version, 0) <> row.was "
        "RETURN n.id AS id"
    )


def delete_nodes(label: Label, ids: LiteralString = "$ids") -> LiteralString:
    name = checked_label(label)
    return "UNWIND " + ids + " AS id MATCH (n:" + name + " {id: id}) DETACH DELETE n"


def merge_rels(
    rel_type: RelType,
    start: Label,
    end: Label,
    rows: LiteralString = "$rows",
    origin: LiteralString = "$origin",
) -> LiteralString:
    """Upsert a batch of relationships for one origin (already stripped of that origin)."""
    t, a, b = checked_type(rel_type), checked_label(start), checked_label(end)
    return (
        "UNWIND " + rows + " AS row "
        "MATCH (a:" + a + " {id: row.start}) MATCH (b:" + b + " {id: row.end}) "
        "MERGE (a)-[r:" + t + " {key: row.key}]->(b) "
        # Asserted by no other origin (new, or this origin's own, stripped above): its
        # properties are exactly this row's, so a property the rewrite leaves out goes.
        # Shared with other origins, the row's properties are merged in (last write wins).
        "FOREACH (_ IN CASE WHEN coalesce(r.origins, []) = [] THEN [1] ELSE [] END | "
        "SET r = {key: row.key}) "
        "SET r += row.props, "
        # A streamed load may assert one relationship from two of its chunks: once each.
        "r.origins = [o IN coalesce(r.origins, []) WHERE o <> " + origin + "] + " + origin + ", "
        "r.provenance = coalesce(r.provenance, []) "
        "+ [p IN row.provenance WHERE NOT p IN coalesce(r.provenance, [])], "
        "r.sourceIds = coalesce(r.sourceIds, []) "
        "+ [s IN row.sourceIds WHERE NOT s IN coalesce(r.sourceIds, [])] "
        "RETURN count(r) AS written"
    )


def node_claims(label: Label) -> LiteralString:
    """Claims of the nodes a load touches (by id, through the label's unique index)."""
    name = checked_label(label)
    return (
        "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) "
        "RETURN n.id AS id, n.claims AS claims, n.version AS version"
    )


def locked_claims(label: Label) -> LiteralString:
    """`node_claims`, each node write-locked before its claims and version are read: Neo4j
    reads are read-committed, so two writers would otherwise read the same version and both
    write version + 1 (a lost update). The property is set and removed: only the lock stays.
    One query, not a lock and then a read: an API write's round trips are its latency."""
    name = checked_label(label)
    return (
        "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) " + _LOCK + "RETURN n.id AS id, "
        "n.claims AS claims, n.version AS version"
    )


def claims_of(labels: tuple[Label, ...], *, lock: bool) -> LiteralString:
    """`node_claims` (with `lock`: `locked_claims`) of several labels in one round trip: an
    API write touches two (its record's and its source's), and each round trip is latency.
    `$ids` maps each label to its ids; the branches run in the order of `labels`, which is the
    order the locks are taken in."""
    branches: list[LiteralString] = []
    for label in labels:
        name = checked_label(label)
        branches.append(
            "UNWIND $ids."
            + name
            + " AS id MATCH (n:"
            + name
            + " {id: id}) "
            + (_LOCK if lock else "")
            + "RETURN '"
            + name
            + "' AS label, n.id AS id, n.claims AS claims, "
            "n.version AS version"
        )
    return "CALL () { " + " UNION ALL ".join(branches) + " } RETURN label, id, claims, version"


def existing_ids(label: Label) -> LiteralString:
    """Which of `$ids` already name a node of this label (references outside the load)."""
    name = checked_label(label)
    return "UNWIND $ids AS ref MATCH (n:" + name + " {id: ref}) RETURN ref, n.id AS id"


def node_origins(label: Label) -> LiteralString:
    name = checked_label(label)
    return "MATCH (n:" + name + " {id: $id}) RETURN n.origins AS origins"


def rel_origins(rel_type: RelType, start: Label, end: Label) -> LiteralString:
    t, a, b = checked_type(rel_type), checked_label(start), checked_label(end)
    return (
        "MATCH (:" + a + " {id: $start})-[r:" + t + "]->(:" + b + " {id: $end}) "
        "RETURN r.origins AS origins"
    )


RelGroup = tuple[RelType, Label, Label]


def rel_group_key(group: RelGroup) -> LiteralString:
    """The key of a relationship group's rows in `one_write`'s `$rels` map."""
    rel_type, start, end = group
    return checked_type(rel_type) + "_" + checked_label(start) + "_" + checked_label(end)


@cache
def one_write(
    touched: tuple[Label, ...],
    nodes: tuple[Label, ...],
    deletes: tuple[Label, ...],
    rels: tuple[RelGroup, ...],
    audit: bool,
) -> LiteralString:
    """A small load's whole write as ONE statement, in the order of its separate statements:
    strip the origins off the touched nodes' relationships (`$ids`, `$origins`, `$prefixes`),
    upsert nodes (`$nodes`: label -> rows), delete nodes (`$deletes`: label -> ids), upsert one
    origin's relationships (`$rels`: `rel_group_key` -> rows, `$relOrigin`), delete those no
    origin asserts any more, unmark the units and (`audit`) write the audit entry. Each step a
    subquery run once, seeing what the steps before it wrote. Seven statements of an API write
    were seven round trips, each as dear as its work. Returns `written`, `deleted`."""
    parts: list[LiteralString] = ["WITH 0 AS total "]
    if touched:
        parts.append("CALL () { " + strip_rels_of(touched) + " } ")
    for label in nodes:
        parts.append("CALL () { " + merge_nodes(label, "$nodes." + checked_label(label)) + " } ")
    for label in deletes:
        parts.append("CALL () { " + delete_nodes(label, "$deletes." + checked_label(label)) + " } ")
    for group in rels:
        query = merge_rels(*group, rows="$rels." + rel_group_key(group), origin="$relOrigin")
        parts.append("CALL () { " + query + " } WITH total + written AS total ")
    if touched:
        parts.append("CALL () { " + delete_unasserted_rels_of(touched) + " } ")
    else:
        parts.append("WITH total, 0 AS deleted ")
    parts.append("CALL () { " + UNMARK + " } ")
    if audit:
        parts.append("CALL () { " + AUDIT_WRITE + " } ")
    parts.append("RETURN total AS written, deleted")
    return "".join(parts)
