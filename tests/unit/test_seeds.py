"""The seeds parser and the real seed ecosystem: every bad input is located, nothing is guessed."""

from __future__ import annotations

import shutil
import tempfile
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from graph.errors import Problem
from graph.model import Bundle, Citation
from graph.parsed import Parsed
from loaders import yamlfile
from loaders.seeds import COLLECTIONS, SEED_PRIORITY, find_seed_dirs, parse_seed_dir

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "korea-estonia"
FIXTURES = ROOT / "tests" / "fixtures" / "seeds"
INJECTION = "'}) DETACH DELETE n //"


def seed_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """The minimal fixture plus (or with replaced) `files`, dedented."""
    directory = tmp_path / "seed"
    shutil.copytree(FIXTURES / "minimal", directory)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return directory


def only(parsed: Parsed) -> Problem:
    assert len(parsed.problems) == 1, [str(p) for p in parsed.problems]
    return parsed.problems[0]


def parse_extra(tmp_path: Path, text: str, name: str = "extra.yaml") -> tuple[Path, Problem]:
    directory = seed_with(tmp_path, {name: text})
    return directory / name, only(parse_seed_dir(directory))


# --- The real seed ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> Bundle:
    parsed = parse_seed_dir(SEED)
    assert parsed.problems == []
    return parsed.bundle


def test_real_seed_has_every_kind(real: Bundle) -> None:
    assert real.origin == "korea-estonia-ai-healthcare"
    assert real.priority == SEED_PRIORITY
    counts = {name: len(getattr(real, name)) for name in COLLECTIONS}
    assert all(count > 0 for count in counts.values()), counts


def test_june_mou_parties_and_signatories(real: Bundle) -> None:
    mou = next(a for a in real.agreements if a.id == "mou-gwtp-tsp-2024-06-04")
    assert mou.signed is not None
    assert mou.signed.isoformat() == "2024-06-04"
    assert {p.organisation for p in mou.parties} == {"gangwon-technopark", "tartu-science-park"}
    signed_for = {s.person: s.on_behalf_of for s in mou.signatories}
    assert signed_for == {
        "heo-jang-hyeon": "gangwon-technopark",
        "andrus-kurvits": "tartu-science-park",
    }


def test_december_mou_has_three_parties(real: Bundle) -> None:
    mou = next(a for a in real.agreements if a.id == "mou-gangwon-tartu-eis-2024-12-09")
    assert {p.organisation for p in mou.parties} == {
        "gangwon-state",
        "tartu-city-government",
        "estonian-business-and-innovation-agency",
    }
    assert set(mou.topics) == {"ai-healthcare", "biotech", "cleantech", "ict"}


def test_biobank_data_set(real: Bundle) -> None:
    data = next(d for d in real.datasets if d.id == "estonian-biobank-genomic-data")
    assert data.individuals is not None
    assert data.individuals >= 200_000
    assert data.access is not None
    assert data.access.rights == "restricted"
    assert len(data.access.conditions) == 4


def test_special_zone(real: Bundle) -> None:
    zone = next(p for p in real.projects if p.id == "gangwon-ai-healthcare-special-zone")
    assert zone.kind == "special_zone"
    assert zone.budget is not None
    assert (zone.budget.amount, zone.budget.currency) == (12_600_000_000, "KRW")
    assert zone.period is not None
    assert str(zone.period.start) == "2024-06-01"
    assert str(zone.period.end) == "2028-05-31"
    assert [(p.organisation, p.role) for p in zone.participants] == [
        ("gangwon-technopark", "operator")
    ]


def test_university_of_tartu_identifiers(real: Bundle) -> None:
    ut = next(o for o in real.organisations if o.id == "university-of-tartu")
    ids = ut.identifiers
    assert (ids.ror, ids.wikidata, ids.grid) == ("03z77qz90", "Q204181", "grid.10939.32")
    assert (ids.isni, ids.fundref, ut.established) == ("0000000109437661", "501100007821", 1632)
    assert ut.location is not None
    assert ut.location.geonames_id == 588335


def test_heo_in_office_since_march_2023(real: Bundle) -> None:
    heo = next(p for p in real.people if p.id == "heo-jang-hyeon")
    (position,) = heo.positions
    assert position.organisation == "gangwon-technopark"
    assert position.period is not None
    assert str(position.period.start) == "2023-03-01"


def _records(bundle: Bundle) -> list[BaseModel]:
    return [r for name in COLLECTIONS for r in getattr(bundle, name)]


def test_every_record_cites_a_declared_source(real: Bundle) -> None:
    declared = {s.id for s in real.sources}
    for record in _records(real):
        if record in real.sources:
            continue
        cited = getattr(record, "sources", [])
        assert cited, record
        assert all(isinstance(c, Citation) and c.source in declared for c in cited), record


def test_hangul_variants_where_known(real: Bundle) -> None:
    hangul = {
        "kim-hong-ju": "김홍주",
        "jaanika-merilo": "자니카 메릴로",
        "heo-jang-hyeon": "허장현",
    }
    people = {p.id: p for p in real.people}
    for person_id, name in hangul.items():
        variants = [(n.value, n.lang, n.types) for n in people[person_id].names]
        assert (name, "ko", ["alias"]) in variants


def test_unverified_facts_are_flagged(real: Bundle) -> None:
    msa = next(o for o in real.organisations if o.id == "estonian-ministry-of-social-affairs")
    assert any(not c.verified for c in msa.sources)
    assert "Sotsiaalministeerium" in [n.value for n in msa.names]


REF_FIELDS = {"organisation", "person", "on_behalf_of", "holder", "body", "part_of", "agreement"}
REF_LISTS = {"agreements", "projects", "datasets"}


def _refs(value: object) -> list[str]:
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    if not isinstance(value, BaseModel):
        return []
    out: list[str] = []
    for name in type(value).model_fields:
        field = getattr(value, name)
        if name in REF_FIELDS and isinstance(field, str):
            out.append(field)
        elif name in REF_LISTS:
            out += field
        else:
            out += _refs(field)
    return out


def test_seed_references_resolve_within_the_seed(real: Bundle) -> None:
    # The parser leaves references to the resolver; the seed itself must still be self-contained.
    ids = {str(getattr(record, "id", "")) for record in _records(real)}
    refs = {ref for record in _records(real) for ref in _refs(record)}
    assert refs
    assert refs - ids == set()


def test_locations_name_file_and_line() -> None:
    parsed = parse_seed_dir(SEED)
    location = parsed.where("agreements", "mou-gwtp-tsp-2024-06-04")
    assert location.file == str(SEED / "agreements.yaml")
    assert location.line is not None
    line = (SEED / "agreements.yaml").read_text(encoding="utf-8").splitlines()[location.line - 1]
    assert "id: mou-gwtp-tsp-2024-06-04" in line


def test_find_seed_dirs() -> None:
    assert find_seed_dirs(SEED) == [SEED]
    assert find_seed_dirs(ROOT / "seeds") == [SEED]
    assert find_seed_dirs(FIXTURES) == [FIXTURES / "broken", FIXTURES / "minimal"]
    assert find_seed_dirs(FIXTURES / "nowhere") == []


# --- Bad input: each is located by file, line and field ----------------------------------------


def test_minimal_fixture_is_valid() -> None:
    parsed = parse_seed_dir(FIXTURES / "minimal")
    assert parsed.problems == []
    assert [o.id for o in parsed.bundle.organisations] == ["org-a", "org-b"]


def test_malformed_yaml(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        people:
          - id: p
            names: [{value: P}
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line) == (str(file), 4)
    assert problem.message.startswith("invalid YAML")


def test_unknown_field_suggests_the_right_one(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        people:
          - id: p
            nmes: [{value: P}]
            names: [{value: P}]
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field, problem.id) == (
        str(file),
        3,
        "people[0].nmes",
        "p",
    )
    assert "did you mean 'names'?" in problem.message


def test_unknown_top_level_key_suggests_the_right_one(tmp_path: Path) -> None:
    file, problem = parse_extra(tmp_path, "organisations: []\norganizations: []\n")
    assert (problem.file, problem.line, problem.field) == (str(file), 2, "organizations")
    assert "did you mean 'organisations'?" in problem.message


def test_missing_required_field(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        organisations:
          - id: no-kind
            names: [{value: No kind}]
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field, problem.id) == (
        str(file),
        2,
        "organisations[0].kind",
        "no-kind",
    )
    assert "required" in problem.message


def test_wrong_type(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        organisations:
          - id: old
            kind: university
            names: [{value: Old}]
            established: long ago
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field) == (
        str(file),
        5,
        "organisations[0].established",
    )
    assert "integer" in problem.message
    assert "long ago" in problem.message


def test_impossible_date(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        events:
          - id: e
            kind: meeting
            title: E
            date: 2024-13-45
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field) == (str(file), 5, "events[0].date")
    assert "month" in problem.message


def test_end_before_start(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        projects:
          - id: backwards
            kind: programme
            title: Backwards
            period:
              start: 2024-06-01
              end: 2024-01-01
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field) == (str(file), 5, "projects[0].period")
    assert "before start" in problem.message


def test_unknown_enum_value(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        events:
          - id: e
            kind: meetup
            title: E
            date: 2024-06-03
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field) == (str(file), 3, "events[0].kind")
    assert "'meeting'" in problem.message
    assert "(got 'meetup'; did you mean 'meeting'?)" in problem.message


def test_duplicate_id_across_files_and_kinds(tmp_path: Path) -> None:
    directory = seed_with(
        tmp_path,
        {
            "people.yaml": """
            people:
              - id: org-b
                names: [{value: Not an organisation}]
                sources: [{source: src}]
            """
        },
    )
    problem = only(parse_seed_dir(directory))
    assert (problem.file, problem.line, problem.field) == (
        str(directory / "people.yaml"),
        2,
        "people[0].id",
    )
    assert f"{directory / 'organisations.yaml'}:7" in problem.message


def test_duplicate_id_within_a_file(tmp_path: Path) -> None:
    record = (
        "  - id: twin\n    kind: other\n    names: [{value: T}]\n    sources: [{source: src}]\n"
    )
    file, problem = parse_extra(tmp_path, "organisations:\n" + record + record)
    assert (problem.file, problem.line, problem.id) == (str(file), 6, "twin")
    assert f"{file}:2" in problem.message


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        organisations:
          - id: twice
            kind: other
            names: [{value: T}]
            kind: company
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field) == (str(file), 5, "kind")
    assert "twice" in problem.message
    assert "line 3" in problem.message


def test_citation_to_undeclared_source(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        people:
          - id: p
            names: [{value: P}]
            positions:
              - organisation: org-a
                title: Head
                sources: [{source: srcc}]
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field) == (
        str(file),
        7,
        "people[0].positions[0].sources[0].source",
    )
    assert "'srcc'" in problem.message
    assert "did you mean 'src'?" in problem.message


AGREEMENT = """
agreements:
  - id: deal
    kind: mou
    title: Deal
    parties:
{parties}
    sources: [{{source: src}}]
"""


def test_agreement_with_one_party(tmp_path: Path) -> None:
    text = AGREEMENT.format(parties="      - {organisation: org-a}")
    file, problem = parse_extra(tmp_path, text)
    assert (problem.file, problem.line, problem.field) == (str(file), 2, "agreements[0]")
    assert "at least two" in problem.message


def test_organisation_party_twice(tmp_path: Path) -> None:
    parties = "      - {organisation: org-a}\n      - {organisation: org-a, role: lead}"
    file, problem = parse_extra(tmp_path, AGREEMENT.format(parties=parties))
    assert (problem.file, problem.line, problem.id) == (str(file), 2, "deal")
    assert "more than once: org-a" in problem.message


def test_negative_size(tmp_path: Path) -> None:
    file, problem = parse_extra(
        tmp_path,
        """
        datasets:
          - id: d
            title: D
            holder: org-a
            modalities: [genomic]
            individuals: -5
            sources: [{source: src}]
        """,
    )
    assert (problem.file, problem.line, problem.field) == (str(file), 6, "datasets[0].individuals")


@pytest.mark.parametrize("text", ["", "\n  \n", "# nothing but a comment\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    directory = seed_with(tmp_path, {})
    (directory / "extra.yaml").write_text(text, encoding="utf-8")
    problem = only(parse_seed_dir(directory))
    assert problem.file == str(directory / "extra.yaml")
    assert "empty" in problem.message


@pytest.mark.parametrize(("text", "found"), [("- a\n- b\n", "a list"), ("just text\n", "value")])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, found: str) -> None:
    file, problem = parse_extra(tmp_path, text)
    assert (problem.file, problem.line) == (str(file), 1)
    assert "mapping" in problem.message
    assert found in problem.message


def test_collection_must_be_a_list(tmp_path: Path) -> None:
    file, problem = parse_extra(tmp_path, "people:\n  id: p\n")
    assert (problem.file, problem.line, problem.field) == (str(file), 1, "people")


def test_empty_collection_is_fine(tmp_path: Path) -> None:
    directory = seed_with(tmp_path, {"people.yaml": "people:\n"})
    assert parse_seed_dir(directory).problems == []


def test_invisible_characters_and_nfd_are_cleaned(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Tartu Ülikool")
    assert nfd != "Tartu Ülikool"
    text = (
        "organisations:\n"
        "  - id: ut\n"
        "    kind: university\n"
        f'    names: [{{value: "Tartu\u200b \u202eÜlikool"}}, {{value: "{nfd}", lang: et}}]\n'
        "    sources: [{source: src}]\n"
    )
    directory = seed_with(tmp_path, {"extra.yaml": text})
    parsed = parse_seed_dir(directory)
    assert parsed.problems == []
    ut = next(o for o in parsed.bundle.organisations if o.id == "ut")
    assert [n.value for n in ut.names] == ["Tartu Ülikool", "Tartu Ülikool"]
    assert all(unicodedata.is_normalized("NFC", n.value) for n in ut.names)


def test_name_of_only_invisible_characters_is_refused(tmp_path: Path) -> None:
    text = (
        'people:\n  - id: p\n    names: [{value: "\u200b\u200f"}]\n    sources: [{source: src}]\n'
    )
    file, problem = parse_extra(tmp_path, text)
    assert (problem.file, problem.line, problem.field) == (str(file), 3, "people[0].names[0].value")


def test_cypher_shaped_text_is_plain_text(tmp_path: Path) -> None:
    text = f"""
    organisations:
      - id: odd
        kind: other
        names: [{{value: "{INJECTION}"}}]
        description: "{INJECTION}"
        sources: [{{source: src, where: "{INJECTION}"}}]
    """
    directory = seed_with(tmp_path, {"extra.yaml": text})
    parsed = parse_seed_dir(directory)
    assert parsed.problems == []
    odd = next(o for o in parsed.bundle.organisations if o.id == "odd")
    assert (odd.name, odd.description) == (INJECTION, INJECTION)


@pytest.mark.parametrize(
    ("line", "field", "record"),
    [
        (2, "organisations[0].id", "  - id: \"{x}\"\n    kind: other\n    names: [{{value: N}}]\n"),
        (5, "organisations[0].topics[0]", "  - id: ok\n    kind: other\n    names: [{{value: N}}]\n"
         "    topics: [\"{x}\"]\n"),
        (6, "organisations[0].relations[0].organisation",
         "  - id: ok\n    kind: other\n    names: [{{value: N}}]\n    relations:\n"
         "      - {{type: related, organisation: \"{x}\"}}\n"),
    ],
)  # fmt: skip
def test_cypher_shaped_ids_are_refused(tmp_path: Path, line: int, field: str, record: str) -> None:
    text = "organisations:\n" + record.format(x=INJECTION) + "    sources: [{source: src}]\n"
    file, problem = parse_extra(tmp_path, text)
    assert (problem.file, problem.line, problem.field) == (str(file), line, field)
    assert "must be a slug" in problem.message


def test_several_errors_in_several_files_in_one_go() -> None:
    directory = FIXTURES / "broken"
    parsed = parse_seed_dir(directory)
    found = {(Path(p.file).name, p.line, p.field) for p in parsed.problems}
    assert found == {
        ("dataset.yaml", 6, "organisation"),
        ("events.yaml", 5, "events[0].date"),
        ("organisations.yaml", 2, "organisations[0].kind"),
        ("organisations.yaml", 6, "organisations[1].kind"),
        ("people.yaml", 4, "people[0].sources[0].source"),
    }
    # The records that validated are still handed back, for display; none of them may be written.
    assert [e.id for e in parsed.bundle.events] == []
    assert [p.id for p in parsed.bundle.people] == ["someone"]


def test_problem_paths_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_with(tmp_path, {"extra.yaml": "people: {}\n"})
    monkeypatch.chdir(tmp_path)
    problem = only(parse_seed_dir(Path("seed")))
    assert problem.file == str(Path("seed") / "extra.yaml")


def test_no_dataset_yaml_and_no_origin(tmp_path: Path) -> None:
    directory = seed_with(tmp_path, {})
    (directory / "dataset.yaml").rename(directory / "sources.yaml")
    text = (directory / "sources.yaml").read_text(encoding="utf-8")
    (directory / "sources.yaml").write_text(text.replace("origin: minimal\n", ""), "utf-8")
    parsed = parse_seed_dir(directory)
    messages = [p.message for p in parsed.problems]
    assert len(messages) == 2
    assert "no dataset.yaml" in messages[0]
    assert "origin is missing" in messages[1]
    assert parsed.bundle.origin == "seed"


def test_missing_directory(tmp_path: Path) -> None:
    parsed = parse_seed_dir(tmp_path / "absent")
    assert any(p.file == str(tmp_path / "absent") for p in parsed.problems)


def test_origin_given_twice(tmp_path: Path) -> None:
    file, problem = parse_extra(tmp_path, "origin: again\n")
    assert (problem.file, problem.line, problem.field) == (str(file), 1, "origin")
    assert "dataset.yaml:2" in problem.message


def test_priority_can_be_set_and_is_checked(tmp_path: Path) -> None:
    directory = seed_with(tmp_path, {"settings.yaml": "priority: 5\n"})
    assert parse_seed_dir(directory).bundle.priority == 5
    file, problem = parse_extra(tmp_path / "bad", "priority: -1\n")
    assert (problem.file, problem.line, problem.field) == (str(file), 1, "priority")


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "MAX_FILE_BYTES", 1024)
    file, problem = parse_extra(tmp_path, "people: []\n" + "#" * 2000 + "\n")
    assert problem.file == str(file)
    assert "limit" in problem.message


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdef":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join([f'*{previous}'] * 10)}]")
    file, problem = parse_extra(tmp_path, "\n".join(lines) + "\n")
    assert problem.file == str(file)
    assert "aliases" in problem.message


def test_alias_bomb_in_dataset_yaml_is_the_only_problem(tmp_path: Path) -> None:
    # The refused dataset.yaml holds the origin: its missing origin is no second problem.
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdef":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [{', '.join([f'*{previous}'] * 10)}]")
    directory = seed_with(tmp_path, {"dataset.yaml": "\n".join(lines) + "\n"})
    problem = only(parse_seed_dir(directory))
    assert problem.file == str(directory / "dataset.yaml")
    assert "aliases" in problem.message


def test_an_invalid_source_is_reported_once_not_by_every_citation(tmp_path: Path) -> None:
    dataset = """
    origin: minimal
    sources:
      - id: src
        title: A source
        published: 2024-02-30
    """
    problem = only(parse_seed_dir(seed_with(tmp_path, {"dataset.yaml": dataset})))
    assert (problem.id, problem.field) == ("src", "sources[0].published")
    assert "2024-02-30" in problem.message


def test_yaml_1_1_surprises_stay_text(tmp_path: Path) -> None:
    # Under YAML 1.1 `NO` (Norway) would be False and `yes` True; here they stay text.
    text = """
    organisations:
      - id: norway
        kind: other
        names: [{value: yes}]
        location: {country: NO}
        sources: [{source: src}]
    """
    directory = seed_with(tmp_path, {"extra.yaml": text})
    parsed = parse_seed_dir(directory)
    assert parsed.problems == []
    norway = next(o for o in parsed.bundle.organisations if o.id == "norway")
    assert norway.location is not None
    assert (norway.name, norway.location.country) == ("yes", "NO")


# --- Robustness: damaged copies of the real seed never crash the parser ------------------------

_SNIPPETS = [
    "",
    "  - id: x",
    "- 1",
    "foo: bar",
    "origin: 3",
    "people: 5",
    "    date: 2024-02-30",
    "      - {source: nope}",
    "    <<: *a",
    "!!python/object/apply:os.system [ls]",
    "    names: []",
]
_EDITS = st.lists(
    st.tuples(st.integers(0, 400), st.sampled_from(["delete", "copy", "insert", "cut"])),
    max_size=4,
)


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(
    name=st.sampled_from(sorted(p.name for p in SEED.glob("*.yaml"))),
    edits=_EDITS,
    snippet=st.sampled_from(_SNIPPETS),
)
def test_damaged_seed_gives_problems_not_crashes(
    name: str, edits: list[tuple[int, str]], snippet: str
) -> None:
    lines = (SEED / name).read_text(encoding="utf-8").splitlines()
    for position, edit in edits:
        i = position % len(lines)
        if edit == "delete":
            del lines[i]
        elif edit == "copy":
            lines.insert(i, lines[i])
        elif edit == "insert":
            lines.insert(i, snippet)
        else:
            lines[i] = lines[i][: len(lines[i]) // 2]
    # tmp_path is per test, not per example: hypothesis wants a fresh directory each time.
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "seed"
        shutil.copytree(SEED, directory)
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        parsed = parse_seed_dir(directory)
    for problem in parsed.problems:
        assert problem.file.startswith(str(directory))
        assert problem.line is None or problem.line >= 1
        assert problem.message
