"""CLI test helpers: `partnergraph` as a real subprocess, and seed copies with one change."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "korea-estonia"
MINIMAL = ROOT / "tests" / "fixtures" / "seeds" / "minimal"
ROR_FIXTURES = ROOT / "tests" / "fixtures" / "ror"
CLI_TIMEOUT_S = 120.0
# What ProgressLine writes when stderr is not a terminal: "[###---] 1,000/14,549 rows ...".
PROGRESS = re.compile(r"^\[[#-]+\] ([\d,]+)/([\d,]+) rows ")


class Endpoint(Protocol):
    """Where a CLI run connects: a ServerInfo, or an Address that may lead nowhere."""

    @property
    def uri(self) -> str: ...

    @property
    def password(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Address:
    uri: str
    password: str


@dataclass(frozen=True, slots=True)
class CliRun:
    code: int
    stdout: str
    stderr: str
    seconds: float

    def lines_at(self, file: Path, line: int | None) -> list[str]:
        """The stderr lines of problems located at `file:line` (any line when `line` is None)."""
        where = re.escape(str(file)) + (rf":{line}\b" if line is not None else "")
        pattern = re.compile(rf"^\s*{where}[: ]")
        return [text.strip() for text in self.stderr.splitlines() if pattern.match(text)]

    @property
    def problems(self) -> list[str]:
        """The problem lines of an InputError report (indented under its summary line)."""
        return [text.strip() for text in self.stderr.splitlines() if text.startswith("  ")]


def cli_env(at: Endpoint) -> dict[str, str]:
    """This environment without the caller's NEO4J_* and PARTNERGRAPH_* settings, plus `at`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "PARTNERGRAPH_"))}
    return {**env, "NEO4J_URI": at.uri, "NEO4J_PASSWORD": at.password}


async def start_cli(at: Endpoint, *args: str | Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "graph.cli",
        *(str(arg) for arg in args),
        cwd=ROOT,
        env=cli_env(at),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(
    process: asyncio.subprocess.Process,
    started: float,
    stderr_so_far: str = "",
    timeout_s: float = CLI_TIMEOUT_S,
) -> CliRun:
    """Wait for a started CLI run; kill it (and fail) if it outlives timeout_s."""
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout_s)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"the CLI did not finish within {timeout_s:g}s") from None
    assert process.returncode is not None
    return CliRun(
        code=process.returncode,
        stdout=out.decode(),
        stderr=stderr_so_far + err.decode(),
        seconds=time.perf_counter() - started,
    )


async def run_cli(at: Endpoint, *args: str | Path, timeout_s: float = CLI_TIMEOUT_S) -> CliRun:
    """`python -m graph.cli ARGS` against the Neo4j at `at`, to completion."""
    started = time.perf_counter()
    return await finish(await start_cli(at, *args), started, timeout_s=timeout_s)


async def read_until(
    stream: asyncio.StreamReader, pattern: re.Pattern[str], timeout_s: float
) -> tuple[str | None, str]:
    """Read lines until one matches: (that line or None at end of stream, everything read)."""
    seen: list[str] = []
    async with asyncio.timeout(timeout_s):
        while raw := await stream.readline():
            text = raw.decode()
            seen.append(text)
            if pattern.search(text):
                return text, "".join(seen)
    return None, "".join(seen)


def copy_seed(tmp_path: Path, base: Path = SEED, name: str | None = None) -> Path:
    """A copy of a seed directory (the real seed by default) in tmp_path, to be mutated."""
    target = tmp_path / (name or base.name)
    shutil.copytree(base, target)
    return target


def change(file: Path, old: str, new: str) -> int:
    """Replace the first `old` in `file` by `new`; the 1-based line where `old` began."""
    text = file.read_text(encoding="utf-8")
    at = text.find(old)
    assert at >= 0, f"{old!r} is not in {file}"
    file.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def line_of(file: Path, needle: str) -> int:
    """The 1-based line of the first `needle` in `file`."""
    text = file.read_text(encoding="utf-8")
    at = text.find(needle)
    assert at >= 0, f"{needle!r} is not in {file}"
    return text.count("\n", 0, at) + 1
