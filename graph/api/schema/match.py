"""The `match` root field: free-text affiliations -> candidate organisations, chosen or not."""

from __future__ import annotations

from typing import Any

import pycountry
import strawberry
from graphql import GraphQLResolveInfo

from graph.api.compile.compiler import Compiler, as_query
from graph.api.execution.adapter import raw_info
from graph.api.schema import types as t
from graph.api.schema.context import Context
from graph.api.schema.marks import reads_maps
from graph.cypher import match as cypher_match
from graph.errors import UserError
from graph.match import Candidate, NameIndex, match
from graph.match.cache import index_cache
from graph.store import Store

Info = strawberry.Info[Context, None]
MAX_AFFILIATION = 2000  # characters; a real affiliation is a line, not a page


async def current_index(store: Store) -> NameIndex:
    """The app's index of the graph's organisations, kept current (graph.match.cache)."""
    return await index_cache(store).get(store)


@reads_maps
@strawberry.type(description="Why a candidate was proposed: which text matched what.")
class MatchReason:
    kind: str = strawberry.field(
        description="name | acronym | country | city | successor (a withdrawn record's "
        "name, redirected) | parent (a unit sharing its parent's name)"
    )
    part: str = strawberry.field(description="The text of the affiliation it is about.")
    value: str = strawberry.field(description="What it matched: a name, a country, a city.")


@reads_maps
@strawberry.type(description="An organisation an affiliation may name.")
class MatchCandidate:
    organisation: t.Organisation
    confidence: float = strawberry.field(
        description="0..1; on the benchmark, about the share of candidates this sure that are right"
    )
    chosen: bool = strawberry.field(
        description="The matcher is sure: this is the organisation meant (several when the "
        "affiliation names several; none when unsure)"
    )
    reasons: list[MatchReason]


def _raw(info: Info) -> GraphQLResolveInfo[Any]:
    return raw_info(info)


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if code != "XK" and pycountry.countries.get(alpha_2=code) is None:
        raise UserError(f"`country` must be an ISO 3166-1 alpha-2 code (EE, KR), not {value!r}")
    return code


def _shape(candidate: Candidate, nodes: dict[str, Any]) -> dict[str, Any]:
    return {
        **nodes,
        "confidence": candidate.confidence,
        "chosen": candidate.chosen,
        "reasons": [{"kind": r.kind, "part": r.part, "value": r.value} for r in candidate.reasons],
    }


@strawberry.type
class MatchQuery:
    @strawberry.field(
        description='The organisations a free-text affiliation names ("Dept. of Physics, '
        'Univ. of Tartu, Estonia"), best first; `chosen` only when sure. `country` (ISO '
        "code) is what the caller knows the affiliation's country to be."
    )
    async def match(
        self, info: Info, affiliation: str, country: str | None = None
    ) -> list[MatchCandidate]:
        if len(affiliation) > MAX_AFFILIATION:
            raise UserError(f"`affiliation` is longer than {MAX_AFFILIATION} characters")
        code = _country(country)
        store = info.context.store
        candidates = match(await current_index(store), affiliation, code)
        if not candidates:
            return []
        raw = _raw(info)
        compiler = Compiler(raw)
        # Every response key that selects the organisation (aliases may select differently).
        projections = {
            key: compiler.node("Organisation", "n", fields)
            for key, fields in compiler.collect("MatchCandidate", list(raw.field_nodes)).items()
            if fields[0].name.value == "organisation"
        }
        nodes: dict[str, dict[str, Any]] = {c.record.id: {} for c in candidates}
        if projections:
            projection = "{" + ", ".join(f"`{k}`: {p}" for k, p in projections.items()) + "}"
            ids = compiler.param([c.record.id for c in candidates])
            query = cypher_match.organisations_by_id(ids, projection)
            rows = await store.read_values(as_query(query), compiler.params)
            found = {row["id"]: row["node"] for row in rows}
            # An organisation deleted since the index was built is no candidate any more.
            nodes = {rid: found[rid] for rid in nodes if rid in found}
        return [_shape(c, nodes[c.record.id]) for c in candidates if c.record.id in nodes]  # type: ignore[misc]
