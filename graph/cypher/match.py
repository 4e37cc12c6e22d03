"""The matcher's Cypher: every organisation's names and places for the index; its fingerprint."""

from __future__ import annotations

from typing import LiteralString

from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.read import IDENTIFIER_PROPS, as_query

_ORG = checked_label(Label.ORGANISATION)
_CHILD_OF = checked_type(RelType.CHILD_OF)
_SUCCEEDED_BY = checked_type(RelType.SUCCEEDED_BY)

# One row per organisation, the shape graph.match.record.from_row reads: names as the node
# stores them (parallel lists of values, types and languages), parents and successors by id.
ORGANISATIONS: LiteralString = (
    "MATCH (n:" + _ORG + ") "
    "RETURN n.id AS id, n.name AS name, n.names AS names, n.nameTypes AS nameTypes, "
    "n.nameLangs AS nameLangs, n.ror AS ror, n.country AS country, n.city AS city, "
    "n.status AS status, "
    "[(n)-[:" + _SUCCEEDED_BY + "]->(s:" + _ORG + ") | s.id] AS successors, "
    "[(n)-[:" + _CHILD_OF + "]->(p:" + _ORG + ") | p.id] AS parents"
)
ORGANISATION_COLUMNS = (
    "id",
    "name",
    "names",
    "nameTypes",
    "nameLangs",
    "ror",
    "country",
    "city",
    "status",
    "successors",
    "parents",
)
# The same rows for some organisations (a write's delta), by id.
ORGANISATIONS_BY_ID: LiteralString = (
    "UNWIND $ids AS id MATCH (n:" + _ORG + " {id: id}) "
    "RETURN n.id AS id, n.name AS name, n.names AS names, n.nameTypes AS nameTypes, "
    "n.nameLangs AS nameLangs, n.ror AS ror, n.country AS country, n.city AS city, "
    "n.status AS status, "
    "[(n)-[:" + _SUCCEEDED_BY + "]->(s:" + _ORG + ") | s.id] AS successors, "
    "[(n)-[:" + _CHILD_OF + "]->(p:" + _ORG + ") | p.id] AS parents"
)

# The registration codes of the organisations a load's names chose, by id (an index seek each):
# a name that comes with a code is not an organisation that holds another of the same scheme.
CODES_BY_ID: LiteralString = as_query(
    "UNWIND $ids AS id MATCH (n:"
    + _ORG
    + " {id: id}) RETURN n.id AS id, "
    + ", ".join(f"n.{prop} AS {prop}" for prop in sorted(IDENTIFIER_PROPS))
)

# What changes when organisations, their names or their hierarchy change: the count, the sum
# of versions (a rewrite of a node's asserted facts raises its version) and the counts of the
# two relationship types the matcher follows. One scan of the organisations, no properties
# beyond `version`: cheap next to rebuilding the index.
# Loads that name organisations by text match against the same, so a load unit's digest keeps
# it too (graph.cypher.loadmark): `FINGERPRINT_PARTS` then `FINGERPRINT_VALUE`, in any query.
FINGERPRINT_PARTS: LiteralString = (
    "CALL () { MATCH (n:" + _ORG + ") "
    "RETURN count(n) AS organisations, sum(coalesce(n.version, 0)) AS versions } "
    "CALL () { MATCH ()-[r:" + _CHILD_OF + "]->() RETURN count(r) AS parents } "
    "CALL () { MATCH ()-[r:" + _SUCCEEDED_BY + "]->() RETURN count(r) AS successors } "
)
FINGERPRINT_VALUE: LiteralString = "[organisations, versions, parents, successors]"
FINGERPRINT: LiteralString = (
    FINGERPRINT_PARTS + "RETURN organisations, versions, parents, successors"
)


def organisations_by_id(ids_param: str, projection: str) -> str:
    """The matched organisations, by id, projected as the API's compiler asks (`projection`
    is a map literal over `n`; `ids_param` a parameter name such as `$p0`)."""
    return (
        "UNWIND " + ids_param + " AS id MATCH (n:" + _ORG + " {id: id}) "
        "RETURN n.id AS id, " + projection + " AS node"
    )
