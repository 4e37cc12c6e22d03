"""Folding and abbreviations: the one normal form names and affiliations share."""

from __future__ import annotations

import pytest

from graph.match.countries import country_in
from graph.match.normalise import acronym_key, fold, key


def test_fold_drops_case_diacritics_and_punctuation_but_keeps_scripts() -> None:
    assert fold("Tartu Ülikool") == "tartu ulikool"
    assert fold("Universität Göttingen") == "universitat gottingen"
    assert fold("Straße") == "strasse"
    assert fold("Łódź") == "lodz"
    assert fold("King's College & Hospital") == "kings college and hospital"
    assert fold("강원대학교") == "강원대학교"


@pytest.mark.parametrize(
    "spelling",
    [
        "University of Tartu",
        "Univ. of Tartu",
        "Univ Tartu",
        "UNIVERSITY OF TARTU",
        "Universität Tartu",
        "Uni Tartu",
    ],
)
def test_abbreviations_and_translations_of_university_read_alike(spelling: str) -> None:
    assert key(spelling) == ("univ", "tartu")


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("Dept. of Physics", "Department of Physics"),
        ("Inst. of Cybernetics", "Institute of Cybernetics"),
        ("Natl. Cntr. for Res.", "National Center for Research"),
        ("Ctr. for Sci. & Technol.", "Centre for Science and Technology"),
        ("St. Olav's Hosp.", "Saint Olavs Hospital"),
        ("Lab. of Med. Genetics", "Laboratory of Medical Genetics"),
    ],
)
def test_abbreviated_names_have_the_key_of_the_long_ones(short: str, long: str) -> None:
    assert key(short) == key(long)


def test_different_names_keep_different_keys() -> None:
    assert key("University of Tartu") != key("Tartu University Hospital")
    assert key("Tallinn University") != key("Tallinn University of Technology")


def test_acronyms_lose_their_dots() -> None:
    assert acronym_key("M.I.T.") == acronym_key("MIT") == "MIT"


@pytest.mark.parametrize(
    ("part", "code"),
    [
        ("Estonia", "EE"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("USA", "US"),
        ("P.R. China", "CN"),
        ("Deutschland", "DE"),
        ("United Kingdom", "GB"),
    ],
)
def test_countries_by_any_common_name(part: str, code: str) -> None:
    assert country_in(key(part), suffix=False) == (code, len(key(part)))


def test_a_country_at_the_end_of_a_part_only_when_asked() -> None:
    assert country_in(key("Kolkata 700019 India"), suffix=True) == ("IN", 1)
    assert country_in(key("Kolkata 700019 India"), suffix=False) is None
