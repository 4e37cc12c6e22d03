"""The compiled fast path: values below the root completed from the Cypher maps in one pass.

Every root field already compiles its whole selection into ONE Cypher query whose maps have the
response's shape (graph/api/compile/compiler.py). graphql-core would still complete them field by
field: for every leaf it builds a resolve info, calls a resolver, checks awaitables and coerces,
about 3 us per leaf (REFERENCE.md section 5). `FastExecutor` completes such a value with completers
built once per (type, selection) and reused for every object of a list: a dictionary read and a
coercion per leaf.

Decisions:

- Identical answers, by construction where it is cheap and by a differential test where it is
  not (tests/api/test_fastpath.py runs generated queries through both executors). The fast path
  only handles the plain case: a value of a type whose fields read maps (`MAP_RESOLVERS`),
  lists, non-null wrappers, the `Node` interface resolved by `__typename`, and leaves whose
  coercion succeeds. Anything else (a null where the schema promises a value, a type with its
  own resolvers, `@defer`, a coercion that fails) raises `_Fallback`, and graphql-core's own
  completion runs for that value, so errors, their paths and null propagation are graphql-core's.
  Completion is pure (the maps are in memory), so running it again after a fallback is safe.
- The hook is `complete_value`, which graphql-core calls with the value a root resolver
  returned: root fields keep their arguments, resolvers, errors and Info unchanged.
- Completers are cached per executor (one request) by the identity of graphql-core's collected
  field lists, which graphql-core memoises and keeps alive for the request as well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    GraphQLUnionType,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Path

from graph.api.compile.maps import MAP_RESOLVERS, TYPENAME_RESOLVERS, MapRead
from graph.api.execution.adapter import ExecutionContext, FieldDetailsList

Completer = Callable[[Any], Any]


class _Fallback(Exception):
    """This value needs graphql-core's own completion."""


def _fallback(_: Any) -> Any:
    raise _Fallback


def _nullable(complete: Completer) -> Completer:
    def nullable(value: Any) -> Any:
        return None if value is None else complete(value)

    return nullable


class FastExecutor(ExecutionContext):
    """graphql-core's executor, completing compiled maps in one pass where it can."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._completers: dict[tuple[str, int], tuple[FieldDetailsList, Completer]] = {}

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if type(result) is dict or type(result) is list:
            try:
                return self._completer(return_type, field_details_list)(result)
            except Exception:  # noqa: S110
                # _Fallback, or an error (a coercion's) that graphql-core must report at the
                # right path: either way its own completion decides, from the same value.
                pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    # --- completers ---------------------------------------------------------------------------

    def _completer(self, gtype: GraphQLOutputType, fields: FieldDetailsList) -> Completer:
        key = (str(gtype), id(fields))
        cached = self._completers.get(key)
        if cached is None:
            # A placeholder first: a recursive type reaches itself only through another
            # selection (another field list), but a bug here must not recurse forever.
            self._completers[key] = (fields, _fallback)
            cached = (fields, self._build(gtype, fields))
            self._completers[key] = cached
        return cached[1]

    def _build(self, gtype: GraphQLOutputType, fields: FieldDetailsList) -> Completer:
        if isinstance(gtype, GraphQLNonNull):
            inner = self._completer(gtype.of_type, fields)

            def non_null(value: Any) -> Any:
                completed = inner(value)
                if completed is None:
                    raise _Fallback  # graphql-core reports it and nulls the parent
                return completed

            return non_null
        if isinstance(gtype, GraphQLList):
            item = self._completer(gtype.of_type, fields)

            def items(value: Any) -> Any:
                if type(value) is not list:
                    raise _Fallback
                return [item(v) for v in value]

            return _nullable(items)
        if is_leaf_type(gtype):
            return self._leaf(gtype)
        if isinstance(gtype, GraphQLInterfaceType | GraphQLUnionType):
            return self._abstract(gtype, fields)
        if isinstance(gtype, GraphQLObjectType):
            return self._object(gtype, fields)
        return _fallback  # pragma: no cover  (every output type is handled above)

    def _leaf(self, gtype: Any) -> Completer:
        coerce = gtype.coerce_output_value
        strings = gtype is GraphQLString or gtype is GraphQLID

        def leaf(value: Any) -> Any:
            if value is None:
                return None
            if strings and type(value) is str:
                return value
            coerced = coerce(value)
            if coerced is None or coerced is Undefined:
                raise _Fallback
            return coerced

        return leaf

    def _abstract(self, gtype: GraphQLAbstractType, fields: FieldDetailsList) -> Completer:
        if gtype.resolve_type not in TYPENAME_RESOLVERS:
            return _fallback
        schema = self.schema
        by_name: dict[str, Completer] = {}

        def abstract(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is not dict:
                raise _Fallback
            name = value.get("__typename")
            if type(name) is not str:
                raise _Fallback
            complete = by_name.get(name)
            if complete is None:
                runtime = schema.get_type(name)
                if not isinstance(runtime, GraphQLObjectType) or not schema.is_sub_type(
                    gtype, runtime
                ):
                    raise _Fallback
                complete = by_name[name] = self._completer(runtime, fields)
            return complete(value)

        return abstract

    def _object(self, gtype: GraphQLObjectType, fields: FieldDetailsList) -> Completer:
        if gtype.is_type_of is not None:
            return _fallback
        collected = self.collect_subfields(gtype, fields)
        if collected.new_defer_usages:
            return _fallback
        plan: list[tuple[str, str, MapRead | None, Completer]] = []
        for key, sub in collected.grouped_field_set.items():
            name = sub[0].node.name.value
            if name == "__typename":
                plan.append((key, name, None, _constant(gtype.name)))
                continue
            field = gtype.fields.get(name)
            read = MAP_RESOLVERS.get(field.resolve) if field and field.resolve else None
            if field is None or read is None:
                return _fallback
            plan.append((key, name, read, self._completer(field.type, sub)))

        def obj(value: Any) -> Any:
            if type(value) is not dict:
                raise _Fallback
            out = {}
            for key, name, read, complete in plan:
                out[key] = complete(value if read is None else read(value, key, name))
            return out

        return _nullable(obj)


def _constant(value: str) -> Completer:
    return lambda _: value


def is_map_type(gtype: GraphQLOutputType) -> bool:
    """Whether values of this type come from compiled maps (for tests and the bench)."""
    named = get_named_type(gtype)
    if isinstance(named, GraphQLObjectType):
        return all(f.resolve in MAP_RESOLVERS for f in named.fields.values())
    return isinstance(named, GraphQLInterfaceType) and named.resolve_type in TYPENAME_RESOLVERS
