"""Where-predicate fragments: comparisons, any-name matches, relationship quantifiers.

graph/api/compile/where.py walks a `<Type>Where` input and joins these; values arrive as parameter
references ("$p3") the compiler made, never as text.

Two-valued logic, at the negations only. Cypher compares null to anything as null, and NOT null
is null: an organisation without a country would vanish from both `country: {eq: "KR"}` and its
NOT. Users read a missing value as "not equal", so a filter means what it would if every
comparison with a missing value were false. A WHERE already drops null as it drops false, and
AND, OR and any() are monotone (a null in them settles to what false would give), so every
comparison in a positive position is emitted plain: `n.country = $p0`, which Neo4j serves from an
index (wrapped in coalesce() it scanned the whole label: 47 ms instead of 1 ms for one key on 51k
organisations). Only where a NOT turns null into null does the meaning need pinning down: `NOT`
and `all` (written as NOT EXISTS ... WHERE NOT) wrap what they negate in `two_valued`. For a
monotone condition that is the same as making every comparison under it two-valued.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.cypher.labels import Label, RelType
from graph.cypher.project import ident, param_ref, pattern

_COMPARE = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
OPERATORS = frozenset(
    {*_COMPARE, "in_", "contains", "starts_with", "ends_with"}
    | {"includes", "includes_any", "includes_all"}
)


def compare(expr: str, op: str, value: str) -> str:
    """One operator of a filter input (`eq`, `in_`, `contains`, `includes_any`, ...)."""
    v = param_ref(value)
    match op:
        case "eq" | "lt" | "lte" | "gt" | "gte":
            return f"{expr} {_COMPARE[op]} {v}"
        case "in_":
            return f"{expr} IN {v}"
        case "contains":
            return f"toLower({expr}) CONTAINS toLower({v})"
        case "starts_with":
            return f"toLower({expr}) STARTS WITH toLower({v})"
        case "ends_with":
            return f"toLower({expr}) ENDS WITH toLower({v})"
        case "includes":
            return f"{v} IN coalesce({expr}, [])"
        case "includes_any":
            return f"any(x IN {v} WHERE x IN coalesce({expr}, []))"
        case "includes_all":
            return f"all(x IN {v} WHERE x IN coalesce({expr}, []))"
    raise ValueError(f"unknown operator {op}")


def two_valued(cond: str) -> str:
    """`cond` with null read as false (see the module's docstring: for negations only)."""
    return f"coalesce({cond}, false)"


def any_name(var: str, name: str, conds: Iterable[str]) -> str:
    """One of the element's names (display, labels, aliases, acronyms) meets every condition
    (written over the variable `name`)."""
    return f"any({ident(name)} IN coalesce({ident(var)}.names, []) WHERE {' AND '.join(conds)})"


def related_pattern(var: str, rel_type: RelType, outgoing: bool, other: str, label: Label) -> str:
    return pattern(var, "", rel_type, outgoing, other, label)


def some(match: str, cond: str) -> str:
    return f"EXISTS {{ MATCH {match} WHERE {cond} }}"


def none(match: str, cond: str) -> str:
    return f"NOT EXISTS {{ MATCH {match} WHERE {cond} }}"


def every(match: str, cond: str) -> str:
    """All related nodes meet `cond` (true when there are none)."""
    return f"NOT EXISTS {{ MATCH {match} WHERE {negated(cond)} }}"


def all_of(parts: list[str]) -> str:
    return " AND ".join(parts) or "true"


def any_of(alternatives: list[str]) -> str:
    return "(" + (" OR ".join(f"({a})" for a in alternatives) or "false") + ")"


def negated(cond: str) -> str:
    """The complement of `cond`, a missing value counted as failing it."""
    return f"NOT {two_valued(cond)}"


def grouped(cond: str) -> str:
    return f"({cond})"
