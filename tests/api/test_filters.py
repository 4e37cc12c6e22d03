"""`where` filters and count sorts against ground truth computed in Python from the bundle itself.

The ground truth reads the generated Bundle (pydantic records), never Cypher nor the compiler.
Its semantics, which the API's descriptions promise: every given operator must hold;
`contains`/`startsWith`/`endsWith` ignore case, `eq`/`in` do not; a missing value satisfies no
operator; `NOT` is the complement; `some`/`none`/`all` quantify over the related nodes, and `all`
over none is true; `name` matches when one name (display, label, alias, acronym) satisfies every
operator.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.model import AgreementKind, AgreementStatus, Bundle, OrgKind, ProjectKind, ProjectStatus
from graph.store import Store
from tests.api.conftest import Run, runner
from tests.api.generated import SECTORS, TOPICS, ecosystem, ensure_loaded

ECO = ecosystem()
BUNDLE = ECO.bundle
Where = dict[str, Any]


@pytest.fixture
async def eco(session_store: Store) -> Store:
    """The generated ecosystem in the test Neo4j (reloaded only when a test changed it)."""
    await ensure_loaded(session_store, ECO)
    return session_store.view()


@pytest.fixture
def run(schema: strawberry.Schema, eco: Store) -> Run:
    return runner(schema, eco)


# --- ground truth -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    kind: str  # string | names | int | date | list | enum
    get: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Related:
    target: str
    get: Callable[[Any], list[Any]]


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _scalar(kind: str, value: Any, op: str, arg: Any) -> bool:
    if value is None:
        return False
    if kind == "date":
        arg = [_date(a) for a in arg] if op == "in" else _date(arg)
    match op:
        case "eq":
            return bool(value == arg)
        case "in":
            return value in arg
        case "lt":
            return bool(value < arg)
        case "lte":
            return bool(value <= arg)
        case "gt":
            return bool(value > arg)
        case "gte":
            return bool(value >= arg)
        case "contains":
            return arg.lower() in value.lower()
        case "startsWith":
            return bool(value.lower().startswith(arg.lower()))
        case "endsWith":
            return bool(value.lower().endswith(arg.lower()))
    raise AssertionError(f"unknown operator {op}")


def _list(items: list[str], op: str, arg: Any) -> bool:
    match op:
        case "includes":
            return arg in items
        case "includesAny":
            return any(a in items for a in arg)
        case "includesAll":
            return all(a in items for a in arg)
    raise AssertionError(f"unknown operator {op}")


def _operators(kind: str, value: Any, ops: dict[str, Any]) -> bool:
    given_ops = {op: arg for op, arg in ops.items() if arg is not None}
    if kind == "names":
        return any(_operators("string", name, given_ops) for name in value)
    if kind == "list":
        return all(_list(value, op, arg) for op, arg in given_ops.items())
    return all(_scalar(kind, value, op, arg) for op, arg in given_ops.items())


class Truth:
    """Which records of the bundle a `where` input selects, by the API's documented semantics."""

    def __init__(self, bundle: Bundle) -> None:
        self.records: dict[str, dict[str, Any]] = {
            "Organisation": {o.id: o for o in bundle.organisations},
            "Agreement": {a.id: a for a in bundle.agreements},
            "Person": {p.id: p for p in bundle.people},
            "Project": {p.id: p for p in bundle.projects},
            "Event": {},
            "Dataset": {},
        }
        orgs, people = self.records["Organisation"], self.records["Person"]
        org_agreements: dict[str, list[Any]] = defaultdict(list)
        org_projects: dict[str, dict[str, Any]] = defaultdict(dict)
        person_agreements: dict[str, list[Any]] = defaultdict(list)
        for agreement in bundle.agreements:
            for party in agreement.parties:
                org_agreements[party.organisation].append(agreement)
            for signatory in agreement.signatories:
                if agreement not in person_agreements[signatory.person]:
                    person_agreements[signatory.person].append(agreement)
        for project in bundle.projects:
            for participant in project.participants:
                org_projects[participant.organisation][project.id] = project
        self.agreement_count = {o: len(org_agreements[o]) for o in orgs}
        self.project_count = {o: len(org_projects[o]) for o in orgs}

        def names(record: Any) -> list[str]:
            return [n.value for n in record.names]

        def country(o: Any) -> str | None:
            return o.location.country if o.location else None

        def city(o: Any) -> str | None:
            return o.location.city if o.location else None

        def start(p: Any) -> dt.date | None:
            return p.period.start if p.period else None

        def distinct(items: Iterable[Any]) -> list[Any]:
            return list({id(i): i for i in items}.values())

        key = Value("string", lambda r: r.id)
        self.fields: dict[str, dict[str, Value | Related]] = {
            "Organisation": {
                "key": key,
                "name": Value("names", names),
                "kind": Value("enum", lambda o: o.kind.name),
                "status": Value("enum", lambda o: o.status.name),
                "country": Value("string", country),
                "city": Value("string", city),
                "established": Value("int", lambda o: o.established),
                "ror": Value("string", lambda o: o.identifiers.ror),
                "wikidata": Value("string", lambda o: o.identifiers.wikidata),
                "isni": Value("string", lambda o: o.identifiers.isni),
                "grid": Value("string", lambda o: o.identifiers.grid),
                "fundref": Value("string", lambda o: o.identifiers.fundref),
                "registryCode": Value("string", lambda o: o.identifiers.registry_code),
                "pic": Value("string", lambda o: o.identifiers.pic),
                "topics": Value("list", lambda o: o.topics),
                "sectors": Value("list", lambda o: o.sectors),
                "agreements": Related("Agreement", lambda o: org_agreements[o.id]),
                "projects": Related("Project", lambda o: list(org_projects[o.id].values())),
                "events": Related("Event", lambda o: []),
                "datasets": Related("Dataset", lambda o: []),
            },
            "Agreement": {
                "key": key,
                "kind": Value("enum", lambda a: a.kind.name),
                "status": Value("enum", lambda a: a.status.name),
                "title": Value("string", lambda a: a.title),
                "signed": Value("date", lambda a: a.signed),
                "topics": Value("list", lambda a: a.topics),
                "parties": Related(
                    "Organisation", lambda a: [orgs[p.organisation] for p in a.parties]
                ),
                "signatories": Related(
                    "Person", lambda a: distinct(people[s.person] for s in a.signatories)
                ),
            },
            "Person": {
                "key": key,
                "name": Value("names", names),
                "organisations": Related(
                    "Organisation",
                    lambda p: distinct(orgs[pos.organisation] for pos in p.positions),
                ),
                "agreements": Related("Agreement", lambda p: person_agreements[p.id]),
            },
            "Project": {
                "key": key,
                "kind": Value("enum", lambda p: p.kind.name),
                "status": Value("enum", lambda p: p.status.name),
                "title": Value("string", lambda p: p.title),
                "start": Value("date", start),
                "topics": Value("list", lambda p: p.topics),
                "participants": Related(
                    "Organisation", lambda p: distinct(orgs[x.organisation] for x in p.participants)
                ),
            },
            "Event": {"key": key, "title": Value("string", lambda e: e.title)},
            "Dataset": {"key": key, "title": Value("string", lambda d: d.title)},
        }

    def matches(self, type_name: str, record: Any, where: Where) -> bool:
        for name, arg in where.items():
            if arg is None:
                continue
            if name == "AND":
                ok = all(self.matches(type_name, record, w) for w in arg)
            elif name == "OR":
                ok = any(self.matches(type_name, record, w) for w in arg)
            elif name == "NOT":
                ok = not self.matches(type_name, record, arg)
            else:
                spec = self.fields[type_name][name]
                if isinstance(spec, Related):
                    ok = self._quantified(spec, spec.get(record), arg)
                else:
                    ok = _operators(spec.kind, spec.get(record), arg)
            if not ok:
                return False
        return True

    def _quantified(self, spec: Related, related: list[Any], arg: dict[str, Any]) -> bool:
        hits = {
            q: [self.matches(spec.target, r, w) for r in related]
            for q, w in arg.items()
            if w is not None
        }
        return all(
            any(h) if q == "some" else not any(h) if q == "none" else all(h)
            for q, h in hits.items()
        )

    def select(self, type_name: str, where: Where) -> set[str]:
        return {k for k, r in self.records[type_name].items() if self.matches(type_name, r, where)}


TRUTH = Truth(BUNDLE)

# --- the API's answer ---------------------------------------------------------------------------

ROOTS = {
    "Organisation": ("organisations", "OrganisationWhere"),
    "Agreement": ("agreements", "AgreementWhere"),
    "Person": ("people", "PersonWhere"),
    "Project": ("projects", "ProjectWhere"),
}


async def api_keys(run: Run, type_name: str, where: Where | None, order: Any = None) -> list[str]:
    """Every key the root connection returns for `where`, page after page (100 at a time)."""
    root, where_type = ROOTS[type_name]
    order_type = where_type.replace("Where", "OrderBy")
    query = (
        f"query($w: {where_type}, $o: {order_type}, $after: String) {{ "
        f"{root}(where: $w, orderBy: $o, first: 100, after: $after) {{ "
        "edges { node { key } } pageInfo { hasNextPage endCursor } } }"
    )
    keys: list[str] = []
    after = None
    while True:
        data, _ = await run(query, w=where, o=order, after=after)
        conn = data[root]
        keys += [e["node"]["key"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return keys
        after = conn["pageInfo"]["endCursor"]


async def check(run: Run, type_name: str, where: Where) -> set[str]:
    expected = TRUTH.select(type_name, where)
    got = await api_keys(run, type_name, where)
    assert len(got) == len(set(got)), "a record came twice"
    missing, extra = sorted(expected - set(got)), sorted(set(got) - expected)
    assert not missing, f"{where}: missing {missing[:5]} (of {len(missing)})"
    assert not extra, f"{where}: unexpected {extra[:5]} (of {len(extra)})"
    return expected


# --- hand-picked filters ------------------------------------------------------------------------


def _first(predicate: Callable[[Any], bool], items: Iterable[Any]) -> Any:
    return next(i for i in items if predicate(i))


KO_ALIAS = _first(lambda n: n.lang == "ko", (n for o in BUNDLE.organisations for n in o.names))
ACRONYM = _first(lambda n: "acronym" in n.types, (n for o in BUNDLE.organisations for n in o.names))
A_DATE = _first(lambda a: a.signed is not None, BUNDLE.agreements).signed.isoformat()
SOME_KEYS = [o.id for o in BUNDLE.organisations[::17]]
SOME_NAMES = [o.names[0].value for o in BUNDLE.organisations[::3]][:20]
PICS = sorted(o.identifiers.pic for o in BUNDLE.organisations if o.identifiers.pic)

ORGANISATION_WHERES: list[Where] = [
    {},
    {"name": {"eq": "Tartu Ülikool"}},
    {"name": {"eq": "tartu ülikool"}},
    {"name": {"contains": "ÜLIKOOL"}},
    {"name": {"contains": "ülikool", "startsWith": "TARTU"}},
    {"name": {"startsWith": "tartu"}},
    {"name": {"endsWith": "YLIOPISTO"}},
    {"name": {"eq": KO_ALIAS.value}},
    {"name": {"startsWith": "서울"}},
    {"name": {"contains": "테크노"}},
    {"name": {"eq": ACRONYM.value}},
    {"name": {"in": ["Alpha Institute", KO_ALIAS.value, "nobody"]}},
    # `in` ignores no case, though the name-text index it reads first is lower-cased.
    {"name": {"in": ["tartu ülikool", "TARTU ÜLIKOOL", ACRONYM.value]}},
    # Past the values the index narrows (graph/cypher/nametext.py MAX_NARROWED_IN): the pass
    # over the label, the same answer.
    {"name": {"in": [*SOME_NAMES, "Tartu Ülikool"]}},
    # Both operators must hold on the same name: no name both starts with Hangul and is Latin.
    {"name": {"startsWith": "춘천", "endsWith": "Haigla"}},
    {"name": {"contains": "춘천", "endsWith": "Ülikool"}},
    {"key": {"in": SOME_KEYS}},
    {"key": {"startsWith": "ORG-00"}},
    {"pic": {"eq": PICS[1]}},
    {"pic": {"in": [PICS[0], PICS[-1], "999999999"]}},
    {"pic": {"startsWith": "90000001"}},
    {"NOT": {"pic": {"eq": PICS[1]}}},
    {"country": {"eq": "EE"}},
    {"country": {"eq": "ee"}},
    {"country": {"in": ["FI", "DE"]}},
    {"city": {"startsWith": "t"}},
    {"established": {"lt": 1700}},
    {"established": {"lte": 1990}},
    {"established": {"gt": 2020}},
    {"established": {"gte": 2024}},
    {"established": {"gt": 1990, "lt": 2000}},
    {"established": {"in": [1995, 2000, 2010]}},
    {"kind": {"eq": "UNIVERSITY"}},
    {"kind": {"in": ["HOSPITAL", "BIOBANK", "STARTUP"]}},
    {"status": {"eq": "WITHDRAWN"}},
    {"topics": {"includes": "genomics"}},
    {"topics": {"includesAny": ["genomics", "medtech"]}},
    {"topics": {"includesAll": ["genomics", "medtech"]}},
    {"topics": {"includesAll": []}},
    {"sectors": {"includes": "health"}},
    {"AND": [{"country": {"eq": "EE"}}, {"established": {"gte": 2000}}]},
    {"AND": []},
    {"OR": [{"country": {"eq": "KR"}}, {"topics": {"includes": "genomics"}}]},
    {"OR": []},
    {"NOT": {"OR": [{"country": {"eq": "KR"}}, {"kind": {"eq": "UNIVERSITY"}}]}},
    {"NOT": {"NOT": {"country": {"eq": "FI"}}}},
    {"NOT": {"topics": {"includes": "genomics"}}},
    {"agreements": {"some": {"kind": {"eq": "MOU"}}}},
    {"agreements": {"none": {"kind": {"eq": "MOU"}}}},
    {"agreements": {"all": {"kind": {"eq": "MOU"}}}},
    {"agreements": {"some": {}}},
    {"agreements": {"none": {}}},
    {"agreements": {"all": {}}},
    {"agreements": {"some": {"signed": {"gte": "2022-01-01"}}}},
    {"agreements": {"some": {"signed": {"eq": A_DATE}}}},
    {"agreements": {"none": {"signed": {"lt": "2016-06-01"}}}},
    {"agreements": {"some": {"kind": {"eq": "MOU"}}, "none": {"status": {"eq": "EXPIRED"}}}},
    {
        "country": {"eq": "EE"},
        "agreements": {"some": {"parties": {"some": {"country": {"eq": "KR"}}}}},
    },
    {"agreements": {"some": {"signatories": {"some": {"name": {"contains": "virtanen"}}}}}},
    {"projects": {"some": {"kind": {"eq": "JOINT_RND"}}}},
    {"projects": {"all": {"status": {"eq": "ACTIVE"}}}},
    {"projects": {"none": {"topics": {"includes": "genomics"}}}},
    {"datasets": {"all": {"title": {"eq": "nothing"}}}},
    {"datasets": {"some": {}}},
    {"events": {"none": {}}},
]

# A missing value satisfies no operator, so the complement (NOT) and `all` must count it as
# not matching: an organisation without a year is "not established before 2000".
NULL_WHERES: list[Where] = [
    {"NOT": {"established": {"lt": 2000}}},
    {"NOT": {"country": {"in": ["EE", "KR"]}}},
    {"NOT": {"city": {"contains": "a"}}},
    {"agreements": {"all": {"signed": {"gte": "2015-01-01"}}}},
    {"NOT": {"agreements": {"some": {"NOT": {"signed": {"gte": "2020-01-01"}}}}}},
]


@pytest.mark.parametrize("where", ORGANISATION_WHERES, ids=str)
async def test_organisation_filters(run: Run, where: Where) -> None:
    await check(run, "Organisation", where)


@pytest.mark.parametrize("where", NULL_WHERES, ids=str)
async def test_negation_and_all_treat_a_missing_value_as_not_matching(
    run: Run, where: Where
) -> None:
    expected = await check(run, "Organisation", where)
    assert expected, "the case must select something"


def test_hand_picked_filters_discriminate() -> None:
    """No test that cannot fail: most hand-picked filters select some, not all."""
    total = len(BUNDLE.organisations)
    sizes = [len(TRUTH.select("Organisation", w)) for w in ORGANISATION_WHERES]
    assert sum(0 < s < total for s in sizes) >= len(sizes) * 3 // 4
    assert 0 in sizes
    assert total in sizes


OTHER_WHERES: list[tuple[str, Where]] = [
    ("Agreement", {"signed": {"eq": A_DATE}}),
    ("Agreement", {"signed": {"gt": "2020-06-30", "lte": "2023-12-31"}}),
    ("Agreement", {"signed": {"lt": "2017-01-01"}}),
    ("Agreement", {"kind": {"in": ["MOU", "DATA_SHARING"]}, "status": {"eq": "SIGNED"}}),
    ("Agreement", {"title": {"startsWith": "mou"}}),
    ("Agreement", {"title": {"contains": "협약"}}),
    ("Agreement", {"topics": {"includesAll": ["genomics"]}}),
    ("Agreement", {"parties": {"some": {"country": {"eq": "KR"}}}}),
    ("Agreement", {"parties": {"all": {"country": {"in": ["EE", "KR"]}}}}),
    ("Agreement", {"parties": {"none": {"established": {"lt": 1700}}}}),
    ("Agreement", {"signatories": {"some": {}}}),
    ("Agreement", {"signatories": {"all": {"name": {"contains": "ü"}}}}),
    ("Agreement", {"NOT": {"signed": {"lt": "2020-01-01"}}}),
    ("Person", {"name": {"contains": "park"}}),
    ("Person", {"name": {"startsWith": "박"}}),
    ("Person", {"organisations": {"some": {"country": {"eq": "KR"}}}}),
    ("Person", {"organisations": {"all": {"kind": {"eq": "UNIVERSITY"}}}}),
    ("Person", {"agreements": {"some": {"kind": {"eq": "MOU"}}}}),
    ("Person", {"agreements": {"none": {}}}),
    ("Project", {"start": {"gte": "2022-01-01"}}),
    ("Project", {"kind": {"eq": "PROGRAMME"}, "status": {"in": ["ACTIVE", "PLANNED"]}}),
    ("Project", {"participants": {"some": {"country": {"eq": "EE"}}}}),
    ("Project", {"participants": {"all": {"established": {"gte": 1900}}}}),
    ("Project", {"NOT": {"start": {"lt": "2022-01-01"}}}),
]


@pytest.mark.parametrize(("type_name", "where"), OTHER_WHERES, ids=str)
async def test_filters_of_other_types(run: Run, type_name: str, where: Where) -> None:
    await check(run, type_name, where)


# --- generated filters --------------------------------------------------------------------------

NAMES = sorted(
    {n.value for o in BUNDLE.organisations for n in o.names}
    | {n.value for p in BUNDLE.people for n in p.names}
)


def _fragments(values: Iterable[str]) -> list[str]:
    out: set[str] = set()
    for v in values:
        out.update({v[:3], v[-4:], v[2:6].upper(), v.lower()[:5], v.upper()[-3:]})
    return sorted(f for f in out if f.strip())


FRAGMENTS = [*_fragments(NAMES), "zzz", "ülikool", "YLIOPISTO", "서울"]
PIC_FRAGMENTS = [*_fragments(PICS), "123"]
YEARS = sorted({o.established for o in BUNDLE.organisations if o.established} | {1700, 2000})
DATES = sorted(
    {a.signed.isoformat() for a in BUNDLE.agreements if a.signed}
    | {"2015-01-01", "2020-01-01", "2026-01-01"}
)
ORG_KEYS = [o.id for o in BUNDLE.organisations]


def _ops(options: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=options)


def string_filter(
    values: list[str], fragments: list[str] = FRAGMENTS
) -> st.SearchStrategy[dict[str, Any]]:
    pick = st.sampled_from(values)
    frag = st.sampled_from(fragments)
    return _ops(
        {
            "eq": pick,
            "in": st.lists(pick, max_size=3),
            "contains": frag,
            "startsWith": frag,
            "endsWith": frag,
        }
    )


def ordered_filter(values: list[Any], with_in: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    pick = st.sampled_from(values)
    ops: dict[str, st.SearchStrategy[Any]] = dict.fromkeys(("eq", "lt", "lte", "gt", "gte"), pick)
    if with_in:
        ops["in"] = st.lists(pick, max_size=3)
    return _ops(ops)


def enum_filter(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    pick = st.sampled_from(names)
    return _ops({"eq": pick, "in": st.lists(pick, max_size=3)})


def list_filter(values: Iterable[str]) -> st.SearchStrategy[dict[str, Any]]:
    pick = st.sampled_from([*values, "no-such-topic"])
    return _ops(
        {
            "includes": pick,
            "includesAny": st.lists(pick, max_size=3),
            "includesAll": st.lists(pick, max_size=2),
        }
    )


def _combine(
    leaves: st.SearchStrategy[Where], nested: st.SearchStrategy[Where] | None
) -> st.SearchStrategy[Where]:
    single = leaves if nested is None else st.one_of(leaves, leaves, nested)
    merged = st.lists(single, min_size=0, max_size=3).map(
        lambda ws: {k: v for w in ws for k, v in w.items()}
    )
    if nested is None:
        return merged
    return st.one_of(
        merged,
        st.lists(nested, max_size=3).map(lambda ws: {"AND": ws}),
        st.lists(nested, max_size=3).map(lambda ws: {"OR": ws}),
        nested.map(lambda w: {"NOT": w}),
    )


def quantifier(target: st.SearchStrategy[Where]) -> st.SearchStrategy[dict[str, Any]]:
    return _ops({"some": target, "none": target, "all": target})


def org_where(depth: int) -> st.SearchStrategy[Where]:
    countries = ["EE", "KR", "FI", "DE", "ee"]
    leaves = st.one_of(
        string_filter(NAMES).map(lambda f: {"name": f}),
        string_filter(ORG_KEYS).map(lambda f: {"key": f}),
        string_filter(PICS, PIC_FRAGMENTS).map(lambda f: {"pic": f}),
        string_filter(countries).map(lambda f: {"country": f}),
        ordered_filter(YEARS).map(lambda f: {"established": f}),
        enum_filter([k.name for k in OrgKind]).map(lambda f: {"kind": f}),
        enum_filter(["ACTIVE", "INACTIVE", "WITHDRAWN"]).map(lambda f: {"status": f}),
        list_filter(TOPICS).map(lambda f: {"topics": f}),
        list_filter(SECTORS).map(lambda f: {"sectors": f}),
    )
    if depth == 0:
        return _combine(leaves, None)
    nested = st.deferred(lambda: org_where(depth - 1))
    related = st.one_of(
        quantifier(agreement_where(depth - 1)).map(lambda q: {"agreements": q}),
        quantifier(project_where(depth - 1)).map(lambda q: {"projects": q}),
    )
    return _combine(st.one_of(leaves, related), nested)


def agreement_where(depth: int) -> st.SearchStrategy[Where]:
    leaves = st.one_of(
        ordered_filter(DATES, with_in=False).map(lambda f: {"signed": f}),
        enum_filter([k.name for k in AgreementKind]).map(lambda f: {"kind": f}),
        enum_filter([s.name for s in AgreementStatus]).map(lambda f: {"status": f}),
        list_filter(TOPICS).map(lambda f: {"topics": f}),
    )
    if depth == 0:
        return _combine(leaves, None)
    nested = st.deferred(lambda: agreement_where(depth - 1))
    related = quantifier(org_where(depth - 1)).map(lambda q: {"parties": q})
    return _combine(st.one_of(leaves, related), nested)


def project_where(depth: int) -> st.SearchStrategy[Where]:
    leaves = st.one_of(
        ordered_filter(DATES, with_in=False).map(lambda f: {"start": f}),
        enum_filter([k.name for k in ProjectKind]).map(lambda f: {"kind": f}),
        enum_filter([s.name for s in ProjectStatus]).map(lambda f: {"status": f}),
        list_filter(TOPICS).map(lambda f: {"topics": f}),
    )
    if depth == 0:
        return _combine(leaves, None)
    nested = st.deferred(lambda: project_where(depth - 1))
    related = quantifier(org_where(depth - 1)).map(lambda q: {"participants": q})
    return _combine(st.one_of(leaves, related), nested)


def person_where() -> st.SearchStrategy[Where]:
    leaves = st.one_of(
        string_filter(NAMES).map(lambda f: {"name": f}),
        quantifier(org_where(0)).map(lambda q: {"organisations": q}),
        quantifier(agreement_where(0)).map(lambda q: {"agreements": q}),
    )
    return _combine(leaves, _combine(leaves, None))


PROPERTY = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@settings(PROPERTY, max_examples=150)
@given(where=org_where(2))
async def test_generated_organisation_filters(run: Run, where: Where) -> None:
    await check(run, "Organisation", where)


@settings(PROPERTY, max_examples=80)
@given(where=agreement_where(2))
async def test_generated_agreement_filters(run: Run, where: Where) -> None:
    await check(run, "Agreement", where)


@settings(PROPERTY, max_examples=40)
@given(where=project_where(1))
async def test_generated_project_filters(run: Run, where: Where) -> None:
    await check(run, "Project", where)


@settings(PROPERTY, max_examples=40)
@given(where=person_where())
async def test_generated_person_filters(run: Run, where: Where) -> None:
    await check(run, "Person", where)


# --- sorting by counts --------------------------------------------------------------------------


def by_count(counts: dict[str, int], keys: Iterable[str], descending: bool) -> list[str]:
    return sorted(keys, key=lambda k: (counts[k], k), reverse=descending)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize(
    "where", [None, {"country": {"eq": "EE"}}, {"topics": {"includes": "genomics"}}], ids=str
)
async def test_sorting_by_agreement_count(run: Run, where: Where | None, descending: bool) -> None:
    order = {"field": "AGREEMENT_COUNT", "direction": "DESC" if descending else "ASC"}
    got = await api_keys(run, "Organisation", where, order)
    selected = TRUTH.select("Organisation", where or {})
    assert got == by_count(TRUTH.agreement_count, selected, descending)
    assert len(set(TRUTH.agreement_count.values())) >= 4, "counts must vary for this to test much"


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
async def test_sorting_by_project_count_counts_projects(run: Run, descending: bool) -> None:
    # An organisation in one project with two roles (coordinator and funder) has ONE project.
    order = {"field": "PROJECT_COUNT", "direction": "DESC" if descending else "ASC"}
    got = await api_keys(run, "Organisation", None, order)
    assert got == by_count(TRUTH.project_count, TRUTH.records["Organisation"], descending)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
async def test_sorting_agreements_by_party_count(run: Run, descending: bool) -> None:
    order = {"field": "PARTY_COUNT", "direction": "DESC" if descending else "ASC"}
    got = await api_keys(run, "Agreement", None, order)
    counts = {a.id: len(a.parties) for a in BUNDLE.agreements}
    assert got == by_count(counts, counts, descending)
