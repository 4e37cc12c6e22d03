"""Debian's Chromium as the browser tests and the explorer bench launch it: where it is, and
the flags that keep its own traffic off this closed network."""

from __future__ import annotations

import os
import shutil

# The flags the machine's notes ask for: no sandbox as root, and none of Chromium's own
# background traffic (which this closed network refuses), so what is logged is the page's.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
NO_CHROMIUM = (
    "no Chromium: `make test` installs Debian's chromium when run as root "
    "(apt-get install -y chromium); or set PARTNERGRAPH_CHROMIUM"
)


def chromium_path() -> str | None:
    wanted = os.environ.get("PARTNERGRAPH_CHROMIUM")
    for candidate in (wanted, "chromium", "chromium-browser", "google-chrome"):
        found = candidate and shutil.which(candidate)
        if found:
            return found
    return None
