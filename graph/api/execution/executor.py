"""Runs a GraphQL document against the schema: parse and validation caches, limits, execution.

No HTTP here (graph/api/http/endpoint.py maps what this returns to statuses). Decisions:

- The steps are graphql-core's public ones (`parse`, `validate`, `execute`) rather than
  `schema.execute`, which parses and validates again and runs strawberry's extension machinery,
  about 1 ms for a new query text and a few hundred microseconds for every request; and inside
  it a parse failure cannot be told from a validation failure, which GraphQL over HTTP answers
  with different statuses.
- Order: parse (the token limit is the parser's) -> the linear fragment rules the limits rely on
  -> the limits (graph/api/execution/limits/rules.py) on every operation of the document ->
  validation. The limits protect validation too (graphql-core's takes seconds on some 2000-token
  documents), so they run before it.
- Parse and validation results are cached by query text (LRU), failures included, so a repeated
  query, good or bad, costs two dictionary look-ups. The limits' verdict is cached by query
  text, operation and what of the variables the limits read (graph/api/execution/limits/key.py),
  with the degree statistics it was computed with: `first: $n` is checked again for every new `n`.
- Execution is graphql-core's with the schema's executor (the fast path,
  graph/api/execution/fastpath.py) and strawberry's resolvers and Info; strawberry's extensions do
  not run, so the schema may have only ours, whose work is done here (caching, and classifying
  errors).
- Errors never carry Cypher, stack traces or credentials: execution errors are classified by
  graph.api.execution.masking (a PartnergraphError keeps its message and gets a code, anything
  unexpected becomes "internal error", INTERNAL_SERVER_ERROR, and is logged); errors before
  execution get Apollo's well-known codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED), which
  clients and schemathesis read as "the client's fault". A limit's error says which limit
  (`extensions.limit`), the query's value and the maximum. A query Neo4j stopped at its time limit
  says so (STORE_TIMEOUT), and is logged in one line.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    KnownFragmentNamesRule,
    NoFragmentCyclesRule,
    NoUnusedFragmentsRule,
    OperationDefinitionNode,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from graph.api.execution.adapter import graphql_schema, validate_document
from graph.api.execution.limits.degrees import Degrees
from graph.api.execution.limits.key import limit_key
from graph.api.execution.limits.rules import Limits, enforce, too_many_tokens
from graph.api.execution.masking import classify
from graph.api.schema.context import Context
from graph.errors import LimitExceeded, StoreTimeout

CACHE_SIZE = 256
# Answers of introspection-only operations (GraphiQL's, the schema explorer's, a client's):
# a handful of distinct queries in practice, about 1 MB each at most.
INTROSPECTION_CACHE_SIZE = 32
FRAGMENT_RULES = [KnownFragmentNamesRule, NoUnusedFragmentsRule, NoFragmentCyclesRule]
# Ours: they cache parsing and validation and classify errors, all done here instead.
OWN_EXTENSIONS = frozenset({"ParserCache", "ValidationCache", "ErrorCodes"})

Errors = list[dict[str, Any]]


def timed_out(error: GraphQLError) -> bool:
    """Neo4j stopped the query at its time limit (graph/store.py)."""
    original = error.original_error
    return isinstance(original, StoreTimeout)


def public_error(error: GraphQLError) -> dict[str, Any]:
    """An error as clients see it: ours with message and code, anything unexpected masked."""
    original = error.original_error
    extensions: Mapping[str, Any] | None
    if isinstance(original, LimitExceeded):
        message, extensions = original.message, original.extensions
    else:
        unclassified = "code" not in (error.extensions or {})
        if unclassified and original is not None and not isinstance(original, GraphQLError):
            # graph.api.execution.masking.ErrorCodes classifies during execution; errors raised out
            # of it (the store missing when the context is made) are classified here the same way.
            classify(error)
        message, extensions = error.message, error.extensions
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = error.path
    if extensions:
        out["extensions"] = dict(extensions)
    return out


def coded(error: GraphQLError, code: str) -> dict[str, Any]:
    out = public_error(error)
    # A code already there (a limit's) is the more precise one.
    out["extensions"] = {"code": code, **out.get("extensions", {})}
    return out


class Executor:
    """Parses, checks and executes documents for one schema and one set of limits."""

    def __init__(self, schema: strawberry.Schema, limits: Limits) -> None:
        self.schema = graphql_schema(schema)
        self.executor_class = schema.execution_context_class
        self.limits = limits
        # Nested list sizes for the cost limit, from the graph's statistics; refreshed in the
        # background by requests (graph/api/execution/limits/degrees.py).
        self.degrees = Degrees()
        self._introspected: OrderedDict[str, ExecutionResult] = OrderedDict()
        # The limits' verdicts: (query, operation, limit key) -> (the estimates, the verdict).
        self._limited: OrderedDict[Hashable, tuple[Mapping[Any, int], list[LimitExceeded]]] = (
            OrderedDict()
        )
        # An extension added to the schema would silently not run here: refuse one.
        kinds = {
            e.__name__ if isinstance(e, type) else type(e()).__name__ for e in schema.extensions
        }
        unexpected = kinds - OWN_EXTENSIONS
        assert not unexpected, f"schema extensions the executor would not run: {unexpected}"
        # Bound per instance: the results depend on this schema and these limits.
        self.parse = lru_cache(maxsize=CACHE_SIZE)(self._parse)
        self._validated = lru_cache(maxsize=CACHE_SIZE)(self._validate)
        self._fragments_valid = lru_cache(maxsize=CACHE_SIZE)(self._validate_fragments)

    def _parse(self, query: str) -> DocumentNode | GraphQLError:
        try:
            return parse(
                query,
                max_lexical_tokens=self.limits.max_tokens,
                max_comments=self.limits.max_tokens,
            )
        except GraphQLSyntaxError as exc:
            if "Parsing aborted" in exc.message and "nested too deeply" not in exc.message:
                return GraphQLError(exc.message, original_error=too_many_tokens(self.limits))
            return exc

    def parse_errors(self, error: GraphQLError) -> Errors:
        return [coded(error, "GRAPHQL_PARSE_FAILED")]

    def _validate(self, query: str) -> tuple[GraphQLError, ...]:
        document = self.parse(query)
        assert isinstance(document, DocumentNode)
        return tuple(validate_document(self.schema, document, tuple(specified_rules)))

    def _validate_fragments(self, query: str) -> tuple[GraphQLError, ...]:
        """The linear rules the limits rely on: every fragment known, used, and not cyclic."""
        document = self.parse(query)
        assert isinstance(document, DocumentNode)
        return tuple(validate(self.schema, document, FRAGMENT_RULES))

    def refusals(
        self,
        query: str,
        document: DocumentNode,
        operation: OperationDefinitionNode | None,
        variables: Mapping[str, Any] | None,
    ) -> Errors:
        """The limits broken or the validation errors of `query`; empty when it may run.

        `operation` is the one to run (None when the document does not say which): only its
        `variables` are counted, but every operation is held to the limits, since validation
        reads them all.
        """
        invalid = self._fragments_valid(query)
        if not invalid:
            exceeded = self._exceeded(query, document, operation, variables)
            if exceeded:
                return [{"message": e.message, "extensions": e.extensions} for e in exceeded]
            invalid = self._validated(query)
        return [coded(e, "GRAPHQL_VALIDATION_FAILED") for e in invalid]

    def _exceeded(
        self,
        query: str,
        document: DocumentNode,
        operation: OperationDefinitionNode | None,
        variables: Mapping[str, Any] | None,
    ) -> list[LimitExceeded]:
        """The limits the document breaks with these variables, cached.

        The verdict depends on the document, which operation runs, what of its variables the
        limits read (graph/api/execution/limits/key.py: not the strings' text) and the degree
        statistics; it is kept with the statistics it was computed with, and recomputed when they
        change.
        """
        estimates = self.degrees.current()
        signature = limit_key(variables)
        key = None
        if signature is not None:
            position = None if operation is None else document.definitions.index(operation)
            key = (query, position, signature)
            cached = self._limited.get(key)
            if cached is not None and cached[0] is estimates:
                self._limited.move_to_end(key)
                return cached[1]
        exceeded: list[LimitExceeded] = []
        for candidate in document.definitions:
            if not isinstance(candidate, OperationDefinitionNode):
                continue
            sent = variables if candidate is operation else None
            exceeded = enforce(self.limits, self.schema, document, candidate, sent, estimates)
            if exceeded:
                break
        if key is not None:
            self._limited[key] = (estimates, exceeded)
            while len(self._limited) > CACHE_SIZE:
                self._limited.popitem(last=False)
        return exceeded

    async def run(
        self,
        query: str,
        context: Context,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> ExecutionResult:
        """A document as graph/api/http/endpoint.py runs it, without HTTP (tests, benchmarks):
        parsed, held to the limits, validated, executed. A refused document has no data and
        the errors a client would be sent."""
        document = self.parse(query)
        if isinstance(document, GraphQLError):
            return _refused(self.parse_errors(document))
        operation = get_operation_ast(document, operation_name)
        refused = self.refusals(query, document, operation, variables)
        if refused:
            return _refused(refused)
        return await self.execute(document, context, variables, operation_name)

    async def execute(
        self,
        document: DocumentNode,
        context: Context,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Run a document that passed `refusals` as it is, its errors classified."""
        self.degrees.refresh(context.store)
        key = _introspection_key(document, variables, operation_name)
        if key is not None:
            return await self._introspection(key, document, variables, operation_name)
        outcome = execute(
            self.schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            executor_class=self.executor_class,
            operation_extensions=extensions,
        )
        result = await outcome if isawaitable(outcome) else outcome
        for failure in result.errors or []:
            classify(failure)
        return result

    async def _introspection(
        self,
        key: str,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> ExecutionResult:
        """An operation of introspection only: its answer depends on the schema alone, which
        does not change while the server runs, so it is cached; and it is computed in a thread,
        since graphql-core's introspection is plain Python that held the event loop for about
        90 ms per full introspection (thirty aliases of it, seconds)."""
        cached = self._introspected.get(key)
        if cached is not None:
            self._introspected.move_to_end(key)
            return cached
        result = await asyncio.to_thread(
            execute,
            self.schema,
            document,
            variable_values=variables,
            operation_name=operation_name,
        )
        if isawaitable(result):  # introspection resolvers are synchronous; never reached
            result = await result
        for failure in result.errors or []:
            classify(failure)
        self._introspected[key] = result
        while len(self._introspected) > INTROSPECTION_CACHE_SIZE:
            self._introspected.popitem(last=False)
        return result


def _refused(errors: Errors) -> ExecutionResult:
    return ExecutionResult(
        None, [GraphQLError(e["message"], extensions=e.get("extensions")) for e in errors]
    )


def _introspection_key(
    document: DocumentNode, variables: dict[str, Any] | None, operation_name: str | None
) -> str | None:
    """The cache key of an operation selecting nothing but introspection fields; else None."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or _named(o, operation_name)]
    if len(chosen) != 1 or chosen[0].operation != OperationType.QUERY:
        return None
    for selection in chosen[0].selection_set.selections:
        if not isinstance(selection, FieldNode) or not selection.name.value.startswith("__"):
            return None
        if selection.directives:
            return None
    if document.loc is None:
        return None
    return json.dumps([document.loc.source.body, variables, operation_name], default=str)


def _named(operation: OperationDefinitionNode, name: str) -> bool:
    return operation.name is not None and operation.name.value == name
