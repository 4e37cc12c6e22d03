"""CSV rows naming organisations by free text, on the real Neo4j: matched names link, with
provenance that says so; an unmatched name fails the load with file:line:column and its best
candidates, and leaves the graph as it was; `--skip-unmatched` loads the rest."""

from __future__ import annotations

import textwrap
from pathlib import Path

import orjson
import pytest

from graph.dbserver import ServerInfo
from graph.errors import InputError
from graph.ingest.write import load
from graph.store import Store
from loaders.csvfile import parse_csv
from loaders.sources import parse_path
from tests.integration.cli import ROOT, run_cli
from tests.integration.graphdata import fingerprint

EXIT_OK, EXIT_INVALID = 0, 2

AGREEMENTS = """
id,kind,title,signed,parties_by_name,source,where
mou-ut-tsp,mou,UT-TSP MoU,2024-06-04,Univ. of Tartu:lead;Tartu Science Park,public-facts,row 1
"""
DATASETS = """
id,title,holder_by_name,modalities,country,source
ut-cohort,A Tartu cohort,Tartu Ülikool,survey,EE,public-facts
"""
# "University of Tartu Hospital": the university is a candidate, but not a sure one.
UNSURE = "University of Tartu Hospital"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


async def load_seeds(store: Store) -> None:
    await load(parse_path(ROOT / "seeds"), store)


async def counts(store: Store) -> tuple[int, int]:
    nodes = await store.read("MATCH (n) RETURN count(n) AS n")
    rels = await store.read("MATCH ()-[r]->() RETURN count(r) AS n")
    return int(nodes[0]["n"]), int(rels[0]["n"])


async def test_names_link_to_the_seed_organisations_with_matched_provenance(
    store: Store, tmp_path: Path
) -> None:
    await load_seeds(store)
    files = [
        write(tmp_path, "agreements.csv", AGREEMENTS),
        write(tmp_path, "datasets.csv", DATASETS),
    ]
    parsed = parse_csv(files)
    assert parsed.problems == []
    report = await load([parsed], store)
    assert report.unmatched == []

    parties = await store.read(
        "MATCH (o:Organisation)-[r:PARTY_TO]->(:Agreement {id: 'mou-ut-tsp'}) "
        "RETURN o.id AS org, r.role AS role, r.provenance AS provenance ORDER BY org"
    )
    assert [(p["org"], p["role"]) for p in parties] == [
        ("tartu-science-park", "party"),
        ("university-of-tartu", "lead"),
    ]
    (ut_entry,) = [orjson.loads(e) for e in parties[1]["provenance"]]
    assert ut_entry["origin"] == parsed.bundle.origin
    assert (ut_entry["source"], ut_entry["where"]) == ("public-facts", "row 1")
    assert ut_entry["matchedName"] == "Univ. of Tartu"
    assert 0.85 <= ut_entry["matchConfidence"] <= 1.0

    holder = await store.read(
        "MATCH (o:Organisation)-[r:HOLDS_DATA]->(:Dataset {id: 'ut-cohort'}) "
        "RETURN o.id AS org, r.provenance AS provenance"
    )
    assert [h["org"] for h in holder] == ["university-of-tartu"]
    assert orjson.loads(holder[0]["provenance"][0])["matchedName"] == "Tartu Ülikool"
    # The placeholders the parser wrote never reach the graph.
    left = await store.read("MATCH (n) WHERE n.id STARTS WITH 'named-' RETURN count(n) AS n")
    assert left[0]["n"] == 0


async def test_a_link_by_id_carries_no_match(store: Store, tmp_path: Path) -> None:
    await load_seeds(store)
    text = AGREEMENTS.replace("parties_by_name", "parties").replace(
        "Univ. of Tartu:lead;Tartu Science Park", "university-of-tartu:lead;tartu-science-park"
    )
    await load([parse_csv([write(tmp_path, "agreements.csv", text)])], store)
    rows = await store.read(
        "MATCH (:Organisation {id: 'university-of-tartu'})-[r:PARTY_TO]->"
        "(:Agreement {id: 'mou-ut-tsp'}) RETURN r.provenance AS provenance"
    )
    (entry,) = [orjson.loads(e) for e in rows[0]["provenance"]]
    assert "matchedName" not in entry
    assert "matchConfidence" not in entry


async def test_a_name_that_matches_nothing_fails_the_load_and_writes_nothing(
    store: Store, tmp_path: Path
) -> None:
    await load_seeds(store)
    before, counted = await fingerprint(store), await counts(store)
    text = (
        AGREEMENTS
        + f"mou-two,mou,Second,2024-06-05,{UNSURE};Nowhere Institute of Nothing,public-facts,\n"
    )
    path = write(tmp_path, "agreements.csv", text)
    with pytest.raises(InputError) as failed:
        await load([parse_csv([path])], store)
    problems = failed.value.problems
    assert [(p.file, p.line, p.column, p.field, p.id) for p in problems] == [
        (str(path), 3, 5, "parties_by_name", "mou-two"),
        (str(path), 3, 5, "parties_by_name", "mou-two"),
    ]
    unsure, nothing = (str(p) for p in problems)
    assert UNSURE in unsure
    assert "best candidates: university-of-tartu 'University of Tartu'" in unsure
    assert "Nowhere Institute of Nothing" in nothing
    assert "matches no organisation" in nothing
    assert f"{path}:3:5" in failed.value.message
    # The good row (mou-ut-tsp) was not written either: a failed load leaves the graph as it was.
    assert await counts(store) == counted
    assert await fingerprint(store) == before


async def test_skip_unmatched_loads_the_matched_rows_only(store: Store, tmp_path: Path) -> None:
    await load_seeds(store)
    text = AGREEMENTS + f"mou-two,mou,Second,2024-06-05,{UNSURE};Tartu Science Park,public-facts,\n"
    report = await load(
        [parse_csv([write(tmp_path, "agreements.csv", text)])], store, skip_unmatched=True
    )
    assert [(p.line, p.id) for p in report.unmatched] == [(3, "mou-two")]
    rows = await store.read("MATCH (a:Agreement) WHERE a.id STARTS WITH 'mou-' RETURN a.id AS id")
    ids = {r["id"] for r in rows}
    assert "mou-ut-tsp" in ids
    assert "mou-two" not in ids


async def test_skip_unmatched_refuses_to_leave_out_every_row(store: Store, tmp_path: Path) -> None:
    await load_seeds(store)
    before = await fingerprint(store)
    text = AGREEMENTS.replace("Univ. of Tartu", UNSURE)
    with pytest.raises(InputError, match="every row names an organisation that did not match"):
        await load(
            [parse_csv([write(tmp_path, "agreements.csv", text)])], store, skip_unmatched=True
        )
    assert await fingerprint(store) == before


async def test_two_names_of_one_organisation_in_a_row_are_refused(
    store: Store, tmp_path: Path
) -> None:
    await load_seeds(store)
    text = AGREEMENTS.replace("Tartu Science Park", "Tartu Ülikool")
    with pytest.raises(InputError, match="which the row already names"):
        await load([parse_csv([write(tmp_path, "agreements.csv", text)])], store)


async def test_a_name_can_match_an_organisation_of_the_same_load(
    store: Store, tmp_path: Path
) -> None:
    await load_seeds(store)
    orgs = write(
        tmp_path,
        "organisations.csv",
        """
        id,kind,name,country,city,source
        narva-robotics-lab,company,Narva Robotics Laboratory,EE,Narva,public-facts
        """,
    )
    # A name holding a comma (the country) is quoted, as spreadsheets do.
    agreements = AGREEMENTS.replace(
        "Univ. of Tartu:lead;Tartu Science Park",
        '"Univ. of Tartu:lead;Narva Robotics Laboratory, Estonia"',
    )
    parsed = parse_csv([orgs, write(tmp_path, "agreements.csv", agreements)])
    await load([parsed], store)
    rows = await store.read(
        "MATCH (o:Organisation)-[:PARTY_TO]->(:Agreement {id: 'mou-ut-tsp'}) RETURN o.id AS id"
    )
    assert {r["id"] for r in rows} == {"university-of-tartu", "narva-robotics-lab"}


async def test_cli_reports_unmatched_names_and_skips_them_when_asked(
    store: Store, tmp_path: Path, neo4j_server: ServerInfo
) -> None:
    await load_seeds(store)
    before = await fingerprint(store)
    text = AGREEMENTS + f"mou-two,mou,Second,2024-06-05,{UNSURE};Tartu Science Park,public-facts,\n"
    path = write(tmp_path, "agreements.csv", text)

    run = await run_cli(neo4j_server, "load", path)
    assert run.code == EXIT_INVALID, run.stderr
    assert "nothing was written" in run.stderr
    (line,) = run.lines_at(path, 3)
    assert f"{path}:3:5 id=mou-two field=parties_by_name: organisation name {UNSURE!r}" in line
    assert "best candidates: university-of-tartu 'University of Tartu' 0.5" in line
    assert await fingerprint(store) == before

    run = await run_cli(neo4j_server, "load", path, "--skip-unmatched")
    assert run.code == EXIT_OK, run.stderr
    assert "1 row(s) left out" in run.stderr
    assert run.lines_at(path, 3)
    assert not run.lines_at(path, 2)
    assert await fingerprint(store) != before


async def test_reloading_a_csv_of_names_changes_nothing(store: Store, tmp_path: Path) -> None:
    await load_seeds(store)
    path = write(tmp_path, "agreements.csv", AGREEMENTS)
    await load([parse_csv([path])], store)
    first = await fingerprint(store)
    await load([parse_csv([path])], store)
    assert await fingerprint(store) == first


async def test_a_dry_run_matches_names_too(store: Store, tmp_path: Path) -> None:
    await load_seeds(store)
    before = await fingerprint(store)
    good = write(tmp_path, "agreements.csv", AGREEMENTS)
    report = await load([parse_csv([good])], store, dry_run=True)
    assert report.relationships == 2
    bad = write(tmp_path, "bad.agreements.csv", AGREEMENTS.replace("Univ. of Tartu", UNSURE))
    with pytest.raises(InputError, match="best candidates: university-of-tartu"):
        await load([parse_csv([bad])], store, dry_run=True)
    assert await fingerprint(store) == before
