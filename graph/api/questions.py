"""Graph questions the Neo4j GraphQL Library cannot answer, each one Cypher query per root field.

collaborations (who works with whom, through what, under which MoU, since when), partners
(ranked suggestions with reasons), path (shortest connections, typed steps with sources),
neighbourhood (a network to draw), timeline (dated agreements, events, projects) and facets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import FieldNode

from graph.api import inputs as i
from graph.api import partners as p
from graph.api import question_types as q
from graph.api.compile import CompileError, Compiler, as_query
from graph.api.context import Context
from graph.api.paging import MAX_PAGE
from graph.api.specs import TYPES
from graph.api.where import predicate
from graph.errors import UserError
from graph.model import OrgKind

Info = strawberry.Info[Context, None]
Build = Callable[[list[FieldNode]], str]

MAX_HOPS = 6
MAX_NETWORK = 300
# What links an organisation to an agreement, project or event it takes part in.
TAKES_PART = "PARTY_TO|PARTICIPATES_IN|PARTICIPATED_IN"


def split_id(global_id: str, *expected: str) -> tuple[str, str]:
    """`Type:key` -> (type, key), the type checked against the allow-list (and `expected`)."""
    type_name, sep, key = global_id.partition(":")
    if not sep or type_name not in TYPES or not key or (expected and type_name not in expected):
        kinds = " or ".join(expected) if expected else "<Type>"
        raise UserError(
            f"invalid id {global_id!r}: expected {kinds}:<key>, e.g. "
            f"{expected[0] if expected else 'Organisation'}:university-of-tartu"
        )
    return type_name, key


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
            "via": lambda fs: f"type({rel})",
            "outgoing": lambda fs: (
                f"CASE WHEN {rel} IS NULL THEN null ELSE startNode({rel}) <> {nd} END"
            ),
            "role": lambda fs: f"{rel}.role",
            "provenance": lambda fs: c.provenance(rel),
        },
    )
    return (
        f"COLLECT {{ UNWIND range(0, size({node_list}) - 1) AS {idx} "
        f"WITH {idx}, {node_list}[{idx}] AS {nd}, "
        f"CASE WHEN {idx} = 0 THEN null ELSE {rel_list}[{idx} - 1] END AS {rel} "
        f"ORDER BY {idx} RETURN {step} }}"
    )


def _sources(ids: str) -> str:
    return (
        f"COLLECT {{ MATCH (s:Source) WHERE s.id IN {ids} "
        "RETURN {__typename: 'Source', id: 'Source:' + s.id, key: s.id, title: s.title, "
        "kind: s.kind, publisher: s.publisher, url: s.url, published: s.published, "
        "retrieved: s.retrieved} ORDER BY s.id }"
    )


def _valid_on(var: str, date: str) -> str:
    """Is the agreement, project or event `var` in force (or past, for an event) on `date`?"""
    start = f"coalesce({var}.validFrom, {var}.signed, {var}.start)"
    end = f"coalesce({var}.validTo, {var}.end)"
    return (
        f"(CASE WHEN {var}:Event THEN {var}.date <= {date} "
        f"ELSE ({start} IS NULL OR {start} <= {date}) AND ({end} IS NULL OR {end} >= {date}) END)"
    )


def _rel_valid_on(rel: str, date: str) -> str:
    return (
        f"({rel}.start IS NULL OR {rel}.start <= {date}) "
        f"AND ({rel}.end IS NULL OR {rel}.end >= {date})"
    )


def _first(first: int) -> int:
    if not 0 <= first <= MAX_PAGE:
        raise UserError(f"`first` must be between 0 and {MAX_PAGE}")
    return first


def _nodes(info: Info) -> list[FieldNode]:
    return list(info._raw_info.field_nodes)


async def _rows(info: Info, c: Compiler, query: str) -> list[dict[str, Any]]:
    return await info.context.store.read_values(as_query(query), c.params)


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
        c = Compiler(info._raw_info)
        conds = ["a <> b"]
        if organisation is not None:
            conds.append(f"a.id = {c.param(split_id(str(organisation), 'Organisation')[1])}")
        else:
            conds.append("a.id < b.id")  # each pair once
        if countries:
            if len(countries) > 2:
                raise UserError("`countries` takes one country (the partner's) or two")
            if len(countries) == 1 or organisation is not None:
                conds.append(f"b.country IN {c.param([x.upper() for x in countries])}")
            else:
                one, two = c.param(countries[0].upper()), c.param(countries[1].upper())
                conds.append(
                    f"((a.country = {one} AND b.country = {two}) "
                    f"OR (a.country = {two} AND b.country = {one}))"
                )
        if kinds:
            conds.append(f"labels(x)[0] IN {c.param([k.value for k in kinds])}")
        if topic:
            conds.append(f"{c.param(topic)} IN coalesce(x.topics, [])")
        if as_of is not None:
            d = c.param(as_of)
            conds += [_valid_on("x", d), _rel_valid_on("r1", d), _rel_valid_on("r2", d)]
        item = _object(
            c,
            "Collaboration",
            _nodes(info),
            {
                "organisation": lambda fs: c.node("Organisation", "a", fs),
                "partner": lambda fs: c.node("Organisation", "b", fs),
                "kind": lambda fs: "labels(x)[0]",
                "through": lambda fs: c.node("Node", "x", fs),
                "since": lambda fs: "since",
                "under": lambda fs: (
                    "COLLECT { MATCH (x)-[:RUNS_UNDER]->(ag:Agreement) "
                    f"RETURN {c.node('Agreement', 'ag', fs)} }}[0]"
                ),
                "chain": lambda fs: _steps(c, fs, "[a, x, b]", "[r1, r2]"),
                "sources": lambda fs: _sources(
                    "coalesce(x.sourceIds, []) + coalesce(r1.sourceIds, []) "
                    "+ coalesce(r2.sourceIds, [])"
                ),
            },
        )
        query = (
            f"MATCH (a:Organisation)-[r1:{TAKES_PART}]->(x)<-[r2:{TAKES_PART}]-(b:Organisation) "
            f"WHERE {' AND '.join(conds)} "
            "WITH a, b, x, r1, r2, coalesce(x.signed, x.start, x.date) AS since "
            f"ORDER BY since IS NULL, since DESC, a.id, b.id, x.id LIMIT {c.param(_first(first))} "
            f"RETURN {item} AS item"
        )
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
        c = Compiler(info._raw_info)
        key = split_id(str(organisation), "Organisation")[1]
        conds = ["cand <> o"]
        if country:
            conds.append(f"cand.country = {c.param(country.upper())}")
        if kinds:
            conds.append(f"cand.kind IN {c.param([k.value for k in kinds])}")
        if topic:
            conds.append(f"{c.param(topic)} IN coalesce(cand.topics, [])")
        item = _object(
            c,
            "PartnerSuggestion",
            _nodes(info),
            {
                "organisation": lambda fs: c.node("Organisation", "cand", fs),
                "score": lambda fs: "score",
                "distance": lambda fs: "distance",
                "sharedProjects": lambda fs: "sharedProjects",
                "mouChain": lambda fs: "mouChain",
                "sharedAgreements": lambda fs: "sharedAgreements",
                "sharedTopics": lambda fs: "sharedTopics",
                "reasons": lambda fs: "reasons",
            },
        )
        # Candidates from bounded neighbourhoods (graph/api/partners.py says how), then scored.
        # The weights say what a partner search values most: working together already on a
        # programme (3), an agreement together or with a common partner (2), a shared topic (1),
        # closeness (0.5 per hop under 5).
        bounds = p.Bounds(
            first=c.param(_first(first)),
            nodes_per_hop=c.param(p.NODES_PER_HOP),
            links_per_hop=c.param(p.LINKS_PER_HOP),
            chain_partners=c.param(p.CHAIN_PARTNERS),
            chain_links=c.param(p.CHAIN_LINKS),
        )
        where = " AND ".join(conds)
        query = (
            f"MATCH (o:Organisation {{id: {c.param(key)}}}) "
            + p.candidate_rows(bounds, where)
            + "WITH o, cand, sum(projects) AS sharedProjects, sum(agreements) AS sharedAgreements, "
            "sum(chain) AS mouChain, min(distance) AS distance "
            f"WHERE {where} "
            "WITH o, cand, distance, sharedProjects, sharedAgreements, mouChain, "
            "[t IN coalesce(cand.topics, []) WHERE t IN coalesce(o.topics, [])] AS sharedTopics "
            "WITH o, cand, distance, sharedProjects, sharedAgreements, mouChain, sharedTopics, "
            "3.0 * sharedProjects + 2.0 * sharedAgreements + 2.0 * mouChain "
            "+ 1.0 * size(sharedTopics) "
            "+ CASE WHEN distance IS NULL THEN 0.0 ELSE 0.5 * (5 - distance) END AS score "
            "WHERE score > 0 "
            "WITH o, cand, distance, sharedProjects, sharedAgreements, mouChain, sharedTopics, "
            "score, "
            "[r IN [CASE WHEN sharedProjects > 0 THEN 'works with it on ' + "
            "toString(sharedProjects) + ' project(s) or programme(s)' END, "
            "CASE WHEN sharedAgreements > 0 THEN 'party with it to ' + "
            "toString(sharedAgreements) + ' agreement(s)' END, "
            "CASE WHEN mouChain > 0 THEN 'linked by an MoU chain through a common partner' END, "
            "CASE WHEN size(sharedTopics) > 0 THEN 'shares topics: ' + "
            "reduce(s = '', t IN sharedTopics | s + CASE s WHEN '' THEN '' ELSE ', ' END + t) END, "
            "CASE WHEN distance IS NOT NULL THEN toString(distance) + ' step(s) away in the graph' "
            "END] WHERE r IS NOT NULL] AS reasons "
            f"ORDER BY score DESC, cand.id LIMIT {bounds.first} "
            f"RETURN {item} AS item"
        )
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
        c = Compiler(info._raw_info)
        a_type, a_key = split_id(str(source))
        b_type, b_key = split_id(str(target))
        if (a_type, a_key) == (b_type, b_key):
            # Neo4j refuses a shortest path from a node to itself (a database error otherwise).
            raise UserError("`source` and `target` are the same: a path joins two different actors")
        a_label, b_label = TYPES[a_type].label.value, TYPES[b_type].label.value
        item = _object(
            c,
            "Path",
            _nodes(info),
            {
                "length": lambda fs: "length(p)",
                "steps": lambda fs: _steps(c, fs, "nodes(p)", "relationships(p)"),
            },
        )
        query = (
            f"MATCH (a:{a_label} {{id: {c.param(a_key)}}}), (b:{b_label} {{id: {c.param(b_key)}}}) "
            f"MATCH p = allShortestPaths((a)-[*..{max_hops}]-(b)) "
            f"WITH p LIMIT {c.param(_first(first))} RETURN {item} AS item"
        )
        return [row["item"] for row in await _rows(info, c, query)]

    @strawberry.field(description="The nodes and edges around an actor (depth 1 or 2), to draw.")
    async def neighbourhood(
        self, info: Info, id: strawberry.ID, depth: int = 1, limit: int = 100
    ) -> q.Network:
        if depth not in (1, 2):
            raise UserError("`depth` is 1 or 2")
        if not 1 <= limit <= MAX_NETWORK:
            raise UserError(f"`limit` must be between 1 and {MAX_NETWORK}")
        c = Compiler(info._raw_info)
        type_name, key = split_id(str(id))
        label = TYPES[type_name].label.value
        selected = c.collect("Network", _nodes(info))
        node_fields = [f for fs in selected.values() if fs[0].name.value == "nodes" for f in fs]
        edge_fields = [f for fs in selected.values() if fs[0].name.value == "edges" for f in fs]
        node = c.node("Node", "n", node_fields) if node_fields else "null"
        gid = "labels({0})[0] + ':' + {0}.id"
        edge = _object(
            c,
            "NetworkEdge",
            edge_fields,
            {
                "source": lambda fs: gid.format("startNode(r)"),
                "target": lambda fs: gid.format("endNode(r)"),
                "type": lambda fs: "type(r)",
                "role": lambda fs: "r.role",
                "provenance": lambda fs: c.provenance("r"),
            },
        )
        query = (
            f"MATCH (centre:{label} {{id: {c.param(key)}}}) "
            f"CALL (centre) {{ MATCH (centre)-[*1..{depth}]-(m) WHERE m <> centre "
            "RETURN collect(DISTINCT m) AS found } "
            f"WITH [centre] + found[..{c.param(limit)}] AS ns, size(found) > {c.param(limit)} "
            "AS truncated "
            f"CALL (ns) {{ UNWIND ns AS n RETURN collect({node}) AS nodes }} "
            f"CALL (ns) {{ UNWIND ns AS x MATCH (x)-[r]->(y) WHERE y IN ns "
            f"WITH DISTINCT r RETURN collect({edge}) AS edges }} "
            "RETURN nodes, edges, truncated"
        )
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
        c = Compiler(info._raw_info)
        if organisation is None and not countries:
            raise UserError("give `organisation` or `countries` (one or two)")
        conds = []
        if organisation is not None:
            org = c.param(split_id(str(organisation), "Organisation")[1])
            conds.append(f"EXISTS {{ (:Organisation {{id: {org}}})-[:{TAKES_PART}]->(x) }}")
        for country in (countries or [])[:2]:
            conds.append(
                f"EXISTS {{ (o:Organisation)-[:{TAKES_PART}]->(x) "
                f"WHERE o.country = {c.param(country.upper())} }}"
            )
        if since is not None:
            conds.append(f"d >= {c.param(since)}")
        if until is not None:
            conds.append(f"d <= {c.param(until)}")
        item = _object(
            c,
            "TimelineEntry",
            _nodes(info),
            {
                "date": lambda fs: "d",
                "kind": lambda fs: "labels(x)[0]",
                "title": lambda fs: "x.title",
                "node": lambda fs: c.node("Node", "x", fs),
            },
        )
        query = (
            "CALL () { MATCH (x:Agreement) RETURN x, x.signed AS d "
            "UNION MATCH (x:Event) RETURN x, x.date AS d "
            "UNION MATCH (x:Project) RETURN x, x.start AS d } "
            f"WITH x, d WHERE d IS NOT NULL AND {' AND '.join(conds)} "
            f"ORDER BY d, x.id LIMIT {c.param(_first(first))} RETURN {item} AS item"
        )
        return [row["item"] for row in await _rows(info, c, query)]

    @strawberry.field(description="Counts of organisations by country, kind, status and decade.")
    async def organisation_facets(
        self, info: Info, where: i.OrganisationWhere | None = None
    ) -> q.OrganisationFacets:
        c = Compiler(info._raw_info)
        cond = predicate("Organisation", where, "n", c.param, c.var) if where else "true"
        groups = {
            "byCountry": "coalesce(n.country, 'unknown')",
            "byKind": "n.kind",
            "byStatus": "n.status",
            "byDecade": "CASE WHEN n.established IS NULL THEN 'unknown' "
            "ELSE toString(n.established / 10 * 10) + 's' END",
        }
        return await _facets(info, c, "Organisation", cond, groups, {})  # type: ignore[return-value]

    @strawberry.field(description="Counts of agreements by year and kind, and their date range.")
    async def agreement_facets(
        self, info: Info, where: i.AgreementWhere | None = None
    ) -> q.AgreementFacets:
        c = Compiler(info._raw_info)
        cond = predicate("Agreement", where, "n", c.param, c.var) if where else "true"
        groups = {
            "byYear": "coalesce(toString(n.signed.year), 'unknown')",
            "byKind": "n.kind",
        }
        extremes = {"firstSigned": "min(n.signed)", "lastSigned": "max(n.signed)"}
        return await _facets(info, c, "Agreement", cond, groups, extremes)  # type: ignore[return-value]


async def _facets(
    info: Info,
    c: Compiler,
    type_name: str,
    cond: str,
    groups: dict[str, str],
    extremes: dict[str, str],
) -> dict[str, Any]:
    """Only the facets asked for are computed; each is one subquery of the one query."""
    label = TYPES[type_name].label.value
    asked = {fs[0].name.value for fs in c.collect(f"{type_name}Facets", _nodes(info)).values()}
    parts, returns = [], []
    if "total" in asked:
        parts.append(f"CALL () {{ MATCH (n:{label}) WHERE {cond} RETURN count(n) AS total }}")
        returns.append("total")
    for name, expr in groups.items():
        if name in asked:
            parts.append(
                f"CALL () {{ MATCH (n:{label}) WHERE {cond} WITH {expr} AS value, count(*) AS n "
                f"ORDER BY n DESC, value RETURN collect({{value: value, count: n}}) AS {name} }}"
            )
            returns.append(name)
    for name, expr in extremes.items():
        if name in asked:
            parts.append(f"CALL () {{ MATCH (n:{label}) WHERE {cond} RETURN {expr} AS {name} }}")
            returns.append(name)
    if not returns:
        return {}
    rows = await _rows(info, c, " ".join(parts) + " RETURN " + ", ".join(returns))
    return rows[0]
