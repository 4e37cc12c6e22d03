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
    """40% of the machine's memory, in whole GiB, between 2g and 31g.

    A load is one transaction so that it is all-or-nothing, and Neo4j keeps a transaction's
    changes on the heap, up to `dbms.memory.transaction.total.max` (70% of it by default).
    Measured on the synthetic ecosystem (4.2 rows written per organisation): SHOW TRANSACTIONS
    gives 22.7 kB per organisation, linear from 5k to 100k, but the limit counts more at the
    peak (100k failed at a 3.5 GiB limit): budget ~40 kB. So 2g fails before 60k organisations;
    40% of 16 GB (6g) holds ~110k; of 23.5 GB (9g) ~160k; of 64 GB (25g) ~450k. The page cache
    is fixed and small (256m), so the heap is the server's main use of memory; the rest stays
    with the OS and the Python process, which holds ~28 kB per organisation while it loads.
    """
    total = physical_memory() if total is None else total
    gib = int(total) * 2 // 5 // GIB
    return f"{min(max(gib, MIN_HEAP_GIB), MAX_HEAP_GIB)}g"
