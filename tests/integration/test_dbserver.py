"""Integration tests of graph.dbserver: real Neo4j processes started from Maven Central jars."""

from __future__ import annotations

import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from neo4j import GraphDatabase

from graph.dbserver import LocalServer, ServerInfo, find_java
from graph.errors import PortBusyError, ServerError

# Shared with `.partnergraph` runs, so the jars are downloaded once per checkout.
LIB_DIR = (Path(__file__).parents[2] / ".partnergraph" / "lib").resolve()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def new_server(home: Path, port: int | None = None, heap: str = "512m") -> LocalServer:
    return LocalServer(
        home=home, bolt_port=port or free_port(), heap=heap, password=None, lib_dir=LIB_DIR
    )


def run_one(info: ServerInfo, password: str | None = None) -> int:
    auth = (info.user, password or info.password)
    with GraphDatabase.driver(info.uri, auth=auth) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one")
    value: int = records[0]["one"]
    return value


def is_gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def test_stop_then_restart_with_the_kept_password(tmp_path: Path) -> None:
    server = new_server(tmp_path / "home")
    try:
        first = server.start()
        assert server.stop() is True
        assert is_gone(first.pid)
        assert not server.status().running
        assert not server.pid_file.exists()
        assert server.stop() is False

        second = server.start()  # not a first start: the password comes from the password file
        assert second.pid != first.pid
        assert second.password == first.password
        assert run_one(second) == 1
    finally:
        server.stop()
    assert is_gone(second.pid)


def test_a_password_starting_with_a_dash_is_set(tmp_path: Path) -> None:
    """Generated passwords start with "-" one time in 64: neo4j-admin read it as an option."""
    server = LocalServer(
        home=tmp_path, bolt_port=free_port(), heap="512m", password="-dash-first", lib_dir=LIB_DIR
    )
    try:
        info = server.start()
        assert info.password == "-dash-first"
        assert run_one(info) == 1
    finally:
        server.stop()


def test_busy_port_is_refused(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        server = new_server(tmp_path / "home", port)
        with pytest.raises(PortBusyError, match=f"port {port} .*PARTNERGRAPH_BOLT_PORT"):
            server.start()
    assert not server.status().running


def test_a_server_that_dies_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    server = new_server(tmp_path / "home", heap="bogus")
    with pytest.raises(ServerError, match=r"exited with exit code 1(.|\n)*Invalid initial heap"):
        server.start()
    assert not server.status().running
    assert not server.pid_file.exists()


def test_a_server_not_ready_in_time_is_stopped(tmp_path: Path) -> None:
    server = new_server(tmp_path / "home")
    try:
        with pytest.raises(ServerError, match=r"did not answer .* within 0\.5s and was stopped"):
            server.start(timeout_s=0.5)
        assert not server.status().running
        assert not server.pid_file.exists()
    finally:
        server.stop()


def test_find_java_picks_17_or_21_never_25() -> None:
    java = find_java()
    assert java.major in (17, 21)
    assert "temurin-25" not in str(java.path.resolve())


# -- one server shared by the tests below (module scope: started once) ----------------------


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, ServerInfo]]:
    server = new_server(tmp_path_factory.mktemp("neo4j-home"))
    try:
        yield server, server.start()
    finally:
        server.stop()


def test_status_says_running(running: tuple[LocalServer, ServerInfo]) -> None:
    server, info = running
    status = server.status()
    assert status.running
    assert status.pid == info.pid
    assert status.uri == info.uri == f"bolt://127.0.0.1:{server.bolt_port}"
    assert status.data_dir == info.data_dir == server.home / "data"


def test_second_start_reuses_the_running_server(running: tuple[LocalServer, ServerInfo]) -> None:
    server, info = running
    again = new_server(server.home, server.bolt_port).start()
    assert again.pid == info.pid
    assert again.password == info.password


def test_queries_run(running: tuple[LocalServer, ServerInfo]) -> None:
    assert run_one(running[1]) == 1


def test_auth_is_on(running: tuple[LocalServer, ServerInfo]) -> None:
    with pytest.raises(neo4j.exceptions.AuthError):
        run_one(running[1], password="not-the-password")


def test_password_file_is_private(running: tuple[LocalServer, ServerInfo]) -> None:
    server, info = running
    assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600
    assert server.password_file.read_text().strip() == info.password
