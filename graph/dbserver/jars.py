"""Assembling the Neo4j server's lib/ from Maven Central with `mvn`, once, atomically."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from graph.errors import ConfigError, ServerError

POM = Path(__file__).with_name("pom.xml")
MVN_HINT = "install Maven (e.g. `apt-get install maven`)"
MVN_TIMEOUT_S = 900


def has_jars(lib_dir: Path) -> bool:
    """lib/ is only ever renamed into place complete, so one kernel jar means all jars."""
    return any(lib_dir.glob("neo4j-kernel-*.jar"))


def ensure_jars(lib_dir: Path) -> None:
    """Download the jars of the packaged pom into lib_dir unless they are already there."""
    if has_jars(lib_dir):
        return
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ConfigError(f"`mvn` is needed once to download Neo4j into {lib_dir}; {MVN_HINT}.")
    lib_dir.parent.mkdir(parents=True, exist_ok=True)
    # Download next to lib_dir (same filesystem, so the final rename is atomic) and work on a
    # copy of the pom, so mvn writes nothing into the installed package.
    with tempfile.TemporaryDirectory(prefix=".lib-download-", dir=lib_dir.parent) as tmp:
        work = Path(tmp)
        shutil.copyfile(POM, work / "pom.xml")
        command = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(work / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={work / 'lib'}",
            "-DincludeScope=runtime",
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=MVN_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ServerError(
                f"downloading Neo4j with mvn took over {MVN_TIMEOUT_S}s; check access to "
                "Maven Central (or the mirror in ~/.m2/settings.xml) and retry."
            ) from exc
        if done.returncode != 0 or not has_jars(work / "lib"):
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-30:])
            raise ServerError(
                f"mvn could not download Neo4j (exit {done.returncode}); check access to "
                f"Maven Central (or the mirror in ~/.m2/settings.xml) and retry.\n{tail}"
            )
        if has_jars(lib_dir):
            return  # another process finished the same download meanwhile
        if lib_dir.exists():
            shutil.rmtree(lib_dir)  # incomplete (say, made by hand): never a half download
        try:
            (work / "lib").rename(lib_dir)
        except OSError:
            # Another process finished the same download first; its lib/ is as good as ours.
            if not has_jars(lib_dir):
                raise
