"""The graph questions' Cypher as strings: conditions, chains, paths, networks, facets."""

from __future__ import annotations

from typing import Any

import pytest

from graph.cypher import Label
from graph.cypher import partners as cp
from graph.cypher import questions as cq


def test_takes_part_is_built_from_the_enum() -> None:
    assert cq.TAKES_PART == "PARTY_TO|PARTICIPATES_IN|PARTICIPATED_IN"


def test_collaborations() -> None:
    conds = [cq.DISTINCT_ORGANISATIONS, cq.organisation_is("$p0"), cq.countries_are("$p1", "$p2")]
    out = cq.collaborations(conds, "$p3", "{k: x.id}")
    assert out.startswith(
        "MATCH (a:Organisation)-[r1:PARTY_TO|PARTICIPATES_IN|PARTICIPATED_IN]->(x)"
        "<-[r2:PARTY_TO|PARTICIPATES_IN|PARTICIPATED_IN]-(b:Organisation) "
        "WHERE a <> b AND a.id = $p0 AND ((a.country = $p1 AND b.country = $p2) "
        "OR (a.country = $p2 AND b.country = $p1)) "
    )
    assert out.endswith("LIMIT $p3 RETURN {k: x.id} AS item")


def test_validity_on_a_date() -> None:
    assert cq.valid_on("x", "$p0").startswith("(CASE WHEN x:Event THEN x.date <= $p0 ELSE ")
    assert cq.rel_valid_on("r1", "$p0") == (
        "(r1.start IS NULL OR r1.start <= $p0) AND (r1.end IS NULL OR r1.end >= $p0)"
    )
    assert cq.runs_under("{k: ag.id}") == (
        "COLLECT { MATCH (x)-[:RUNS_UNDER]->(ag:Agreement) RETURN {k: ag.id} }[0]"
    )


def test_steps() -> None:
    out = cq.steps("i1", "s2", "r3", "nodes(p)", "relationships(p)", "{v: type(r3)}")
    assert out == (
        "COLLECT { UNWIND range(0, size(nodes(p)) - 1) AS i1 WITH i1, nodes(p)[i1] AS s2, "
        "CASE WHEN i1 = 0 THEN null ELSE relationships(p)[i1 - 1] END AS r3 "
        "ORDER BY i1 RETURN {v: type(r3)} }"
    )
    assert cq.step_outgoing("r3", "s2") == (
        "CASE WHEN r3 IS NULL THEN null ELSE startNode(r3) <> s2 END"
    )


def test_path_and_neighbourhood() -> None:
    out = cq.path(Label.ORGANISATION, "$p0", Label.PERSON, "$p1", 4, "$p2", "{l: length(p)}")
    assert out == (
        "MATCH (a:Organisation {id: $p0}), (b:Person {id: $p1}) "
        "MATCH p = allShortestPaths((a)-[*..4]-(b)) WITH p LIMIT $p2 RETURN {l: length(p)} AS item"
    )
    net = cq.neighbourhood(Label.EVENT, "$p0", 2, "$p1", "{k: n.id}", "{t: type(r)}")
    assert net.startswith("MATCH (centre:Event {id: $p0}) CALL (centre) { MATCH (centre)-[*1..2]-")
    assert "found[..$p1] AS ns, size(found) > $p1 AS truncated" in net


def test_timeline() -> None:
    conds = [cq.takes_part_with("$p0"), cq.takes_part_from("$p1"), cq.dated_from("$p2")]
    out = cq.timeline(conds, "$p3", "{d: d}")
    assert out.startswith(
        "CALL () { MATCH (x:Agreement) RETURN x, x.signed AS d UNION MATCH (x:Event) "
        "RETURN x, x.date AS d UNION MATCH (x:Project) RETURN x, x.start AS d } "
    )
    assert "EXISTS { (:Organisation {id: $p0})-[:PARTY_TO|" in out
    assert "WHERE o.country = $p1 }" in out
    assert out.endswith("AND d >= $p2 ORDER BY d, x.id LIMIT $p3 RETURN {d: d} AS item")


def test_facets_only_what_is_asked() -> None:
    assert cq.facets(Label.AGREEMENT, "true", False, {}, {}) is None
    out = cq.facets(
        Label.AGREEMENT, "c", True, {"byKind": "n.kind"}, {"lastSigned": "max(n.signed)"}
    )
    assert out == (
        "CALL () { MATCH (n:Agreement) WHERE c RETURN count(n) AS total } "
        "CALL () { MATCH (n:Agreement) WHERE c WITH n.kind AS value, count(*) AS n "
        "ORDER BY n DESC, value RETURN collect({value: value, count: n}) AS byKind } "
        "CALL () { MATCH (n:Agreement) WHERE c RETURN max(n.signed) AS lastSigned } "
        "RETURN total, byKind, lastSigned"
    )


def test_partners_query() -> None:
    bounds = cp.Bounds("$p1", "$p2", "$p3", "$p4", "$p5")
    out = cp.partners("$p6", bounds, [cp.CANDIDATE_IS_NOT_SELF, cp.candidate_country("$p0")], "{}")
    assert out.startswith("MATCH (o:Organisation {id: $p6}) CALL (o) { ")
    assert "MATCH (o)-[:PARTY_TO]->(:Agreement)<-[:PARTY_TO]-(cand:Organisation)" in out
    assert "WITH n LIMIT $p3 " in out  # links per hop
    assert "WHERE cand <> o AND cand.country = $p0 " in out
    assert out.endswith("ORDER BY score DESC, cand.id LIMIT $p1 RETURN {} AS item")


@pytest.mark.parametrize("bad", ["Organisation {id: 'x'}) DETACH DELETE a //", "Person"])
def test_labels_must_be_members(bad: str) -> None:
    fake: Any = bad
    with pytest.raises(ValueError, match="not an allowed label"):
        cq.path(fake, "$p0", Label.PERSON, "$p1", 2, "$p2", "{}")
    with pytest.raises(ValueError, match="not an allowed label"):
        cq.neighbourhood(fake, "$p0", 1, "$p1", "{}", "{}")
    with pytest.raises(ValueError, match="not an allowed label"):
        cq.facets(fake, "true", True, {}, {})


def test_values_are_parameters_never_text() -> None:
    with pytest.raises(ValueError, match="parameter"):
        cq.organisation_is("'x' OR true")
    with pytest.raises(ValueError, match="parameter"):
        cp.candidate_country("'KR'")
    with pytest.raises(ValueError, match="not a Cypher identifier"):
        cq.facets(Label.AGREEMENT, "true", False, {"x} RETURN 1 //": "n.kind"}, {})
