"""Every CLI option checked before anything runs: a bad value exits 2 and says what is expected.

The environment points at a Neo4j that is not there: an option that slipped through would
reach the store and exit 3 (or, for `serve`, start a server), not 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import cli
from tests.neo4j_test import free_port

SEED = Path(__file__).resolve().parents[2] / "seeds" / "korea-estonia"


@pytest.fixture(autouse=True)
def nowhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("NEO4J_URI", "NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NEO4J_PASSWORD", "unused")
    monkeypatch.setenv("PARTNERGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def _csv(tmp_path: Path) -> Path:
    file = tmp_path / "names.csv"
    file.write_text("name\nUniversity of Tartu\n", encoding="utf-8")
    return file


CASES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "load --batch-size -1": (
        ["load", "--batch-size", "-1", str(SEED)],
        ("--batch-size", "from 1 to 1,000,000", "'-1'"),
    ),
    "load --batch-size 0": (["load", "--batch-size", "0", str(SEED)], ("--batch-size", "'0'")),
    "load --batch-size huge": (
        ["load", "--batch-size", "10000001", str(SEED)],
        ("--batch-size", "'10000001'"),
    ),
    "load --batch-size text": (["load", "--batch-size", "ten", str(SEED)], ("'ten'",)),
    "load --origin blank": (["load", "--origin", " ", str(SEED)], ("--origin cannot be blank",)),
    "load --origin control": (["load", "--origin", "a\x01b", str(SEED)], ("control characters",)),
    "load --origin long": (["load", "--origin", "o" * 201, str(SEED)], ("at most 200",)),
    "load --origin with two paths": (
        ["load", "--origin", "mine", str(SEED), str(SEED)],
        ("--origin names the load unit of a single PATH",),
    ),
    "serve --port 0": (["serve", "--port", "0"], ("--port", "from 1 to 65,535", "'0'")),
    "serve --port 70000": (["serve", "--port", "70000"], ("--port", "'70000'")),
    "serve --port text": (["serve", "--port", "http"], ("--port", "'http'")),
    "serve --host blank": (["serve", "--host", ""], ("--host cannot be blank",)),
    "export --depth 0": (["export", "csv", "--around", "x", "--depth", "0"], ("from 1 to 4",)),
    "export --depth 9": (["export", "csv", "--around", "x", "--depth", "9"], ("'9'",)),
    "export --around blank": (["export", "csv", "--around", " "], ("--around cannot be blank",)),
    "export -o no directory": (
        ["export", "graphml", "-o", "missing/dir/out.graphml"],
        ("no directory 'missing/dir'",),
    ),
    "keys create blank name": (["keys", "create", "  "], ("name cannot be blank",)),
    "keys create --role": (["keys", "create", "desk", "--role", "root"], ("invalid choice",)),
    "keys revoke blank id": (["keys", "revoke", ""], ("key id cannot be blank",)),
    "match missing file": (["match", "nothere.csv", "--column", "name"], ("not a file",)),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_bad_option_exits_2_before_anything_runs(
    case: tuple[list[str], tuple[str, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    argv, says = case
    err = _refused(argv, capsys)
    for part in says:
        assert part in err, err
    assert not Path("home").exists()
    assert not list(Path().glob("partnergraph*"))


def test_match_options_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = str(_csv(tmp_path))
    assert "--column cannot be blank" in _refused(["match", file, "--column", ""], capsys)
    err = _refused(["match", file, "--column", "name", "--country-column", " "], capsys)
    assert "--country-column cannot be blank" in err
    err = _refused(["match", file, "--column", "name", "--out", "no/such/out.csv"], capsys)
    assert "no directory 'no/such'" in err
    err = _refused(["match", file, "--column", "name", "--out", str(tmp_path)], capsys)
    assert "is a directory" in err


def test_a_good_option_value_passes_the_checks(capsys: pytest.CaptureFixture[str]) -> None:
    # The same options with usable values get as far as the (absent) store: exit 3, not 2.
    assert cli.main(["load", "--batch-size", "1", "--origin", "mine", str(SEED)]) == 3
    assert "store unavailable" in capsys.readouterr().err
