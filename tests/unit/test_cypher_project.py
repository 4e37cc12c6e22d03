"""Projection fragments as strings: map literals, patterns, nested subqueries; names refused."""

from __future__ import annotations

from typing import Any

import pytest

from graph.cypher import Label, RelType
from graph.cypher import project as cy

INJECTIONS = [
    "Organisation) DETACH DELETE n //",
    "n} RETURN 1 //",
    "x`; MATCH (m) DELETE m",
    "",
    "a b",
]


def test_map_literal_backticks_response_keys() -> None:
    literal = cy.map_literal([cy.typename("$p0"), cy.entry("myName", cy.prop("n", "name"))])
    assert literal == "{__typename: $p0, `myName`: n.name}"


def test_pattern_in_each_direction() -> None:
    out = cy.pattern("n", "r1", RelType.PARTY_TO, True, "t2", Label.AGREEMENT)
    assert out == "(n)-[r1:PARTY_TO]->(t2:Agreement)"
    back = cy.pattern("n", "", RelType.HOLDS_POSITION, False, "t1", Label.PERSON)
    assert back == "(n)<-[:HOLDS_POSITION]-(t1:Person)"
    either = cy.pattern("n", "r", RelType.RELATED_TO, None, "t", None)
    assert either == "(n)-[r:RELATED_TO]-(t)"


def test_related_is_bounded_and_one_unless_many() -> None:
    match = cy.pattern("n", "", RelType.HOLDS_DATA, False, "t1", Label.ORGANISATION)
    many = cy.related(match, "t1", 500, "{k: t1.id}", many=True)
    assert many == (
        "COLLECT { MATCH (n)<-[:HOLDS_DATA]-(t1:Organisation) WITH t1 ORDER BY t1.id "
        "LIMIT 500 RETURN {k: t1.id} }"
    )
    one = cy.related(match, "t1", 1, "{k: t1.id}", many=False)
    assert one.endswith("LIMIT 1 RETURN {k: t1.id} }[0]")


def test_edges_order_by_far_key_then_relationship_key() -> None:
    out = cy.edges("(n)-[r2:PARTY_TO]->(t1:Agreement)", "r2", "t1", 500, "{role: r2.role}")
    assert out == (
        "COLLECT { MATCH (n)-[r2:PARTY_TO]->(t1:Agreement) WITH r2, t1 ORDER BY t1.id, r2.key "
        "LIMIT 500 RETURN {role: r2.role} }"
    )


def test_values() -> None:
    assert cy.global_id("$p1", "n") == "$p1 + n.id"
    assert cy.names("n").startswith("[i IN range(0, size(coalesce(n.names, [])) - 1) | ")
    assert cy.provenance("r1").startswith("{entries: coalesce(r1.provenance, []), sources: ")
    assert "MATCH (s:Source) WHERE s.id IN coalesce(r1.sourceIds, [])" in cy.provenance("r1")
    assert cy.when("n.x = 1", "n.y") == "CASE WHEN n.x = 1 THEN n.y END"
    assert cy.null_if_missing("n", "budgetAmount", "{a: 1}") == (
        "CASE WHEN n.budgetAmount IS NULL THEN null ELSE {a: 1} END"
    )
    assert cy.public_access("v") == "v.accessRights = 'public'"
    assert cy.lookup("o3", Label.ORGANISATION, "r2", "onBehalfOf", "{k: o3.id}") == (
        "COLLECT { MATCH (o3:Organisation {id: r2.onBehalfOf}) RETURN {k: o3.id} }[0]"
    )
    assert cy.by_label([("n", Label.PERSON, "{a: 1}"), ("n", Label.SOURCE, "{b: 2}")]) == (
        "CASE WHEN n:Person THEN {a: 1} WHEN n:Source THEN {b: 2} END"
    )


@pytest.mark.parametrize("bad", INJECTIONS)
def test_a_label_or_type_that_is_not_a_member_is_refused(bad: str) -> None:
    fake: Any = bad
    with pytest.raises(ValueError, match="not an allowed"):
        cy.labelled("n", fake)
    with pytest.raises(ValueError, match="not an allowed"):
        cy.pattern("n", "r", fake, True, "t", Label.PERSON)
    with pytest.raises(ValueError, match="not an allowed"):
        cy.pattern("n", "r", RelType.SIGNED, True, "t", fake)


def test_a_string_equal_to_a_member_is_still_refused() -> None:
    # Only members pass: a value equal to one could come from anywhere.
    fake: Any = "Organisation"
    with pytest.raises(ValueError, match="not an allowed label"):
        cy.labelled("n", fake)


@pytest.mark.parametrize("bad", INJECTIONS)
def test_names_in_query_text_are_plain_identifiers(bad: str) -> None:
    with pytest.raises(ValueError, match="not a Cypher identifier"):
        cy.prop("n", bad)
    with pytest.raises(ValueError, match="not a Cypher identifier"):
        cy.prop(bad, "name")
    with pytest.raises(ValueError, match="not a GraphQL name"):
        cy.entry(bad, "1")
    with pytest.raises(ValueError, match="not a parameter reference"):
        cy.param_ref(bad)
    with pytest.raises(ValueError, match="not a parameter reference"):
        cy.typename(bad)
