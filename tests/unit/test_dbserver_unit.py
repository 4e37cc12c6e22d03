"""Unit tests of graph.dbserver that need no Neo4j: conf rendering, Java discovery, the CLI glue."""

from __future__ import annotations

import argparse
import socket
import stat
from pathlib import Path

import pytest

from graph.dbserver.command import add_db_commands, run_db_command
from graph.dbserver.jars import ensure_jars
from graph.dbserver.java import JavaInfo, choose_java, find_java, java_major, parse_java_version
from graph.dbserver.server import port_in_use, render_conf
from graph.errors import ConfigError
from graph.settings import Settings

OPENJDK_17 = """openjdk version "17.0.15" 2025-04-15
OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)
OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)
"""
TEMURIN_25 = """openjdk version "25.0.3" 2026-04-21 LTS
OpenJDK Runtime Environment Temurin-25.0.3+9 (build 25.0.3+9-LTS)
"""


# -- conf ---------------------------------------------------------------------------------------


def parse_conf(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return dict(pairs)


def test_conf_has_our_directories_port_and_auth(tmp_path: Path) -> None:
    conf = parse_conf(
        render_conf(
            data_dir=tmp_path / "data",
            logs_dir=tmp_path / "logs",
            run_dir=tmp_path / "run",
            bolt_port=17123,
            pagecache="3g",
        )
    )
    assert conf["server.memory.pagecache.size"] == "3g"
    assert conf["server.directories.data"] == str(tmp_path / "data")
    assert conf["server.directories.logs"] == str(tmp_path / "logs")
    assert conf["server.directories.run"] == str(tmp_path / "run")
    assert conf["server.bolt.listen_address"] == "127.0.0.1:17123"
    assert conf["server.default_listen_address"] == "127.0.0.1"
    assert conf["dbms.security.auth_enabled"] == "true"
    assert conf["server.http.enabled"] == "false"
    assert conf["server.https.enabled"] == "false"
    assert not any("$" in value for value in conf.values())


# -- java ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "version", "major"),
    [
        (OPENJDK_17, "17.0.15", 17),
        (TEMURIN_25, "25.0.3", 25),
        ('openjdk version "21" 2023-09-19\n', "21", 21),
        ('java version "1.8.0_292"\n', "1.8.0_292", 8),
        ('Picked up JAVA_TOOL_OPTIONS: -Xss1m\nopenjdk version "21.0.4" 2024\n', "21.0.4", 21),
    ],
)
def test_parse_java_version(output: str, version: str, major: int) -> None:
    assert parse_java_version(output) == version
    assert java_major(version) == major


def test_parse_java_version_refuses_garbage() -> None:
    with pytest.raises(ValueError, match="no version"):
        parse_java_version("bash: java: command not found")


def jdk(path: str, version: str) -> JavaInfo:
    return JavaInfo(path=Path(path) / "bin" / "java", version=version)


def test_choose_java_prefers_17_and_never_takes_25() -> None:
    found = [jdk("/jvm/25", "25.0.3"), jdk("/jvm/21", "21.0.4"), jdk("/jvm/17", "17.0.15")]
    assert choose_java(found) == found[2]
    assert choose_java(found[:2]) == found[1]
    assert choose_java(found[:1]) is None


def test_choose_java_honours_a_supported_java_home_only() -> None:
    found = [jdk("/jvm/17", "17.0.15"), jdk("/jvm/21", "21.0.4"), jdk("/jvm/25", "25.0.3")]
    assert choose_java(found, java_home=Path("/jvm/21")) == found[1]
    assert choose_java(found, java_home=Path("/jvm/25")) == found[0]


def fake_jdk(root: Path, name: str, version: str) -> Path:
    """A directory laid out like a JDK whose `java -version` prints `version`."""
    java = root / name / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2025-01-01' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return root / name


def test_find_java_looks_in_the_jvm_root_and_skips_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "jvm"
    fake_jdk(root, "temurin-25", "25.0.3")
    fake_jdk(root, "jdk-21", "21.0.4")
    fake_jdk(root, "jdk-17", "17.0.15")
    env = {"PATH": str(tmp_path / "empty")}
    assert find_java(env, jvm_root=root) == JavaInfo(root / "jdk-17" / "bin" / "java", "17.0.15")
    java_home = {**env, "JAVA_HOME": str(root / "jdk-21")}
    assert find_java(java_home, jvm_root=root).major == 21


def test_find_java_without_a_supported_jdk_says_what_to_install(tmp_path: Path) -> None:
    root = tmp_path / "jvm"
    fake_jdk(root, "temurin-25", "25.0.3")
    fake_jdk(root, "jdk-11", "11.0.2")
    with pytest.raises(ConfigError, match="apt-get install openjdk-17-jdk-headless") as caught:
        find_java({"PATH": str(tmp_path / "empty")}, jvm_root=root)
    assert "25.0.3" in caught.value.message


# -- jars and port --------------------------------------------------------------------------------


def test_ensure_jars_keeps_a_complete_lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "neo4j-kernel-5.26.30.jar").write_bytes(b"")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # so any mvn call would fail
    ensure_jars(tmp_path)  # raises ConfigError ("`mvn` is needed") if it tries to download
    # Left exactly as it was: no download directory, no rename, the jar untouched.
    assert [p.name for p in tmp_path.iterdir()] == ["neo4j-kernel-5.26.30.jar"]


def test_ensure_jars_without_mvn_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="apt-get install maven"):
        ensure_jars(tmp_path / "lib")
    assert not (tmp_path / "lib").exists()


def test_port_in_use_sees_a_listener() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_in_use(port)
    assert not port_in_use(port)


# -- commands -------------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="partnergraph")
    add_db_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_db_start_with_neo4j_uri_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(neo4j_uri="bolt://db.example:7687", home=tmp_path)
    assert run_db_command(parse(["db", "start"]), settings) == 0
    assert "nothing started" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_db_status_and_stop_of_a_fresh_home(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(home=tmp_path)
    assert run_db_command(parse(["db", "status"]), settings) == 1
    assert capsys.readouterr().out.startswith("stopped")
    assert run_db_command(parse(["db", "stop"]), settings) == 0
    assert "not running" in capsys.readouterr().out


def test_db_needs_a_subcommand() -> None:
    with pytest.raises(SystemExit):
        parse(["db"])
