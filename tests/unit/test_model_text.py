"""Control characters never enter the graph: every text field of every kind drops them on input."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from graph import model
from graph.model import Text, clean_text

DIRTY = "Tartu\x01 Science\x08 Park\ufffe\x7f\x9b\U0001ffff\ud800"
CLEAN = "Tartu Science Park"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (DIRTY, CLEAN),
        ("a\tb\nc\x0bd\x1fe\x85f", "a b c d e f"),  # whitespace controls become spaces
        ("Ülikool\u200b\u202e", "Ülikool"),
        ("타르투 대학교", "타르투 대학교"),
        ("👩\u200d🔬 lab", "👩🔬 lab"),  # ZWJ goes, as before: invisible either way
    ],
)
def test_clean_text(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean


def _models() -> list[type[BaseModel]]:
    return [
        cls
        for _, cls in inspect.getmembers(model, inspect.isclass)
        if issubclass(cls, BaseModel) and cls.__module__ == model.__name__
    ]


def _constrains(meta: Any) -> bool:
    """A pattern or a validator (Text's clean_text), directly or inside a Field(...)."""
    if isinstance(meta, FieldInfo):
        return any(_constrains(m) for m in meta.metadata)
    return bool(getattr(meta, "pattern", None)) or getattr(meta, "func", None) is not None


def _has_free_str(annotation: Any) -> bool:
    """A `str` somewhere in the annotation with no cleaning and no pattern on it."""
    if annotation is str:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        return False if any(_constrains(m) for m in meta) else _has_free_str(base)
    return any(_has_free_str(arg) for arg in typing.get_args(annotation))


def test_every_text_field_is_cleaned_text() -> None:
    # Text (cleaned) or a constrained string (pattern, validator); a bare `str` would let
    # control characters through.
    loose = [
        f"{cls.__name__}.{name}"
        for cls in _models()
        for name, info in cls.model_fields.items()
        if _has_free_str(info.rebuild_annotation())
    ]
    assert loose == [], loose


def test_the_rule_sees_the_text_fields() -> None:
    texts = [
        f"{cls.__name__}.{name}"
        for cls in _models()
        for name, info in cls.model_fields.items()
        if "_before" in repr(info.rebuild_annotation())
    ]
    assert {"Name.value", "Agreement.title", "Event.title", "Person.email"} <= set(texts)


def test_text_drops_control_characters() -> None:
    assert TypeAdapter(Text).validate_python(DIRTY) == CLEAN


def _record(**fields: Any) -> dict[str, Any]:
    return {"id": "a-record", "sources": [{"source": "a-source", "where": DIRTY}], **fields}


def test_every_kind_stores_clean_names_and_titles() -> None:
    names = [{"value": DIRTY, "types": ["display"]}]
    place = {"city": DIRTY, "country": "EE"}
    org = model.Organisation.model_validate(
        _record(kind="university", names=names, location=place, description=DIRTY)
    )
    assert (org.name, org.description, org.sources[0].where) == (CLEAN, CLEAN, CLEAN)
    assert org.location is not None
    assert org.location.city == CLEAN
    person = model.Person.model_validate(_record(names=names, email=DIRTY))
    assert (person.name, person.email) == (CLEAN, CLEAN)
    parties = [{"organisation": "a"}, {"organisation": "b"}]
    agreement = model.Agreement.model_validate(
        _record(kind="mou", title=DIRTY, purpose=DIRTY, parties=parties)
    )
    assert (agreement.title, agreement.purpose) == (CLEAN, CLEAN)
    source = model.Source.model_validate({"id": "a-source", "title": DIRTY})
    assert source.title == CLEAN
