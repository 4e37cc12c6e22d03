"""Finding a JDK that Neo4j 5.26 can run on (Java 17 or 21, never anything newer)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from graph.errors import ConfigError

# 5.26 is the last Neo4j line on Java 17; it does not start on 22+ (and 8/11 are too old).
SUPPORTED_MAJORS = (17, 21)
INSTALL_HINT = (
    "install a JDK 17 (e.g. `apt-get install openjdk-17-jdk-headless`) "
    "or point JAVA_HOME at a JDK 17 or 21"
)

JVM_ROOT = Path("/usr/lib/jvm")
_VERSION_RE = re.compile(r'version "([^"]+)"')


@dataclass(frozen=True, slots=True)
class JavaInfo:
    path: Path
    version: str  # as `java -version` prints it, e.g. "17.0.15"

    @property
    def major(self) -> int:
        return java_major(self.version)


def parse_java_version(output: str) -> str:
    """The version string from `java -version` output (which may carry 'Picked up ...' lines)."""
    match = _VERSION_RE.search(output)
    if match is None:
        raise ValueError(f"no version in java -version output: {output.strip()[:200]!r}")
    return match.group(1)


def java_major(version: str) -> int:
    """17 for "17.0.15", 21 for "21", 8 for the old "1.8.0_292" scheme."""
    parts = re.split(r"[._+-]", version)
    if parts[0] == "1" and len(parts) > 1:
        return int(parts[1])
    return int(parts[0])


def probe_java(path: Path) -> JavaInfo | None:
    """Ask one `java` binary for its version; None when it is missing or does not answer."""
    try:
        done = subprocess.run(
            [str(path), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
        return JavaInfo(path=path, version=parse_java_version(done.stderr + done.stdout))
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None


def java_candidates(environ: Mapping[str, str], jvm_root: Path = JVM_ROOT) -> list[Path]:
    """Where to look, in order: $JAVA_HOME, every JDK under /usr/lib/jvm, `java` on PATH."""
    found: list[Path] = []
    if java_home := environ.get("JAVA_HOME"):
        found.append(Path(java_home) / "bin" / "java")
    if jvm_root.is_dir():
        found.extend(sorted(p / "bin" / "java" for p in jvm_root.iterdir()))
    if on_path := shutil.which("java", path=environ.get("PATH")):
        found.append(Path(on_path))
    unique: dict[Path, Path] = {}
    for path in found:
        if path.is_file():
            # Symlinked JDK directories and /usr/bin/java alternatives point at the same binary.
            unique.setdefault(path.resolve(), path)
    return list(unique.values())


def choose_java(found: Iterable[JavaInfo], java_home: Path | None = None) -> JavaInfo | None:
    """A supported JDK: the one JAVA_HOME names if it is supported, else 17 before 21."""
    usable = [j for j in found if j.major in SUPPORTED_MAJORS]
    if java_home is not None:
        # An explicit JAVA_HOME is the user's choice; honour it whenever Neo4j can run on it.
        for java in usable:
            if java.path.is_relative_to(java_home):
                return java
    for major in SUPPORTED_MAJORS:
        for java in usable:
            if java.major == major:
                return java
    return None


def find_java(environ: Mapping[str, str] | None = None, jvm_root: Path = JVM_ROOT) -> JavaInfo:
    """The JDK to run Neo4j with; ConfigError saying what to install when there is none."""
    env = os.environ if environ is None else environ
    probed = [
        info for path in java_candidates(env, jvm_root) if (info := probe_java(path)) is not None
    ]
    java_home = Path(env["JAVA_HOME"]) if env.get("JAVA_HOME") else None
    chosen = choose_java(probed, java_home)
    if chosen is not None:
        return chosen
    seen = ", ".join(f"{j.path} ({j.version})" for j in probed) or "none"
    raise ConfigError(f"Neo4j 5.26 needs Java 17 or 21; found: {seen}. To fix: {INSTALL_HINT}.")
