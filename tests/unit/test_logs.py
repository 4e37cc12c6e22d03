"""One logging configuration: every module's logger is formatted by the root's one handler."""

from __future__ import annotations

import subprocess
import sys

from tests.neo4j_test import ROOT

# Configures as `partnergraph` does at start-up, then logs from modules of every kind.
SCRIPT = """
import logging
from graph.logs import configure
configure()
logging.getLogger("graph.threads").warning("from threads")
logging.getLogger("graph.dbserver.process").warning("from process")
logging.getLogger("graph.api.http.endpoint").info("from a module of the api")
logging.getLogger("neo4j").error("the driver's own noise")
logging.getLogger("elsewhere").info("below warning: not shown")
logging.getLogger("elsewhere").warning("a library's warning")
"""


def test_every_logger_reaches_one_formatted_handler() -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # uvicorn's format ("LEVEL:" padded), as the server's own lines; Python's last resort
    # would print the bare message.
    assert run.stderr.splitlines() == [
        "WARNING:  from threads",
        "WARNING:  from process",
        "INFO:     from a module of the api",
        "WARNING:  a library's warning",
    ]
