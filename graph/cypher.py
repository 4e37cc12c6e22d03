"""Every Cypher text of partnergraph, as constants or small pure builders; values are parameters.

Labels and relationship types cannot be parameters, so builders accept only members of the
`Label` and `RelType` allow-lists and refuse anything else (a string that merely looks like one
included).

How facts are stored (see loaders/rows.py for the rows these queries take):
- a node has `id`, its merged properties, `claims` (one JSON string per origin: what that load
  unit asserted), `origins` and `provenance` (JSON citations tagged with their origin);
- a relationship has its properties, `key` (tells apart two of the same type between the same
  nodes), `origins` and `provenance`.
Reloading an origin strips it from every fact, writes the new facts, and deletes the facts no
origin asserts any more; all in one transaction.
"""

from __future__ import annotations

from enum import StrEnum
from typing import LiteralString


class Label(StrEnum):
    ORGANISATION = "Organisation"
    PERSON = "Person"
    AGREEMENT = "Agreement"
    EVENT = "Event"
    DATASET = "Dataset"
    PROJECT = "Project"
    SOURCE = "Source"


class RelType(StrEnum):
    PARTY_TO = "PARTY_TO"  # Organisation -> Agreement {role}
    SIGNED = "SIGNED"  # Person -> Agreement {onBehalfOf, title}
    HOLDS_POSITION = "HOLDS_POSITION"  # Person -> Organisation {title, start, end}
    PARTICIPATED_IN = "PARTICIPATED_IN"  # Organisation|Person -> Event {role}
    RESULTED_IN = "RESULTED_IN"  # Event -> Agreement|Project
    HOLDS_DATA = "HOLDS_DATA"  # Organisation -> Dataset
    GOVERNS_ACCESS = "GOVERNS_ACCESS"  # Organisation -> Dataset (health data access body)
    PARTICIPATES_IN = "PARTICIPATES_IN"  # Organisation -> Project {role, start, end}
    RUNS_UNDER = "RUNS_UNDER"  # Project -> Agreement
    USES_DATA = "USES_DATA"  # Project -> Dataset
    PART_OF = "PART_OF"  # Project -> Project
    CHILD_OF = "CHILD_OF"  # Organisation -> Organisation (child to parent)
    SUCCEEDED_BY = "SUCCEEDED_BY"  # Organisation -> Organisation (predecessor to successor)
    RELATED_TO = "RELATED_TO"  # Organisation -> Organisation
    FOUNDED_BY = "FOUNDED_BY"  # Organisation -> Organisation (the founded to its founder)


FACT_LABELS: tuple[Label, ...] = tuple(Label)

PING: LiteralString = "RETURN 1 AS ok"
AWAIT_INDEXES: LiteralString = "CALL db.awaitIndexes(300)"


def _checked_label(label: Label) -> LiteralString:
    if not isinstance(label, Label):
        raise ValueError(f"not an allowed label: {label!r}")
    return label.value


def _checked_type(rel_type: RelType) -> LiteralString:
    if not isinstance(rel_type, RelType):
        raise ValueError(f"not an allowed relationship type: {rel_type!r}")
    return rel_type.value


def _schema() -> tuple[LiteralString, ...]:
    statements: list[LiteralString] = []
    for label in Label:
        name = _checked_label(label)
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
    for prop in ("wikidata", "isni", "grid", "fundref", "country", "kind"):
        statements.append(
            "CREATE INDEX organisation_" + prop + " IF NOT EXISTS "
            "FOR (n:Organisation) ON (n." + prop + ")"
        )
    # One full-text index over every name of organisations and people; "standard-folding"
    # folds diacritics, so "Tartu Ulikool" finds "Tartu Ülikool". Hangul is tokenised as words.
    statements.append(
        "CREATE FULLTEXT INDEX name_search IF NOT EXISTS "
        "FOR (n:Organisation|Person) ON EACH [n.name, n.searchText] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-folding'}}"
    )
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
    return tuple(statements)


SCHEMA: tuple[LiteralString, ...] = _schema()
# What earlier versions created and this one no longer wants; dropped before SCHEMA runs, so a
# database made by an earlier version converges on the current schema.
OBSOLETE_SCHEMA: tuple[LiteralString, ...] = (
    "DROP CONSTRAINT organisation_wikidata IF EXISTS",  # Wikidata ids are not unique in ROR
    "DROP INDEX organisation_names IF EXISTS",  # both replaced by name_search
    "DROP INDEX person_names IF EXISTS",
)


# --- Loading ---------------------------------------------------------------------------------


def merge_nodes(label: Label) -> LiteralString:
    """Upsert a batch of nodes; `props` is the node's full, merged property map."""
    name = _checked_label(label)
    return "UNWIND $rows AS row MERGE (n:" + name + " {id: row.id}) SET n = row.props"


def delete_nodes(label: Label) -> LiteralString:
    name = _checked_label(label)
    return "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) DETACH DELETE n"


def merge_rels(rel_type: RelType, start: Label, end: Label) -> LiteralString:
    """Upsert a batch of relationships for one origin (already stripped of that origin)."""
    t, a, b = _checked_type(rel_type), _checked_label(start), _checked_label(end)
    return (
        "UNWIND $rows AS row "
        "MATCH (a:" + a + " {id: row.start}) MATCH (b:" + b + " {id: row.end}) "
        "MERGE (a)-[r:" + t + " {key: row.key}]->(b) "
        # Asserted by no other origin (new, or this origin's own, stripped above): its
        # properties are exactly this row's, so a property the rewrite leaves out goes.
        # Shared with other origins, the row's properties are merged in (last write wins).
        "FOREACH (_ IN CASE WHEN coalesce(r.origins, []) = [] THEN [1] ELSE [] END | "
        "SET r = {key: row.key}) "
        "SET r += row.props, "
        "r.origins = coalesce(r.origins, []) + $origin, "
        "r.provenance = coalesce(r.provenance, []) + row.provenance, "
        "r.sourceIds = coalesce(r.sourceIds, []) "
        "+ [s IN row.sourceIds WHERE NOT s IN coalesce(r.sourceIds, [])] "
        "RETURN count(r) AS written"
    )


def node_claims(label: Label) -> LiteralString:
    """Claims of the nodes a load touches (by id, through the label's unique index)."""
    name = _checked_label(label)
    return (
        "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) "
        "RETURN n.id AS id, n.claims AS claims, n.version AS version"
    )


def lock_nodes(label: Label) -> LiteralString:
    """Write-lock the nodes a load rewrites, before it reads their claims and versions: Neo4j
    reads are read-committed, so two writers would otherwise read the same version and both
    write version + 1 (a lost update). The property is set and removed: only the lock stays."""
    name = _checked_label(label)
    return "UNWIND $ids AS id MATCH (n:" + name + " {id: id}) SET n._locked = true REMOVE n._locked"


def existing_ids(label: Label) -> LiteralString:
    """Which of `$ids` already name a node of this label (references outside the load)."""
    name = _checked_label(label)
    return "UNWIND $ids AS ref MATCH (n:" + name + " {id: ref}) RETURN ref, n.id AS id"


# Every node an origin asserted before this load (ids only: the claims are fetched per label).
ORIGIN_NODES: LiteralString = (
    "MATCH (n) WHERE $origin IN n.origins RETURN n.id AS id, labels(n)[0] AS label"
)
STRIP_RELS: LiteralString = (
    "MATCH ()-[r]->() WHERE $origin IN r.origins "
    "SET r.origins = [o IN r.origins WHERE o <> $origin], "
    "r.provenance = [p IN r.provenance WHERE NOT p STARTS WITH $prefix] "
    # Keep the ids of sources some remaining citation still names (entries are compact JSON).
    "WITH r SET r.sourceIds = [s IN coalesce(r.sourceIds, []) "
    "WHERE any(p IN r.provenance WHERE p CONTAINS '\"source\":\"' + s + '\"')]"
)
DELETE_UNASSERTED_RELS: LiteralString = (
    "MATCH ()-[r]->() WHERE r.origins = [] DELETE r RETURN count(r) AS deleted"
)
# Entity resolution reads every organisation's keys once and matches in memory: list-valued
# name keys have no index in Neo4j 5, and one scan beats a scan per incoming name.
ORG_KEYS: LiteralString = (
    "MATCH (n:Organisation) RETURN n.id AS id, n.ror AS ror, n.wikidata AS wikidata, "
    "n.nameKeys AS nameKeys, n.status AS status, n.ids AS ids"
)

# --- Inspection --------------------------------------------------------------------------------

COUNT_NODES: LiteralString = "MATCH (n) RETURN count(n) AS count"
COUNT_RELS: LiteralString = "MATCH ()-[r]->() RETURN count(r) AS count"
FINGERPRINT_NODES: LiteralString = (
    "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"
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

# --- Writes through the API ------------------------------------------------------------------

AUDIT_WRITE: LiteralString = (
    "CREATE (:AuditEntry {id: randomUUID(), at: datetime(), actor: $actor, keyId: $keyId, "
    "role: $role, action: $action, target: $target, origin: $origin, version: $version})"
)
AUDIT_LOG: LiteralString = (
    "MATCH (a:AuditEntry) WHERE $target IS NULL OR a.target = $target "
    "WITH a ORDER BY a.at DESC, a.id LIMIT $first "
    "RETURN a {.id, .actor, .role, .action, .target, .origin, .version, .reason, .deletedName, "
    ".deletedOrigins, .deletedRelationships, at: toString(a.at)} AS entry"
)
ORG_BY_ALIAS: LiteralString = (
    "MATCH (n:Organisation) WHERE n.id = $id OR $id IN n.ids RETURN n.id AS id "
    "ORDER BY n.id = $id DESC LIMIT 1"
)


def node_origins(label: Label) -> LiteralString:
    name = _checked_label(label)
    return "MATCH (n:" + name + " {id: $id}) RETURN n.origins AS origins"


def rel_origins(rel_type: RelType, start: Label, end: Label) -> LiteralString:
    t, a, b = _checked_type(rel_type), _checked_label(start), _checked_label(end)
    return (
        "MATCH (:" + a + " {id: $start})-[r:" + t + "]->(:" + b + " {id: $end}) "
        "RETURN r.origins AS origins"
    )


# --- Deletes by an admin -----------------------------------------------------------------------


def lock_for_delete(label: Label) -> LiteralString:
    """Write-lock the node first (the documented lost-update guard), then read it: the version
    checked and the snapshot audited are the ones deleted. The property dies with the node, or
    with the rolled-back transaction when the delete is refused."""
    name = _checked_label(label)
    return (
        "MATCH (n:" + name + " {id: $id}) SET n._deleting = true "
        "RETURN n.version AS version, coalesce(n.name, n.title) AS name, "
        "coalesce(n.origins, []) AS origins"
    )


# Facts citing a source, other than the source node's own self-citation.
SOURCE_CITED_BY: LiteralString = (
    "CALL () { MATCH (n) WHERE $id IN n.sourceIds AND NOT (n:Source AND n.id = $id) "
    "RETURN count(n) AS nodes } "
    "CALL () { MATCH ()-[r]->() WHERE $id IN r.sourceIds RETURN count(r) AS relationships } "
    "RETURN nodes, relationships"
)


def detach_delete(label: Label) -> LiteralString:
    """Delete the node and every relationship it has, whichever origin asserted them."""
    name = _checked_label(label)
    return (
        "MATCH (n:" + name + " {id: $id}) OPTIONAL MATCH (n)-[r]-() "
        "WITH n, count(DISTINCT r) AS relationships DETACH DELETE n RETURN relationships"
    )


AUDIT_DELETE: LiteralString = (
    "CREATE (:AuditEntry {id: randomUUID(), at: datetime(), actor: $actor, keyId: $keyId, "
    "role: $role, action: 'delete', target: $target, origin: $origin, version: $version, "
    "reason: $reason, deletedName: $name, deletedOrigins: $origins, "
    "deletedRelationships: $relationships})"
)
