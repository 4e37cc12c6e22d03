"""API keys and roles: who may write.

Keys live hashed in a file of the home directory, not in Neo4j, so that authorization is decided
before any Cypher runs.

A key is `pg_<id>_<secret>`; the file keeps its id, name, role, creation and revocation dates and
the SHA-256 of the whole key (the secret is 256 random bits: a slow hash adds nothing).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import orjson

from graph.errors import ConfigError
from graph.settings import Settings


class Role(StrEnum):
    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"


_RANK = {Role.READER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a named key with a role, or the anonymous reader."""

    name: str
    role: Role | None  # None: anonymous
    key_id: str | None = None

    def may(self, role: Role) -> bool:
        return self.role is not None and _RANK[self.role] >= _RANK[role]


ANONYMOUS = Principal(name="anonymous", role=None)


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: str
    name: str
    role: Role
    digest: str
    created: str
    revoked: str | None = None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# What an unknown key id is compared against; no key hashes to it (it is not a hex digest).
_UNKNOWN_DIGEST = "x" * 64


class KeyStore:
    """The keys file; re-read when it changes, so `keys revoke` takes effect without a restart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._records: dict[str, KeyRecord] = {}

    def _load(self) -> dict[str, KeyRecord]:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._records = None, {}
            return self._records
        stamp = (info.st_mtime_ns, info.st_size)  # size too: two writes may share a timestamp
        if stamp != self._stamp:
            try:
                raw = orjson.loads(self.path.read_bytes())
                records = {r["id"]: KeyRecord(**{**r, "role": Role(r["role"])}) for r in raw}
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"the keys file {self.path} is damaged: {exc}") from exc
            self._stamp, self._records = stamp, records
        return self._records

    def _save(self, records: dict[str, KeyRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps([_as_dict(r) for r in records.values()])
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        tmp.replace(self.path)  # atomic: a reader never sees half a file

    def create(self, name: str, role: Role) -> tuple[KeyRecord, str]:
        """A new key; the clear key is returned once and never stored."""
        records = dict(self._load())
        key_id = secrets.token_hex(4)
        key = f"pg_{key_id}_{secrets.token_urlsafe(32)}"
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        record = KeyRecord(id=key_id, name=name, role=role, digest=_digest(key), created=now)
        records[key_id] = record
        self._save(records)
        return record, key

    def list(self) -> list[KeyRecord]:
        return sorted(self._load().values(), key=lambda r: r.created)

    def revoke(self, key_id: str) -> KeyRecord:
        records = dict(self._load())
        record = records.get(key_id)
        if record is None:
            raise ConfigError(f"no key with id {key_id!r} (see `partnergraph keys list`)")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        records[key_id] = KeyRecord(
            id=record.id,
            name=record.name,
            role=record.role,
            digest=record.digest,
            created=record.created,
            revoked=now,
        )
        self._save(records)
        return records[key_id]

    def authenticate(self, key: str | None) -> Principal | None:
        """The key's principal; ANONYMOUS without a key; None for a wrong or revoked key."""
        if not key:
            return ANONYMOUS
        parts = key.split("_")
        well_formed = len(parts) >= 3 and parts[0] == "pg"
        record = self._load().get(parts[1]) if well_formed else None
        # The same hashing and comparison whether the id is known or not (against a dummy
        # digest when not): the time taken must not tell which key ids exist.
        expected = record.digest if record is not None else _UNKNOWN_DIGEST
        matches = hmac.compare_digest(expected, _digest(key))
        if record is None or record.revoked is not None or not matches:
            return None
        return Principal(name=record.name, role=record.role, key_id=record.id)


def _as_dict(record: KeyRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "name": record.name,
        "role": record.role.value,
        "digest": record.digest,
        "created": record.created,
        "revoked": record.revoked,
    }


def keys_file(settings: Settings) -> Path:
    """The keys live in the home directory, beside the local server's password."""
    return settings.home / "keys.json"
