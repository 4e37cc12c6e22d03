"""A load's file digest (graph.ingest.unchanged): what it covers, and a file it cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.ingest.unchanged import files_digest


def test_the_digest_follows_the_bytes_the_names_and_the_options(tmp_path: Path) -> None:
    folder = tmp_path / "unit"
    folder.mkdir()
    (folder / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    first = files_digest(folder, "origin=")
    assert first is not None
    assert files_digest(folder, "origin=") == first
    assert files_digest(folder, "origin=other") != first
    (folder / "a.yaml").write_text("a: 2\n", encoding="utf-8")
    changed = files_digest(folder, "origin=")
    assert changed not in (None, first)
    (folder / "a.yaml").rename(folder / "b.yaml")
    assert files_digest(folder, "origin=") not in (None, changed)
    renamed = tmp_path / "other-unit"
    folder.rename(renamed)
    assert files_digest(renamed, "origin=") not in (None, changed)


def test_a_file_that_cannot_be_read_gives_no_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "dump.zip"
    dump.write_bytes(b"PK")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert files_digest(dump) is None
