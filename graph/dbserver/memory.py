"""The local server's heap and page cache, sized from the machine's memory unless chosen."""

from __future__ import annotations

import os

GIB = 2**30
MIN_HEAP_GIB = 2
# Above ~31 GiB the JVM loses compressed object pointers and a bigger heap holds less.
MAX_HEAP_GIB = 31
MIN_PAGECACHE = "512m"
# A sixth of the memory each: the rest is the API's and the loader's (each under 2 GB, see the
# README's load section), the OS's file cache, and the other programs of a shared machine.
SHARE = 6


def physical_memory() -> int:
    """Bytes of RAM, from sysconf (Linux, macOS); 0 when the platform does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _sixth_gib(total: int | None) -> int:
    total = physical_memory() if total is None else total
    return round(int(total) / SHARE / GIB)


def recommended_heap(total: int | None = None) -> str:
    """A sixth of the machine's memory, in whole GiB, between 2g and 31g (4g on 24 GB).

    Loads no longer need a heap that grows with them: loads of more than 20,000 records are
    written one transaction per batch (graph/ingest/write.py), and a bundle-lines file chunk by
    chunk (graph/ingest/stream.py); a batch of 5,000 rows holds well under 1 GB. What stays one
    transaction (loads under 20,000 records, ~40 kB of heap per synthetic organisation at the
    peak, and every API write) fits in the 70% `dbms.memory.transaction.total.max` of 2g.
    bench/scaleload.py measures Neo4j's peak heap for a batched and a streamed load.
    """
    return f"{min(max(_sixth_gib(total), MIN_HEAP_GIB), MAX_HEAP_GIB)}g"


def recommended_pagecache(total: int | None = None) -> str:
    """A sixth of the machine's memory too (4g on 24 GB; 512m at least): the page cache holds
    the store files Neo4j reads; what it lacks comes from the OS's file cache, slower."""
    gib = _sixth_gib(total)
    return f"{gib}g" if gib >= 1 else MIN_PAGECACHE
