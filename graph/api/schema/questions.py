"""Graph questions the Neo4j GraphQL Library cannot answer, each one Cypher query per root field.

collaborations (who works with whom, through what, under which MoU, since when), partners
(ranked suggestions with reasons), path (shortest connections, typed steps with sources),
neighbourhood (a network to draw), timeline (dated agreements, events, projects) and facets.
Resolvers check the arguments and compile the selection; the Cypher is graph/cypher/questions.py
and graph/cypher/partners.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLResolveInfo

from graph.api.compile.compiler import CompileError, Compiler, as_query
from graph.api.compile.paging import MAX_PAGE
from graph.api.compile.tables import TYPES
from graph.api.compile.where import predicate
from graph.api.execution.adapter import raw_info
from graph.api.schema import inputs as i
from graph.api.schema import question_types as q
from graph.api.schema.context import Context
from graph.api.schema.raw import RawResolver, declared, declared_only, raw_root
from graph.api.schema.relay_ids import split_id
from graph.cypher import partners as p
from graph.cypher import project as cy
from graph.cypher import questions as cq
from graph.errors import UserError
from graph.model import OrgKind

Info = strawberry.Info[Context, None]
Build = Callable[[list[FieldNode]], str]

MAX_HOPS = 6
MAX_NETWORK = 300


def _object(c: Compiler, type_name: str, nodes: list[FieldNode], fields: dict[str, Build]) -> str:
    entries = []
    for key, selected in c.collect(type_name, nodes).items():
        name = selected[0].name.value
        if name == "__typename":
            continue
        build = fields.get(name)
        if build is None:
            raise CompileError(f"no builder for {type_name}.{name}")
        entries.append(f"`{key}`: {build(selected)}")
    return "{" + ", ".join(entries) + "}"


def _steps(c: Compiler, nodes: list[FieldNode], node_list: str, rel_list: str) -> str:
    """Steps of a chain: node i, reached through relationship i-1."""
    idx, nd, rel = c.var("i"), c.var("s"), c.var("r")
    step = _object(
        c,
        "Step",
        nodes,
        {
            "node": lambda fs: c.node("Node", nd, fs),
            "via": lambda fs: cq.step_via(rel),
            "outgoing": lambda fs: cq.step_outgoing(rel, nd),
            "role": lambda fs: cq.step_role(rel),
            "provenance": lambda fs: c.provenance(rel),
        },
    )
    return cq.steps(idx, nd, rel, node_list, rel_list, step)


def _column(name: str) -> Build:
    """A field whose value is the query's column of that name."""
    return lambda fs: name


def _first(first: int) -> int:
    if not 0 <= first <= MAX_PAGE:
        raise UserError(f"`first` must be between 0 and {MAX_PAGE}")
    return first


def _nodes(info: Info) -> list[FieldNode]:
    return list(raw_info(info).field_nodes)


async def _rows(info: Info, c: Compiler, query: str) -> list[dict[str, Any]]:
    return await info.context.store.read_values(as_query(query), c.params)


def _facets_field(type_name: str, facets: type[Any], description: str) -> Any:
    """A facets field: its `where` is the kind's (resolved raw, by `_raw_facets`)."""

    async def resolve(self: Any, info: Info, where: Any = None) -> Any:
        return declared_only()

    return declared(resolve, description, facets, info=Info, where=i.WHERE[type_name] | None)


@strawberry.type
class Questions:
    @strawberry.field(
        description="Who works with whom, through which agreement, project or event, under "
        "which MoU, since when; each with the chain that connects them and its sources."
    )
    async def collaborations(
        self,
        info: Info,
        organisation: strawberry.ID | None = None,
        countries: list[str] | None = None,
        kinds: list[q.CollaborationKind] | None = None,
        topic: str | None = None,
        as_of: dt.date | None = None,
        first: int = 50,
    ) -> list[q.Collaboration]:
        c = Compiler(raw_info(info))
        conds = [cq.DISTINCT_ORGANISATIONS]
        if organisation is not None:
            conds.append(
                cq.organisation_is(c.param(split_id(str(organisation), "Organisation")[1]))
            )
        else:
            conds.append(cq.EACH_PAIR_ONCE)
        if countries:
            if len(countries) > 2:
                raise UserError("`countries` takes one country (the partner's) or two")
            if len(countries) == 1 or organisation is not None:
                conds.append(cq.partner_country_in(c.param([x.upper() for x in countries])))
            else:
                one, two = c.param(countries[0].upper()), c.param(countries[1].upper())
                conds.append(cq.countries_are(one, two))
        if kinds:
            conds.append(cq.through_kind_in(c.param([k.value for k in kinds])))
        if topic:
            conds.append(cq.has_topic("x", c.param(topic)))
        if as_of is not None:
            d = c.param(as_of)
            conds += [cq.valid_on("x", d), cq.rel_valid_on("r1", d), cq.rel_valid_on("r2", d)]
        item = _object(
            c,
            "Collaboration",
            _nodes(info),
            {
                "organisation": lambda fs: c.node("Organisation", "a", fs),
                "partner": lambda fs: c.node("Organisation", "b", fs),
                "kind": lambda fs: cq.COLLABORATION_KIND,
                "through": lambda fs: c.node("Node", "x", fs),
                "since": lambda fs: cq.COLLABORATION_SINCE,
                "under": lambda fs: cq.runs_under(c.node("Agreement", "ag", fs)),
                "chain": lambda fs: _steps(c, fs, *cq.COLLABORATION_NODES),
                "sources": lambda fs: cq.COLLABORATION_SOURCES,
            },
        )
        query = cq.collaborations(conds, c.param(_first(first)), item)
        return [row["item"] for row in await _rows(info, c, query)]

    @strawberry.field(
        description="Partner suggestions for an organisation, ranked, each with its reasons: "
        "shared programmes and agreements (counted in full), MoU chains, shared topics, distance "
        "in the graph (at most 4 hops). " + p.BOUNDS
    )
    async def partners(
        self,
        info: Info,
        organisation: strawberry.ID,
        country: str | None = None,
        kinds: list[OrgKind] | None = None,
        topic: str | None = None,
        first: int = 10,
    ) -> list[q.PartnerSuggestion]:
        c = Compiler(raw_info(info))
        key = split_id(str(organisation), "Organisation")[1]
        conds = [p.CANDIDATE_IS_NOT_SELF]
        if country:
            conds.append(p.candidate_country(c.param(country.upper())))
        if kinds:
            conds.append(p.candidate_kind_in(c.param([k.value for k in kinds])))
        if topic:
            conds.append(p.candidate_topic(c.param(topic)))
        columns = {name: _column(name) for name in p.COLUMNS}
        item = _object(
            c,
            "PartnerSuggestion",
            _nodes(info),
            {"organisation": lambda fs: c.node("Organisation", "cand", fs), **columns},
        )
        # Candidates from bounded neighbourhoods (graph/cypher/partners.py says how), scored.
        bounds = p.Bounds(
            first=c.param(_first(first)),
            nodes_per_hop=c.param(p.NODES_PER_HOP),
            links_per_hop=c.param(p.LINKS_PER_HOP),
            chain_partners=c.param(p.CHAIN_PARTNERS),
            chain_links=c.param(p.CHAIN_LINKS),
        )
        query = p.partners(c.param(key), bounds, conds, item)
        return [row["item"] for row in await _rows(info, c, query)]

    @strawberry.field(description="The shortest connections between two actors (at most 6 hops).")
    async def path(
        self,
        info: Info,
        source: strawberry.ID,
        target: strawberry.ID,
        max_hops: int = 4,
        first: int = 5,
    ) -> list[q.Path]:
        if not 1 <= max_hops <= MAX_HOPS:
            raise UserError(f"`maxHops` must be between 1 and {MAX_HOPS}")
        c = Compiler(raw_info(info))
        a_type, a_key = split_id(str(source))
        b_type, b_key = split_id(str(target))
        if (a_type, a_key) == (b_type, b_key):
            # Neo4j refuses a shortest path from a node to itself (a database error otherwise).
            raise UserError("`source` and `target` are the same: a path joins two different actors")
        item = _object(
            c,
            "Path",
            _nodes(info),
            {
                "length": lambda fs: cq.PATH_LENGTH,
                "steps": lambda fs: _steps(c, fs, *cq.PATH_NODES),
            },
        )
        a_ref, b_ref = c.param(a_key), c.param(b_key)
        a_label, b_label = TYPES[a_type].label, TYPES[b_type].label
        query = cq.path(a_label, a_ref, b_label, b_ref, max_hops, c.param(_first(first)), item)
        return [row["item"] for row in await _rows(info, c, query)]

    @strawberry.field(description="The nodes and edges around an actor (depth 1 or 2), to draw.")
    async def neighbourhood(
        self, info: Info, id: strawberry.ID, depth: int = 1, limit: int = 100
    ) -> q.Network:
        if depth not in (1, 2):
            raise UserError("`depth` is 1 or 2")
        if not 1 <= limit <= MAX_NETWORK:
            raise UserError(f"`limit` must be between 1 and {MAX_NETWORK}")
        c = Compiler(raw_info(info))
        type_name, key = split_id(str(id))
        selected = c.collect("Network", _nodes(info))
        node_fields = [f for fs in selected.values() if fs[0].name.value == "nodes" for f in fs]
        edge_fields = [f for fs in selected.values() if fs[0].name.value == "edges" for f in fs]
        node = c.node("Node", "n", node_fields) if node_fields else cy.NULL
        edge = _object(
            c,
            "NetworkEdge",
            edge_fields,
            {
                "source": lambda fs: cq.EDGE_SOURCE,
                "target": lambda fs: cq.EDGE_TARGET,
                "type": lambda fs: cq.EDGE_TYPE,
                "role": lambda fs: cq.EDGE_ROLE,
                "provenance": lambda fs: cq.EDGE_PROVENANCE,
            },
        )
        label = TYPES[type_name].label
        query = cq.neighbourhood(label, c.param(key), depth, c.param(limit), node, edge)
        rows = await _rows(info, c, query)
        if not rows:
            raise UserError(f"no {type_name} with id {id!r}")
        return rows[0]  # type: ignore[return-value]

    @strawberry.field(
        description="Dated agreements, events and project starts of an organisation, or "
        "between two countries, oldest first."
    )
    async def timeline(
        self,
        info: Info,
        organisation: strawberry.ID | None = None,
        countries: list[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        first: int = 100,
    ) -> list[q.TimelineEntry]:
        c = Compiler(raw_info(info))
        if organisation is None and not countries:
            raise UserError("give `organisation` or `countries` (one or two)")
        conds = []
        if organisation is not None:
            org = c.param(split_id(str(organisation), "Organisation")[1])
            conds.append(cq.takes_part_with(org))
        for country in (countries or [])[:2]:
            conds.append(cq.takes_part_from(c.param(country.upper())))
        if since is not None:
            conds.append(cq.dated_from(c.param(since)))
        if until is not None:
            conds.append(cq.dated_until(c.param(until)))
        item = _object(
            c,
            "TimelineEntry",
            _nodes(info),
            {
                "date": lambda fs: cq.TIMELINE_DATE,
                "kind": lambda fs: cq.TIMELINE_KIND,
                "title": lambda fs: cq.TIMELINE_TITLE,
                "node": lambda fs: c.node("Node", "x", fs),
            },
        )
        query = cq.timeline(conds, c.param(_first(first)), item)
        return [row["item"] for row in await _rows(info, c, query)]

    organisation_facets = _facets_field(
        "Organisation",
        q.OrganisationFacets,
        "Counts of organisations by country, kind, status and decade.",
    )
    agreement_facets = _facets_field(
        "Agreement",
        q.AgreementFacets,
        "Counts of agreements by year and kind, and their date range.",
    )
    project_facets = _facets_field(
        "Project",
        q.ProjectFacets,
        "Counts of projects by start year, programme, funding scheme, status and "
        "participants' country, and their date range.",
    )


def _raw_facets(
    type_name: str,
    groups: dict[str, str],
    extremes: dict[str, str],
    through: dict[str, str] | None = None,
) -> RawResolver:
    """A facets field, resolved from graphql-core's `where` as it is (graph/api/schema/raw.py)."""

    async def resolve(_: Any, info: GraphQLResolveInfo[Any], **args: Any) -> dict[str, Any]:
        c = Compiler(info)
        where = args.get("where")
        cond = predicate(type_name, where, "n", c.param, c.var) if where else "true"
        return await _facets(info, c, type_name, cond, groups, extremes, through)

    return resolve


raw_root("organisationFacets", _raw_facets("Organisation", cq.ORGANISATION_GROUPS, {}))
raw_root("agreementFacets", _raw_facets("Agreement", cq.AGREEMENT_GROUPS, cq.AGREEMENT_EXTREMES))
raw_root(
    "projectFacets",
    _raw_facets("Project", cq.PROJECT_GROUPS, cq.PROJECT_EXTREMES, cq.PROJECT_THROUGH),
)


async def _facets(
    info: GraphQLResolveInfo[Any],
    c: Compiler,
    type_name: str,
    cond: str,
    groups: dict[str, str],
    extremes: dict[str, str],
    through: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Only the facets asked for are computed; each is one subquery of the one query."""
    nodes = list(info.field_nodes)
    asked = {fs[0].name.value for fs in c.collect(f"{type_name}Facets", nodes).values()}
    query = cq.facets(
        TYPES[type_name].label,
        cond,
        "total" in asked,
        {name: expr for name, expr in groups.items() if name in asked},
        {name: expr for name, expr in extremes.items() if name in asked},
        through,
    )
    if query is None:
        return {}
    context: Context = info.context
    rows = await context.store.read_values(as_query(query), c.params)
    return rows[0]
