"""The graph questions' Cypher: collaborations, paths, neighbourhoods, timelines and facets.

The resolvers (graph/api/schema/questions.py) check arguments, make the parameters and compile the
selected projections; these builders put them together. Variables the queries bind, and the
values a selected field reads from them, are named here (`COLLABORATION`, `STEP`, ...).
"""

from __future__ import annotations

from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.project import ident, labelled, param_ref, provenance
from graph.cypher.props import FUNDING_SCHEME, PLACE_COUNTRY, VALID_FROM, VALID_TO

# What links an organisation to an agreement, project or event it takes part in.
TAKES_PART = "|".join(
    checked_type(t) for t in (RelType.PARTY_TO, RelType.PARTICIPATES_IN, RelType.PARTICIPATED_IN)
)
_ORG = checked_label(Label.ORGANISATION)


def _sources_of(ids: str) -> str:
    return (
        f"COLLECT {{ MATCH ({labelled('s', Label.SOURCE)}) WHERE s.id IN {ids} "
        "RETURN {__typename: 'Source', id: 'Source:' + s.id, key: s.id, title: s.title, "
        "kind: s.kind, publisher: s.publisher, url: s.url, published: s.published, "
        "retrieved: s.retrieved} ORDER BY s.id }"
    )


# --- steps of a chain ---------------------------------------------------------------------------


def step_via(rel: str) -> str:
    return f"type({ident(rel)})"


def step_outgoing(rel: str, node: str) -> str:
    r = ident(rel)
    return f"CASE WHEN {r} IS NULL THEN null ELSE startNode({r}) <> {ident(node)} END"


def step_role(rel: str) -> str:
    return f"{ident(rel)}.role"


def steps(index: str, node: str, rel: str, node_list: str, rel_list: str, step: str) -> str:
    """Steps of a chain: node i of `node_list`, reached through relationship i-1 of `rel_list`;
    `step` is the projection of one, over `node` and `rel`."""
    i, nd, r = ident(index), ident(node), ident(rel)
    return (
        f"COLLECT {{ UNWIND range(0, size({node_list}) - 1) AS {i} "
        f"WITH {i}, {node_list}[{i}] AS {nd}, "
        f"CASE WHEN {i} = 0 THEN null ELSE {rel_list}[{i} - 1] END AS {r} "
        f"ORDER BY {i} RETURN {step} }}"
    )


# --- collaborations -----------------------------------------------------------------------------

# Organisation `a` and partner `b` take part in `x` through `r1` and `r2`; `since` is x's date.
COLLABORATION_NODES = ("[a, x, b]", "[r1, r2]")
COLLABORATION_KIND = "labels(x)[0]"
COLLABORATION_SINCE = "since"
COLLABORATION_SOURCES = _sources_of(
    "coalesce(x.sourceIds, []) + coalesce(r1.sourceIds, []) + coalesce(r2.sourceIds, [])"
)
DISTINCT_ORGANISATIONS = "a <> b"
EACH_PAIR_ONCE = "a.id < b.id"


def organisation_is(key: str) -> str:
    return f"a.id = {param_ref(key)}"


def partner_country_in(countries: str) -> str:
    return f"b.country IN {param_ref(countries)}"


def countries_are(one: str, two: str) -> str:
    """The two organisations are from these two countries, either way round."""
    a, b = param_ref(one), param_ref(two)
    return f"((a.country = {a} AND b.country = {b}) OR (a.country = {b} AND b.country = {a}))"


def through_kind_in(kinds: str) -> str:
    return f"labels(x)[0] IN {param_ref(kinds)}"


def has_topic(var: str, topic: str) -> str:
    return f"{param_ref(topic)} IN coalesce({ident(var)}.topics, [])"


def valid_on(var: str, date: str) -> str:
    """Is the agreement, project or event `var` in force (or past, for an event) on `date`?"""
    v, d = ident(var), param_ref(date)
    start = f"coalesce({v}.{VALID_FROM}, {v}.signed, {v}.start)"
    end = f"coalesce({v}.{VALID_TO}, {v}.end)"
    return (
        f"(CASE WHEN {labelled(v, Label.EVENT)} THEN {v}.date <= {d} "
        f"ELSE ({start} IS NULL OR {start} <= {d}) AND ({end} IS NULL OR {end} >= {d}) END)"
    )


def rel_valid_on(rel: str, date: str) -> str:
    r, d = ident(rel), param_ref(date)
    return f"({r}.start IS NULL OR {r}.start <= {d}) AND ({r}.end IS NULL OR {r}.end >= {d})"


def runs_under(projection: str) -> str:
    """The agreement `ag` the shared project `x` runs under, projected."""
    return (
        f"COLLECT {{ MATCH (x)-[:{checked_type(RelType.RUNS_UNDER)}]->"
        f"({labelled('ag', Label.AGREEMENT)}) RETURN {projection} }}[0]"
    )


def collaborations(conds: list[str], first: str, item: str) -> str:
    """Pairs (a, b) taking part in one x, newest first; `item` projects one."""
    return (
        f"MATCH (a:{_ORG})-[r1:{TAKES_PART}]->(x)<-[r2:{TAKES_PART}]-(b:{_ORG}) "
        f"WHERE {' AND '.join(conds)} "
        "WITH a, b, x, r1, r2, coalesce(x.signed, x.start, x.date) AS since "
        f"ORDER BY since IS NULL, since DESC, a.id, b.id, x.id LIMIT {param_ref(first)} "
        f"RETURN {item} AS item"
    )


# --- paths and neighbourhoods -------------------------------------------------------------------

PATH_LENGTH = "length(p)"
PATH_NODES = ("nodes(p)", "relationships(p)")


def path(a: Label, a_key: str, b: Label, b_key: str, max_hops: int, first: str, item: str) -> str:
    """All shortest paths of at most `max_hops` between two nodes; `item` projects one `p`."""
    return (
        f"MATCH ({labelled('a', a)} {{id: {param_ref(a_key)}}}), "
        f"({labelled('b', b)} {{id: {param_ref(b_key)}}}) "
        f"MATCH p = allShortestPaths((a)-[*..{int(max_hops)}]-(b)) "
        f"WITH p LIMIT {param_ref(first)} RETURN {item} AS item"
    )


_GID = "labels({0})[0] + ':' + {0}.id"
EDGE_SOURCE = _GID.format("startNode(r)")
EDGE_TARGET = _GID.format("endNode(r)")
EDGE_TYPE = "type(r)"
EDGE_ROLE = "r.role"
EDGE_PROVENANCE = provenance("r")


def neighbourhood(label: Label, key: str, depth: int, limit: str, node: str, edge: str) -> str:
    """The nodes `n` within `depth` of a centre (at most `limit` besides it) and the
    relationships `r` among them; `node` and `edge` project one of each."""
    lim = param_ref(limit)
    return (
        f"MATCH ({labelled('centre', label)} {{id: {param_ref(key)}}}) "
        f"CALL (centre) {{ MATCH (centre)-[*1..{int(depth)}]-(m) WHERE m <> centre "
        "RETURN collect(DISTINCT m) AS found } "
        f"WITH [centre] + found[..{lim}] AS ns, size(found) > {lim} "
        "AS truncated "
        f"CALL (ns) {{ UNWIND ns AS n RETURN collect({node}) AS nodes }} "
        f"CALL (ns) {{ UNWIND ns AS x MATCH (x)-[r]->(y) WHERE y IN ns "
        f"WITH DISTINCT r RETURN collect({edge}) AS edges }} "
        "RETURN nodes, edges, truncated"
    )


# --- timeline -----------------------------------------------------------------------------------

TIMELINE_DATE = "d"
TIMELINE_KIND = "labels(x)[0]"
TIMELINE_TITLE = "x.title"


def takes_part_with(organisation: str) -> str:
    return f"EXISTS {{ (:{_ORG} {{id: {param_ref(organisation)}}})-[:{TAKES_PART}]->(x) }}"


def takes_part_from(country: str) -> str:
    """An organisation of the country takes part, or the item is placed there, or nothing
    places it anywhere: an event whose participants no source names (the 2024-06-05
    roundtable) is not known to be another country's, and leaving it out lost it."""
    c = param_ref(country)
    return (
        f"(EXISTS {{ (o:{_ORG})-[:{TAKES_PART}]->(x) WHERE o.country = {c} }} "
        f"OR x.{PLACE_COUNTRY} = {c} "
        f"OR (x.{PLACE_COUNTRY} IS NULL AND NOT EXISTS {{ (:{_ORG})-[:{TAKES_PART}]->(x) }}))"
    )


def dated_from(since: str) -> str:
    return f"d >= {param_ref(since)}"


def dated_until(until: str) -> str:
    return f"d <= {param_ref(until)}"


def timeline(conds: list[str], first: str, item: str) -> str:
    """Dated agreements (signed), events (date) and projects (start), oldest first."""
    agreement, event, project = (
        checked_label(Label.AGREEMENT),
        checked_label(Label.EVENT),
        checked_label(Label.PROJECT),
    )
    return (
        f"CALL () {{ MATCH (x:{agreement}) RETURN x, x.signed AS d "
        f"UNION MATCH (x:{event}) RETURN x, x.date AS d "
        f"UNION MATCH (x:{project}) RETURN x, x.start AS d }} "
        f"WITH x, d WHERE d IS NOT NULL AND {' AND '.join(conds)} "
        f"ORDER BY d, x.id LIMIT {param_ref(first)} RETURN {item} AS item"
    )


# --- facets -------------------------------------------------------------------------------------

ORGANISATION_GROUPS = {
    "byCountry": "coalesce(n.country, 'unknown')",
    "byKind": "n.kind",
    "byStatus": "n.status",
    "byDecade": "CASE WHEN n.established IS NULL THEN 'unknown' "
    "ELSE toString(n.established / 10 * 10) + 's' END",
}
AGREEMENT_GROUPS = {
    "byYear": "coalesce(toString(n.signed.year), 'unknown')",
    "byKind": "n.kind",
}
AGREEMENT_EXTREMES = {"firstSigned": "min(n.signed)", "lastSigned": "max(n.signed)"}
PROJECT_GROUPS = {
    "byYear": "coalesce(toString(n.start.year), 'unknown')",
    "byProgramme": "coalesce(n.programme, 'unknown')",
    "byFundingScheme": f"coalesce(n.{FUNDING_SCHEME}, 'unknown')",
    "byStatus": "n.status",
    # A project counts once in each country it has participants in.
    "byCountry": "coalesce(o.country, 'unknown')",
}
PROJECT_THROUGH = {"byCountry": "MATCH (n)<-[:PARTICIPATES_IN]-(o:Organisation)"}
PROJECT_EXTREMES = {"firstStart": "min(n.start)", "lastEnd": "max(n.end)"}


def facets(
    label: Label,
    cond: str,
    total: bool,
    groups: dict[str, str],
    extremes: dict[str, str],
    through: dict[str, str] | None = None,
) -> str | None:
    """One subquery per facet asked for (`groups` and `extremes` only those), over the nodes
    `n` meeting `cond`; None when none is asked. `through`: a facet's pattern from `n` to what
    it groups by (each `n` counted once per distinct value)."""
    name = checked_label(label)
    parts, returns = [], []
    if total:
        parts.append(f"CALL () {{ MATCH (n:{name}) WHERE {cond} RETURN count(n) AS total }}")
        returns.append("total")
    for facet, expr in groups.items():
        pattern = (through or {}).get(facet)
        value = (
            f"{pattern} WITH DISTINCT n, {expr} AS value WITH value"
            if pattern
            else f"WITH {expr} AS value"
        )
        parts.append(
            f"CALL () {{ MATCH (n:{name}) WHERE {cond} {value}, count(*) AS n "
            f"ORDER BY n DESC, value RETURN collect({{value: value, count: n}}) AS "
            f"{ident(facet)} }}"
        )
        returns.append(facet)
    for facet, expr in extremes.items():
        parts.append(f"CALL () {{ MATCH (n:{name}) WHERE {cond} RETURN {expr} AS {ident(facet)} }}")
        returns.append(facet)
    if not returns:
        return None
    return " ".join(parts) + " RETURN " + ", ".join(returns)
