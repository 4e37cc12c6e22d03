"""Settings read once from the environment at start-up and passed in; never read at import time."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as _SourceError

from graph.errors import SettingsError

# An origin as browsers send it: scheme, host, optional port; no path.
_ORIGIN = re.compile(r"^https?://[^/\s,]+$")


def _env(name: str) -> Any:
    """A field read from an environment variable that is not PARTNERGRAPH_<FIELD NAME>."""
    return AliasChoices(name)


class Settings(BaseSettings):
    """Everything configurable, from `NEO4J_*` and `PARTNERGRAPH_*` environment variables.

    In code, fields go by name (`Settings(max_depth=3)`); in the environment a field is
    `PARTNERGRAPH_<NAME>` unless its `validation_alias` names the variable (the NEO4J_* ones and
    a few older, shorter names). Unknown keyword arguments are refused rather than ignored.

    When `neo4j_uri` is unset the project runs its own local Neo4j (see `graph.dbserver`) and
    reads the generated password from that server's data directory.
    """

    model_config = SettingsConfigDict(
        env_prefix="PARTNERGRAPH_", extra="forbid", frozen=True, validate_by_name=True
    )

    neo4j_uri: str | None = Field(
        default=None,
        pattern=r"^(neo4j|bolt)(\+s|\+ssc)?://\S+$",
        validation_alias=_env("NEO4J_URI"),
    )
    neo4j_user: str = Field(default="neo4j", min_length=1, validation_alias=_env("NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(default=None, validation_alias=_env("NEO4J_PASSWORD"))
    neo4j_database: str = Field(
        default="neo4j", min_length=1, validation_alias=_env("NEO4J_DATABASE")
    )
    # Every call to Neo4j is bounded: nothing may hang a request or a load forever.
    neo4j_timeout_s: float = Field(default=30.0, gt=0, validation_alias=_env("NEO4J_TIMEOUT"))

    home: Path = Path(".partnergraph")
    bolt_port: int = Field(default=7687, ge=1, le=65535)
    heap: str = Field(
        default="2g", pattern=r"^\d+[mg]$", validation_alias=_env("PARTNERGRAPH_NEO4J_HEAP")
    )

    # Reading is open unless this is set; writing always needs an editor or admin key.
    require_key_for_reads: bool = Field(
        default=False, validation_alias=_env("PARTNERGRAPH_REQUIRE_KEY")
    )
    # Requests a second per API key, and per client address for anonymous clients (bursts
    # up to `rate_burst`).
    rate_per_second: float = Field(default=50.0, gt=0, validation_alias=_env("PARTNERGRAPH_RATE"))
    rate_burst: int = Field(default=100, ge=1)

    api_host: str = Field(
        default="127.0.0.1", min_length=1, validation_alias=_env("PARTNERGRAPH_HOST")
    )
    api_port: int = Field(default=8000, ge=1, le=65535, validation_alias=_env("PARTNERGRAPH_PORT"))
    # Comma-separated (`https://a.example,https://b.example`) or a JSON list; `*` for any.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Connections (graph/api/http/headerdeadline.py, bodydeadline.py, perclient.py): request headers
    # must be in within `header_timeout_s` and the body within `body_timeout_s` after them
    # (else 408 and close); one client address may have `max_client_requests` requests in
    # flight (else 429; bench/loadtest.py runs 32 from 127.0.0.1); uvicorn holds at most
    # `max_connections` connections (else its own 503).
    header_timeout_s: float = Field(
        default=10.0, gt=0, validation_alias=_env("PARTNERGRAPH_HEADER_TIMEOUT")
    )
    # Request line and headers together (else 431 and close); h11's own cap is 16 KiB, nginx's
    # default buffers 32 KiB.
    max_header_bytes: int = Field(default=32768, ge=1024)
    body_timeout_s: float = Field(
        default=10.0, gt=0, validation_alias=_env("PARTNERGRAPH_BODY_TIMEOUT")
    )
    max_client_requests: int = Field(default=64, ge=1)
    max_connections: int = Field(default=1000, ge=1)
    # A response whose client reads nothing for this long is dropped
    # (graph/api/http/headerdeadline.py).
    send_timeout_s: float = Field(
        default=30.0, gt=0, validation_alias=_env("PARTNERGRAPH_SEND_TIMEOUT")
    )
    # Exports at once, in all and per client address (graph/api/http/exportslots.py): in all below
    # the sync driver's pool of 100 connections, so that an export never waits for one.
    max_exports: int = Field(default=8, ge=1, le=64)
    max_client_exports: int = Field(default=2, ge=1)

    # Query limits (graph/api/execution/limits/rules.py): abusive queries are refused before any
    # Cypher runs.
    max_depth: int = Field(default=10, ge=1)
    max_tokens: int = Field(default=2000, ge=1)
    max_aliases: int = Field(default=30, ge=0)
    # Estimated rows (graph/api/execution/limits/rules.py): 250k admits an agency's two-hop question
    # with provenance (~70k) and refuses a three-hop fan-out over pages of 100 (millions).
    max_cost: int = Field(default=250_000, ge=1)
    max_body_bytes: int = Field(default=100_000, ge=1)
    max_repeats: int = Field(default=10, ge=1)
    # Comparisons in the `where` filters of one query (graph/api/execution/limits/width.py): Neo4j's
    # planner took 0.2 s on an OR of 100 and 7 s on one of 110; planning ignores the timeout.
    max_filter_terms: int = Field(default=50, ge=1)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not _ORIGIN.match(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: expected '*' or scheme://host[:port] such "
                    "as https://partners.example, comma-separated"
                )
        return value

    @property
    def uses_local_server(self) -> bool:
        return self.neo4j_uri is None


def variable(field: str) -> str:
    """The environment variable that sets `field`."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()


def _problem(error: Any, environ: dict[str, str]) -> str:
    field = str(error["loc"][0]) if error.get("loc") else ""
    name = variable(field) if field in Settings.model_fields else field
    if "secret" in field or "password" in field:
        value = "(hidden)"
    else:
        value = repr(environ.get(name.lower(), error.get("input")))
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{name}={value}: {message}"


def load_settings() -> Settings:
    """Read the environment once; callers pass the result down. A bad value is a SettingsError
    naming the variable, its value and what is expected."""
    environ = {k.lower(): v for k, v in os.environ.items()}
    try:
        return Settings()
    except ValidationError as exc:
        problems = [_problem(e, environ) for e in exc.errors()]
    except (_SourceError, json.JSONDecodeError) as exc:
        problems = [str(exc)]
    raise SettingsError(problems)
