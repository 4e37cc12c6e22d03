"""A graph of many organisations, for tests of exports that must be larger than a few chunks."""

from __future__ import annotations

from graph.ingest.write import load
from graph.model import Bundle
from graph.parsed import Parsed
from graph.store import Store


async def many_organisations(store: Store, count: int) -> None:
    bundle = Bundle.model_validate(
        {
            "origin": "many",
            "sources": [{"id": "src", "title": "A source"}],
            "organisations": [
                {
                    "id": f"org-{i:05d}",
                    "kind": "company",
                    "names": [{"value": f"Company {i} of a long and descriptive name"}],
                    "location": {"country": "KR"},
                    "sources": [{"source": "src"}],
                }
                for i in range(count)
            ],
        }
    )
    await load([Parsed(bundle)], store, batch_size=2000)
