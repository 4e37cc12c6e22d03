"""The one error tree of partnergraph; every error carries a stable upper-case `code` and says
what was wrong, where, and what to do.

PartnergraphError
 ├── ConfigError              CONFIG: settings or local tooling (java, mvn) missing or wrong
 │    ├── AssetsMissing       ASSETS_MISSING: the browser assets are not installed as pinned
 │    └── SettingsError       INVALID_SETTING: an environment variable's value is wrong
 ├── ServerError              SERVER: the local Neo4j could not be started, stopped or reached
 │    └── PortBusyError       PORT_BUSY
 ├── StoreError               STORE: anything the Neo4j driver raised, wrapped at graph.store
 │    ├── StoreUnavailable    STORE_UNAVAILABLE: Neo4j cannot be reached, or is stopping
 │    │    └── StoreBusy      STORE_BUSY: a transient conflict between writes (a broken deadlock)
 │    ├── StoreTimeout        STORE_TIMEOUT: Neo4j stopped a query at its time limit
 │    ├── AuthFailed          AUTH_FAILED: Neo4j refused the credentials
 │    └── ConstraintViolation CONSTRAINT_VIOLATION: a write broke a uniqueness constraint
 ├── InputError               INVALID_INPUT: a source is invalid; holds every Problem found
 ├── CellError                INVALID_CELL: one cell of the wrong shape, made a Problem
 ├── ConflictError            CONFLICT: the record changed since the client read it
 ├── NotFoundError            NOT_FOUND: a write names a record the graph does not have
 ├── StillCitedError          STILL_CITED: a source still cited cannot be deleted
 ├── Forbidden                FORBIDDEN: the request's key lacks the role
 ├── Refusal                  (its own code and HTTP status: a request refused before GraphQL)
 ├── InternalError            INTERNAL_SERVER_ERROR: a bug; masked to clients, logged in full
 │    └── CompileError        a selection the compiler cannot turn into Cypher
 └── UserError                BAD_USER_INPUT: a request that cannot be answered as asked
      └── LimitExceeded       (its own code per limit: the request is too big or too costly)

The API gives a GraphQL error `extensions.code` from `code` (graph/api/execution/masking.py); the
CLI maps the classes to exit codes (graph/cli.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class PartnergraphError(Exception):
    code = "ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(PartnergraphError):
    code = "CONFIG"


class AssetsMissing(ConfigError):
    code = "ASSETS_MISSING"


class SettingsError(ConfigError):
    """Settings that cannot be used (graph/settings.py): each problem names the variable, its
    value and what is expected. The CLI exits 2, as for invalid input."""

    code = "INVALID_SETTING"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        text = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"{len(self.problems)} setting(s) cannot be used; nothing was run:\n{text}"
        )


class ServerError(PartnergraphError):
    code = "SERVER"


class PortBusyError(ServerError):
    code = "PORT_BUSY"


class StoreError(PartnergraphError):
    code = "STORE"
    uri: str | None = None  # where Neo4j was expected: for logs and the CLI, not API clients


class StoreUnavailable(StoreError):
    code = "STORE_UNAVAILABLE"


class StoreBusy(StoreUnavailable):
    """Retried by the loads; the API answers 503 with Retry-After, as for an outage."""

    code = "STORE_BUSY"


class StoreTimeout(StoreError):
    """The API answers 504 and says so, rather than a masked database error."""

    code = "STORE_TIMEOUT"


class AuthFailed(StoreError):
    code = "AUTH_FAILED"


class ConstraintViolation(StoreError):
    code = "CONSTRAINT_VIOLATION"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as the format allows."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    id: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.id:
            parts.append(f"id={self.id}")
        if self.field:
            parts.append(f"field={self.field}")
        return f"{' '.join(parts)}: {self.message}"


class InputError(PartnergraphError):
    """Invalid input: every problem of the load, not just the first. Nothing was written."""

    code = "INVALID_INPUT"

    # The message lists this many; the rest are counted (all stay in `problems`).
    SHOWN = 50

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = [f"  {p}" for p in self.problems[: self.SHOWN]]
        if count > self.SHOWN:
            lines.append(f"  ... and {count - self.SHOWN} more")
        text = "\n".join(lines)
        super().__init__(f"{count} problem(s) in the input; nothing was written:\n{text}")


class CellError(PartnergraphError):
    """A cell whose shape is wrong (`person@org` without the `@`, a CORDIS date that is not
    one): the model never sees it; the loader turns it into a Problem of its file, line and
    column (`column`, where the raiser knows it better than its caller)."""

    code = "INVALID_CELL"

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.column = column


class ConflictError(PartnergraphError):
    """Optimistic concurrency: someone else changed the record since the client read it."""

    code = "CONFLICT"

    def __init__(self, node_id: str, expected: int, actual: int | None) -> None:
        self.node_id, self.expected, self.actual = node_id, expected, actual
        super().__init__(
            f"{node_id} is at version {actual if actual is not None else 'none (absent)'}, "
            f"not {expected}: read it again and reapply your change"
        )


class NotFoundError(PartnergraphError):
    """A write names a record that is not in the graph; nothing was written."""

    code = "NOT_FOUND"

    def __init__(self, kind: str, node_id: str) -> None:
        self.kind, self.node_id = kind, node_id
        super().__init__(f"no {kind} with id {node_id!r}: nothing was written")


class StillCitedError(PartnergraphError):
    """A source that facts still cite cannot be deleted; nothing was written."""

    code = "STILL_CITED"

    def __init__(self, source_id: str, nodes: int, relationships: int) -> None:
        self.source_id, self.nodes, self.relationships = source_id, nodes, relationships
        super().__init__(
            f"source {source_id!r} is cited by {nodes} node(s) and {relationships} "
            "relationship(s): delete or re-cite those first"
        )


class Forbidden(PartnergraphError):
    """Decided before any Cypher runs: the request's key (or none) lacks the role."""

    code = "FORBIDDEN"


class UserError(PartnergraphError):
    """A request that cannot be answered as asked (a bad cursor, a page too large, ...)."""

    code = "BAD_USER_INPUT"  # the code GraphQL clients (and schemathesis) read as "your fault"


class LimitExceeded(UserError):
    """A query over one of the limits (graph/api/execution/limits/rules.py): which limit, the
    query's value and the maximum.

    The code is the failed step's (Apollo's names, which clients read as "the client's fault");
    `limit` says which limit.
    """

    code = "GRAPHQL_VALIDATION_FAILED"

    def __init__(
        self, limit: str, value: int | None, maximum: int, message: str, *, code: str = code
    ) -> None:
        super().__init__(message)
        self.code = code
        self.limit = limit
        self.value = value
        self.maximum = maximum

    @property
    def extensions(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "limit": self.limit, "maximum": self.maximum}
        if self.value is not None:
            out["value"] = self.value
        return out


class Refusal(PartnergraphError):
    """A request refused before GraphQL sees it (graph/api/http/endpoint.py): a status, a code and
    what to do."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = dict(headers or {})


class InternalError(PartnergraphError):
    """A bug, not the client's fault: graph/api/execution/masking.py masks its message and logs
    it."""

    code = "INTERNAL_SERVER_ERROR"


class CompileError(InternalError):
    """A selection the compiler cannot turn into Cypher (a field without a spec)."""
