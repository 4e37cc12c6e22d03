"""Root reads as strings: a connection page, nodes by id, search, identifiers, sort keys."""

from __future__ import annotations

from typing import Any

import pytest

from graph.cypher import Label, RelType
from graph.cypher import read as cr


def test_sort_keys() -> None:
    assert cr.sort_prop("name") == "n.name"
    assert cr.is_plain_property(cr.sort_prop("name"))
    assert cr.sort_or("signed", "date('0001-01-01')") == "coalesce(n.signed, date('0001-01-01'))"
    assert not cr.is_plain_property(cr.sort_or("country", "''"))
    assert cr.sort_degree(RelType.PARTY_TO, outgoing=True) == "COUNT { (n)-[:PARTY_TO]->() }"
    assert cr.sort_degree(RelType.PARTY_TO, outgoing=False) == "COUNT { (n)<-[:PARTY_TO]-() }"
    assert cr.sort_distinct_far(RelType.PARTICIPATES_IN) == (
        "COUNT { MATCH (n)-[:PARTICIPATES_IN]->(p) RETURN DISTINCT p }"
    )


def test_a_first_page() -> None:
    q = cr.PageQuery(Label.ORGANISATION, "true", "n.name", "$p1", ("`node`: {k: n.id}",))
    assert cr.connection(q) == (
        "CALL () { MATCH (n:Organisation) WHERE true WITH n, n.name AS sk WHERE true "
        "ORDER BY sk ASC, n.id ASC LIMIT $p1 RETURN collect({sk: sk, id: n.id, `node`: "
        "{k: n.id}}) AS rows } RETURN rows"
    )


def test_a_page_after_a_cursor_descending_with_total() -> None:
    q = cr.PageQuery(
        Label.AGREEMENT,
        "c",
        "n.title",
        "$p3",
        (),
        descending=True,
        cursor=("$p1", "$p2"),
        total=True,
    )
    out = cr.connection(q)
    assert "WHERE (sk < $p1 OR (sk = $p1 AND n.id < $p2)) ORDER BY sk DESC, n.id DESC" in out
    assert "CALL () { MATCH (n:Agreement) WHERE c RETURN count(n) AS total }" in out
    assert "WHERE (sk > $p1 OR (sk = $p1 AND n.id >= $p2)) } AS beyond }" in out
    assert out.endswith(" RETURN rows, total, beyond")


def test_not_null_keeps_the_index_order() -> None:
    assert cr.not_null("n.name", "a OR b") == "n.name IS NOT NULL AND (a OR b)"


def test_nodes_search_and_identifiers() -> None:
    branch = cr.nodes_of(Label.PERSON, "$p0", "$p1", "{k: n.id}")
    assert branch == (
        "MATCH (n:Person) WHERE n.id IN $p0 RETURN $p1 AS type, n.id AS key, {k: n.id} AS node"
    )
    assert cr.union_all(["A", "B"]) == "A UNION ALL B"
    assert cr.node_by_id(Label.DATASET, "$p0", "{k: n.id}") == (
        "MATCH (n:Dataset {id: $p0}) RETURN {k: n.id} AS node"
    )
    search = cr.search("$p0", "$p1", "$p2", "{k: n.id}")
    assert search.startswith("CALL db.index.fulltext.queryNodes('name_search', $p0) ")
    assert "WHERE $p1 IS NULL OR labels(n)[0] IN $p1 " in search
    found = cr.organisations_by_identifier("registryCode", "$p0", "{k: n.id}")
    assert found == (
        "UNWIND $p0 AS key CALL (key) { MATCH (n:Organisation) WHERE n.registryCode = key "
        "RETURN n ORDER BY n.status = 'withdrawn', n.id LIMIT 1 } RETURN key, {k: n.id} AS node"
    )


@pytest.mark.parametrize("bad", ["id} OR true //", "name", "ror = 'x' OR n.ror"])
def test_only_identifier_properties_are_looked_up(bad: str) -> None:
    with pytest.raises(ValueError, match="identifier property"):
        cr.organisations_by_identifier(bad, "$p0", "{}")


@pytest.mark.parametrize("bad", ["Organisation) DETACH DELETE n //", "Organisation"])
def test_labels_must_be_members(bad: str) -> None:
    fake: Any = bad
    with pytest.raises(ValueError, match="not an allowed label"):
        cr.connection(cr.PageQuery(fake, "true", "n.id", "$p0", ()))
    with pytest.raises(ValueError, match="not an allowed label"):
        cr.nodes_of(fake, "$p0", "$p1", "{}")
    with pytest.raises(ValueError, match="not an allowed label"):
        cr.node_by_id(fake, "$p0", "{}")
    with pytest.raises(ValueError, match="not an allowed relationship type"):
        cr.sort_degree(fake, outgoing=True)


def test_sort_properties_are_identifiers() -> None:
    with pytest.raises(ValueError, match="not a Cypher identifier"):
        cr.sort_prop("name) DETACH DELETE (n")
