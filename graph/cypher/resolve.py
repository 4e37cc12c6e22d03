"""Entity resolution's look-ups: every node's lookup keys in one text-indexed string, seeks by key.

Neo4j 5 indexes no list element (`$x IN n.ids` scans every node), so each node carries
`lookup`, one string of its keys between separators: `o <origin>` for every origin asserting it,
and for organisations `n <CC|name key>` and `a <id or alias>`. A text index (trigram) per label
answers `n.lookup CONTAINS $needle` with an index scan whose cost follows the matches, not the
graph; a needle is one whole key between separators, so `a X1` never matches `a X12`.
RORs, Wikidata ids and ids have their own range and unique indexes and are sought directly.
"""

from __future__ import annotations

from typing import LiteralString

from graph.cypher import nametext
from graph.cypher.labels import Label, checked_label

SEP = "\u001e"  # ASCII record separator: in no id, origin or folded name
ORIGIN, NAME, ALIAS = "o", "n", "a"

_ORG = checked_label(Label.ORGANISATION)
_ORG_FIELDS: LiteralString = (
    "RETURN DISTINCT n.id AS id, n.ror AS ror, n.wikidata AS wikidata, "
    "n.nameKeys AS nameKeys, n.status AS status, n.ids AS ids"
)


def needle(kind: str, value: str) -> str:
    """The text one key takes in `lookup`, separators included."""
    return f"{SEP}{kind} {value}{SEP}"


def lookup_value(label: Label) -> LiteralString:
    """The Cypher expression of node `n`'s `lookup` string, from the properties just set."""
    checked_label(label)
    keys: LiteralString = "[o IN coalesce(n.origins, []) | 'o ' + o]"
    if label is Label.ORGANISATION:
        keys += (
            " + [k IN coalesce(n.nameKeys, []) | 'n ' + k]"
            " + [a IN coalesce(n.ids, []) + [n.id] | 'a ' + a]"
        )
    return "reduce(s = '\\u001e', k IN " + keys + " | s + k + '\\u001e')"


def lookup_indexes() -> tuple[LiteralString, ...]:
    """One text index per label on `lookup` (trigram-based, answers CONTAINS)."""
    out: list[LiteralString] = []
    for label in Label:
        name = checked_label(label)
        out.append(
            "CREATE TEXT INDEX " + name.lower() + "_lookup IF NOT EXISTS "
            "FOR (n:" + name + ") ON (n.lookup)"
        )
    return tuple(out)


def backfill(label: Label) -> LiteralString:
    """`lookup` (and `nameText`) for nodes written before they existed (a graph made by an
    earlier version)."""
    name = checked_label(label)
    return (
        "MATCH (n:" + name + ") WHERE n.lookup IS NULL" + nametext.missing(label) + " "
        "CALL (n) { SET n.lookup = " + lookup_value(label) + nametext.assignment(label) + " } "
        "IN TRANSACTIONS OF 10000 ROWS"
    )


def _origin_seeks() -> LiteralString:
    """Rows (label, id) of the nodes whose `lookup` holds `needle`, one index seek per label."""
    branches: list[LiteralString] = []
    for label in Label:
        name = checked_label(label)
        branches.append(
            "MATCH (n:" + name + ") WHERE n.lookup CONTAINS needle "
            "RETURN '" + name + "' AS label, n.id AS id"
        )
    return "UNWIND $needles AS needle CALL (needle) { " + " UNION ALL ".join(branches) + " } "


def _nodes_of_origins() -> LiteralString:
    return _origin_seeks() + "RETURN DISTINCT label, id"


# The nodes of every label some origins assert (`$needles`: their `o` keys), one index seek per
# label and origin in one round trip: a query per label and origin was 14 of an API write's
# round trips (seven labels, the record's origin and its source's).
NODES_OF_ORIGINS: LiteralString = _nodes_of_origins()


# The candidates of a batch of incoming organisations, each list sought by its own index.
ORGS_BY_ROR: LiteralString = "UNWIND $values AS v MATCH (n:" + _ORG + " {ror: v}) " + _ORG_FIELDS
ORGS_BY_WIKIDATA: LiteralString = (
    "UNWIND $values AS v MATCH (n:" + _ORG + " {wikidata: v}) " + _ORG_FIELDS
)
ORGS_BY_ID: LiteralString = "UNWIND $values AS v MATCH (n:" + _ORG + " {id: v}) " + _ORG_FIELDS
ORGS_BY_KEY: LiteralString = (
    "UNWIND $values AS v MATCH (n:" + _ORG + ") WHERE n.lookup CONTAINS v " + _ORG_FIELDS
)
# Every look-up of a small load (an API write) and the nodes of its origins, in ONE round trip:
# one query per key kind and another for the origins were four of an API write's twelve round
# trips. Each branch seeks its own index, as the queries above do; `orgs` holds each candidate
# once, `origins` each (label, id) once.
ORGS_AND_ORIGINS: LiteralString = (
    "CALL () { "
    "UNWIND $rors AS v MATCH (n:" + _ORG + " {ror: v}) RETURN n "
    "UNION UNWIND $wikidata AS v MATCH (n:" + _ORG + " {wikidata: v}) RETURN n "
    "UNION UNWIND $ids AS v MATCH (n:" + _ORG + " {id: v}) RETURN n "
    "UNION UNWIND $keys AS v MATCH (n:" + _ORG + ") WHERE n.lookup CONTAINS v RETURN n } "
    "WITH collect(n {.id, .ror, .wikidata, .nameKeys, .status, .ids}) AS orgs "
    "CALL () { " + _origin_seeks() + "RETURN collect(DISTINCT {label: label, id: id}) AS origins } "
    "RETURN orgs, origins"
)
# From the count store, in constant time: a graph without organisations has no candidate.
ORG_COUNT: LiteralString = "MATCH (n:" + _ORG + ") RETURN count(n) AS count"


def _seek(label: Label, ids: LiteralString) -> LiteralString:
    # `id IN $ids` is a seek of each id in the unique index whatever the statistics say (an
    # UNWIND joined on `{id: id}` was planned as a scan of the whole index, hinted or not, on
    # some small graphs): what stays cheap at a million nodes.
    name = checked_label(label)
    return "MATCH (n:" + name + ") USING INDEX SEEK n:" + name + "(id) WHERE n.id IN " + ids + " "


def _seek_all(labels: tuple[Label, ...]) -> LiteralString:
    """Nodes `n` of several labels, `$ids` mapping each label to its ids."""
    branches = [_seek(label, "$ids." + checked_label(label)) + "RETURN n" for label in labels]
    return "CALL () { " + " UNION ALL ".join(branches) + " } "


_STRIP: LiteralString = (
    "MATCH (n)-[r]-() WHERE any(o IN r.origins WHERE o IN $origins) "
    "WITH DISTINCT r "
    "SET r.origins = [o IN r.origins WHERE NOT o IN $origins], "
    "r.provenance = [p IN r.provenance WHERE none(x IN $prefixes WHERE p STARTS WITH x)] "
    # Keep the ids of sources some remaining citation still names (entries are compact JSON).
    "WITH r SET r.sourceIds = [s IN coalesce(r.sourceIds, []) "
    "WHERE any(p IN r.provenance WHERE p CONTAINS '\"source\":\"' + s + '\"')]"
)


def strip_rels(label: Label) -> LiteralString:
    """Take some origins (`$origins`, their provenance prefixes `$prefixes`) off the
    relationships of some nodes (every relationship an origin asserts touches a node it
    asserts: a record's own node, or a link's two ends). All the load's origins at once: a
    query per origin was two more round trips of every API write (its record and its source)."""
    return _seek(label, "$ids") + _STRIP


def strip_rels_of(labels: tuple[Label, ...]) -> LiteralString:
    """`strip_rels` of the nodes of several labels (`$ids`: label -> ids) in one statement."""
    return _seek_all(labels) + _STRIP


_UNASSERTED: LiteralString = (
    "MATCH (n)-[r]-() WHERE r.origins = [] WITH DISTINCT r DELETE r RETURN count(r) AS deleted"
)


def delete_unasserted_rels(label: Label) -> LiteralString:
    """Delete the relationships of some nodes that no origin asserts any more."""
    return _seek(label, "$ids") + _UNASSERTED


def delete_unasserted_rels_of(labels: tuple[Label, ...]) -> LiteralString:
    """`delete_unasserted_rels` of the nodes of several labels (`$ids`: label -> ids)."""
    return _seek_all(labels) + _UNASSERTED
