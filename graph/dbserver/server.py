"""The local Neo4j server process: start it (or reuse a running one), wait until ready, stop it."""

from __future__ import annotations

import os
import re
import secrets
import socket
import string
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from graph.dbserver.jars import ensure_jars
from graph.dbserver.java import JavaInfo, find_java, probe_java
from graph.dbserver.memory import recommended_heap, recommended_pagecache
from graph.dbserver.process import (
    MAIN_CLASS,
    cmdline,
    exit_code,
    find_server,
    is_server_of,
    spawn,
    terminate,
)
from graph.errors import PortBusyError, ServerError

if TYPE_CHECKING:
    from graph.settings import Settings

USER = "neo4j"
HOST = "127.0.0.1"
ADMIN_CLASS = "org.neo4j.server.startup.Neo4jAdminCommand"
# What the official launcher passes; without the opens Neo4j 5 dies on Java 17 with
# "Cannot link java.nio.DirectByteBuffer".
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dfile.encoding=UTF-8",
)
CONF_TEMPLATE = Path(__file__).with_name("neo4j.conf.template")
POLL_S = 0.5
LOG_TAIL_LINES = 30
LOG_FILES = ("neo4j.log", "console.log")
_BOLT_PORT_RE = re.compile(r"^server\.bolt\.listen_address=.*:(\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    uri: str
    user: str
    password: str = field(repr=False)
    pid: int
    home: Path
    data_dir: Path
    java: JavaInfo


@dataclass(frozen=True, slots=True)
class ServerStatus:
    running: bool
    uri: str
    home: Path
    data_dir: Path
    pid: int | None


def render_conf(
    *, data_dir: Path, logs_dir: Path, run_dir: Path, bolt_port: int, pagecache: str = "256m"
) -> str:
    """neo4j.conf for one server home; every value comes from us, never from user text."""
    template = string.Template(CONF_TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(
        data_dir=data_dir,
        logs_dir=logs_dir,
        run_dir=run_dir,
        bolt_port=bolt_port,
        pagecache=pagecache,
    )


def port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like Neo4j's own listener: a port left in TIME_WAIT by a stopped server counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


class LocalServer:
    """One Neo4j Community server owning one home directory (conf, data, logs, password, pid)."""

    def __init__(
        self,
        home: Path,
        bolt_port: int,
        heap: str,
        password: str | None,
        lib_dir: Path,
        pagecache: str = "256m",
    ) -> None:
        # Absolute, because the home is matched against the running process's command line.
        self.home = home.resolve()
        self.bolt_port = bolt_port
        self.heap = heap
        # Tests' and benchmarks' servers keep a small one unless they choose; `partnergraph db
        # start` sizes it from the machine (from_settings).
        self.pagecache = pagecache
        self.lib_dir = lib_dir.resolve()
        self._password = password
        self.conf_dir = self.home / "conf"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.run_dir = self.home / "run"
        self.password_file = self.home / "password"
        self.pid_file = self.home / "neo4j.pid"

    @classmethod
    def from_settings(cls, settings: Settings, lib_dir: Path | None = None) -> LocalServer:
        """lib_dir defaults to <home>/lib; pass one to share the jars between several homes."""
        password = settings.neo4j_password
        # PARTNERGRAPH_NEO4J_HEAP when given; else sized from the machine, because one load is
        # one transaction and its size is bounded by the heap (see memory.recommended_heap).
        chosen = "heap" in settings.model_fields_set
        return cls(
            home=settings.home,
            bolt_port=settings.bolt_port,
            heap=settings.heap if chosen else recommended_heap(),
            password=password.get_secret_value() if password is not None else None,
            lib_dir=lib_dir if lib_dir is not None else settings.home / "lib",
            pagecache=recommended_pagecache(),
        )

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.bolt_port}"

    def status(self) -> ServerStatus:
        pid = find_server(self.pid_file, self.home)
        return ServerStatus(
            running=pid is not None,
            uri=self.uri,
            home=self.home,
            data_dir=self.data_dir,
            pid=pid,
        )

    def start(self, timeout_s: float = 120.0) -> ServerInfo:
        """Start the server, or reuse the one already running from this home; wait until ready."""
        pid = find_server(self.pid_file, self.home)
        if pid is not None:
            return self._reuse(pid, timeout_s)
        self.pid_file.unlink(missing_ok=True)  # stale: its process is gone
        if port_in_use(self.bolt_port):
            raise PortBusyError(
                f"port {self.bolt_port} on {HOST} is already in use by another program, so "
                f"Neo4j cannot listen there. Stop that program, set PARTNERGRAPH_BOLT_PORT to a "
                f"free port, or set NEO4J_URI (and NEO4J_PASSWORD) to use the server on it."
            )
        java = find_java()
        ensure_jars(self.lib_dir)
        for directory in (self.conf_dir, self.data_dir, self.logs_dir, self.run_dir):
            directory.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "neo4j.conf").write_text(
            render_conf(
                data_dir=self.data_dir,
                logs_dir=self.logs_dir,
                run_dir=self.run_dir,
                pagecache=self.pagecache,
                bolt_port=self.bolt_port,
            ),
            encoding="utf-8",
        )
        if (self.data_dir / "databases" / "system").exists():
            password = self._known_password()
        else:
            # First start: the password is fixed now and kept, so later runs can connect.
            password = self._password or self._read_password_file() or secrets.token_urlsafe(24)
            self._write_password_file(password)
            try:
                self._set_initial_password(java, password)
            except ServerError:
                self.password_file.unlink()  # it never became the database's password
                raise
        log_marks = self._log_sizes()
        pid = self._spawn(java)
        self._wait_ready(pid, password, timeout_s, log_marks=log_marks)
        return self._info(pid, password, java)

    def stop(self, timeout_s: float = 60.0) -> bool:
        """SIGTERM and wait (SIGKILL only after timeout_s); whether a server was running."""
        pid = find_server(self.pid_file, self.home)
        if pid is not None:
            self._stop_pid(pid, timeout_s)
        self.pid_file.unlink(missing_ok=True)
        return pid is not None

    # -- internals --------------------------------------------------------------------------

    def _info(self, pid: int, password: str, java: JavaInfo) -> ServerInfo:
        return ServerInfo(
            uri=self.uri,
            user=USER,
            password=password,
            pid=pid,
            home=self.home,
            data_dir=self.data_dir,
            java=java,
        )

    def _reuse(self, pid: int, timeout_s: float) -> ServerInfo:
        match = _BOLT_PORT_RE.search(self._read_conf())
        if match is not None and int(match.group(1)) != self.bolt_port:
            raise ServerError(
                f"Neo4j from {self.home} is already running (pid {pid}) on port "
                f"{match.group(1)}, not {self.bolt_port}; stop it first (`partnergraph db stop`) "
                "to change the port."
            )
        password = self._known_password()
        self._wait_ready(pid, password, timeout_s, log_marks=None)
        java = probe_java(Path(cmdline(pid)[0])) or find_java()
        return self._info(pid, password, java)

    def _read_conf(self) -> str:
        try:
            return (self.conf_dir / "neo4j.conf").read_text(encoding="utf-8")
        except OSError:
            return ""

    def _known_password(self) -> str:
        password = self._password or self._read_password_file()
        if password is None:
            raise ServerError(
                f"the Neo4j database in {self.data_dir} exists but its password is unknown "
                f"({self.password_file} is missing): set NEO4J_PASSWORD, or delete {self.home} "
                "to start from an empty database."
            )
        return password

    def _read_password_file(self) -> str | None:
        try:
            return self.password_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _write_password_file(self, password: str) -> None:
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), 0o600)  # the mode above applies only when creating it
            file.write(password + "\n")

    def _classpath(self) -> str:
        return f"{self.lib_dir}/*"

    def _set_initial_password(self, java: JavaInfo, password: str) -> None:
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}
        command = [str(java.path), *JVM_FLAGS, "-cp", self._classpath(), ADMIN_CLASS]
        try:
            done = subprocess.run(
                # "--": a password may start with "-" (token_urlsafe makes some), which the
                # command line would read as an option.
                [*command, "dbms", "set-initial-password", "--", password],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ServerError("setting the initial Neo4j password took over 120s") from exc
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip().replace(password, "***")
            raise ServerError(
                f"could not set the initial Neo4j password (exit {done.returncode}):\n{output}"
            )

    def _spawn(self, java: JavaInfo) -> int:
        command = [
            str(java.path),
            *JVM_FLAGS,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-cp",
            self._classpath(),
            MAIN_CLASS,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]
        pid = spawn(command, home=self.home, console_log=self.logs_dir / "console.log")
        self.pid_file.write_text(f"{pid}\n", encoding="utf-8")
        return pid

    def _wait_ready(
        self, pid: int, password: str, timeout_s: float, *, log_marks: dict[str, int] | None
    ) -> None:
        """Poll until a query runs; log_marks (log sizes at spawn) is None for a reused server."""
        started_here = log_marks is not None
        deadline = time.monotonic() + timeout_s
        last_error = "no answer yet"
        with GraphDatabase.driver(
            self.uri, auth=(USER, password), connection_timeout=5.0
        ) as driver:
            while True:
                if not is_server_of(pid, self.home):
                    code = exit_code(pid)
                    self.pid_file.unlink(missing_ok=True)
                    how = "" if code is None else f" with exit code {code}"
                    tail = self._log_tail(log_marks)
                    raise ServerError(f"Neo4j (pid {pid}) exited{how} while starting.\n{tail}")
                try:
                    driver.verify_connectivity()
                    driver.execute_query("RETURN 1")
                except AuthError as exc:
                    if started_here:
                        self._stop_pid(pid, 60.0)
                    raise ServerError(
                        f"Neo4j at {self.uri} refused the password (from NEO4J_PASSWORD or "
                        f"{self.password_file}): it does not match the database in "
                        f"{self.data_dir}. Set NEO4J_PASSWORD to the right one, or delete "
                        f"{self.home} to start from an empty database."
                    ) from exc
                except (DriverError, Neo4jError, OSError) as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                else:
                    return
                if time.monotonic() >= deadline:
                    if started_here:
                        self._stop_pid(pid, 60.0)
                    stopped = " and was stopped" if started_here else ""
                    raise ServerError(
                        f"Neo4j (pid {pid}) did not answer at {self.uri} within {timeout_s:g}s"
                        f"{stopped} (last error: {last_error}).\n{self._log_tail(log_marks)}"
                    )
                time.sleep(POLL_S)

    def _stop_pid(self, pid: int, timeout_s: float) -> None:
        terminate(pid, self.home, timeout_s)
        self.pid_file.unlink(missing_ok=True)

    def _log_sizes(self) -> dict[str, int]:
        sizes = {}
        for name in LOG_FILES:
            try:
                sizes[name] = (self.logs_dir / name).stat().st_size
            except FileNotFoundError:
                sizes[name] = 0
        return sizes

    def _log_tail(self, log_marks: dict[str, int] | None) -> str:
        """The last log lines; only those written since log_marks, so old runs do not mislead."""
        parts = []
        for name in LOG_FILES:
            path = self.logs_dir / name
            try:
                with path.open("rb") as file:
                    file.seek((log_marks or {}).get(name, 0))
                    lines = file.read().decode(errors="replace").splitlines()
            except OSError:
                continue
            if lines:
                tail = "\n".join(lines[-LOG_TAIL_LINES:])
                parts.append(f"--- last lines of {path} ---\n{tail}")
        parts.append(f"(more in {self.logs_dir / 'debug.log'})")
        return "\n".join(parts)
