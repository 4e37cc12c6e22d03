"""The load's clients: a seeded mix of reads and writes over HTTP, and a ledger of every write.

Every write is recorded with what the server answered: ACKED (`Upserted` or `Retracted`, with
the version), CONFLICT (a stale `expectedVersion`), REFUSED (refused before any Cypher ran:
nothing can have been written) or UNKNOWN (a 503, a 5xx, an error, a timeout: the write may or
may not have been committed). `bench.lostwrites` later holds the graph against this ledger.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx
import orjson

PREFIX = "lt-"  # every record the load writes has an id starting with it
SHARED_NAME = "Loadtest Shared Record {}"
ORGS_PER_CLIENT = 4
PEOPLE_PER_CLIENT = 2
AGREEMENTS_USED = 3
RETRY_CAP_S = 0.5  # Retry-After is honoured, but shortened: the run must stay bounded
TRANSPORT_PAUSE_S = 0.1

NODE = (
    "query Node($id: ID!) { node(id: $id) { id ... on Organisation { name country "
    "description } ... on Person { name email } } }"
)
ORGANISATIONS = (
    "query Orgs($country: String!) { organisations(where: {country: {eq: $country}}, first: 20) "
    "{ totalCount edges { node { id name kind } } } }"
)
SEARCH = (
    "query Search($text: String!) { search(text: $text, first: 10) "
    "{ edges { score node { id } } } }"
)
COLLABORATIONS = (
    '{ collaborations(countries: ["EE", "KR"], first: 20) { kind since organisation { name } '
    "partner { name } } }"
)
AUDIT_HEAD = "query Head($target: ID!) { auditLog(target: $target, first: 1) { version } }"
_FAILURES = (
    "... on Conflict { actualVersion } ... on ValidationFailed { problems { field message } } "
    "... on NotFound { message }"
)
RESULT = f"__typename ... on Upserted {{ id version }} {_FAILURES}"
RETRACT_RESULT = f"__typename ... on Retracted {{ id }} {_FAILURES}"
UPSERT_ORG = (
    "mutation Org($record: JSON!, $source: CitationInput!, $v: Int) { "
    f"upsertOrganisation(record: $record, source: $source, expectedVersion: $v) {{ {RESULT} }} }}"
)
UPSERT_PERSON = (
    "mutation Person($record: JSON!, $source: CitationInput!, $v: Int) { "
    f"upsertPerson(record: $record, source: $source, expectedVersion: $v) {{ {RESULT} }} }}"
)
LINK = (
    "mutation Link($from: ID!, $to: ID!, $source: CitationInput!) { link(kind: PARTY, "
    f'from: $from, to: $to, role: "witness", source: $source) {{ {RESULT} }} }}'
)
UNLINK = (
    "mutation Unlink($from: ID!, $to: ID!) { "
    f"unlink(kind: PARTY, from: $from, to: $to) {{ {RETRACT_RESULT} }} }}"
)
SEARCH_WORDS = ("Tartu", "Gangwon", "Technopark", "Biobank", "Loadtest", "health", "Estonia")
# GraphQL error codes raised before any Cypher runs: such a write cannot have been applied.
REFUSAL_CODES = frozenset({"FORBIDDEN", "UNAUTHENTICATED", "RATE_LIMITED", "BAD_USER_INPUT"})
REFUSAL_STATUSES = frozenset({400, 401, 403, 405, 406, 413, 415, 422, 429})


class Outcome(StrEnum):
    ACKED = "acked"
    CONFLICT = "conflict"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Options:
    clients: int = 8
    seconds: float = 30.0
    max_requests: int = 200_000
    write_share: float = 0.3
    shared_records: int = 3
    seed: int = 7
    timeout_s: float = 15.0  # per request; over the API's own Neo4j timeout


@dataclass(slots=True)
class Sample:
    kind: str
    start: float  # seconds since the run began
    ms: float
    status: int | None  # None: no HTTP answer (transport error)
    error: str | None  # None: a clean answer
    retry_after: str | None = None


@dataclass(slots=True)
class Write:
    client: int  # -1: the setup
    seq: int  # the client's own order
    action: str  # upsertOrganisation | upsertPerson | link | unlink
    target: str  # a global id; for links the organisation
    other: str | None  # for links the agreement
    token: str | None  # the value this write puts in the record (description or email)
    expected: int | None
    outcome: Outcome
    version: int | None
    at: float
    shared: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int | None
    body: dict[str, Any] | None
    error: str | None
    retry_after: str | None


@dataclass(frozen=True, slots=True)
class World:
    """What the clients draw from: seed ids, the agreements they link to, the shared records."""

    org_ids: list[str]
    agreement_ids: list[str]
    shared_ids: list[str]
    # A source of the seeds, cited by every write. Not one the load creates: a source created
    # by an upsert (`title` given) belongs to that record's load unit, and goes when the record
    # is rewritten without it.
    source_id: str


def require_loopback(url: str) -> None:
    """The load is only ever pointed at this machine."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(f"refusing to load {url}: only loopback targets (127.0.0.1, ::1)")


class Run:
    """The shared state of one run: the clock, the bounds, every sample and every write."""

    def __init__(self, url: str, key: str, options: Options) -> None:
        require_loopback(url)
        self.url = url
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.options = options
        self.began = time.monotonic()
        self.deadline = options.seconds
        self.holds = 0  # while > 0 (a fault being injected) the run does not end on time
        self.requests = 0
        self.samples: list[Sample] = []
        self.writes: list[Write] = []

    def now(self) -> float:
        return time.monotonic() - self.began

    def over(self) -> bool:
        if self.requests >= self.options.max_requests:
            return True
        return self.holds == 0 and self.now() >= self.deadline

    async def call(
        self, http: httpx.AsyncClient, kind: str, query: str, variables: dict[str, Any]
    ) -> Reply:
        self.requests += 1
        start = self.now()
        content = orjson.dumps({"query": query, "variables": variables})
        try:
            response = await http.post(self.url, content=content, headers=self.headers)
        except httpx.TransportError as exc:
            failed = f"transport:{type(exc).__name__}"
            self.samples.append(Sample(kind, start, (self.now() - start) * 1000, None, failed))
            await asyncio.sleep(TRANSPORT_PAUSE_S)
            return Reply(None, None, failed, None)
        ms = (self.now() - start) * 1000
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        status = response.status_code
        retry_after = response.headers.get("retry-after")
        error: str | None = None
        if status == 503:
            error = "503"
        elif status != 200:
            error = f"http:{status}"
        elif not isinstance(body, dict):
            error = "not-json"
        elif body.get("errors"):
            codes = {(e.get("extensions") or {}).get("code") for e in body["errors"]}
            error = "graphql:" + ",".join(sorted(str(c) for c in codes))
        self.samples.append(Sample(kind, start, ms, status, error, retry_after))
        if status in (429, 503):
            await asyncio.sleep(min(_seconds(retry_after), RETRY_CAP_S))
        return Reply(status, body if isinstance(body, dict) else None, error, retry_after)


def _seconds(retry_after: str | None) -> float:
    try:
        return max(0.0, float(retry_after or "1"))
    except ValueError:
        return 1.0


def classify(reply: Reply, field_name: str) -> tuple[Outcome, dict[str, Any] | None]:
    """What a write's reply says about whether it was applied."""
    if reply.status in REFUSAL_STATUSES:
        return Outcome.REFUSED, None
    data = ((reply.body or {}).get("data") or {}).get(field_name)
    if reply.status != 200 or not isinstance(data, dict):
        errors = (reply.body or {}).get("errors") or []
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        if reply.status == 200 and codes and codes <= REFUSAL_CODES:
            return Outcome.REFUSED, None
        return Outcome.UNKNOWN, None
    kind = data.get("__typename")
    if kind in ("Upserted", "Retracted"):
        return Outcome.ACKED, data
    if kind == "Conflict":
        return Outcome.CONFLICT, data
    return Outcome.REFUSED, data


@dataclass(slots=True)
class Client:
    """One client: its own records (known versions, None when unknown) and a seeded choice."""

    index: int
    run: Run
    world: World
    rng: random.Random
    seq: int = 0
    orgs: dict[str, int | None] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)  # organisations known to exist
    people: dict[str, int | None] = field(default_factory=dict)
    employers: dict[str, str] = field(default_factory=dict)
    shared: dict[str, int | None] = field(default_factory=dict)

    async def go(self, http: httpx.AsyncClient) -> None:
        reads: list[tuple[Callable[[httpx.AsyncClient], Awaitable[None]], int]] = [
            (self.read_node, 40),
            (self.read_organisations, 20),
            (self.read_search, 25),
            (self.read_collaborations, 15),
        ]
        writes: list[tuple[Callable[[httpx.AsyncClient], Awaitable[None]], int]] = [
            (self.write_own_org, 30),
            (self.write_shared_org, 35),
            (self.write_person, 15),
            (self.write_link, 20),
        ]
        while not self.run.over():
            pool = writes if self.rng.random() < self.run.options.write_share else reads
            (op,) = self.rng.choices([p[0] for p in pool], weights=[p[1] for p in pool])
            await op(http)

    # -- reads -----------------------------------------------------------------------------

    async def read_node(self, http: httpx.AsyncClient) -> None:
        ids = [f"Organisation:{i}" for i in (*self.world.org_ids, *self.created)]
        await self.run.call(http, "read node", NODE, {"id": self.rng.choice(ids)})

    async def read_organisations(self, http: httpx.AsyncClient) -> None:
        country = self.rng.choice(["EE", "KR"])
        await self.run.call(http, "read organisations", ORGANISATIONS, {"country": country})

    async def read_search(self, http: httpx.AsyncClient) -> None:
        word = self.rng.choice(SEARCH_WORDS)
        await self.run.call(http, "read search", SEARCH, {"text": word})

    async def read_collaborations(self, http: httpx.AsyncClient) -> None:
        await self.run.call(http, "read collaborations", COLLABORATIONS, {})

    # -- writes ----------------------------------------------------------------------------

    def _citation(self) -> dict[str, str]:
        return {"source": self.world.source_id, "where": f"client {self.index} write {self.seq}"}

    def _token(self) -> str:
        return f"c{self.index}.w{self.seq}"

    async def _upsert(
        self,
        http: httpx.AsyncClient,
        kind: str,
        query: str,
        action: str,
        record: dict[str, Any],
        known: dict[str, int | None],
        token: str,
        shared: bool = False,
    ) -> Outcome:
        key = record["id"]
        expected = known.get(key)
        variables = {"record": record, "source": self._citation(), "v": expected}
        reply = await self.run.call(http, kind, query, variables)
        outcome, data = classify(reply, action)
        type_name = "Organisation" if action == "upsertOrganisation" else "Person"
        target = f"{type_name}:{key}"
        version: int | None = None
        note = ""
        if outcome is Outcome.ACKED and data is not None:
            version = int(data["version"])
            known[key] = version
            if data.get("id") != target:  # merged into another record by entity resolution
                note = f"written as {data.get('id')}"
        elif outcome is Outcome.CONFLICT and data is not None:
            known[key] = data.get("actualVersion")
        elif outcome is Outcome.UNKNOWN:
            known[key] = None  # it may have been applied: the version is no longer known
        elif outcome is Outcome.REFUSED:
            note = orjson.dumps(data or reply.body).decode()[:300]
        self.run.writes.append(
            Write(
                self.index,
                self.seq,
                action,
                target,
                None,
                token,
                expected,
                outcome,
                version,
                self.run.now(),
                shared,
                note,
            )
        )
        self.seq += 1
        return outcome

    async def write_own_org(self, http: httpx.AsyncClient) -> None:
        if len(self.orgs) < ORGS_PER_CLIENT:
            key = f"{PREFIX}c{self.index}-o{len(self.orgs)}"
            self.orgs[key] = None
        else:
            key = self.rng.choice(sorted(self.orgs))
        token = self._token()
        record = org_record(key, f"Loadtest Client {self.index} Org {key[-1]}", token)
        outcome = await self._upsert(
            http, "write org (own)", UPSERT_ORG, "upsertOrganisation", record, self.orgs, token
        )
        if outcome is Outcome.ACKED and key not in self.created:
            self.created.append(key)

    async def write_shared_org(self, http: httpx.AsyncClient) -> None:
        if not self.world.shared_ids:
            await self.write_own_org(http)
            return
        index = self.rng.randrange(len(self.world.shared_ids))
        key = self.world.shared_ids[index]
        if self.shared.get(key) is None:
            # Not known (never read, or a write of unknown outcome): read it from the audit log,
            # since nodes do not expose their version.
            reply = await self.run.call(
                http, "read auditLog", AUDIT_HEAD, {"target": f"Organisation:{key}"}
            )
            entries = ((reply.body or {}).get("data") or {}).get("auditLog") or []
            if not entries:
                return
            self.shared[key] = entries[0]["version"]
        token = self._token()
        record = org_record(key, SHARED_NAME.format(index), token)
        await self._upsert(
            http,
            "write org (shared)",
            UPSERT_ORG,
            "upsertOrganisation",
            record,
            self.shared,
            token,
            shared=True,
        )

    async def write_person(self, http: httpx.AsyncClient) -> None:
        if not self.created:
            await self.write_own_org(http)
            return
        if len(self.people) < PEOPLE_PER_CLIENT:
            key = f"{PREFIX}c{self.index}-p{len(self.people)}"
            self.people[key] = None
            # Always the same organisation per person: the position is part of the record.
            self.employers[key] = self.rng.choice(self.created)
        else:
            key = self.rng.choice(sorted(self.people))
        token = f"{self._token()}@loadtest.invalid"
        record = {
            "id": key,
            "names": [{"value": f"Loadtest Person {self.index} {key[-1]}", "lang": "en"}],
            "email": token,
            "positions": [{"organisation": self.employers[key], "title": "Load tester"}],
        }
        await self._upsert(
            http, "write person", UPSERT_PERSON, "upsertPerson", record, self.people, token
        )

    async def write_link(self, http: httpx.AsyncClient) -> None:
        if not self.created:
            await self.write_own_org(http)
            return
        org = f"Organisation:{self.rng.choice(self.created)}"
        agreement = f"Agreement:{self.rng.choice(self.world.agreement_ids)}"
        linking = self.rng.random() < 0.6
        action = "link" if linking else "unlink"
        variables: dict[str, Any] = {"from": org, "to": agreement}
        if linking:
            variables["source"] = self._citation()
        reply = await self.run.call(http, f"write {action}", LINK if linking else UNLINK, variables)
        outcome, _ = classify(reply, action)
        self.run.writes.append(
            Write(
                self.index,
                self.seq,
                action,
                org,
                agreement,
                None,
                None,
                outcome,
                None,
                self.run.now(),
            )
        )
        self.seq += 1


def org_record(key: str, name: str, token: str) -> dict[str, Any]:
    return {
        "id": key,
        "kind": "company",
        "names": [{"value": name, "lang": "en"}],
        "location": {"country": "EE"},
        "description": token,
    }


async def prepare(run: Run, http: httpx.AsyncClient) -> World:
    """The shared records (created through the API, so their first version is in the ledger)
    and the seed ids the clients read and link to."""
    page = await run.call(
        http, "setup", "{ organisations(first: 50) { edges { node { key } } } }", {}
    )
    org_ids = [e["node"]["key"] for e in _data(page, "organisations")["edges"]]
    agreements = await run.call(
        http, "setup", "{ agreements(first: 20) { edges { node { key } } } }", {}
    )
    agreement_ids = [e["node"]["key"] for e in _data(agreements, "agreements")["edges"]]
    sources = await run.call(http, "setup", "{ sources(first: 1) { edges { node { key } } } }", {})
    source_ids = [e["node"]["key"] for e in _data(sources, "sources")["edges"]]
    if not org_ids or not agreement_ids or not source_ids:
        raise RuntimeError("the graph has no organisations or agreements: load the seeds first")
    shared_ids = []
    for index in range(run.options.shared_records):
        key = f"{PREFIX}shared-{index}"
        token = f"setup.{index}"
        variables = {
            "record": org_record(key, SHARED_NAME.format(index), token),
            "source": {"source": source_ids[0], "where": "load test setup"},
            "v": None,
        }
        reply = await run.call(http, "setup", UPSERT_ORG, variables)
        outcome, data = classify(reply, "upsertOrganisation")
        if outcome is not Outcome.ACKED or data is None:
            raise RuntimeError(f"could not create the shared record {key}: {reply.body}")
        run.writes.append(
            Write(
                -1,
                index,
                "upsertOrganisation",
                f"Organisation:{key}",
                None,
                token,
                None,
                outcome,
                int(data["version"]),
                run.now(),
                shared=True,
            )
        )
        shared_ids.append(key)
    return World(org_ids, agreement_ids[:AGREEMENTS_USED], shared_ids, source_ids[0])


def _data(reply: Reply, name: str) -> dict[str, Any]:
    data = ((reply.body or {}).get("data") or {}).get(name)
    if not isinstance(data, dict):
        raise RuntimeError(f"setup query {name} failed: {reply.status} {reply.body}")
    return data


def http_client(options: Options, clients: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    return httpx.AsyncClient(timeout=options.timeout_s, limits=limits, trust_env=False)


async def drive(run: Run, world: World, http: httpx.AsyncClient) -> None:
    """N clients until the run is over."""
    clients = [
        Client(i, run, world, random.Random(run.options.seed * 1000 + i))
        for i in range(run.options.clients)
    ]
    await asyncio.gather(*(c.go(http) for c in clients))
