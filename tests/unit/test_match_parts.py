"""Splitting affiliations: groups by semicolons, parts by commas and brackets, glued words."""

from __future__ import annotations

from graph.match.parts import groups, part, unglue


def test_commas_make_parts_and_semicolons_groups() -> None:
    found = groups("Dept of Physics, Univ. of Tartu, Estonia; KAIST (Daejeon), Korea")
    assert [[p.text for p in g] for g in found] == [
        ["Dept of Physics", "Univ. of Tartu", "Estonia"],
        ["KAIST", "Daejeon", "Korea"],
    ]


def test_a_part_has_canonical_words_a_key_without_stop_words_and_the_raw_words() -> None:
    p = part("Dept. of Pure Mathematics")
    assert p.words == ("dept", "of", "pure", "mathematics")
    assert p.key == ("dept", "pure", "mathematics")
    assert p.raw == ("Dept.", "of", "Pure", "Mathematics")


def test_empty_parts_and_groups_are_dropped() -> None:
    assert [[p.text for p in g] for g in groups(" , ;; Tartu ,, ; ")] == [["Tartu"]]


def test_dashes_between_spaces_split_but_hyphens_in_names_do_not() -> None:
    found = groups("Tallinn-Gangwon Digital Health Centre - Chuncheon")
    assert [p.text for p in found[0]] == ["Tallinn-Gangwon Digital Health Centre", "Chuncheon"]


def test_glued_words_split_where_both_halves_are_known_and_the_whole_is_not() -> None:
    known = {"pennsylvania", "philadelphia", "mcgill", "deep", "mind"}.__contains__
    assert unglue("University of PennsylvaniaPhiladelphia", known) == (
        "University of Pennsylvania Philadelphia"
    )
    assert unglue("McGill University", known) == "McGill University"  # "mc" is no word
    assert unglue("DeepMind", lambda w: w in {"deep", "mind", "deepmind"}) == "DeepMind"


def test_glued_words_without_a_vocabulary_split_only_into_long_halves() -> None:
    assert unglue("TartuEstonia") == "Tartu Estonia"
    assert unglue("McGill") == "McGill"


def test_conjunctions_between_words_make_joined_parts() -> None:
    found = groups("Univ. of Tartu and Seoul National Univ. & KAIST, Korea")
    assert [(p.text, p.joined) for p in found[0]] == [
        ("Univ. of Tartu", False),
        ("Seoul National Univ", True),  # a part loses its trailing dot
        ("KAIST", True),
        ("Korea", False),
    ]
    # Inside a word, or without spaces around it, "and" and "&" are the word's own.
    assert [p.text for p in groups("Anderson Lab, AT&T")[0]] == ["Anderson Lab", "AT&T"]
