"""A link a CSV made by naming an organisation says so in GraphQL: its provenance holds the name
as written and the matcher's confidence; a link by id holds neither."""

from __future__ import annotations

from pathlib import Path

from graph.ingest.write import load
from graph.store import Store
from loaders.csvfile import parse_csv
from tests.api.conftest import Run

CSV = (
    "id,kind,title,parties,parties_by_name,source\n"
    "mou-ut-tsp,mou,An MoU,tartu-science-park,Univ. of Tartu:lead,public-facts\n"
)
QUERY = """{ agreements(where: {key: {eq: "mou-ut-tsp"}}) { edges { node {
  parties { role organisation { key }
            provenance { origin where matchedName matchConfidence source { key } } } } } } }"""


async def test_provenance_tells_matched_links_from_links_by_id(
    gql: Run, seeded: Store, tmp_path: Path
) -> None:
    path = tmp_path / "agreements.csv"
    path.write_text(CSV, encoding="utf-8")
    await load([parse_csv([path])], seeded)
    data, _ = await gql(QUERY)
    (edge,) = data["agreements"]["edges"]
    parties = {p["organisation"]["key"]: p for p in edge["node"]["parties"]}
    assert set(parties) == {"university-of-tartu", "tartu-science-park"}
    (matched,) = parties["university-of-tartu"]["provenance"]
    assert matched["matchedName"] == "Univ. of Tartu"
    assert 0.85 <= matched["matchConfidence"] <= 1.0
    assert (matched["origin"], matched["source"]) == ("csv:agreements.csv", {"key": "public-facts"})
    assert parties["university-of-tartu"]["role"] == "lead"
    (by_id,) = parties["tartu-science-park"]["provenance"]
    assert (by_id["matchedName"], by_id["matchConfidence"]) == (None, None)
