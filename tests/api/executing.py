"""The tests' way into the API: the app's Executor, with the limits production runs with."""

from __future__ import annotations

from functools import cache

import strawberry

from graph.api.execution.executor import Executor
from graph.api.execution.limits.rules import Limits
from graph.api.schema.build import build_schema
from graph.settings import Settings


@cache
def executor_of(schema: strawberry.Schema, limits: Limits | None = None) -> Executor:
    """One Executor per schema, as the app has one: parse, limits, validation, execution and
    error masking are production's, so a test proves what a request would get. `limits`:
    for the few tests about something else that need a query over production's limits."""
    return Executor(schema, limits or Limits.from_settings(Settings()))


@cache
def default_executor() -> Executor:
    """The Executor of the app's schema, for tests that have no `schema` fixture at hand."""
    return executor_of(build_schema())
