"""The export's pure parts without Neo4j: Cypher builders as strings, filters, cells, escaping."""

from __future__ import annotations

import pytest

from graph.cypher import Label, RelType
from graph.cypher import export as cypher_export
from graph.cypher.export import ENDS, NODE_COLUMNS, Scope, edge_rows, node_rows
from graph.errors import InputError
from graph.export.csvfiles import neutralised
from graph.export.selection import selection
from graph.export.xmltext import attr, text


def test_every_relationship_type_has_its_ends() -> None:
    assert set(ENDS) == set(RelType)


def test_node_query_takes_values_as_parameters_only() -> None:
    query = node_rows(Label.ORGANISATION, ["name", "country"], Scope(country=True, kind=True))
    assert query.startswith("MATCH (n:Organisation) WHERE n.country IN $countries")
    assert "n.kind IN $kinds" in query
    assert "EE" not in query


def test_hidden_properties_are_null_or_guarded() -> None:
    query = node_rows(
        Label.DATASET,
        ["title", "accessContact"],
        Scope(),
        {"accessContact": lambda v: f"{v}.accessRights = 'public'", "title": None},
    )
    # In column order: the title never shown, the contact only where the access is public.
    assert "[n.id, null, CASE WHEN n.accessRights = 'public' THEN n.accessContact END, " in query


def test_rows_go_out_in_batches_of_references_collected_once() -> None:
    query = node_rows(Label.ORGANISATION, ["name"], Scope())
    assert "WITH collect(n) AS chosen UNWIND range(0, size(chosen) - 1, $batch) AS at" in query
    assert query.endswith(
        "RETURN [n IN chosen[at..at + $batch] | [n.id, n.name, " + NODE_COLUMNS + "]] AS rows"
    )
    edges = edge_rows(RelType.PARTY_TO, ["role"], Scope(), list(Label))
    assert edges is not None
    assert "WITH collect(r) AS chosen UNWIND range(0, size(chosen) - 1, $batch) AS at" in edges


def test_neighbourhood_walks_a_bounded_depth_from_a_parameter() -> None:
    query = node_rows(Label.PERSON, ["name"], Scope(depth=3))
    assert "MATCH (o:Organisation {id: $around}) MATCH (o)-[*0..3]-(m)" in query
    with pytest.raises(ValueError, match="depth"):
        Scope(depth=cypher_export.MAX_DEPTH + 1)


def test_edge_query_names_the_ends_and_skips_types_left_out() -> None:
    query = edge_rows(RelType.PARTY_TO, ["role"], Scope(), list(Label))
    assert query is not None
    assert query.startswith(
        "MATCH (a:Organisation)-[r:PARTY_TO]->(b:Agreement) WHERE true AND true"
    )
    assert edge_rows(RelType.PARTY_TO, ["role"], Scope(), [Label.ORGANISATION]) is None
    mixed = edge_rows(RelType.PARTICIPATED_IN, ["role"], Scope(country=True), list(Label))
    assert mixed is not None
    assert "(a:Organisation AND a.country IN $countries) OR (a:Person AND EXISTS" in mixed


@pytest.mark.parametrize("bad", ["name}) DETACH DELETE n //", "a.b", "", "1x"])
def test_property_names_that_are_not_identifiers_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a property name"):
        node_rows(Label.ORGANISATION, [bad], Scope())


def test_labels_and_types_must_come_from_the_allow_lists() -> None:
    with pytest.raises(ValueError, match="not an allowed label"):
        node_rows("Organisation) DETACH DELETE (n", ["name"], Scope())  # type: ignore[arg-type]
    with pytest.raises((ValueError, KeyError)):
        edge_rows("PARTY_TO]->() DELETE r//", ["role"], Scope(), list(Label))  # type: ignore[arg-type]


def test_filters_are_checked_and_normalised() -> None:
    chosen = selection(country=["ee", "KR,EE"], type="organisation", around="Organisation:x")
    assert chosen.countries == ("EE", "KR")
    assert chosen.labels == (Label.ORGANISATION,)
    assert chosen.around == "x"
    assert chosen.scope == Scope(country=True, depth=1)
    with pytest.raises(InputError) as caught:
        selection(country="XX", kind="banana", type="Planet", depth="7")
    assert [p.field for p in caught.value.problems] == ["country", "kind", "type", "depth"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain = fine", "plain = fine"),
        (None, ""),
    ],
)
def test_csv_cells_are_neutralised(cell: str | None, expected: str) -> None:
    assert neutralised(cell) == expected


def test_xml_escapes_and_drops_forbidden_characters() -> None:
    assert text("a<b&c\x00\x1f") == "a&lt;b&amp;c"
    assert attr('say "hi"\n') == '"say &quot;hi&quot;&#10;"'
