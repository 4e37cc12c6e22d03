"""Projection fragments: map literals, nested COLLECT subqueries and the values they hold.

The compiler (graph/api/compile/compiler.py) walks the GraphQL selection and assembles these
fragments; they take variable names and parameter references ("$p3") the compiler made, property
names from the kind registry, and labels and types only as `Label`/`RelType` members. Nothing here
receives a user value: those are parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from graph.cypher.labels import Label, RelType, checked_label, checked_type
from graph.cypher.props import ACCESS_RIGHTS

# Variables and properties the compiler may write into query text: plain identifiers only.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
_KEY = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")

NULL = "null"  # what a hidden field projects to
SOURCE_PROJECTION = (
    "{id: 'Source:' + s.id, key: s.id, title: s.title, kind: s.kind, publisher: s.publisher, "
    "url: s.url, published: s.published, retrieved: s.retrieved}"
)


def ident(name: str) -> str:
    """A variable or property name, refused unless it is a plain identifier."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a Cypher identifier: {name!r}")
    return name


def param_ref(ref: str) -> str:
    if not _PARAM.fullmatch(ref):
        raise ValueError(f"not a parameter reference: {ref!r}")
    return ref


def key(name: str) -> str:
    """A map key for a GraphQL response key: [_A-Za-z][_0-9A-Za-z]*, backticked."""
    if not _KEY.fullmatch(name):
        raise ValueError(f"not a GraphQL name: {name!r}")
    return f"`{name}`"


def entry(name: str, value: str) -> str:
    return f"{key(name)}: {value}"


def map_literal(entries: Iterable[str]) -> str:
    return "{" + ", ".join(entries) + "}"


def prop(var: str, name: str) -> str:
    return f"{ident(var)}.{ident(name)}"


def labelled(var: str, label: Label) -> str:
    """`var:Label`: a pattern element, or a label test in an expression."""
    return f"{ident(var)}:{checked_label(label)}"


def typename(type_ref: str) -> str:
    return f"__typename: {param_ref(type_ref)}"


def global_id(prefix_ref: str, var: str) -> str:
    """`<Type>:<key>` with the type's prefix as a parameter."""
    return f"{param_ref(prefix_ref)} + {ident(var)}.id"


def names(var: str) -> str:
    """The parallel lists `names`, `nameLangs`, `nameTypes` as a list of name maps."""
    v = ident(var)
    return (
        f"[i IN range(0, size(coalesce({v}.names, [])) - 1) | "
        f"{{value: {v}.names[i], lang: nullIf({v}.nameLangs[i], ''), "
        f"types: split({v}.nameTypes[i], ',')}}]"
    )


def provenance(var: str) -> str:
    """Citations of a node or relationship with the Source nodes they name."""
    v = ident(var)
    return (
        f"{{entries: coalesce({v}.provenance, []), sources: COLLECT {{ "
        f"MATCH ({labelled('s', Label.SOURCE)}) WHERE s.id IN coalesce({v}.sourceIds, []) "
        f"RETURN {SOURCE_PROJECTION} }}}}"
    )


def public_access(var: str) -> str:
    """The condition under which an anonymous reader sees a data set's access contact."""
    return f"{ident(var)}.{ACCESS_RIGHTS} = 'public'"


def when(condition: str, value: str) -> str:
    """`value` when `condition` holds, else null."""
    return f"CASE WHEN {condition} THEN {value} END"


def null_if_missing(var: str, name: str, literal: str) -> str:
    """An embedded object that is null when the property it hangs on is null."""
    return f"CASE WHEN {prop(var, name)} IS NULL THEN null ELSE {literal} END"


def by_label(branches: Iterable[tuple[str, Label, str]]) -> str:
    """A value whose shape depends on the node's label: (var, label, projection) branches."""
    return (
        "CASE "
        + " ".join(f"WHEN {labelled(v, label)} THEN {value}" for v, label, value in branches)
        + " END"
    )


def pattern(
    near: str, rel: str, rel_type: RelType, outgoing: bool | None, far: str, far_label: Label | None
) -> str:
    """`(near)-[rel:TYPE]->(far:Label)`; `outgoing=None` for either direction."""
    far_node = ident(far) if far_label is None else labelled(far, far_label)
    rel_part = (ident(rel) if rel else "") + ":" + checked_type(rel_type)
    a = ident(near)
    if outgoing is None:
        return f"({a})-[{rel_part}]-({far_node})"
    if outgoing:
        return f"({a})-[{rel_part}]->({far_node})"
    return f"({a})<-[{rel_part}]-({far_node})"


def related(match: str, far: str, limit: int, projection: str, *, many: bool) -> str:
    """Nodes at the far end of `match`, by key, at most `limit`; one node unless `many`."""
    f = ident(far)
    query = (
        f"COLLECT {{ MATCH {match} WITH {f} ORDER BY {f}.id LIMIT {int(limit)} "
        f"RETURN {projection} }}"
    )
    return query if many else f"{query}[0]"


def edges(match: str, rel: str, far: str, limit: int, projection: str) -> str:
    """Edge maps (relationship and far node) of `match`, by far key then relationship key."""
    r, f = ident(rel), ident(far)
    return (
        f"COLLECT {{ MATCH {match} WITH {r}, {f} ORDER BY {f}.id, {r}.key "
        f"LIMIT {int(limit)} RETURN {projection} }}"
    )


def lookup(found: str, label: Label, rel: str, name: str, projection: str) -> str:
    """The node whose id a relationship property holds (a signature's `onBehalfOf`)."""
    return (
        f"COLLECT {{ MATCH ({labelled(found, label)} {{id: {prop(rel, name)}}}) "
        f"RETURN {projection} }}[0]"
    )
