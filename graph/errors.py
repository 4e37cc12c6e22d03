"""The one error tree of partnergraph; every error carries a stable `code` and says what to do.

PartnergraphError
 ├── ConfigError              settings or local tooling (java, mvn) missing or wrong
 ├── ServerError              the local Neo4j could not be started, stopped or reached
 │    └── PortBusyError
 ├── StoreError               anything the Neo4j driver raised, wrapped at graph.store
 │    ├── StoreUnavailable    Neo4j cannot be reached (down, wrong address), or is stopping
 │    │    └── StoreBusy      a transient conflict between writes (a deadlock Neo4j broke)
 │    ├── AuthFailed          Neo4j refused the credentials
 │    └── ConstraintViolation a write broke a uniqueness constraint
 └── InputError               a source file is invalid; holds every Problem found at once
"""

from __future__ import annotations

from dataclasses import dataclass


class PartnergraphError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(PartnergraphError):
    code = "config"


class ServerError(PartnergraphError):
    code = "server"


class PortBusyError(ServerError):
    code = "port_busy"


class StoreError(PartnergraphError):
    code = "store"
    uri: str | None = None  # where Neo4j was expected: for logs and the CLI, not API clients


class StoreUnavailable(StoreError):
    code = "store_unavailable"


class StoreBusy(StoreUnavailable):
    """Retried by the loads; the API answers 503 with Retry-After, as for an outage."""

    code = "store_busy"


class AuthFailed(StoreError):
    code = "auth_failed"


class ConstraintViolation(StoreError):
    code = "constraint_violation"


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

    code = "invalid_input"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(f"{count} problem(s) in the input; nothing was written:\n{lines}")


class ConflictError(PartnergraphError):
    """Optimistic concurrency: someone else changed the record since the client read it."""

    code = "CONFLICT"

    def __init__(self, node_id: str, expected: int, actual: int | None) -> None:
        self.node_id, self.expected, self.actual = node_id, expected, actual
        super().__init__(
            f"{node_id} is at version {actual if actual is not None else 'none (absent)'}, "
            f"not {expected}: read it again and reapply your change"
        )
