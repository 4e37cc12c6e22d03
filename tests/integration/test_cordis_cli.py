"""`partnergraph load` of a CORDIS dump: a bad row fails the load with file:line:column and
writes nothing; `--skip-unmatched` loads the rest and lists the row; the report counts how the
participants were resolved."""

from __future__ import annotations

from pathlib import Path

from graph.dbserver import ServerInfo
from graph.store import Store
from tests.cordisdump import ORG_HEADER, participation_rows, table, tables, write_zip
from tests.integration.cli import run_cli
from tests.integration.graphdata import fingerprint

EXIT_OK, EXIT_INVALID = 0, 2


async def test_a_bad_row_fails_the_load_and_skipping_lists_it(
    store: Store, tmp_path: Path, neo4j_server: ServerInfo
) -> None:
    rows = participation_rows()
    rows[2] = {**rows[2], "country": "XX"}
    dump = write_zip(
        tmp_path / "cordis-h2020projects-csv.zip",
        tables(organization_csv=table(ORG_HEADER, rows)),
    )
    before = await fingerprint(store)
    run = await run_cli(neo4j_server, "load", dump)
    assert run.code == EXIT_INVALID, run.stderr
    assert "nothing was written" in run.stderr
    column = ORG_HEADER.index("country") + 1
    where = f"cordis-h2020projects-csv.zip/organization.csv:4:{column} id=101057001 field=country"
    assert where in run.stderr
    assert "'XX' is not a country code" in run.stderr
    assert await fingerprint(store) == before

    run = await run_cli(neo4j_server, "load", dump, "--skip-unmatched")
    assert run.code == EXIT_OK, run.stderr
    assert "1 warning(s): left out of the load" in run.stderr
    assert where in run.stderr
    # Nothing in the graph to match: every participant is a new organisation by its PIC.
    assert "organisations named with a registration code: 4 created" in run.stdout
    nodes = await store.read("MATCH (o:Organisation) RETURN o.id AS id ORDER BY id")
    assert "pic-906000001" not in {n["id"] for n in nodes}
    assert len(nodes) == 4
