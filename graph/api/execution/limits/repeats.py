"""Repeats: the most selections one place of the response gets, which bounds validation's work.

Repeats protect validation rather than Neo4j: graphql-core compares the selections of one place
of the response pairwise, so 490 copies of `stats { nodes }`, which fit in 2000 tokens, take
seconds to validate (see `most_repeated`).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Repeats:
    """The most selections one place of the response gets: copies of a field, or fragments."""

    count: int = 0
    path: str = ""
    fragments: bool = False


def most_repeated(
    document: DocumentNode, operation: OperationDefinitionNode, cap: int, levels: int
) -> Repeats:
    """The place most selected, where graphql-core's validation works hardest.

    OverlappingFieldsCanBeMergedRule compares the fields one place gets pairwise, and the
    fragments spread on it pairwise: 490 copies of `stats { nodes }` (2000 tokens) take seconds
    to validate, 200 one-field fragments on one object a tenth of a second. Counting stops at the
    first place over `cap`, and `levels` down (deeper only through a fragment cycle, which
    validation refuses).
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return _most_repeated([operation.selection_set], "", fragments, cap, levels)


def _most_repeated(
    selection_sets: list[SelectionSetNode],
    path: str,
    fragments: dict[str, FragmentDefinitionNode],
    cap: int,
    levels: int,
) -> Repeats:
    places: dict[str, list[FieldNode]] = {}
    spread: set[str] = set()
    _collect(selection_sets, fragments, places, spread)
    worst = Repeats(len(spread), path, fragments=True)
    for key, nodes in places.items():
        if len(nodes) > worst.count:
            worst = Repeats(len(nodes), f"{path}.{key}" if path else key)
    if worst.count > cap or levels <= 1:
        return worst
    for key, nodes in places.items():
        below = [n.selection_set for n in nodes if n.selection_set is not None]
        if below:
            inner = _most_repeated(
                below, f"{path}.{key}" if path else key, fragments, cap, levels - 1
            )
            if inner.count > worst.count:
                worst = inner
            if worst.count > cap:
                break
    return worst


def _collect(
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    places: dict[str, list[FieldNode]],
    spread: set[str],
) -> None:
    """Fields by response key, as execution merges them (a fragment counts once per place)."""
    for selection_set in selection_sets:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                places.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                _collect([selection.selection_set], fragments, places, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in spread and name in fragments:
                    spread.add(name)
                    _collect([fragments[name].selection_set], fragments, places, spread)
