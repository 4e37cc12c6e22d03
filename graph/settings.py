"""Settings read once from the environment at start-up and passed in; never read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable, from `NEO4J_*` and `PARTNERGRAPH_*` environment variables.

    When `neo4j_uri` is unset the project runs its own local Neo4j (see `graph.dbserver`) and
    reads the generated password from that server's data directory.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    neo4j_uri: str | None = Field(default=None, alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", alias="NEO4J_DATABASE")
    # Every call to Neo4j is bounded: nothing may hang a request or a load forever.
    neo4j_timeout_s: float = Field(default=30.0, gt=0, alias="NEO4J_TIMEOUT")

    home: Path = Field(default=Path(".partnergraph"), alias="PARTNERGRAPH_HOME")
    bolt_port: int = Field(default=7687, ge=1, le=65535, alias="PARTNERGRAPH_BOLT_PORT")
    heap: str = Field(default="2g", pattern=r"^\d+[mg]$", alias="PARTNERGRAPH_NEO4J_HEAP")

    # Reading is open unless this is set; writing always needs an editor or admin key.
    require_key_for_reads: bool = Field(default=False, alias="PARTNERGRAPH_REQUIRE_KEY")
    # Requests a second per API key, and per client address for anonymous clients (bursts
    # up to `rate_burst`).
    rate_per_second: float = Field(default=50.0, gt=0, alias="PARTNERGRAPH_RATE")
    rate_burst: int = Field(default=100, ge=1, alias="PARTNERGRAPH_RATE_BURST")

    api_host: str = Field(default="127.0.0.1", alias="PARTNERGRAPH_HOST")
    api_port: int = Field(default=8000, ge=1, le=65535, alias="PARTNERGRAPH_PORT")
    cors_origins: list[str] = Field(default_factory=list, alias="PARTNERGRAPH_CORS_ORIGINS")
    # Connections (graph/api/headerdeadline.py, bodydeadline.py, perclient.py): request headers
    # must be in within `header_timeout_s` and the body within `body_timeout_s` after them
    # (else 408 and close); one client address may have `max_client_requests` requests in
    # flight (else 429; bench/loadtest.py runs 32 from 127.0.0.1); uvicorn holds at most
    # `max_connections` connections (else its own 503).
    header_timeout_s: float = Field(default=10.0, gt=0, alias="PARTNERGRAPH_HEADER_TIMEOUT")
    # Request line and headers together (else 431 and close); h11's own cap is 16 KiB, nginx's
    # default buffers 32 KiB.
    max_header_bytes: int = Field(default=32768, ge=1024, alias="PARTNERGRAPH_MAX_HEADER_BYTES")
    body_timeout_s: float = Field(default=10.0, gt=0, alias="PARTNERGRAPH_BODY_TIMEOUT")
    max_client_requests: int = Field(default=64, ge=1, alias="PARTNERGRAPH_MAX_CLIENT_REQUESTS")
    max_connections: int = Field(default=1000, ge=1, alias="PARTNERGRAPH_MAX_CONNECTIONS")
    # A response whose client reads nothing for this long is dropped (graph/api/headerdeadline.py).
    send_timeout_s: float = Field(default=30.0, gt=0, alias="PARTNERGRAPH_SEND_TIMEOUT")
    # Exports at once, in all and per client address (graph/api/exportslots.py): in all below
    # the sync driver's pool of 100 connections, so that an export never waits for one.
    max_exports: int = Field(default=8, ge=1, le=64, alias="PARTNERGRAPH_MAX_EXPORTS")
    max_client_exports: int = Field(default=2, ge=1, alias="PARTNERGRAPH_MAX_CLIENT_EXPORTS")

    # Query limits (graph/api/limits.py): abusive queries are refused before any Cypher runs.
    max_depth: int = Field(default=10, ge=1, alias="PARTNERGRAPH_MAX_DEPTH")
    max_tokens: int = Field(default=2000, ge=1, alias="PARTNERGRAPH_MAX_TOKENS")
    max_aliases: int = Field(default=30, ge=0, alias="PARTNERGRAPH_MAX_ALIASES")
    # Estimated rows (graph/api/limits.py): 250k admits an agency's two-hop question with
    # provenance (~70k) and refuses a three-hop fan-out over pages of 100 (millions).
    max_cost: int = Field(default=250_000, ge=1, alias="PARTNERGRAPH_MAX_COST")
    max_body_bytes: int = Field(default=100_000, ge=1, alias="PARTNERGRAPH_MAX_BODY_BYTES")
    max_repeats: int = Field(default=10, ge=1, alias="PARTNERGRAPH_MAX_REPEATS")
    # Comparisons in the `where` filters of one query (graph/api/filters.py): Neo4j's planner
    # took 0.2 s on an OR of 100 and 7 s on one of 110; planning ignores the timeout.
    max_filter_terms: int = Field(default=50, ge=1, alias="PARTNERGRAPH_MAX_FILTER_TERMS")

    @property
    def uses_local_server(self) -> bool:
        return self.neo4j_uri is None


def load_settings() -> Settings:
    """Read the environment once; callers pass the result down."""
    return Settings()
