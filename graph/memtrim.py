"""Giving memory freed after a burst of big allocations back to the system.

glibc keeps what is freed at the top of its heap for reuse, and returns it only past a threshold
that the burst itself raises. After 16 parallel whole-graph exports of the ROR graph the
server stayed about 110 MB above where it started while about 8 MB of Python objects were
alive; `malloc_trim(0)` gave it back, and fewer arenas (MALLOC_ARENA_MAX=2) did not
(bench/exportmemory.py). Where there is no glibc (musl, macOS) there is no such call, and
nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        function = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    function.argtypes, function.restype = [ctypes.c_size_t], ctypes.c_int
    # CDLL releases the GIL during the call: a trim in a worker thread does not stop the loop.
    trim: Callable[[int], int] = function
    return trim


_TRIM = _malloc_trim()


def available() -> bool:
    return _TRIM is not None


def trim() -> bool:
    """Return freed heap memory to the system; True when some was returned."""
    if _TRIM is None:
        return False
    returned = bool(_TRIM(0))
    log.debug("malloc_trim returned memory: %s", returned)
    return returned
