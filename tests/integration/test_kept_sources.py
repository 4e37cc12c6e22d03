"""A load may not delete a source it still cites (the citation would point at nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from graph.errors import InputError
from graph.ingest.write import load
from graph.model import Bundle
from graph.parsed import Parsed
from graph.store import Store
from tests.integration.graphdata import fingerprint

ORG = {
    "id": "kept-org",
    "kind": "company",
    "names": [{"value": "Kept Org"}],
    "location": {"country": "EE"},
    "sources": [{"source": "kept-note"}],
}
NOTE = {"id": "kept-note", "title": "A note", "kind": "document"}


def unit(**bundle: Any) -> list[Parsed]:
    return [Parsed(Bundle.model_validate({"origin": "kept-test", **bundle}))]


async def test_a_reload_that_drops_a_source_it_still_cites_is_refused(store: Store) -> None:
    await load(unit(sources=[NOTE], organisations=[ORG]), store)
    before = await fingerprint(store)
    with pytest.raises(InputError) as refused:
        await load(unit(organisations=[ORG]), store)
    (problem,) = refused.value.problems
    assert problem.field == "sources"
    assert problem.id == "kept-org"
    assert "kept-note" in problem.message
    assert "would delete" in problem.message
    assert await fingerprint(store) == before
    # Citing another source while dropping this one is fine.
    other = {**NOTE, "id": "other-note"}
    await load(
        unit(sources=[other], organisations=[{**ORG, "sources": [{"source": "other-note"}]}]), store
    )
    rows = await store.read("MATCH (s:Source) RETURN collect(s.id) AS ids")
    assert rows[0]["ids"] == ["other-note"]
