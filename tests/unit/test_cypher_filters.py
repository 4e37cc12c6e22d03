"""Where-predicate fragments as strings: operators, two-valued logic, quantifiers."""

from __future__ import annotations

from typing import Any

import pytest

from graph.cypher import Label, RelType
from graph.cypher import filters as cf


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("eq", "n.country = $p0"),
        ("lt", "n.country < $p0"),
        ("lte", "n.country <= $p0"),
        ("gt", "n.country > $p0"),
        ("gte", "n.country >= $p0"),
        ("in_", "n.country IN $p0"),
        ("contains", "toLower(n.country) CONTAINS toLower($p0)"),
        ("starts_with", "toLower(n.country) STARTS WITH toLower($p0)"),
        ("ends_with", "toLower(n.country) ENDS WITH toLower($p0)"),
        ("includes", "$p0 IN coalesce(n.country, [])"),
        ("includes_any", "any(x IN $p0 WHERE x IN coalesce(n.country, []))"),
        ("includes_all", "all(x IN $p0 WHERE x IN coalesce(n.country, []))"),
    ],
)
def test_each_operator(op: str, expected: str) -> None:
    assert cf.compare("n.country", op, "$p0") == expected
    assert op in cf.OPERATORS


def test_unknown_operators_and_values_in_text_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown operator"):
        cf.compare("n.x", "matches", "$p0")
    with pytest.raises(ValueError, match="parameter"):
        cf.compare("n.x", "eq", "'KR' OR true")


def test_negations_are_two_valued_and_comparisons_plain() -> None:
    # Plain comparisons are what Neo4j serves from an index; the meaning of a missing value is
    # pinned down where a NOT would turn null into null (tests/api/test_filters.py checks it).
    assert cf.two_valued("n.country = $p0") == "coalesce(n.country = $p0, false)"
    assert cf.negated("n.country = $p0") == "NOT coalesce(n.country = $p0, false)"


def test_any_name() -> None:
    out = cf.any_name("n", "v1", ["v1 = $p0", "v1 > $p1"])
    assert out == "any(v1 IN coalesce(n.names, []) WHERE v1 = $p0 AND v1 > $p1)"


def test_quantifiers() -> None:
    match = cf.related_pattern("n", RelType.PARTY_TO, True, "v2", Label.AGREEMENT)
    assert match == "(n)-[:PARTY_TO]->(v2:Agreement)"
    assert cf.some(match, "c") == "EXISTS { MATCH (n)-[:PARTY_TO]->(v2:Agreement) WHERE c }"
    assert cf.none(match, "c") == "NOT EXISTS { MATCH (n)-[:PARTY_TO]->(v2:Agreement) WHERE c }"
    assert cf.every(match, "c") == (
        "NOT EXISTS { MATCH (n)-[:PARTY_TO]->(v2:Agreement) WHERE NOT coalesce(c, false) }"
    )


def test_connectives() -> None:
    assert cf.all_of([]) == "true"
    assert cf.all_of(["a", "b"]) == "a AND b"
    assert cf.any_of([]) == "(false)"
    assert cf.any_of(["a", "b"]) == "((a) OR (b))"
    assert cf.negated("a") == "NOT coalesce(a, false)"
    assert cf.grouped("a") == "(a)"


@pytest.mark.parametrize("bad", ["PARTY_TO]->() DETACH DELETE n //", "PARTY_TO", "Agreement"])
def test_a_quantifier_refuses_names_that_are_not_members(bad: str) -> None:
    fake: Any = bad
    with pytest.raises(ValueError, match="not an allowed"):
        cf.related_pattern("n", fake, True, "v", Label.AGREEMENT)
    with pytest.raises(ValueError, match="not an allowed"):
        cf.related_pattern("n", RelType.PARTY_TO, True, "v", fake)
