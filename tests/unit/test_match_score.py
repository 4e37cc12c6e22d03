"""Scoring on small hand-made records: whole names, acronyms in their country, status,
hierarchy, countries and cities, several organisations, and abstaining."""

from __future__ import annotations

import pytest

from graph.match import NameIndex, OrgName, OrgRecord, match


def _org(
    rid: str,
    name: str,
    country: str,
    city: str | None = None,
    *,
    aliases: tuple[str, ...] = (),
    acronyms: tuple[str, ...] = (),
    labels: tuple[str, ...] = (),
    status: str = "active",
    successors: tuple[str, ...] = (),
    parents: tuple[str, ...] = (),
) -> OrgRecord:
    names = (
        OrgName(name, "display"),
        *(OrgName(a, "alias") for a in aliases),
        *(OrgName(a, "acronym") for a in acronyms),
        *(OrgName(a, "label") for a in labels),
    )
    return OrgRecord(rid, name, names, country, city, None, status, successors, parents)


RECORDS = [
    _org("calcutta", "University of Calcutta", "IN", "Kolkata", acronyms=("CU",)),
    _org("isi", "Indian Statistical Institute", "IN", "Kolkata", acronyms=("ISI",)),
    _org("cms", "Calcutta Mathematical Society", "IN", "Kolkata"),
    _org("kolkata-maths", "Institute of Mathematics", "IN", "Kolkata"),
    _org("pure", "Pure", "GB", "London"),  # a company: one subject word
    _org("tartu", "University of Tartu", "EE", "Tartu", labels=("Tartu Ülikool",)),
    _org("tartu-cs", "Institute of Computer Science", "EE", "Tartu", parents=("tartu",)),
    _org("tartu-clinic", "University of Tartu", "EE", "Tartu", parents=("tartu",)),
    _org(
        "tartu-hospital",
        "Tartu University Hospital",
        "EE",
        "Tartu",
        aliases=("Tartu Ülikooli Kliinikum",),
    ),
    _org("kangwon", "Kangwon National University", "KR", "Chuncheon", acronyms=("KNU",)),
    _org("kyungpook", "Kyungpook National University", "KR", "Daegu", acronyms=("KNU",)),
    _org("knu-de", "Kommunale Netzwerk Union", "DE", "Berlin", acronyms=("KNU",)),
    _org("moh-ee", "Ministry of Social Affairs", "EE", "Tallinn"),
    _org("moh-kr", "Ministry of Health and Welfare", "KR", "Sejong"),
    _org("health-ee", "National Institute for Health Development", "EE", "Tallinn"),
    _org("health-kr", "National Institute for Health Development", "KR", "Cheongju"),
    _org("old", "Small Business Agency", "KR", "Daejeon", status="withdrawn", successors=("new",)),
    _org(
        "new", "Ministry of SMEs and Startups", "KR", "Sejong", aliases=("Small Business Agency",)
    ),
    _org("gone", "Institute of Obsolete Studies", "KR", "Seoul", status="withdrawn"),
    _org("penn", "University of Pennsylvania", "US", "Philadelphia"),
]
INDEX = NameIndex(RECORDS)


def chosen(text: str, country: str | None = None) -> list[str]:
    return [c.record.id for c in match(INDEX, text, country) if c.chosen]


def test_the_whole_name_beats_organisations_sharing_its_city_and_subject() -> None:
    text = "Dept of Pure Mathematics, University of Calcutta, Kolkata, India"
    assert chosen(text) == ["calcutta"]
    top = match(INDEX, text)[0]
    assert ("name", "univ calcutta", "University of Calcutta") in {
        (r.kind, r.part, r.value) for r in top.reasons
    }
    assert {r.kind for r in top.reasons} >= {"name", "country", "city"}


def test_a_name_inside_a_part_without_commas() -> None:
    assert chosen("Dept of Pure Mathematics University of Calcutta Kolkata India") == ["calcutta"]


def test_glued_words_are_split_by_the_index_vocabulary() -> None:
    assert chosen("University of PennsylvaniaPhiladelphia, USA") == ["penn"]


def test_an_acronym_counts_only_in_its_country_and_city_breaks_the_tie() -> None:
    assert chosen("KNU, Chuncheon, Korea") == ["kangwon"]
    assert chosen("KNU, Berlin, Germany") == ["knu-de"]
    assert chosen("KNU, Korea") == []  # two Korean KNUs, nothing tells them apart
    assert chosen("KNU") == []  # no country: anybody's
    assert chosen("KNU", country="KR") == []
    assert chosen("Dept. of Physics, KNU, Daegu", country="KR") == ["kyungpook"]


def test_the_country_breaks_a_tie_between_namesakes() -> None:
    text = "National Institute for Health Development"
    assert chosen(text) == []
    assert chosen(text + ", Tallinn, Estonia") == ["health-ee"]
    assert chosen(text, country="KR") == ["health-kr"]
    assert chosen(text + ", Japan") == []  # a country neither is in


def test_a_record_passed_over_is_neither_chosen_nor_a_rival() -> None:
    """As if the index did not hold it: the namesake wins alone, with the same confidence,
    and a longer name of the passed-over record no longer hides a name inside it."""
    text = "National Institute for Health Development"
    alone = NameIndex([r for r in RECORDS if r.id != "health-kr"])
    (without,) = [c for c in match(alone, text) if c.chosen]
    (passed,) = [c for c in match(INDEX, text, skip={"health-kr"}) if c.chosen]
    assert (passed.record.id, passed.confidence) == ("health-ee", without.confidence)
    assert chosen("Tartu University Hospital, Tartu, Estonia") == ["tartu-hospital"]
    hidden = match(INDEX, "Tartu University Hospital, Tartu, Estonia", skip={"tartu-hospital"})
    assert "tartu-hospital" not in {c.record.id for c in hidden}
    assert hidden == match(
        NameIndex([r for r in RECORDS if r.id != "tartu-hospital"]),
        "Tartu University Hospital, Tartu, Estonia",
    )


def test_a_withdrawn_record_leads_to_its_successor() -> None:
    (top, *_) = match(INDEX, "Small Business Agency, Daejeon, Korea")
    assert top.chosen
    assert top.record.id == "new"
    assert any(r.kind == "successor" and "old" in r.value for r in top.reasons)


def test_a_withdrawn_record_without_successor_is_not_chosen() -> None:
    assert chosen("Institute of Obsolete Studies, Seoul, Korea") == []


def test_the_top_of_a_hierarchy_when_a_unit_shares_its_name() -> None:
    assert chosen("University of Tartu, Estonia") == ["tartu"]


def test_a_unit_named_by_its_own_name_is_meant() -> None:
    assert chosen("Institute of Computer Science, University of Tartu, Estonia") == ["tartu-cs"]


def test_a_longer_name_is_meant_over_a_name_inside_it() -> None:
    assert chosen("Tartu University Hospital, Tartu, Estonia") == ["tartu-hospital"]


def test_non_english_names_and_diacritics() -> None:
    assert chosen("Tartu Ülikool, Eesti") == ["tartu"]
    assert chosen("TARTU ULIKOOLI KLIINIKUM") == ["tartu-hospital"]


def test_several_affiliations_choose_several() -> None:
    text = "University of Calcutta, Kolkata, India; Kangwon National University, Korea"
    assert sorted(chosen(text)) == ["calcutta", "kangwon"]


@pytest.mark.parametrize(
    "text",
    [
        "University of Tartu, Tartu University Hospital, Estonia",
        "University of Tartu and Tartu University Hospital",
    ],
)
def test_two_organisations_in_one_affiliation_are_both_chosen(text: str) -> None:
    # Before, each was the other's rival and the margin chose one or none.
    assert sorted(chosen(text)) == ["tartu", "tartu-hospital"]


def test_a_one_word_name_beside_an_organisation_is_its_city_not_a_second_one() -> None:
    records = [*RECORDS, _org("hartford", "Hartford", "US", "Hartford")]
    found = match(NameIndex(records), "University of Pennsylvania, Hartford, USA")
    assert [c.record.id for c in found if c.chosen] == ["penn"]


@pytest.mark.parametrize(
    "text",
    [
        "Acme Widgets GmbH, 12 Main Street, Berlin, Germany",
        "Department of Physics, Kolkata, India",
        "Pure Mathematics",
        "Tartu",
        "",
    ],
)
def test_strings_naming_no_organisation_choose_none(text: str) -> None:
    assert chosen(text) == []


def test_candidates_are_ranked_with_confidences_in_zero_one() -> None:
    found = match(INDEX, "National Institute for Health Development, Estonia")
    assert [c.record.id for c in found][:2] == ["health-ee", "health-kr"]
    assert all(0.0 <= c.confidence <= 1.0 for c in found)
    assert found[0].confidence > found[1].confidence


@pytest.mark.parametrize("join", [" and ", " & ", " und ", " ja "])
def test_a_conjunction_between_two_names_chooses_both(join: str) -> None:
    text = f"University of Tartu{join}Kangwon National University"
    assert sorted(chosen(text)) == ["kangwon", "tartu"]


def test_a_name_holding_a_conjunction_is_still_one_name() -> None:
    assert chosen("Ministry of SMEs and Startups, Sejong") == ["new"]
    assert chosen("Ministry of Health and Welfare") == ["moh-kr"]
