"""Typed upsert inputs: the same record as `record: JSON`, one validator, input paths."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from enum import Enum
from typing import Any

import pytest
import strawberry
from pydantic import BaseModel

from graph.api.schema.record_inputs import INPUTS, TYPED, input_path, to_record
from graph.model import (
    Agreement,
    Dataset,
    Event,
    Name,
    NameType,
    Organisation,
    OrgKind,
    Period,
    Person,
    Place,
    Project,
)
from graph.store import Store
from tests.api.mutating import ADMIN, DELETE, EDITOR, SOURCE, execute
from tests.integration.graphdata import fingerprint

# --- pure: conversion and paths ----------------------------------------------------------------

MODELS: dict[str, type[BaseModel]] = {
    "Organisation": Organisation,
    "Person": Person,
    "Agreement": Agreement,
    "Event": Event,
    "Dataset": Dataset,
    "Project": Project,
}
# Citations come from the mutation's `source` argument, not from the record.
NOT_TYPED = {"sources"}


def _inner(annotation: Any) -> Any:
    """The class inside `X | None`, `list[X]`, `Annotated[...]`."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated) and args:
        return _inner(args[0])
    return annotation


def _pairs(typed: type, model: type[BaseModel]) -> list[tuple[str, type, type[BaseModel]]]:
    """Every (path, input class, model class) reachable from a kind's input."""
    hints = typing.get_type_hints(typed)
    found = [(typed.__name__, typed, model)]
    for name, field in model.model_fields.items():
        sub_model = _inner(field.annotation)
        if name in hints and isinstance(sub_model, type) and issubclass(sub_model, BaseModel):
            found += _pairs(_inner(hints[name]), sub_model)
    return found


@pytest.mark.parametrize("kind", sorted(INPUTS))
def test_each_input_has_the_fields_of_its_model_and_no_others(kind: str) -> None:
    for where, typed, model in _pairs(INPUTS[kind], MODELS[kind]):
        fields = {f.name for f in dataclasses.fields(typed)}
        assert fields == set(model.model_fields) - NOT_TYPED, where
        hints = typing.get_type_hints(typed)
        for name, field in model.model_fields.items():
            # The model's enums are the input's enums (one list of values).
            if isinstance(_inner(field.annotation), type) and issubclass(
                _inner(field.annotation), Enum
            ):
                assert _inner(hints[name]) is _inner(field.annotation), (where, name)


def test_an_input_converts_to_the_seed_format_record() -> None:
    NameInput, PlaceInput = TYPED[Name], TYPED[Place]  # noqa: N806  (classes)
    typed = TYPED[Organisation](
        id="tartu-biotech-park",
        kind=OrgKind.SCIENCE_PARK,
        names=[
            NameInput(value="Tartu Biotechnology Park", lang="en", types=[NameType.DISPLAY]),
            NameInput(value="Tartu Biotehnoloogia Park"),
        ],
        location=PlaceInput(country="EE", city="Tartu", geonames_id=588335),
        topics=["biotech"],
    )
    assert to_record(typed) == {
        "id": "tartu-biotech-park",
        "kind": "science_park",
        "names": [
            {"value": "Tartu Biotechnology Park", "lang": "en", "types": ["display"]},
            {"value": "Tartu Biotehnoloogia Park"},
        ],
        "location": {"country": "EE", "city": "Tartu", "geonames_id": 588335},
        "topics": ["biotech"],
    }


def test_dates_become_iso_strings_as_in_seed_files() -> None:
    assert to_record(TYPED[Period](start=dt.date(2024, 6, 4))) == {"start": "2024-06-04"}


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("names", 0, "value"), "input.names.0.value"),
        (("location", "geonames_id"), "input.location.geonamesId"),
        ((), "input"),
        ("positions[0].organisation", "input.positions.0.organisation"),
        ("access.body", "input.access.body"),
        ("part_of", "input.partOf"),
        (None, "input"),
    ],
)
def test_problem_locations_become_input_paths(loc: Any, path: str) -> None:
    assert input_path(loc) == path


# --- on the real Neo4j: one code path ----------------------------------------------------------

UPSERT = """
mutation($input: %(kind)sInput, $record: JSON, $source: CitationInput!, $v: Int) {
  upsert%(kind)s(input: $input, record: $record, source: $source, expectedVersion: $v) {
    __typename
    ... on Upserted { id version }
    ... on ValidationFailed { problems { field message } }
  }
}"""

# The same record, typed (GraphQL variables: camelCase, enum names) and in the seed format.
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "Organisation": (
        {
            "id": "tartu-biotech-park",
            "kind": "SCIENCE_PARK",
            "names": [
                {"value": "Tartu Biotechnology Park", "lang": "en", "types": ["DISPLAY"]},
                {"value": "TBP", "lang": "en", "types": ["ACRONYM"]},
            ],
            "identifiers": {
                "wikidata": "https://www.wikidata.org/wiki/Q12345",
                "registryCode": "1",
            },
            "location": {"country": "ee", "city": "Tartu", "geonamesId": 588335, "lat": 58.38},
            "status": "ACTIVE",
            "established": 2005,
            "website": "https://biopark.ee",
            "description": "A science park for biotechnology.",
            "sectors": ["biotech"],
            "topics": ["biotech", "health-tech"],
            "relations": [
                {
                    "type": "PARENT",
                    "organisation": "university-of-tartu",
                    "period": {"start": "2005-01-01"},
                }
            ],
        },
        {
            "id": "tartu-biotech-park",
            "kind": "science_park",
            "names": [
                {"value": "Tartu Biotechnology Park", "lang": "en", "types": ["display"]},
                {"value": "TBP", "lang": "en", "types": ["acronym"]},
            ],
            "identifiers": {
                "wikidata": "https://www.wikidata.org/wiki/Q12345",
                "registry_code": "1",
            },
            "location": {"country": "ee", "city": "Tartu", "geonames_id": 588335, "lat": 58.38},
            "status": "active",
            "established": 2005,
            "website": "https://biopark.ee",
            "description": "A science park for biotechnology.",
            "sectors": ["biotech"],
            "topics": ["biotech", "health-tech"],
            "relations": [
                {
                    "type": "parent",
                    "organisation": "university-of-tartu",
                    "period": {"start": "2005-01-01"},
                }
            ],
        },
    ),
    "Person": (
        {
            "id": "mari-maasikas",
            "names": [{"value": "Mari Maasikas", "lang": "et", "types": ["DISPLAY"]}],
            "positions": [
                {
                    "organisation": "university-of-tartu",
                    "title": "Professor of Bioinformatics",
                    "period": {"start": "2020-09-01", "end": "2025-08-31"},
                }
            ],
            "email": "mari@example.org",
            "phone": "+372 555 0000",
        },
        {
            "id": "mari-maasikas",
            "names": [{"value": "Mari Maasikas", "lang": "et", "types": ["display"]}],
            "positions": [
                {
                    "organisation": "university-of-tartu",
                    "title": "Professor of Bioinformatics",
                    "period": {"start": "2020-09-01", "end": "2025-08-31"},
                }
            ],
            "email": "mari@example.org",
            "phone": "+372 555 0000",
        },
    ),
    "Agreement": (
        {
            "id": "mou-gwtp-ut-2025",
            "kind": "MOU",
            "title": "MoU between Gangwon Technopark and the University of Tartu",
            "parties": [
                {"organisation": "gangwon-technopark", "role": "LEAD"},
                {"organisation": "university-of-tartu"},
            ],
            "purpose": "Joint training in health data.",
            "topics": ["ai-healthcare"],
            "signed": "2025-03-01",
            "place": {"country": "KR", "city": "Chuncheon"},
            "validity": {"start": "2025-03-01", "end": "2028-02-28"},
            "status": "IN_FORCE",
            "signatories": [
                {
                    "person": "heo-jang-hyeon",
                    "onBehalfOf": "gangwon-technopark",
                    "title": "Head of Gangwon Technopark",
                }
            ],
        },
        {
            "id": "mou-gwtp-ut-2025",
            "kind": "mou",
            "title": "MoU between Gangwon Technopark and the University of Tartu",
            "parties": [
                {"organisation": "gangwon-technopark", "role": "lead"},
                {"organisation": "university-of-tartu"},
            ],
            "purpose": "Joint training in health data.",
            "topics": ["ai-healthcare"],
            "signed": "2025-03-01",
            "place": {"country": "KR", "city": "Chuncheon"},
            "validity": {"start": "2025-03-01", "end": "2028-02-28"},
            "status": "in_force",
            "signatories": [
                {
                    "person": "heo-jang-hyeon",
                    "on_behalf_of": "gangwon-technopark",
                    "title": "Head of Gangwon Technopark",
                }
            ],
        },
    ),
    "Event": (
        {
            "id": "tartu-visit-2025",
            "kind": "VISIT",
            "title": "Gangwon delegation visits Tartu",
            "date": "2025-05-12",
            "end": "2025-05-13",
            "place": {"country": "EE", "city": "Tartu"},
            "topics": ["ai-healthcare"],
            "participants": [
                {"organisation": "gangwon-technopark", "role": "delegation"},
                {"person": "andrus-kurvits", "role": "host"},
            ],
            "agreements": ["mou-gwtp-tsp-2024-06-04"],
            "decisions": ["Start a joint pilot."],
        },
        {
            "id": "tartu-visit-2025",
            "kind": "visit",
            "title": "Gangwon delegation visits Tartu",
            "date": "2025-05-12",
            "end": "2025-05-13",
            "place": {"country": "EE", "city": "Tartu"},
            "topics": ["ai-healthcare"],
            "participants": [
                {"organisation": "gangwon-technopark", "role": "delegation"},
                {"person": "andrus-kurvits", "role": "host"},
            ],
            "agreements": ["mou-gwtp-tsp-2024-06-04"],
            "decisions": ["Start a joint pilot."],
        },
    ),
    "Dataset": (
        {
            "id": "tartu-imaging-archive",
            "title": "Tartu imaging archive",
            "holder": "university-of-tartu",
            "modalities": ["IMAGING", "EHR"],
            "subject": "Radiology images",
            "individuals": 12000,
            "coverage": "Tartu County",
            "country": "EE",
            "period": {"start": "2010-01-01"},
            "access": {
                "rights": "RESTRICTED",
                "body": "university-of-tartu",
                "legalBasis": "GDPR art. 9(2)(j)",
                "conditions": ["ethics approval"],
                "limitations": ["no export"],
                "contact": "data@ut.ee",
            },
            "topics": ["health-data"],
        },
        {
            "id": "tartu-imaging-archive",
            "title": "Tartu imaging archive",
            "holder": "university-of-tartu",
            "modalities": ["imaging", "ehr"],
            "subject": "Radiology images",
            "individuals": 12000,
            "coverage": "Tartu County",
            "country": "EE",
            "period": {"start": "2010-01-01"},
            "access": {
                "rights": "restricted",
                "body": "university-of-tartu",
                "legal_basis": "GDPR art. 9(2)(j)",
                "conditions": ["ethics approval"],
                "limitations": ["no export"],
                "contact": "data@ut.ee",
            },
            "topics": ["health-data"],
        },
    ),
    "Project": (
        {
            "id": "gwtp-tartu-pilot",
            "kind": "JOINT_RND",
            "title": "Gangwon-Tartu AI-healthcare pilot",
            "description": "Validating Korean AI-healthcare products in Tartu.",
            "status": "PLANNED",
            "period": {"start": "2025-06-01"},
            "budget": {"amount": 250000.0, "currency": "EUR"},
            "topics": ["ai-healthcare"],
            "participants": [
                {"organisation": "gangwon-technopark", "role": "COORDINATOR"},
                {"organisation": "tartu-science-park", "role": "PARTNER"},
            ],
            "agreement": "mou-gwtp-tsp-2024-06-04",
            "datasets": ["estonian-biobank-genomic-data"],
            "place": {"country": "EE", "city": "Tartu"},
        },
        {
            "id": "gwtp-tartu-pilot",
            "kind": "joint_rnd",
            "title": "Gangwon-Tartu AI-healthcare pilot",
            "description": "Validating Korean AI-healthcare products in Tartu.",
            "status": "planned",
            "period": {"start": "2025-06-01"},
            "budget": {"amount": 250000.0, "currency": "EUR"},
            "topics": ["ai-healthcare"],
            "participants": [
                {"organisation": "gangwon-technopark", "role": "coordinator"},
                {"organisation": "tartu-science-park", "role": "partner"},
            ],
            "agreement": "mou-gwtp-tsp-2024-06-04",
            "datasets": ["estonian-biobank-genomic-data"],
            "place": {"country": "EE", "city": "Tartu"},
        },
    ),
}

# Everything stored about one node: its properties (claims included) and its relationships.
SNAPSHOT = """
MATCH (n {id: $id}) WHERE NOT n:AuditEntry
OPTIONAL MATCH (n)-[r]-(m)
WITH n, r, m ORDER BY type(r), m.id, r.key
RETURN labels(n) AS labels, properties(n) AS props,
       collect({type: type(r), out: startNode(r) = n, other: m.id, props: properties(r)}) AS rels
"""


async def _snapshot(store: Store, key: str) -> dict[str, Any]:
    rows = await store.read(SNAPSHOT, {"id": key})
    assert len(rows) == 1
    return dict(rows[0])


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_an_input_stores_the_same_node_as_its_record(
    schema: strawberry.Schema, seeded: Store, kind: str
) -> None:
    typed, record = CASES[kind]
    query = UPSERT % {"kind": kind}
    by_record = await execute(schema, seeded, query, record=record, source=SOURCE)
    assert by_record[f"upsert{kind}"] == {
        "__typename": "Upserted",
        "id": f"{kind}:{record['id']}",
        "version": 1,
    }
    stored = await _snapshot(seeded, record["id"])
    assert stored["rels"], "the case should exercise relationships too"
    # Compared from scratch: an admin removes the node (and its relationships) first, so that
    # nothing the record wrote can survive into the typed write's result.
    removed = await execute(schema, seeded, DELETE, ADMIN, id=f"{kind}:{record['id']}", reason="t")
    assert removed["delete"]["__typename"] == "Deleted"
    by_input = await execute(schema, seeded, query, input=typed, source=SOURCE)
    assert by_input[f"upsert{kind}"] == by_record[f"upsert{kind}"]
    assert await _snapshot(seeded, record["id"]) == stored


ORG = UPSERT % {"kind": "Organisation"}
MINIMAL = {"id": "tartu-biotech-park", "kind": "SCIENCE_PARK", "names": [{"value": "TBP"}]}


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"input": MINIMAL, "record": {**MINIMAL, "kind": "science_park"}}, "record"),
        ({}, "input"),
        ({"input": None, "record": None}, "input"),
    ],
)
async def test_exactly_one_of_input_and_record(
    schema: strawberry.Schema, seeded: Store, given: dict[str, Any], field: str
) -> None:
    before = await fingerprint(seeded)
    result = (await execute(schema, seeded, ORG, source=SOURCE, **given))["upsertOrganisation"]
    assert result["__typename"] == "ValidationFailed"
    assert [p["field"] for p in result["problems"]] == [field]
    assert "`input`" in result["problems"][0]["message"]
    assert await fingerprint(seeded) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"names": [{"value": "ok"}, {"value": " \u200b "}]}, "input.names.1.value"),
        ({"names": []}, "input.names"),
        ({"id": "Not A Slug"}, "input.id"),
        ({"location": {"country": "XX"}}, "input.location.country"),
        ({"location": {"country": "EE", "geonamesId": 0}}, "input.location.geonamesId"),
        ({"identifiers": {"ror": "not-a-ror"}}, "input.identifiers.ror"),
        ({"website": "not a url"}, "input.website"),
        ({"topics": ["AI Healthcare"]}, "input.topics.0"),
        ({"relations": [{"type": "PARENT", "organisation": "tartu-biotech-park"}]}, "input"),
    ],
)
async def test_pydantic_problems_point_at_the_input_path(
    schema: strawberry.Schema, seeded: Store, change: dict[str, Any], field: str
) -> None:
    before = await fingerprint(seeded)
    result = await execute(schema, seeded, ORG, input={**MINIMAL, **change}, source=SOURCE)
    problems = result["upsertOrganisation"]["problems"]
    assert [p["field"] for p in problems] == [field], problems
    assert await fingerprint(seeded) == before


async def test_reference_problems_from_the_pipeline_point_at_the_input_path(
    schema: strawberry.Schema, seeded: Store
) -> None:
    typed = {
        "id": "mari-maasikas",
        "names": [{"value": "Mari Maasikas"}],
        "positions": [{"organisation": "no-such-organisation", "title": "Professor"}],
    }
    result = await execute(schema, seeded, UPSERT % {"kind": "Person"}, input=typed, source=SOURCE)
    problems = result["upsertPerson"]["problems"]
    assert [p["field"] for p in problems] == ["input.positions.0.organisation"], problems


async def test_a_bad_source_points_at_the_source_argument(
    schema: strawberry.Schema, seeded: Store
) -> None:
    source = {**SOURCE, "url": "not a url"}
    result = await execute(schema, seeded, ORG, input=MINIMAL, source=source)
    problems = result["upsertOrganisation"]["problems"]
    assert [p["field"] for p in problems] == ["source.url"], problems


async def test_an_unknown_enum_value_is_refused_by_graphql_before_any_cypher(
    schema: strawberry.Schema, seeded: Store
) -> None:
    typed = {**MINIMAL, "kind": "science_park"}
    result = await execute(schema, seeded, ORG, input=typed, source=SOURCE)
    assert result["errors"], result
    assert "OrgKind" in result["errors"][0][0]


READ_BACK = """
mutation($input: OrganisationInput!, $source: CitationInput!) {
  upsertOrganisation(input: $input, source: $source) {
    ... on Upserted { node { ... on Organisation { kind status } } }
    ... on ValidationFailed { problems { field message } }
  }
}"""


@pytest.mark.parametrize("kind", [OrgKind.SCIENCE_PARK, OrgKind.HEALTH_INSURER, OrgKind.OTHER])
async def test_enum_values_round_trip(
    schema: strawberry.Schema, seeded: Store, kind: OrgKind
) -> None:
    typed = {**MINIMAL, "kind": kind.name, "status": "WITHDRAWN"}
    result = await execute(schema, seeded, READ_BACK, EDITOR, input=typed, source=SOURCE)
    assert result["upsertOrganisation"]["node"] == {"kind": kind.name, "status": "WITHDRAWN"}
    rows = await seeded.read(
        "MATCH (o:Organisation {id: $id}) RETURN o.kind AS k", {"id": MINIMAL["id"]}
    )
    assert rows == [{"k": kind.value}]
