"""The local server's heap, sized from the machine's memory when the user does not choose one."""

from __future__ import annotations

import os

GIB = 2**30
MIN_HEAP_GIB = 2
# Above ~31 GiB the JVM loses compressed object pointers and a bigger heap holds less.
MAX_HEAP_GIB = 31


def physical_memory() -> int:
    """Bytes of RAM, from sysconf (Linux, macOS); 0 when the platform does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def recommended_heap(total: int | None = None) -> str:
    """A quarter of the machine's memory, in whole GiB, between 2g and 31g.

    A load is one transaction so that it is all-or-nothing, and Neo4j keeps a transaction's
    changes on the heap (up to `dbms.memory.transaction.total.max`, 70% of it by default):
    measured, ~23 kB per organisation of the synthetic ecosystem, ~5.6 kB per row written.
    2g holds ~60k organisations; a quarter of 16 GB holds ~120k; of 64 GB, ~500k. The rest of
    the memory stays with the OS, the page cache and the Python process, which needs about as
    much again for the same load.
    """
    total = physical_memory() if total is None else total
    gib = int(total) // 4 // GIB
    return f"{min(max(gib, MIN_HEAP_GIB), MAX_HEAP_GIB)}g"
