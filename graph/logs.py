"""Logging, configured once at start-up: every logger reaches the root's one handler.

Modules log under `getLogger(__name__)` (`graph.threads`, `graph.api.http.endpoint`, ...). All of
them propagate to the root, whose handler is uvicorn's `default` (the same format as the server's
own lines, on stderr), so nothing falls to Python's bare last resort.
"""

from __future__ import annotations

import copy
import logging.config
from typing import Any

# Ours, at info beside uvicorn's access log; everything else from warning up.
OURS = ("graph", "loaders")


def log_config(level: str = "INFO") -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["null"] = {"class": "logging.NullHandler"}
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    for name in OURS:
        config["loggers"][name] = {"level": level, "propagate": True}
    # The driver logs a dying connection on its own; the CLI and the API say what went wrong.
    config["loggers"]["neo4j"] = {"handlers": ["null"], "propagate": False}
    return config


def configure(level: str = "INFO") -> None:
    """Once, in the CLI's main, before any command runs (uvicorn is told not to redo it)."""
    logging.config.dictConfig(log_config(level))
