"""Typed GraphQL inputs for the upserts, and their conversion to seed-format records (pure).

Each input is generated from its pydantic model (graph/model.py); only the descriptions are
written here. The inputs give clients shape and enums only: field names are the seed format's
(snake_case in Python, camelCase in GraphQL), and every rule (id slugs, country codes, at least
one name, ...) stays in the pydantic model, which validates the converted record exactly as it
validates a `record: JSON` one. Fields left out (or null) are left out of the record, so the
model's defaults apply as they do for seed files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import strawberry
from pydantic import BaseModel, HttpUrl
from pydantic.fields import FieldInfo

from graph import model as m
from graph.api.execution.adapter import to_camel_case
from graph.api.schema.types import api_enum
from graph.kinds import KINDS

_REF = "The id (slug) of a record, e.g. `university-of-tartu`; not a global id."
_REFS = "Ids (slugs) of records; not global ids."
_TOPICS = "Slugs, e.g. `ai-healthcare`."

# Each input is its model's fields, named `<Model>Input`, with the description below; its
# required fields (those without a default in the model) first, then the others, each in the
# model's order. `sources` is left out: citations come from the mutation's `source` argument.
_NOT_TYPED = "sources"
_TYPE_DESCRIPTIONS: dict[type[BaseModel], str] = {
    m.Name: "A name in one language; the display name has type DISPLAY.",
    m.Place: "A place; the country is an ISO 3166-1 alpha-2 code.",
    m.Period: "A validity period; either end may be open.",
    m.Identifiers: "Identifiers, bare or as URLs (https://ror.org/..., Q-ids, ISNI).",
    m.OrgRelation: "How this organisation relates to another one.",
    m.Organisation: "An organisation, as in the seed files' `organisations`.",
    m.Position: "A position a person holds at an organisation.",
    m.Person: "A person, as in the seed files' `people`.",
    m.Party: "An organisation that is party to an agreement.",
    m.Signatory: "A person who signed on behalf of a party.",
    m.Agreement: "An agreement, as in the seed files' `agreements`.",
    m.Participant: "An organisation or a person taking part: exactly one of the two.",
    m.Event: "An event, as in the seed files' `events`.",
    m.Access: "Who may use a data set, and how.",
    m.Dataset: "A data set, as in the seed files' `datasets`.",
    m.Money: "An amount of money in an ISO 4217 currency, e.g. `EUR`.",
    m.ProjectParticipant: "An organisation taking part in a project, in a role.",
    m.Project: "A project or programme, as in the seed files' `projects`.",
}
# Field descriptions, where a field has one; an enum field with a default says it ("Default:
# ACTIVE.") without being listed.
_FIELD_DESCRIPTIONS: dict[type[BaseModel], dict[str, str]] = {
    m.Name: {"lang": "e.g. `en`, `ko`, `et`."},
    m.Place: {"country": "e.g. `EE`, `KR`."},
    m.OrgRelation: {"organisation": _REF},
    m.Organisation: {
        "id": "A slug, e.g. `tartu-biotech-park`.",
        "established": "The year.",
        "sectors": _TOPICS,
        "topics": _TOPICS,
    },
    m.Position: {"organisation": _REF},
    m.Person: {"id": "A slug, e.g. `jane-doe`."},
    m.Party: {"organisation": _REF},
    m.Signatory: {"person": _REF, "on_behalf_of": _REF},
    m.Agreement: {"parties": "At least two distinct parties.", "topics": _TOPICS},
    m.Participant: {"organisation": _REF, "person": _REF},
    m.Event: {"topics": _TOPICS, "agreements": _REFS, "projects": _REFS},
    m.Access: {"body": _REF},
    m.Dataset: {"holder": _REF, "topics": _TOPICS},
    m.ProjectParticipant: {"organisation": _REF},
    m.Project: {"topics": _TOPICS, "agreement": _REF, "part_of": _REF, "datasets": _REFS},
}

# The input made for each model, so that two models sharing one (a place, a period) share it.
TYPED: dict[type[BaseModel], type[Any]] = {}


def _annotation(annotation: Any) -> Any:
    """A model field's type as an input's: nested models as their inputs, URLs as strings."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _annotation(args[0])
    if origin in (Union, types.UnionType):
        (inner,) = (a for a in args if a is not type(None))
        return _annotation(inner) | None
    if origin is list:
        return types.GenericAlias(list, (_annotation(args[0]),))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return typed_input(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return api_enum(annotation)
    return str if annotation is HttpUrl else annotation


def _default_description(info: FieldInfo) -> str | None:
    default = info.get_default(call_default_factory=True)
    values = default if isinstance(default, list) else [default]
    if values and all(isinstance(v, Enum) for v in values):
        return f"Default: {', '.join(v.name for v in values)}."
    return None


def typed_input(model: type[BaseModel]) -> type[Any]:
    """`<Model>Input`: the model's fields but `sources`, those with a default optional (null
    leaves them out of the record, so the model's default applies)."""
    if model in TYPED:
        return TYPED[model]
    cls = types.new_class(
        f"{model.__name__}Input", (), {}, lambda ns: ns.update(__module__=__name__)
    )
    fields = {name: info for name, info in model.model_fields.items() if name != _NOT_TYPED}
    ordered = sorted(fields, key=lambda name: not fields[name].is_required())
    described = _FIELD_DESCRIPTIONS.get(model, {})
    cls.__annotations__ = {}
    for name in ordered:
        info = fields[name]
        annotation = _annotation(info.annotation)
        description = described.get(name) or _default_description(info)
        if info.is_required():
            field: Any = strawberry.field(description=description)
        else:
            annotation = annotation | None
            field = strawberry.field(default=None, description=description)
        cls.__annotations__[name] = annotation
        setattr(cls, name, field)
    TYPED[model] = strawberry.input(cls, description=_TYPE_DESCRIPTIONS[model])
    return TYPED[model]


# The typed input of each kind's upsert (the keys are graph.api.schema.mutations' kinds).
INPUTS: dict[str, type[Any]] = {
    name: typed_input(kind.model)
    for name, kind in KINDS.items()
    if kind.model is not None and name != "Source"
}


# --- Conversion -------------------------------------------------------------------------------


def to_record(value: object) -> dict[str, Any]:
    """The seed-format record a typed input stands for: what `record: JSON` would carry."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"not a typed input: {value!r}")
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if item is not None:
            out[f.name] = _plain(item)
    return out


def _plain(value: object) -> Any:
    # JSON-like values, as a seed file or a JSON record gives them: enums by value, ISO dates.
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_record(value)
    return value


_INDEX = re.compile(r"\[(\d+)\]")


def input_path(loc: Sequence[str | int] | str | None, root: str = "input") -> str:
    """Where a problem in a converted record is in the typed input: `input.names.0.value`.

    `loc` is a pydantic error location (`("names", 0, "value")`) or a loader's field name
    (`positions[0].organisation`); record keys are snake_case, GraphQL names camelCase.
    """
    if loc is None:
        return root
    parts = _INDEX.sub(r".\1", loc).split(".") if isinstance(loc, str) else list(loc)
    named = [to_camel_case(p) if isinstance(p, str) else str(p) for p in parts if p != ""]
    return ".".join([root, *named])
