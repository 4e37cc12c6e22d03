"""API keys: hashed at rest, roles, revocation; pure file I/O, no Neo4j."""

from __future__ import annotations

import hmac
import stat
from pathlib import Path

import pytest

from graph import auth
from graph.auth import ANONYMOUS, KeyStore, Role


def test_keys_are_stored_hashed_and_private(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    record, key = store.create("desk", Role.EDITOR)
    raw = (tmp_path / "keys.json").read_text()
    assert key not in raw
    assert record.digest in raw
    assert stat.S_IMODE((tmp_path / "keys.json").stat().st_mode) == 0o600


def test_authentication_and_roles(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    _, editor_key = store.create("desk", Role.EDITOR)
    _, reader_key = store.create("analyst", Role.READER)
    editor = store.authenticate(editor_key)
    reader = store.authenticate(reader_key)
    assert editor is not None
    assert reader is not None
    assert editor.may(Role.EDITOR)
    assert not editor.may(Role.ADMIN)
    assert reader.may(Role.READER)
    assert not reader.may(Role.EDITOR)
    assert store.authenticate(None) is ANONYMOUS
    assert not ANONYMOUS.may(Role.READER)


def test_wrong_and_revoked_keys_are_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    record, key = store.create("desk", Role.EDITOR)
    assert store.authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert store.authenticate("pg_nope_nope") is None
    assert store.authenticate("not-a-key") is None
    # Another process revokes it: this one sees the change without a restart.
    KeyStore(tmp_path / "keys.json").revoke(record.id)
    assert store.authenticate(key) is None
    assert store.list()[0].revoked is not None


def test_unknown_ids_cost_the_same_hashing_as_wrong_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing must not tell a known key id from an unknown one: every refused key is hashed
    once and compared once, whatever part of it was wrong (counted, not timed)."""
    store = KeyStore(tmp_path / "keys.json")
    record, key = store.create("desk", Role.EDITOR)
    revoked, revoked_key = store.create("old", Role.EDITOR)
    store.revoke(revoked.id)
    calls: list[str] = []

    def digest(value: str) -> str:
        calls.append("hash")
        return real_digest(value)

    def compare(a: str, b: str) -> bool:
        calls.append("compare")
        assert len(a) == len(b) == 64  # a digest either way, so the comparison is alike too
        return bool(real_compare(a, b))

    real_digest, real_compare = auth._digest, hmac.compare_digest
    monkeypatch.setattr(auth, "_digest", digest)
    monkeypatch.setattr(hmac, "compare_digest", compare)
    secret = key.split("_", 2)[2]
    attempts = {
        "wrong secret": f"pg_{record.id}_{secret[::-1]}",
        "unknown id": f"pg_00000000_{secret}",
        "revoked": revoked_key,
        "not a key": "not-a-key",
    }
    for what, attempt in attempts.items():
        calls.clear()
        assert store.authenticate(attempt) is None, what
        assert calls == ["hash", "compare"], what
    calls.clear()
    assert store.authenticate(key) is not None
    assert calls == ["hash", "compare"]
