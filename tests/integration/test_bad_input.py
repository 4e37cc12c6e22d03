"""Bad input through the real CLI: a clear error naming file and line, and the graph unchanged.

Every case loads the real seed first, fingerprints the graph, runs `partnergraph load` as a
subprocess on a damaged copy written into tmp_path, then checks the exit code, what stderr says
and that the fingerprint did not move.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import os
import re
import signal
import time
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph.cypher import Label
from graph.cypher import load as cypher_load
from graph.cypher import schema as cypher_schema
from graph.dbserver import LocalServer, ServerInfo
from graph.ingest.write import load
from graph.store import Store
from loaders import ror, yamlfile
from loaders.seeds import parse_seed_dir
from loaders.sources import parse_path
from tests.integration.cli import (
    MINIMAL,
    PROGRESS,
    ROOT,
    ROR_FIXTURES,
    SEED,
    Address,
    CliRun,
    change,
    copy_seed,
    finish,
    line_of,
    read_until,
    run_cli,
    start_cli,
)
from tests.integration.graphdata import fingerprint
from tests.neo4j_test import LIB_DIR, free_port, target_of

EXIT_OK, EXIT_INVALID, EXIT_UNAVAILABLE = 0, 2, 3
INJECTION = "'}) DETACH DELETE n //"
LABEL_INJECTION = "Organisation) DETACH DELETE (n"
ROR_DUMP = ROOT.parent / "shared" / "data" / "ror" / "ror-records-latest.jsonl.gz"
# Enough records for a load of over 5,000 rows (ProgressLine's threshold) that writes for some
# seconds, yet small enough to load three times within the time budget of this file.
BIG_LOAD_RECORDS = 5_000
# Small batches: the first progress line comes early and many round trips remain until the commit,
# so that Neo4j dies with the transaction open even when this test reacts late on a busy machine.
BATCHES = ("--batch-size", "500")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


async def load_seed(store: Store) -> str:
    """Load the real seed in-process; the graph's fingerprint afterwards."""
    parsed = parse_seed_dir(SEED)
    assert parsed.problems == []
    await load([parsed], store)
    return await fingerprint(store)


def record_index(file: Path, record_id: str) -> int:
    """The position of a record in its file's list (items start with `  - id:`)."""
    text = file.read_text(encoding="utf-8")
    start_of_line = text.rfind("\n", 0, text.index(record_id)) + 1
    return len(re.findall(r"^  - id: ", text[:start_of_line], flags=re.MULTILINE))


def assert_clean_failure(run: CliRun, code: int) -> None:
    assert run.code == code, f"exit {run.code}, stdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith("error: "), run.stderr
    assert run.stdout == "", "nothing may be reported as loaded"


def assert_reported(run: CliRun, file: Path, line: int | None, *says: str) -> None:
    """One problem line of stderr is at file:line and says every one of `says`."""
    at = run.lines_at(file, line)
    assert any(all(part in text for part in says) for text in at), (
        f"no problem at {file}:{line} saying {says}; stderr:\n{run.stderr}"
    )


# --- Invalid input of one shape: one file changed, one problem located ---------------------------


@dataclass(frozen=True, slots=True)
class Expect:
    path: Path  # what `partnergraph load` is given
    file: Path  # the file stderr must name
    line: int | None
    says: tuple[str, ...]  # message fragments, with `id=` and `field=` where the case has them


def malformed_yaml(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "agreements.yaml"
    line = change(file, "{organisation: gangwon-technopark}", "{organisation: gangwon-technopark")
    # PyYAML notices the unclosed flow mapping where the next item starts.
    return Expect(
        seed, file, line + 1, ("invalid YAML", "expected ',' or '}'", f"starts at line {line}")
    )


def malformed_ror_json_line(tmp: Path) -> Expect:
    file = tmp / "ror.jsonl"
    lines = (ROR_FIXTURES / "v2.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip().removesuffix("}") + "\n"  # line 3 loses its closing brace
    file.write_text("".join(lines), encoding="utf-8")
    return Expect(file, file, 3, ("not valid JSON",))


def malformed_ror_json_array(tmp: Path) -> Expect:
    file = tmp / "ror.json"
    file.write_text((ROR_FIXTURES / "array.json").read_text(encoding="utf-8"), encoding="utf-8")
    text_line = change(file, '"status": "inactive",', '"status": "inactive"')
    # In an array, `line` is the item's number; the message gives the text line as well.
    return Expect(file, file, 2, ("array item 2: not valid JSON", f"text line {text_line + 1}"))


def ror_record_with_injected_type(tmp: Path) -> Expect:
    file = tmp / "ror.jsonl"
    text = (ROR_FIXTURES / "v2.jsonl").read_text(encoding="utf-8")
    file.write_text(
        text.replace('"types": ["facility", "healthcare"]', f'"types": ["{LABEL_INJECTION}"]'),
        encoding="utf-8",
    )
    assert file.read_text(encoding="utf-8") != text
    return Expect(file, file, 2, ("id=0bbbbbb17", "field=types[0]", "unknown ROR type"))


def unknown_key(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "organisations.yaml"
    line = change(file, "    names:\n", "    nmes:\n")
    field = f"field=organisations[{record_index(file, 'ministry-of-smes-and-startups')}].nmes"
    return Expect(
        seed,
        file,
        line,
        ("id=ministry-of-smes-and-startups", field, "unknown field 'nmes'; did you mean 'names'?"),
    )


def missing_required_field(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "agreements.yaml"
    change(file, "    kind: mou\n", "")
    record = "mou-gwtp-tsp-2024-06-04"
    return Expect(
        seed,
        file,
        line_of(file, record),
        (f"id={record}", "field=agreements[0].kind", "required field 'kind' is missing"),
    )


def wrong_type(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "datasets.yaml"
    line = change(file, "individuals: 200000", "individuals: over 200,000")
    return Expect(
        seed,
        file,
        line,
        (
            "id=estonian-biobank-genomic-data",
            "field=datasets[0].individuals",
            "valid integer",
            "'over 200,000'",
        ),
    )


def impossible_date(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "agreements.yaml"
    line = change(file, "signed: 2024-06-04", "signed: 2024-13-45")
    return Expect(
        seed,
        file,
        line,
        ("id=mou-gwtp-tsp-2024-06-04", "field=agreements[0].signed", "month", "'2024-13-45'"),
    )


def end_before_start(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "projects.yaml"
    line = change(
        file, "{start: 2024-06-01, end: 2028-05-31}", "{start: 2024-06-01, end: 2023-05-31}"
    )
    return Expect(
        seed,
        file,
        line,
        (
            "id=gangwon-ai-healthcare-special-zone",
            "field=projects[0].period",
            "end 2023-05-31 is before start 2024-06-01",
        ),
    )


def unknown_enum_value(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "events.yaml"
    line = change(file, "kind: talks", "kind: tlaks")
    return Expect(
        seed,
        file,
        line,
        ("field=events[0].kind", "(got 'tlaks'; did you mean 'talks'?)"),
    )


def duplicate_id(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "people.yaml"
    line = change(file, "- id: kim-hong-ju", "- id: gangwon-technopark")
    orgs = seed / "organisations.yaml"
    first = f"{orgs}:{line_of(orgs, '- id: gangwon-technopark')}"
    return Expect(
        seed,
        file,
        line,
        (
            "id=gangwon-technopark",
            "field=people[0].id",
            f"already used by organisations at {first}",
        ),
    )


def dangling_reference(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "agreements.yaml"
    change(file, "{organisation: tartu-city-government}", "{organisation: tartu-city-govt}")
    record = "mou-gangwon-tartu-eis-2024-12-09"
    # Found when references are checked against the load and the graph: located at the record.
    return Expect(
        seed,
        file,
        line_of(file, record),
        (f"id={record}", "field=parties[1].organisation", "unknown organisation 'tartu-city-govt'"),
    )


def agreement_with_one_party(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "agreements.yaml"
    change(
        file,
        "      - {organisation: tartu-city-government}\n"
        "      - {organisation: estonian-business-and-innovation-agency}\n",
        "",
    )
    record = "mou-gangwon-tartu-eis-2024-12-09"
    return Expect(
        seed,
        file,
        line_of(file, record),
        (f"id={record}", "field=agreements[1]", "at least two distinct parties"),
    )


def party_twice(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "agreements.yaml"
    change(file, "{organisation: tartu-city-government}", "{organisation: gangwon-state}")
    record = "mou-gangwon-tartu-eis-2024-12-09"
    return Expect(
        seed,
        file,
        line_of(file, record),
        (f"id={record}", "field=agreements[1]", "listed as party more than once: gangwon-state"),
    )


def negative_size(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "datasets.yaml"
    line = change(file, "individuals: 200000", "individuals: -5")
    return Expect(
        seed,
        file,
        line,
        ("field=datasets[0].individuals", "greater than or equal to 0", "(got -5)"),
    )


def empty_file(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "people.yaml"
    file.write_text("", encoding="utf-8")
    return Expect(seed, file, None, ("file is empty",))


def comment_only_file(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "people.yaml"
    file.write_text("# people: to be written\n", encoding="utf-8")
    return Expect(seed, file, 1, ("file is empty (it holds only comments)",))


def cypher_in_an_id(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "organisations.yaml"
    index = record_index(file, "- id: gangwon-technopark")
    line = change(file, "- id: gangwon-technopark", f'- id: "{INJECTION}"')
    return Expect(
        seed,
        file,
        line,
        (f"field=organisations[{index}].id", "must be a slug", repr(INJECTION)),
    )


def label_injection_in_kind(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "organisations.yaml"
    index = record_index(file, "- id: gangwon-technopark")
    line = change(file, "kind: technopark", f'kind: "{LABEL_INJECTION}"')
    return Expect(
        seed,
        file,
        line,
        (
            "id=gangwon-technopark",
            f"field=organisations[{index}].kind",
            "Input should be 'ministry'",
            f"(got {LABEL_INJECTION!r})",
        ),
    )


def type_injection_in_relation(tmp: Path) -> Expect:
    seed = copy_seed(tmp)
    file = seed / "organisations.yaml"
    line = change(
        file,
        "{type: child, organisation: ministry-of-smes-and-startups}",
        f'{{type: "{LABEL_INJECTION}", organisation: ministry-of-smes-and-startups}}',
    )
    return Expect(
        seed,
        file,
        line,
        (
            "id=ministry-of-trade-industry-and-energy",
            "field=organisations[1].relations[0].type",
            "Input should be 'parent'",
            f"(got {LABEL_INJECTION!r})",
        ),
    )


CASES: dict[str, Callable[[Path], Expect]] = {
    case.__name__: case
    for case in (
        malformed_yaml,
        malformed_ror_json_line,
        malformed_ror_json_array,
        ror_record_with_injected_type,
        unknown_key,
        missing_required_field,
        wrong_type,
        impossible_date,
        end_before_start,
        unknown_enum_value,
        duplicate_id,
        dangling_reference,
        agreement_with_one_party,
        party_twice,
        negative_size,
        empty_file,
        comment_only_file,
        cypher_in_an_id,
        label_injection_in_kind,
        type_injection_in_relation,
    )
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_bad_input_is_refused_and_changes_nothing(
    case: Callable[[Path], Expect], tmp_path: Path, store: Store, neo4j_server: ServerInfo
) -> None:
    before = await load_seed(store)
    expect = case(tmp_path)
    run = await run_cli(neo4j_server, "load", expect.path)
    assert_clean_failure(run, EXIT_INVALID)
    assert "nothing was written" in run.stderr
    assert_reported(run, expect.file, expect.line, *expect.says)
    assert await fingerprint(store) == before


async def test_truncated_ror_line_is_located_where_it_ends(
    tmp_path: Path, neo4j_server: ServerInfo
) -> None:
    expect = malformed_ror_json_line(tmp_path)
    end = len(expect.path.read_text(encoding="utf-8").splitlines()[2]) + 1
    run = await run_cli(neo4j_server, "load", expect.path)
    assert_clean_failure(run, EXIT_INVALID)
    # The data ran out at the end of line 3, not at its first column.
    assert_reported(run, expect.file, expect.line, f"ror.jsonl:3:{end}: not valid JSON")


# --- Files over the parsers' size limits: refused from their size, without reading them ----------


@pytest.mark.parametrize(
    ("name", "limit", "says"),
    [
        ("organisations.yaml", yamlfile.MAX_FILE_BYTES, "over the 50 MB limit"),
        ("ror.jsonl", ror.MAX_BYTES, f"over the {ror.MAX_BYTES:,} limit: split it"),
    ],
)
async def test_huge_file_is_refused_quickly(
    name: str, limit: int, says: str, tmp_path: Path, store: Store, neo4j_server: ServerInfo
) -> None:
    before = await load_seed(store)
    if name.endswith(".yaml"):
        path = copy_seed(tmp_path)
        file = path / name
    else:
        path = file = tmp_path / name
    # Sparse: one byte over the limit costs no disk and no time to write.
    with file.open("r+b" if file.exists() else "wb") as out:
        out.truncate(limit + 1)
    assert file.stat().st_size == limit + 1
    run = await run_cli(neo4j_server, "load", path)
    assert_clean_failure(run, EXIT_INVALID)
    assert_reported(run, file, None, says)
    assert await fingerprint(store) == before


# --- Several problems, several files, one run ----------------------------------------------------


async def test_every_problem_of_every_file_is_reported_in_one_run(
    tmp_path: Path, store: Store, neo4j_server: ServerInfo
) -> None:
    before = await load_seed(store)
    seed = copy_seed(tmp_path)
    orgs, events, datasets = (
        seed / f for f in ("organisations.yaml", "events.yaml", "datasets.yaml")
    )
    typo = change(orgs, "    names:\n", "    nmes:\n")
    date = change(events, "date: 2024-06-03", "date: 2024-06-31")
    size = change(datasets, "individuals: 200000", "individuals: -5")
    dump = tmp_path / "ror.jsonl"
    lines = (ROR_FIXTURES / "v2.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    dump.write_text("".join([*lines[:3], "{not json\n", lines[3]]), encoding="utf-8")

    run = await run_cli(neo4j_server, "load", seed, dump)

    assert_clean_failure(run, EXIT_INVALID)
    assert_reported(run, orgs, typo, "did you mean 'names'?")
    assert_reported(run, events, date, "field=events[0].date", "day value is outside")
    assert_reported(run, datasets, size, "field=datasets[0].individuals")
    assert_reported(run, dump, 4, "not valid JSON")
    # The record whose `names` became `nmes` also lacks `names`: two problems for one typo.
    assert len(run.problems) == 5, run.stderr
    assert run.stderr.startswith("error: 5 problem(s) in the input; nothing was written:")
    assert await fingerprint(store) == before


# --- Unicode traps: not errors, cleaned on the way in --------------------------------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


async def test_unicode_forms_and_invisible_characters_are_cleaned(
    tmp_path: Path, store: Store, neo4j_server: ServerInfo
) -> None:
    await load_seed(store)
    nfd = unicodedata.normalize("NFD", "Tartu Ülikool")
    assert nfd != "Tartu Ülikool"
    seed = copy_seed(tmp_path, MINIMAL)
    orgs = seed / "organisations.yaml"
    # org-a: zero-width space, right-to-left mark and override, word joiner, BOM in its texts.
    change(
        orgs,
        "names: [{value: Org A}]",
        'names: [{value: "Org\u200b A\u200f"}]\n'
        '    description: "Zero\u200dwidth\u2060 and \u202eright-to-left\u202c\ufeff text"',
    )
    # org-b: the NFD spelling of a name the seed gives the University of Tartu in NFC.
    change(
        orgs,
        "kind: science_park\n    names: [{value: Org B}]",
        f'kind: university\n    names: [{{value: "{nfd}", lang: et}}]',
    )

    run = await run_cli(neo4j_server, "load", seed)
    assert run.code == EXIT_OK, run.stderr

    rows = await store.read(
        "MATCH (n:Organisation) WHERE 'Tartu Ülikool' IN n.names OR $nfd IN n.names "
        "RETURN n.id AS id, n.ids AS ids, n.names AS names",
        {"nfd": nfd},
    )
    assert len(rows) == 1, rows
    assert rows[0]["id"] == "university-of-tartu"
    assert "org-b" in rows[0]["ids"]
    assert rows[0]["names"].count("Tartu Ülikool") == 1
    org_a = await store.read(
        "MATCH (n:Organisation {id: 'org-a'}) RETURN n.name AS name, n.description AS description"
    )
    assert org_a == [{"name": "Org A", "description": "Zerowidth and right-to-left text"}]
    # Nowhere in the graph is there an NFD string or an invisible character.
    for row in await store.read("MATCH (n) RETURN n.id AS id, properties(n) AS props"):
        for text in (s for v in row["props"].values() for s in _strings(v)):
            assert unicodedata.is_normalized("NFC", text), (row["id"], text)
            assert not _INVISIBLE.search(text), (row["id"], text)


# --- Cypher-shaped text, labels and types --------------------------------------------------------


async def test_cypher_shaped_description_is_plain_text(
    tmp_path: Path, store: Store, neo4j_server: ServerInfo
) -> None:
    await load_seed(store)
    nodes_before = await _nodes(store)
    rels_before = await store.read(cypher_schema.FINGERPRINT_RELS)
    seed = copy_seed(tmp_path)
    change(
        seed / "organisations.yaml",
        "description: Named as one of the founders of Tartu Science Park in 1992.",
        f'description: "{INJECTION}"',
    )

    run = await run_cli(neo4j_server, "load", seed)
    assert run.code == EXIT_OK, run.stderr

    nodes_after = await _nodes(store)
    assert nodes_after.keys() == nodes_before.keys()
    changed = {key for key in nodes_after if nodes_after[key] != nodes_before[key]}
    assert changed == {"tartu-county"}
    county_before, county_after = nodes_before["tartu-county"], nodes_after["tartu-county"]
    assert county_after["description"] == INJECTION
    differs = {
        k
        for k in county_after.keys() | county_before.keys()
        if county_after.get(k) != county_before.get(k)
    }
    assert differs == {"description", "claims", "version"}
    assert county_after["version"] == county_before["version"] + 1
    assert await store.read(cypher_schema.FINGERPRINT_RELS) == rels_before


async def _nodes(store: Store) -> dict[str, dict[str, Any]]:
    # The graph's nodes: not the loader's bookkeeping (the digest a file load leaves).
    rows = await store.read(cypher_schema.FINGERPRINT_NODES)
    return {row["props"]["id"]: row["props"] for row in rows}


@pytest.mark.parametrize(
    "label", ["Organisation`) DETACH DELETE n //", "Organisation", LABEL_INJECTION]
)
def test_cypher_builders_refuse_plain_strings(label: str) -> None:
    # A string, even one spelling a real label, is not a member of the allow-list.
    with pytest.raises(ValueError, match="not an allowed label"):
        cypher_load.merge_nodes(label)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an allowed label"):
        cypher_load.delete_nodes(label)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not an allowed relationship type"):
        cypher_load.merge_rels(label, Label.ORGANISATION, Label.AGREEMENT)  # type: ignore[arg-type]


# --- Dry runs, progress and an unreachable store -------------------------------------------------


async def test_dry_run_on_valid_input_writes_nothing(
    tmp_path: Path, store: Store, neo4j_server: ServerInfo
) -> None:
    before = await load_seed(store)
    seed = copy_seed(tmp_path, MINIMAL)
    run = await run_cli(neo4j_server, "load", "--dry-run", seed)
    assert run.code == EXIT_OK, run.stderr
    assert run.stdout.startswith("would write minimal: 2 Organisation, 1 Source;"), run.stdout
    assert await fingerprint(store) == before


async def test_dry_run_reports_the_relationships_a_load_would_write(
    store: Store, neo4j_server: ServerInfo
) -> None:
    dry = await run_cli(neo4j_server, "load", "--dry-run", SEED)
    real = await run_cli(neo4j_server, "load", SEED)
    assert (dry.code, real.code) == (EXIT_OK, EXIT_OK), dry.stderr + real.stderr
    said = dry.stdout.splitlines()[0].removeprefix("would write ")
    done = real.stdout.splitlines()[0].removeprefix("loaded ")
    assert said == done, "a dry run must report what the load then writes"


class _Counted:
    """A Progress that adds up what the pipeline reports."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        self.total = total

    def __call__(self, phase: str, rows: int) -> None:
        self.done += rows


async def test_progress_of_a_load_reaches_its_total(store: Store) -> None:
    # Each ROR relation is given by both records it joins: written once, announced twice.
    counted = _Counted()
    await load(parse_path(ROR_FIXTURES / "v2.jsonl"), store, progress=counted)
    assert counted.done == counted.total, "a finished load's progress bar must read 100%"


async def test_unreachable_store_exits_3(store: Store) -> None:
    before = await load_seed(store)
    nowhere = Address(f"bolt://127.0.0.1:{free_port()}", "any-password")
    run = await run_cli(nowhere, "load", SEED)
    assert_clean_failure(run, EXIT_UNAVAILABLE)
    assert "store unavailable" in run.stderr
    assert nowhere.uri in run.stderr
    assert await fingerprint(store) == before


async def test_invalid_input_is_reported_even_when_the_store_is_down(tmp_path: Path) -> None:
    expect = unknown_key(tmp_path)
    nowhere = Address(f"bolt://127.0.0.1:{free_port()}", "any-password")
    run = await run_cli(nowhere, "load", expect.path)
    assert_clean_failure(run, EXIT_INVALID)
    assert_reported(run, expect.file, expect.line, *expect.says)


# --- A second, throwaway Neo4j: killed in the middle of a load -----------------------------------


@pytest.fixture(scope="module")
async def spare_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LocalServer]:
    """A second Neo4j of this module's own, which its tests may kill."""
    server = LocalServer(tmp_path_factory.mktemp("neo4j"), free_port(), "1g", None, LIB_DIR)
    try:
        await asyncio.to_thread(server.start)
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@dataclass(frozen=True, slots=True)
class BigLoad:
    """A big ROR extract, and the fingerprints of the seed, then the extract, loaded cleanly."""

    dump: Path
    seed_fingerprint: str
    fingerprint: str


@pytest.fixture(scope="module")
async def big_load(tmp_path_factory: pytest.TempPathFactory, spare_server: LocalServer) -> BigLoad:
    if not ROR_DUMP.is_file():
        pytest.skip(f"{ROR_DUMP} is absent")
    dump = tmp_path_factory.mktemp("ror") / "ror-extract.jsonl"
    with gzip.open(ROR_DUMP, "rb") as source, dump.open("wb") as out:
        out.writelines(itertools.islice(source, BIG_LOAD_RECORDS))
    info = await _fresh(spare_server)
    seeded = await run_cli(info, "load", SEED)
    assert seeded.code == EXIT_OK, seeded.stderr
    seed_fingerprint = await _fingerprint_of(info)
    run = await run_cli(info, "load", *BATCHES, dump)
    assert run.code == EXIT_OK, run.stderr
    return BigLoad(dump, seed_fingerprint, await _fingerprint_of(info))


async def _fingerprint_of(info: ServerInfo) -> str:
    store = await Store.open(target_of(info))
    try:
        return await fingerprint(store)
    finally:
        await store.close()


async def _fresh(server: LocalServer) -> ServerInfo:
    """The throwaway server running (started again if a test killed it) with an empty graph."""
    info = await asyncio.to_thread(server.start)
    store = await Store.open(target_of(info))
    try:
        await store.run_batched(cypher_schema.WIPE)
    finally:
        await store.close()
    return info


async def test_neo4j_killed_midway_leaves_the_graph_as_it_was(
    spare_server: LocalServer, big_load: BigLoad
) -> None:
    info = await _fresh(spare_server)
    seeded = await run_cli(info, "load", SEED)
    assert seeded.code == EXIT_OK, seeded.stderr
    before = await _fingerprint_of(info)
    assert before == big_load.seed_fingerprint, "the seed must load alike on every server"

    started = time.perf_counter()
    loading = await start_cli(info, "load", *BATCHES, big_load.dump)
    assert loading.stderr is not None
    progress, seen = await read_until(loading.stderr, PROGRESS, timeout_s=60)
    # ProgressLine draws after a batch went into the open transaction: writing has begun.
    assert progress is not None, f"the load ended before writing anything:\n{seen}"
    assert loading.returncode is None, "the load finished before Neo4j could be killed"
    os.kill(info.pid, signal.SIGKILL)
    killed = await finish(loading, started, seen)

    assert killed.code == EXIT_UNAVAILABLE, killed.stderr
    assert "Traceback" not in killed.stderr, killed.stderr
    assert "loaded" not in killed.stdout
    assert killed.stderr.rstrip().splitlines()[-1].startswith("error: store unavailable: ")

    restarted = await asyncio.to_thread(spare_server.start)
    assert restarted.pid != info.pid
    after = await _fingerprint_of(restarted)
    assert after != big_load.fingerprint, "the load committed before Neo4j died: kill it earlier"
    assert after == before, "part of the killed load's transaction survived the restart"

    again = await run_cli(restarted, "load", *BATCHES, big_load.dump)
    assert again.code == EXIT_OK, again.stderr
    assert await _fingerprint_of(restarted) == big_load.fingerprint

    # Last, being cosmetic: stderr holds the progress lines and the error, nothing else.
    noise = [
        text
        for text in killed.stderr.splitlines()
        if not PROGRESS.match(text) and not text.startswith("error: ")
    ]
    assert noise == [], "the Neo4j driver's own log records leak into the CLI's stderr"


# --- A database made by an earlier version of partnergraph ---------------------------------------


async def test_a_database_made_by_an_earlier_version_loads_shared_wikidata_ids(
    tmp_path: Path, spare_server: LocalServer
) -> None:
    # ROR's withdrawn duplicates carry the Wikidata id of the record they duplicate.
    records = (ROR_FIXTURES / "v2.jsonl").read_text(encoding="utf-8").splitlines()[2:4]
    dump = tmp_path / "shared-wikidata.jsonl"
    with dump.open("w", encoding="utf-8") as out:
        for line in records:
            record = json.loads(line)
            record["external_ids"].append(
                {"all": ["Q99999909"], "preferred": None, "type": "wikidata"}
            )
            out.write(json.dumps(record) + "\n")
    info = await _fresh(spare_server)
    store = await Store.open(target_of(info))
    try:
        # What partnergraph before d7febc7 created: Wikidata ids unique.
        await store.write("DROP INDEX organisation_wikidata IF EXISTS")
        await store.write(
            "CREATE CONSTRAINT organisation_wikidata IF NOT EXISTS "
            "FOR (n:Organisation) REQUIRE n.wikidata IS UNIQUE"
        )
        run = await run_cli(info, "load", *BATCHES, dump)
        assert run.code == EXIT_OK, f"{run.stderr}(the load must bring the schema up to date)"
    finally:
        await store.write("DROP CONSTRAINT organisation_wikidata IF EXISTS")
        await store.setup_schema()
        await store.close()
