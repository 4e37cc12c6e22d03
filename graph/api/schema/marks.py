"""The mark on object types whose values are compiled Cypher maps: fields read by key, no resolvers.

Every other type (the roots, mutation payloads, stats, audit entries) is a Python object whose
fields strawberry resolves itself. The mark is on the class, so moving a class moves nothing else.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T", bound=type)

_MARK = "__partnergraph_reads_maps__"


def reads_maps(cls: T) -> T:
    """Mark a strawberry type (put it above `@strawberry.type`): its values are compiled maps."""
    setattr(cls, _MARK, True)
    return cls


def holds_maps(cls: object) -> bool:
    """Whether `cls` itself (not a base class) was marked with `reads_maps`."""
    return isinstance(cls, type) and vars(cls).get(_MARK, False) is True
