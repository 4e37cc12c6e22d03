"""The pure parts of matching a load's organisation names: what links, and what is reported."""

from __future__ import annotations

from graph.ingest.byname import SHOWN_CANDIDATES, decide, unmatched_problem
from graph.match.index import NameIndex
from graph.match.record import OrgName, OrgRecord
from graph.match.score import Candidate, match
from graph.parsed import NamedOrganisation


def _org(rid: str, name: str, country: str, *others: str) -> OrgRecord:
    names = (OrgName(name, "display"), *(OrgName(o, "alias") for o in others))
    return OrgRecord(rid, name, names, country=country, city="Tartu")


INDEX = NameIndex(
    [
        _org("university-of-tartu", "University of Tartu", "EE", "Tartu Ülikool"),
        _org("tartu-science-park", "Tartu Science Park", "EE"),
        _org("tartu-university-hospital", "Tartu University Hospital", "EE"),
        _org("tartu-art-school", "Tartu Art School", "EE"),
    ]
)


def _named(text: str, country: str | None = None) -> NamedOrganisation:
    return NamedOrganisation(
        "named-x", text, "a.csv", 3, 5, "parties_by_name", "agreements:mou", country
    )


def test_a_sure_match_is_chosen() -> None:
    for text in ("Univ. of Tartu", "Tartu Ülikool", "University of Tartu, Estonia"):
        outcome = decide(match(INDEX, text))
        assert outcome.chosen is not None, text
        assert outcome.chosen.record.id == "university-of-tartu"


def test_an_unsure_match_is_reported_with_its_best_candidates() -> None:
    text = "University of Tartu Hospital"  # the university, but not surely
    outcome = decide(match(INDEX, text, "EE"))
    assert outcome.chosen is None
    problem = unmatched_problem(_named(text, "EE"), outcome)
    assert (problem.file, problem.line, problem.column, problem.field, problem.id) == (
        "a.csv",
        3,
        5,
        "parties_by_name",
        "mou",
    )
    assert problem.message.startswith(f"organisation name {text!r} (country EE) ")
    shown = problem.message.split("best candidates: ")[1].split("; give")[0].split("; ")
    assert 1 <= len(shown) <= SHOWN_CANDIDATES
    assert shown[0].startswith("university-of-tartu 'University of Tartu' 0.")
    assert problem.message.endswith(
        "give the organisation's id instead, or add this name to its aliases"
    )


def test_a_name_of_nothing_says_so() -> None:
    outcome = decide(match(INDEX, "Nowhere Institute of Nothing"))
    assert (outcome.chosen, outcome.candidates) == (None, [])
    message = unmatched_problem(_named("Nowhere Institute of Nothing"), outcome).message
    assert "matches no organisation in the graph or in this load" in message
    assert "best candidates" not in message


def test_a_name_the_matcher_reads_as_several_organisations_links_none() -> None:
    ut, tsp = INDEX.records["university-of-tartu"], INDEX.records["tartu-science-park"]
    outcome = decide([Candidate(ut, 0.95, True, ()), Candidate(tsp, 0.93, True, ())])
    assert outcome.chosen is None
    message = unmatched_problem(_named("UT / TSP"), outcome).message
    assert "names several organisations (university-of-tartu ('University of Tartu')" in message
    assert "best candidates" not in message
