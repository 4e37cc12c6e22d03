"""Graph questions on the seed ecosystem: collaborations, partners, paths, networks, timelines."""

from __future__ import annotations

import pytest

from tests.api.conftest import Run


async def test_cross_border_collaborations_carry_chain_and_sources(gql: Run) -> None:
    data, trips = await gql(
        """{ collaborations(countries: ["EE", "KR"], kinds: [AGREEMENT]) {
             kind since organisation { country } partner { country } through { id }
             chain { via node { id } } sources { key } } }"""
    )
    found = {
        (c["through"]["id"], frozenset((c["organisation"]["country"], c["partner"]["country"])))
        for c in data["collaborations"]
    }
    assert ("Agreement:mou-gwtp-tsp-2024-06-04", frozenset({"EE", "KR"})) in found
    june = next(c for c in data["collaborations"] if c["through"]["id"].endswith("2024-06-04"))
    assert [s["via"] for s in june["chain"]] == [None, "PARTY_TO", "PARTY_TO"]
    assert "seed-article-2024-06-06" in {s["key"] for s in june["sources"]}
    assert [c["since"] for c in data["collaborations"]] == sorted(
        (c["since"] for c in data["collaborations"]), reverse=True
    )
    assert trips == 1


async def test_as_of_leaves_out_what_was_not_yet_signed(gql: Run) -> None:
    query = (
        """query($d: Date) { collaborations(kinds: [AGREEMENT], asOf: $d) { through { id } } }"""
    )
    before, _ = await gql(query, d="2024-07-01")
    after, _ = await gql(query, d="2025-01-01")
    ids_before = {c["through"]["id"] for c in before["collaborations"]}
    ids_after = {c["through"]["id"] for c in after["collaborations"]}
    assert "Agreement:mou-gangwon-tartu-eis-2024-12-09" not in ids_before
    assert "Agreement:mou-gangwon-tartu-eis-2024-12-09" in ids_after


async def test_partner_suggestions_are_ranked_with_reasons(gql: Run) -> None:
    data, _ = await gql(
        """{ partners(organisation: "Organisation:gangwon-technopark", country: "EE") {
             score reasons sharedAgreements organisation { key country } } }"""
    )
    suggestions = data["partners"]
    assert suggestions[0]["organisation"]["key"] == "tartu-science-park"
    assert suggestions[0]["sharedAgreements"] == 1
    assert all(s["organisation"]["country"] == "EE" for s in suggestions)
    assert all(s["reasons"] for s in suggestions)
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True)


async def test_shortest_path_between_a_signatory_and_a_university(gql: Run) -> None:
    data, _ = await gql(
        """{ path(source: "Person:heo-jang-hyeon", target: "Organisation:university-of-tartu")
             { length steps { via outgoing node { id } provenance { source { key } } } } }"""
    )
    paths = data["path"]
    assert paths
    for path in paths:
        steps = path["steps"]
        assert path["length"] == len(steps) - 1 == 3
        assert steps[0]["node"]["id"] == "Person:heo-jang-hyeon"
        assert steps[-1]["node"]["id"] == "Organisation:university-of-tartu"
        assert all(s["provenance"] for s in steps[1:])


async def test_a_path_from_an_actor_to_itself_is_a_user_error(gql: Run) -> None:
    # Found by the fast path's differential test: Neo4j answered with a database error.
    with pytest.raises(AssertionError, match="the same"):
        await gql(
            """{ path(source: "Organisation:university-of-tartu",
                      target: "Organisation:university-of-tartu") { length } }"""
        )


async def test_neighbourhood_edges_join_returned_nodes(gql: Run) -> None:
    data, _ = await gql(
        """{ neighbourhood(id: "Organisation:tartu-science-park", depth: 1) {
             truncated nodes { id } edges { source target type } } }"""
    )
    network = data["neighbourhood"]
    ids = {n["id"] for n in network["nodes"]}
    assert "Agreement:mou-gwtp-tsp-2024-06-04" in ids
    assert network["edges"]
    assert all(e["source"] in ids and e["target"] in ids for e in network["edges"])
    assert network["truncated"] is False


async def test_timeline_between_two_countries_is_dated_and_ordered(gql: Run) -> None:
    data, _ = await gql('{ timeline(countries: ["EE", "KR"]) { date kind node { id } } }')
    dates = [e["date"] for e in data["timeline"]]
    assert dates == sorted(dates)
    kinds = {e["kind"] for e in data["timeline"]}
    assert {"AGREEMENT", "EVENT"} <= kinds
    ids = {e["node"]["id"] for e in data["timeline"]}
    # An event whose participants no source names is not another country's: it stays.
    assert "Event:roundtable-korea-estonia-ai-healthcare-2024-06-05" in ids
    # One whose participants are of other countries is not between these two.
    signing = "Event:signing-mou-gwtp-tsp-2024-06-04"
    assert signing in ids
    elsewhere, _ = await gql('{ timeline(countries: ["EE", "FI"]) { node { id } } }')
    assert signing not in {e["node"]["id"] for e in elsewhere["timeline"]}


async def test_facets_count_what_the_filter_selects(gql: Run) -> None:
    data, _ = await gql(
        """{ organisationFacets(where: {country: {in: ["EE", "KR"]}}) {
               total byCountry { value count } }
             agreementFacets { total byYear { value count } firstSigned lastSigned } }"""
    )
    facets = data["organisationFacets"]
    assert sum(b["count"] for b in facets["byCountry"]) == facets["total"]
    assert {b["value"] for b in facets["byCountry"]} == {"EE", "KR"}
    agreements = data["agreementFacets"]
    assert agreements["byYear"] == [{"value": "2024", "count": 2}]
    assert (agreements["firstSigned"], agreements["lastSigned"]) == ("2024-06-04", "2024-12-09")
