"""Settings: by field name in code, by their variables in the environment, and a bad value named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph import cli
from graph.settings import Settings, load_settings, variable

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("NEO4J_", "PARTNERGRAPH_")):
            monkeypatch.delenv(name)


def test_fields_are_set_by_name_in_code() -> None:
    settings = Settings(max_depth=3, api_port=9000, neo4j_timeout_s=2, heap="1g")
    assert (settings.max_depth, settings.api_port, settings.neo4j_timeout_s) == (3, 9000, 2.0)
    assert settings.heap == "1g"


def test_a_misspelt_field_is_refused_not_ignored() -> None:
    with pytest.raises(ValueError, match="max_dept"):
        Settings(max_dept=3)  # type: ignore[call-arg]


# Every variable the README and earlier releases document, with a value and the field it sets.
KNOWN = {
    "NEO4J_URI": ("bolt://db.example:7687", "neo4j_uri", "bolt://db.example:7687"),
    "NEO4J_USER": ("reader", "neo4j_user", "reader"),
    "NEO4J_DATABASE": ("graph", "neo4j_database", "graph"),
    "NEO4J_TIMEOUT": ("7", "neo4j_timeout_s", 7.0),
    "PARTNERGRAPH_HOME": ("data/pg", "home", Path("data/pg")),
    "PARTNERGRAPH_BOLT_PORT": ("17000", "bolt_port", 17000),
    "PARTNERGRAPH_NEO4J_HEAP": ("1g", "heap", "1g"),
    "PARTNERGRAPH_REQUIRE_KEY": ("true", "require_key_for_reads", True),
    "PARTNERGRAPH_RATE": ("5", "rate_per_second", 5.0),
    "PARTNERGRAPH_RATE_BURST": ("9", "rate_burst", 9),
    "PARTNERGRAPH_HOST": ("0.0.0.0", "api_host", "0.0.0.0"),  # noqa: S104
    "PARTNERGRAPH_PORT": ("8100", "api_port", 8100),
    "PARTNERGRAPH_HEADER_TIMEOUT": ("3", "header_timeout_s", 3.0),
    "PARTNERGRAPH_MAX_HEADER_BYTES": ("4096", "max_header_bytes", 4096),
    "PARTNERGRAPH_BODY_TIMEOUT": ("4", "body_timeout_s", 4.0),
    "PARTNERGRAPH_MAX_CLIENT_REQUESTS": ("8", "max_client_requests", 8),
    "PARTNERGRAPH_MAX_CONNECTIONS": ("99", "max_connections", 99),
    "PARTNERGRAPH_MAX_DEPTH": ("4", "max_depth", 4),
    "PARTNERGRAPH_MAX_TOKENS": ("300", "max_tokens", 300),
    "PARTNERGRAPH_MAX_ALIASES": ("0", "max_aliases", 0),
    "PARTNERGRAPH_MAX_COST": ("500", "max_cost", 500),
    "PARTNERGRAPH_MAX_BODY_BYTES": ("5000", "max_body_bytes", 5000),
    "PARTNERGRAPH_MAX_REPEATS": ("2", "max_repeats", 2),
    "PARTNERGRAPH_MAX_FILTER_TERMS": ("7", "max_filter_terms", 7),
}


@pytest.mark.parametrize("name", KNOWN)
def test_every_documented_variable_still_sets_its_field(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, field, value = KNOWN[name]
    monkeypatch.setenv(name, raw)
    settings = load_settings()
    assert getattr(settings, field) == value
    assert field in settings.model_fields_set
    assert variable(field) == name


def test_the_password_is_read_and_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    settings = load_settings()
    assert settings.neo4j_password is not None
    assert settings.neo4j_password.get_secret_value() == "s3cret"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://a.example,http://b.example:8080", ["https://a.example", "http://b.example:8080"]),
        ('["https://a.example"]', ["https://a.example"]),
        ("*", ["*"]),
        ("", []),
    ],
)
def test_cors_origins_as_a_comma_list_or_json(
    raw: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNERGRAPH_CORS_ORIGINS", raw)
    assert load_settings().cors_origins == expected


BAD = {
    "PARTNERGRAPH_PORT": ("80x", "valid integer"),
    "PARTNERGRAPH_BOLT_PORT": ("70000", "less than or equal to 65535"),
    "PARTNERGRAPH_CORS_ORIGINS": ("partners.example,https://b.example", "is not an origin"),
    "PARTNERGRAPH_MAX_DEPTH": ("0", "greater than or equal to 1"),
    "PARTNERGRAPH_REQUIRE_KEY": ("maybe", "valid boolean"),
    "NEO4J_TIMEOUT": ("-1", "greater than 0"),
    "NEO4J_URI": ("http://db.example:7474", "pattern"),
    "NEO4J_USER": ("", "at least 1 character"),
    "PARTNERGRAPH_NEO4J_HEAP": ("lots", "pattern"),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_variable_exits_2_naming_it_its_value_and_what_is_expected(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, expected = BAD[name]
    monkeypatch.setenv(name, raw)
    monkeypatch.setenv("PARTNERGRAPH_HOME", str(tmp_path / "home"))
    assert cli.main(["db", "status"]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert f"{name}={raw!r}" in err, err
    assert expected in err, err
    assert out == ""
    assert not (tmp_path / "home").exists()


def test_the_command_itself_exits_2_without_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "PARTNERGRAPH_"))}
    env |= {"PARTNERGRAPH_PORT": "80x", "PARTNERGRAPH_HOME": str(tmp_path / "home")}
    run = subprocess.run(  # as a user sees it: the exit code and stderr of the real command
        [sys.executable, "-m", "graph.cli", "db", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error: 1 setting(s) cannot be used"), run.stderr
    assert "PARTNERGRAPH_PORT='80x'" in run.stderr
