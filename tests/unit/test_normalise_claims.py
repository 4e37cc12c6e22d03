"""Pure parts of loading: name keys, claims merging, provenance entries, Cypher builders."""

from __future__ import annotations

import datetime as dt
import unicodedata

import orjson
import pytest

from graph.cypher import Label, RelType
from graph.cypher import load as cypher_load
from graph.ingest.claims import encode_claim, merge_claims, props_to_neo4j, to_neo4j
from graph.ingest.names import _fold_unicode, name_keys, normalise_name
from graph.ingest.rows import agreement_rows, organisation_rows, provenance_entry, provenance_prefix
from graph.model import Agreement, Citation, Name, Organisation, clean_text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tartu Ülikool", unicodedata.normalize("NFD", "TARTU ÜLIKOOL")),
        ("Tartu Ülikool", "Tartu Ulikool"),
        ("Ministry of SMEs & Startups", "ministry of smes  startups"),
        ("강원테크노파크", unicodedata.normalize("NFD", "강원테크노파크")),
        ("Tartu\u200b Science Park", "Tartu Science Park"),
    ],
)
def test_spellings_share_a_key(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    "name",
    ["Tartu Science Park", "  MINISTRY of SMEs & Startups!!", "a_b-c.d", "x\ty", "R&D 2024 (Ltd.)"],
)
def test_ascii_fast_path_folds_as_the_unicode_path_does(name: str) -> None:
    assert normalise_name(name) == _fold_unicode(clean_text(name))


def test_hangul_survives_normalisation() -> None:
    assert normalise_name("(재)강원테크노파크") == "재 강원테크노파크"


def test_name_keys_skip_acronyms_and_need_a_country() -> None:
    names = [Name(value="Ministry of SMEs and Startups"), Name(value="MSS", types=["acronym"])]
    assert name_keys(names, "KR") == ["KR|ministry of smes and startups"]
    assert name_keys(names, None) == []


def _org(**extra: object) -> Organisation:
    data = {
        "id": "ut",
        "kind": "university",
        "names": [{"value": "University of Tartu", "types": ["display"]}],
        "location": {"country": "EE", "city": "Tartu"},
        "sources": [{"source": "s1", "where": "p1"}],
        **extra,
    }
    return Organisation.model_validate(data)


def test_merged_properties_do_not_depend_on_claim_order() -> None:
    seeds, _ = organisation_rows(_org(website="https://ut.ee"))
    registry, _ = organisation_rows(
        _org(
            id="ror-03z77qz90",
            names=[{"value": "Tartu Ülikool", "lang": "et"}],
            established=1632,
            website="https://www.ut.ee",
            sources=[{"source": "ror"}],
        )
    )
    claims = [encode_claim("seeds", 10, seeds), encode_claim("ror", 50, registry)]
    merged = merge_claims(Label.ORGANISATION, "ut", claims)
    assert merged == merge_claims(Label.ORGANISATION, "ut", list(reversed(claims)))
    assert merged["website"] == "https://ut.ee/"  # the curated seed (priority 10) wins
    assert merged["established"] == 1632  # only the registry knows it
    assert merged["names"] == ["University of Tartu", "Tartu Ülikool"]
    assert merged["nameKeys"] == ["EE|tartu ulikool", "EE|university of tartu"]
    assert merged["origins"] == ["ror", "seeds"]
    assert merged["ids"] == ["ror-03z77qz90", "ut"]
    # Merged citations are byte for byte what the loaders strip by origin prefix.
    assert merged["provenance"] == [
        provenance_entry("seeds", Citation(source="s1", where="p1")),
        provenance_entry("ror", Citation(source="ror")),
    ]


def test_dates_become_dates_and_places_are_prefixed() -> None:
    agreement = Agreement.model_validate(
        {
            "id": "mou",
            "kind": "mou",
            "title": "An MoU",
            "signed": "2024-06-04",
            "place": {"city": "Tartu", "country": "EE"},
            "parties": [{"organisation": "a"}, {"organisation": "b"}],
            "sources": [{"source": "s1"}],
        }
    )
    claim, rels = agreement_rows(agreement)
    merged = merge_claims(Label.AGREEMENT, "mou", [encode_claim("o", 10, claim)])
    assert merged["signed"] == dt.date(2024, 6, 4)
    assert (merged["placeCity"], merged["placeCountry"]) == ("Tartu", "EE")
    assert [(r.type, r.start, r.end) for r in rels] == [
        (RelType.PARTY_TO, "a", "mou"),
        (RelType.PARTY_TO, "b", "mou"),
    ]


def test_relationship_props_convert_as_each_property_does() -> None:
    """The write path's one-pass conversion gives what `to_neo4j` gives key by key, minus Nones."""
    props = {"start": "2024-01-31", "end": None, "role": "coordinator", "order": 1, "date": 5}
    assert (
        props_to_neo4j(props)
        == {k: to_neo4j(k, v) for k, v in props.items() if v is not None}
        == {"start": dt.date(2024, 1, 31), "role": "coordinator", "order": 1, "date": 5}
    )


def test_provenance_entries_strip_by_origin_prefix() -> None:
    entry = provenance_entry("eco", Citation(source="s1", where="p2", verified=False))
    assert entry.startswith(provenance_prefix("eco"))
    assert not entry.startswith(provenance_prefix("ec"))
    assert orjson.loads(entry) == {
        "origin": "eco",
        "source": "s1",
        "where": "p2",
        "verified": False,
    }


@pytest.mark.parametrize(
    "attempt", ["Organisation) DETACH DELETE (n", "Organisation`) DETACH DELETE n //", "Person"]
)
def test_builders_refuse_anything_but_allow_listed_labels(attempt: str) -> None:
    with pytest.raises(ValueError, match="not an allowed label"):
        cypher_load.merge_nodes(attempt)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an allowed relationship type"):
        cypher_load.merge_rels(attempt, Label.PERSON, Label.PERSON)  # type: ignore[arg-type]


def test_builders_use_parameters_for_values() -> None:
    query = cypher_load.merge_rels(RelType.PARTY_TO, Label.ORGANISATION, Label.AGREEMENT)
    assert "MERGE (a)-[r:PARTY_TO {key: row.key}]->(b)" in query
    assert "$rows" in query
    assert "$origin" in query


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Tartu Science Park", "Tartu Science Park"),
        ("Tartu  Science Park", "Tartu Science Park"),
        (" Tartu", "Tartu"),
        ("Tartu\tScience\nPark", "Tartu Science Park"),
        ("Tartu\u200b Science", "Tartu Science"),
        (unicodedata.normalize("NFD", "Ülikool"), "Ülikool"),
    ],
)
def test_clean_text_fast_and_slow_paths_agree(raw: str, clean: str) -> None:
    from graph.model import clean_text

    assert clean_text(raw) == clean
    assert unicodedata.is_normalized("NFC", clean_text(raw))
