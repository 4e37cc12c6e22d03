"""The Cypher of `partners`: candidates from bounded neighbourhoods, then one score per candidate.

The first version expanded every path of up to 4 hops and ran a shortest-path search per
candidate; around a hub (thousands of links, other hubs among its neighbours) that is millions
of paths, and it never answered within the timeout. Here the graph walk is bounded:

- shared projects and agreements are counted exactly, by aggregating over the organisation's
  own projects and agreements: work in proportion to its own links, never to its neighbourhood;
- MoU chains go through the `CHAIN_PARTNERS` common partners with the most agreements with it,
  and through at most `CHAIN_LINKS` of their agreements in all;
- the distance comes from a breadth-first walk of 4 hops that follows at most `LINKS_PER_HOP`
  links and keeps at most `NODES_PER_HOP` new nodes per hop, the organisation's most recent
  links first; a candidate beyond it has no distance (or the 2 or 4 hops its shared agreements
  or MoU chains prove);
- topic-only candidates are the best `first` by number of shared topics: nothing else could
  rank above them, since all else they would score comes from the walk.

The bounds are large enough that around ordinary organisations, even next to a hub, none is
reached and the answer is the exact one (checked on the benchmark's 100k graph).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.project import param_ref

NODES_PER_HOP = 10_000
LINKS_PER_HOP = 30_000
CHAIN_PARTNERS = 100
CHAIN_LINKS = 20_000
# What the walk leaves out, in the schema's descriptions.
BOUNDS = (
    "Around organisations with many links the graph walk is bounded: at most "
    f"{LINKS_PER_HOP:,} links followed and {NODES_PER_HOP:,} nodes kept per hop (the most "
    f"recent links first), MoU chains through at most {CHAIN_LINKS:,} agreements of the "
    f"{CHAIN_PARTNERS} common partners with most agreements."
)

_ORG = checked_label(Label.ORGANISATION)
_PROJECT = checked_label(Label.PROJECT)
_AGREEMENT = checked_label(Label.AGREEMENT)
_PARTY_TO = checked_type(RelType.PARTY_TO)
_PARTICIPATES_IN = checked_type(RelType.PARTICIPATES_IN)
# Values of a suggestion, as the scoring query names them: a selected field reads its column.
COLUMNS = frozenset(
    {"score", "distance", "sharedProjects", "mouChain", "sharedAgreements", "sharedTopics"}
    | {"reasons"}
)

# Orders an organisation's links most recent first: agreements by signature, projects by start,
# events by date; people and organisations (undated) after them.
_RECENT = "coalesce(n.signed, n.start, n.date)"


@dataclass(frozen=True, slots=True)
class Bounds:
    """Parameter references ("$p3") of the bounds and of the page size."""

    first: str
    nodes_per_hop: str
    links_per_hop: str
    chain_partners: str
    chain_links: str


def _hop(b: Bounds, prev: str, seen: list[str], out: str, last: bool) -> str:
    """One hop of the walk: at most `links_per_hop` links from the nodes of `prev`, in order."""
    target = f"(n:{_ORG})" if last else "(n)"
    unseen = " AND ".join(f"NOT n IN {s}" for s in seen)
    # The last hop only looks for organisations, and keeps every one it finds.
    limit = "" if last else f"LIMIT {b.nodes_per_hop} "
    return (
        f"CALL (o, {', '.join(seen)}) {{ UNWIND {prev} AS m MATCH (m)--{target} "
        f"WITH n LIMIT {b.links_per_hop} "
        f"WITH DISTINCT n WHERE n <> o AND {unseen} {limit}"
        f"RETURN collect(n) AS {out} }} "
    )


def candidate_rows(b: Bounds, conds: str) -> str:
    """`CALL (o) {...}` giving rows (cand, projects, agreements, chain, distance): one or more
    per candidate, to be summed (and the least distance taken). `conds` (over `cand`) selects
    the topic-only candidates; the caller applies it to the others after summing.
    """
    walk = (
        "CALL (o) { MATCH (o)--(n) WHERE n <> o "
        f"WITH DISTINCT n ORDER BY n:{_ORG} DESC, {_RECENT} IS NULL, {_RECENT} DESC, n.id "
        f"LIMIT {b.nodes_per_hop} RETURN collect(n) AS hop1 }} "
        + _hop(b, "hop1", ["hop1"], "hop2", last=False)
        + _hop(b, "hop2", ["hop1", "hop2"], "hop3", last=False)
        + _hop(b, "hop3", ["hop1", "hop2", "hop3"], "hop4", last=True)
    )
    return (
        "CALL (o) { "
        # Shared projects and agreements: exact. Either one puts the two 2 hops apart.
        f"MATCH (o)-[:{_PARTICIPATES_IN}]->(:{_PROJECT})<-[:{_PARTICIPATES_IN}]-(cand:{_ORG}) "
        "WHERE cand <> o "
        "RETURN cand, count(*) AS projects, 0 AS agreements, 0 AS chain, 2 AS distance "
        "UNION ALL "
        f"MATCH (o)-[:{_PARTY_TO}]->(:{_AGREEMENT})<-[:{_PARTY_TO}]-(cand:{_ORG}) WHERE cand <> o "
        "RETURN cand, 0 AS projects, count(*) AS agreements, 0 AS chain, 2 AS distance "
        "UNION ALL "
        # MoU chains o -> a1 <- mid -> a2 <- cand: one per pair (a1, a2) of different agreements.
        f"MATCH (o)-[:{_PARTY_TO}]->(a1:{_AGREEMENT})<-[:{_PARTY_TO}]-(mid:{_ORG}) WHERE mid <> o "
        f"WITH o, mid, collect(a1) AS via ORDER BY size(via) DESC, mid.id "
        f"LIMIT {b.chain_partners} "
        f"MATCH (mid)-[:{_PARTY_TO}]->(a2:{_AGREEMENT}) "
        f"WITH o, mid, via, a2 LIMIT {b.chain_links} "
        f"MATCH (a2)<-[:{_PARTY_TO}]-(cand:{_ORG}) WHERE cand <> mid AND cand <> o "
        "WITH cand, sum(size(via) - CASE WHEN a2 IN via THEN 1 ELSE 0 END) AS chain "
        "WHERE chain > 0 "
        "RETURN cand, 0 AS projects, 0 AS agreements, chain, 4 AS distance "
        "UNION ALL "
        "WITH o " + walk + "UNWIND [[hop1, 1], [hop2, 2], [hop3, 3], [hop4, 4]] AS hop "
        f"UNWIND hop[0] AS cand WITH cand, hop[1] AS distance WHERE cand:{_ORG} "
        "RETURN cand, 0 AS projects, 0 AS agreements, 0 AS chain, distance "
        "UNION ALL "
        # Topic-only candidates: a scan of organisations, but no walk from each.
        f"WITH o WHERE size(coalesce(o.topics, [])) > 0 MATCH (cand:{_ORG}) "
        f"WHERE {conds} AND any(t IN coalesce(cand.topics, []) WHERE t IN o.topics) "
        "WITH cand, size([t IN cand.topics WHERE t IN o.topics]) AS shared "
        f"ORDER BY shared DESC, cand.id LIMIT {b.first} "
        "RETURN cand, 0 AS projects, 0 AS agreements, 0 AS chain, null AS distance "
        "} "
    )


CANDIDATE_IS_NOT_SELF = "cand <> o"


def candidate_country(country: str) -> str:
    return f"cand.country = {param_ref(country)}"


def candidate_kind_in(kinds: str) -> str:
    return f"cand.kind IN {param_ref(kinds)}"


def candidate_topic(topic: str) -> str:
    return f"{param_ref(topic)} IN coalesce(cand.topics, [])"


def partners(key: str, b: Bounds, conds: list[str], item: str) -> str:
    """Suggestions for the organisation `o` with id `key`: candidates `cand` meeting every one of
    `conds`, scored and ranked; `item` projects one (over `cand` and the COLUMNS).

    The weights say what a partner search values most: working together already on a
    programme (3), an agreement together or with a common partner (2), a shared topic (1),
    closeness (0.5 per hop under 5).
    """
    where = " AND ".join(conds)
    return (
        f"MATCH (o:{_ORG} {{id: {param_ref(key)}}}) "
        + candidate_rows(b, where)
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
        f"ORDER BY score DESC, cand.id LIMIT {b.first} "
        f"RETURN {item} AS item"
    )
