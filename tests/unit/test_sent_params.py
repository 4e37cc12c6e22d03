"""Parameters as the store hands them to the driver: long lists pack to the same bytes as plain
ones, but their repr (built for the driver's debug log on every query) stays short."""

from __future__ import annotations

import io

from neo4j._codec.packstream.v1 import Packer

from graph.store import _sent


def _packed(value: object) -> bytes:
    out = io.BytesIO()
    Packer(out).pack(value)  # type: ignore[no-untyped-call]  # the driver's packer, untyped
    return out.getvalue()


def test_long_lists_pack_as_plain_lists_with_a_short_repr() -> None:
    rows = [{"id": f"org-{i}", "props": {"names": ["A", "B"], "n": i}} for i in range(5000)]
    params = {"rows": rows, "origin": "o", "ids": ["a", "b"]}
    sent = _sent(params)
    assert sent == params
    assert _packed(sent) == _packed(params)
    assert repr(sent["rows"]) == "<5000 items>"
    assert sent["ids"] == ["a", "b"]
    assert repr(sent["ids"]) == "['a', 'b']"  # short lists stay as they are
