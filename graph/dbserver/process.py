"""The detached Neo4j JVM as an OS process: spawn it, recognise it by pid, stop it."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from graph.errors import ServerError

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"

log = logging.getLogger(__name__)

# Servers this process spawned, with their homes. An exited child stays a zombie (its pid still
# answers os.kill) until waited on, so whoever looks at the pid reaps it.
_children: dict[int, tuple[subprocess.Popen[bytes], Path]] = {}


@atexit.register
def _let_servers_outlive_us() -> None:
    # A server outlives this process by design (`db start` returns while it runs). Popen warns
    # at exit about children still running; mark ours as released so it does not.
    for child, _ in _children.values():
        if child.poll() is None:
            child.returncode = 0
    _children.clear()


def spawn(command: Sequence[str], *, home: Path, console_log: Path) -> int:
    """Start the server detached from us; its stdout and stderr go to console_log."""
    with console_log.open("ab") as console:
        # A session of its own: the server outlives this process and ignores its Ctrl-C.
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            cwd=home,
            start_new_session=True,
        )
    _children[child.pid] = (child, home)
    return child.pid


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")


def exit_code(pid: int) -> int | None:
    """The exit code if `pid` is a child of ours that has exited (reaping it), else None."""
    child = _children.get(pid)
    return None if child is None else child[0].poll()


def is_server_of(pid: int, home: Path) -> bool:
    """Whether `pid` is a live Neo4j server running from `home` (an absolute path)."""
    if pid in _children:
        # Our own child: trust its exit status, since /proc/<pid>/cmdline is briefly empty
        # right after exec (and is empty for good once it is a zombie).
        return exit_code(pid) is None and _children[pid][1] == home
    args = cmdline(pid)
    return MAIN_CLASS in args and f"--home-dir={home}" in args


def find_server(pid_file: Path, home: Path) -> int | None:
    """The pid of the server running from `home`: the pid file's, else found in /proc."""
    try:
        pid: int | None = int(pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        pid = None
    if pid is not None and is_server_of(pid, home):
        return pid
    # No (valid) pid file, e.g. it was deleted: a server of this home may still be running.
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and is_server_of(int(entry.name), home):
            return int(entry.name)
    return None


def terminate(pid: int, home: Path, timeout_s: float) -> None:
    """SIGTERM and wait; SIGKILL (saying so) only when the server outlives timeout_s."""
    try:
        os.kill(pid, signal.SIGTERM)
        if not _wait_gone(pid, home, timeout_s):
            log.warning(
                "Neo4j (pid %d) did not stop within %gs of SIGTERM; killing it with SIGKILL "
                "(the next start will run recovery)",
                pid,
                timeout_s,
            )
            os.kill(pid, signal.SIGKILL)
            if not _wait_gone(pid, home, 30.0):
                raise ServerError(f"Neo4j (pid {pid}) survived SIGKILL; stop it by hand.")
    except ProcessLookupError:
        pass  # it exited on its own in the meantime
    exit_code(pid)
    _children.pop(pid, None)


def _wait_gone(pid: int, home: Path, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while is_server_of(pid, home):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True
