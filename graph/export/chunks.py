"""Output in bounded chunks: pieces gather until a chunk is full, then go out as one."""

from __future__ import annotations

# Large enough that per-chunk overhead (an ASGI message, a socket write) is small; small enough
# that an export's memory does not grow with the graph.
CHUNK_BYTES = 64 * 1024


class Sink:
    """A text file the writers (csv.writer among them) write to; `take` empties it."""

    def __init__(self, limit: int = CHUNK_BYTES) -> None:
        self.limit = limit
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, text: str) -> int:
        data = text.encode()
        self._parts.append(data)
        self._size += len(data)
        return len(text)

    def full(self) -> bool:
        return self._size >= self.limit

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts, self._size = [], 0
        return out


class BinarySink:
    """A write-only binary stream (what zipfile writes to when it cannot seek)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def close(self) -> None:
        """Nothing to release."""

    def flush(self) -> None:
        """Nothing is held back: `take` has every byte written so far."""

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts = []
        return out
