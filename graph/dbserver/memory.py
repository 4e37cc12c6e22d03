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
    """40% of the machine's memory, in whole GiB, between 2g and 31g (9g on this 24 GB machine).

    Loads of more than 20,000 records go in one transaction per batch (graph/ingest/write.py),
    so their heap no longer grows with the load; loads below that, and every API write, are one
    transaction, measured at ~40 kB of heap per synthetic organisation at the peak (20,000 ~
    0.8 GB, under the 70% `dbms.memory.transaction.total.max` of the 2g floor). The heap is kept
    at 40% rather than cut to 4g because the API's reads and the export's long reads use it too,
    and the machine is shared with the Python processes (the loader holds ~28 kB per record of
    a load it plans). On a bigger machine the same 40% applies up to 31g; the page cache is fixed
    and small (256m): a graph bigger than that is read from the OS's file cache. A batched
    load's heap use is measured by bench/scaleload.py (its --heap defaults to 4g).
    """
    total = physical_memory() if total is None else total
    gib = int(total) * 2 // 5 // GIB
    return f"{min(max(gib, MIN_HEAP_GIB), MAX_HEAP_GIB)}g"
