"""The proof after a load: the graph holds every acknowledged write, and no write half-applied.

Values and links are read back through GraphQL, the audit log through `auditLog`, versions
through the driver (the API does not expose them). Every upsert carries a unique token, so each
applied upsert raises its record's version by exactly one and leaves one audit entry: for a
record whose final version is V, the audit versions must be exactly 1..V, every acknowledged
version among them and none acknowledged twice (two writes acknowledged at one version means one
silently replaced the other). Writes of unknown outcome (503, timeout) may count or not, but
only as a whole: node and audit entry together.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
import orjson

from bench.loadmix import PREFIX, Outcome, Write
from graph.store import Store

CHUNK = 100
LOST_UPDATE = "lost update"
VALUES = (
    "query Values($ids: [ID!]!) { nodes(ids: $ids) { id "
    "... on Organisation { description agreements { agreement { id } } } "
    "... on Person { email positions { organisation { id } } } } }"
)
AUDIT = (
    "query Audit($target: ID!) { auditLog(target: $target, first: 100) { action origin version } }"
)
VERSIONS = (
    "MATCH (n) WHERE (n:Organisation OR n:Person) AND n.id STARTS WITH $prefix "
    "RETURN n.id AS id, n.version AS version"
)
AUDIT_ALL = (
    "MATCH (a:AuditEntry {target: $target}) "
    "RETURN a.action AS action, a.origin AS origin, a.version AS version"
)


@dataclass(slots=True)
class Proof:
    records: int = 0
    links: int = 0
    acked: int = 0
    conflicts: int = 0
    refused: int = 0
    unknown: int = 0
    unknown_applied: int = 0
    audit_entries: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged writes the graph lacks
    half: list[str] = field(default_factory=list)  # writes applied in part (node xor audit)
    anomalies: list[str] = field(default_factory=list)  # odd, but not a lost write

    @property
    def lost_updates(self) -> int:
        """The lost writes that are one concurrent writer overwriting another."""
        return sum(1 for x in self.lost if LOST_UPDATE in x)

    @property
    def holds(self) -> bool:
        return not self.lost and not self.half

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {
            "holds": self.holds,
            "lost_updates": self.lost_updates,
        }


@dataclass(frozen=True, slots=True)
class Graph:
    versions: dict[str, int]  # global id -> version
    values: dict[str, dict[str, Any]]  # global id -> the node as GraphQL returns it
    audit: dict[str, list[dict[str, Any]]]  # target -> entries


async def read_graph(
    url: str, key: str, store: Store, writes: list[Write], http: httpx.AsyncClient
) -> Graph:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    async def gql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = orjson.dumps({"query": query, "variables": variables})
        response = await http.post(url, content=body, headers=headers)
        answer = orjson.loads(response.content)
        if response.status_code != 200 or answer.get("errors"):
            raise RuntimeError(f"reading back failed: {response.status_code} {answer}")
        data: dict[str, Any] = answer["data"]
        return data

    rows = await store.read(VERSIONS, {"prefix": PREFIX})
    by_key = {row["id"]: row["version"] or 0 for row in rows}
    targets = sorted({w.target for w in writes})
    versions = {t: by_key[t.partition(":")[2]] for t in targets if t.partition(":")[2] in by_key}
    values: dict[str, dict[str, Any]] = {}
    for i in range(0, len(targets), CHUNK):
        nodes = (await gql(VALUES, {"ids": targets[i : i + CHUNK]}))["nodes"]
        values.update({n["id"]: n for n in nodes if n is not None})
    audit: dict[str, list[dict[str, Any]]] = {}
    for target in targets:
        entries = (await gql(AUDIT, {"target": target}))["auditLog"]
        if len(entries) == CHUNK:  # more than a page: the driver reads them all
            entries = await store.read(AUDIT_ALL, {"target": target})
        audit[target] = entries
    return Graph(versions, values, audit)


def prove(writes: list[Write], graph: Graph) -> Proof:
    proof = Proof()
    counts = Counter(w.outcome for w in writes)
    proof.acked, proof.conflicts = counts[Outcome.ACKED], counts[Outcome.CONFLICT]
    proof.refused, proof.unknown = counts[Outcome.REFUSED], counts[Outcome.UNKNOWN]
    proof.audit_entries = sum(len(e) for e in graph.audit.values())
    upserts: dict[str, list[Write]] = defaultdict(list)
    links: dict[tuple[str, str], list[Write]] = defaultdict(list)
    for w in writes:
        if w.other is None:
            upserts[w.target].append(w)
        else:
            links[(w.target, w.other)].append(w)
    for target, ws in sorted(upserts.items()):
        _prove_record(proof, target, ws, graph)
    for (org, agreement), ws in sorted(links.items()):
        _prove_link(proof, org, agreement, ws, graph)
    for w in writes:
        if w.note and w.outcome is not Outcome.UNKNOWN:
            proof.anomalies.append(f"{w.action} {w.target} ({w.outcome}): {w.note}")
    return proof


def _prove_record(proof: Proof, target: str, ws: list[Write], graph: Graph) -> None:
    acked = [w for w in ws if w.outcome is Outcome.ACKED]
    unknown = [w for w in ws if w.outcome is Outcome.UNKNOWN]
    if not acked and not unknown:
        return
    proof.records += 1
    action = ws[0].action
    audit = sorted(e["version"] for e in graph.audit.get(target, []) if e["action"] == action)
    final = graph.versions.get(target)
    node = graph.values.get(target)
    if final is None or node is None:
        proof.lost.extend(f"{target}: acknowledged at version {w.version}, gone" for w in acked)
        if audit:
            proof.half.append(f"{target}: no node but audit versions {audit}")
        return
    by_version: dict[int, list[Write]] = defaultdict(list)
    for w in acked:
        by_version[w.version or 0].append(w)
    for version, same in sorted(by_version.items()):
        if len(same) > 1:
            who = ", ".join(f"c{w.client}.w{w.seq}" for w in same)
            # Each writer was told its change is version N; all but one were overwritten.
            proof.lost.extend(
                f"{target}: {LOST_UPDATE}, version {version} acknowledged to {len(same)} writes "
                f"({who})"
                for _ in same[1:]
            )
        if version > final:
            proof.lost.extend(f"{target}: acknowledged {version}, graph at {final}" for _ in same)
    # Half-applied: a version with no audit entry (node written, audit not) or an audit entry
    # beyond the node's version (audit written, node not). A version audited more than once is
    # the lost update above, not half a write.
    audited = Counter(audit)
    missing = [v for v in range(1, final + 1) if v not in audited]
    beyond = [v for v in audited if not 1 <= v <= final]
    extra = [v for v, n in audited.items() if n > max(1, len(by_version.get(v, []))) + len(unknown)]
    if missing or beyond or extra:
        proof.half.append(
            f"{target}: version {final}; audit lacks {missing}, has {beyond} beyond it and "
            f"{extra} too often"
        )
    applied_unknown = final - len(by_version)
    if not 0 <= applied_unknown <= len(unknown):
        proof.anomalies.append(
            f"{target}: version {final} from {len(by_version)} acknowledged versions and "
            f"{len(unknown)} of unknown outcome"
        )
    proof.unknown_applied += max(0, min(applied_unknown, len(unknown)))
    value = node.get("description", node.get("email"))
    top = max(by_version, default=0)
    if acked and top == final:
        if value not in {w.token for w in by_version[top]}:
            proof.lost.append(f"{target}: holds {value!r}, last acknowledged {by_version[top]}")
    elif value not in {w.token for w in unknown}:
        proof.anomalies.append(f"{target}: holds {value!r}, written by no client at {final}")
    if action == "upsertPerson" and not node.get("positions"):
        proof.half.append(f"{target}: the person lost its position")


def _prove_link(proof: Proof, org: str, agreement: str, ws: list[Write], graph: Graph) -> None:
    proof.links += 1
    ws = sorted(ws, key=lambda w: w.seq)  # one client owns the organisation: its order holds
    linked = agreement in {
        a["agreement"]["id"] for a in (graph.values.get(org) or {}).get("agreements", [])
    }
    last_acked = max((i for i, w in enumerate(ws) if w.outcome is Outcome.ACKED), default=None)
    after = 0 if last_acked is None else last_acked + 1
    later_unknown = any(w.outcome is Outcome.UNKNOWN for w in ws[after:])
    if last_acked is not None and not later_unknown:
        want = ws[last_acked].action == "link"
        if linked != want:
            proof.lost.append(f"{org} -> {agreement}: {ws[last_acked].action} acknowledged, lost")
    origin = f"api:link:PARTY:{org.partition(':')[2]}:{agreement.partition(':')[2]}"
    entries = Counter(e["action"] for e in graph.audit.get(org, []) if e["origin"] == origin)
    for action in ("link", "unlink"):
        acked = sum(1 for w in ws if w.action == action and w.outcome is Outcome.ACKED)
        unknown = sum(1 for w in ws if w.action == action and w.outcome is Outcome.UNKNOWN)
        if entries[action] < acked:
            proof.lost.append(
                f"{org} -> {agreement}: {acked} {action} acknowledged, {entries[action]} audited"
            )
        elif entries[action] > acked + unknown:
            proof.half.append(
                f"{org} -> {agreement}: {entries[action]} {action} audited, only {acked} "
                f"acknowledged and {unknown} unknown"
            )
        proof.unknown_applied += max(0, min(entries[action] - acked, unknown))
