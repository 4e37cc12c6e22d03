"""Organisations a load names by free text (CSV `_by_name` cells): matched, then linked or refused.

Only a match the matcher chose links; every other name is a Problem at its file, line and
column with the best candidates. A link made by matching says so in its provenance entry
(`matchedName`, `matchConfidence`), next to the row's own citation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.cypher import Label, RelType
from graph.cypher import match as cypher_match
from graph.cypher.read import IDENTIFIER_PROPS
from graph.errors import Problem
from graph.ingest.resolve import OrgIndex
from graph.ingest.rows import Claim, Props, RelRow
from graph.match.index import NameIndex
from graph.match.record import OrgRecord, from_organisation, from_row
from graph.match.score import Candidate, match
from graph.parsed import NamedOrganisation
from graph.store import Row

if TYPE_CHECKING:
    from graph.ingest.plan import Reader, Unit

SHOWN_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one name (in one country) matched: the chosen organisation, or why none."""

    chosen: Candidate | None
    candidates: list[Candidate]
    why: str = ""


def decide(candidates: list[Candidate]) -> Outcome:
    chosen = [c for c in candidates if c.chosen]
    if len(chosen) == 1:
        return Outcome(chosen[0], candidates)
    if chosen:
        names = ", ".join(f"{c.record.id} ({c.record.name!r})" for c in chosen)
        return Outcome(None, candidates, f"names several organisations ({names}): name one")
    if not candidates:
        return Outcome(None, [], "matches no organisation in the graph or in this load")
    return Outcome(None, candidates, "matches no organisation surely")


def _shown(candidates: list[Candidate]) -> str:
    return "; ".join(
        f"{c.record.id} {c.record.name!r} {c.confidence:.2f}" for c in candidates[:SHOWN_CANDIDATES]
    )


def unmatched_problem(named: NamedOrganisation, outcome: Outcome) -> Problem:
    message = f"organisation name {named.text!r}"
    if named.country:
        message += f" (country {named.country})"
    message += f" {outcome.why}"
    if outcome.candidates and outcome.chosen is None and "several" not in outcome.why:
        message += f"; best candidates: {_shown(outcome.candidates)}"
    message += "; give the organisation's id instead, or add this name to its aliases"
    record = named.record.partition(":")[2] or None
    return Problem(named.file, message, named.line, named.column, named.field, record)


async def name_index(
    units: Sequence[Unit], read: Reader, orgs: OrgIndex, exclude: frozenset[str] = frozenset()
) -> NameIndex:
    """The graph's organisations, and the load's that are not in the graph yet.

    `orgs` holds the graph's organisations only (entity resolution has not run): a load's
    record that resolves to a graph node is that node, and indexing it twice would make the
    two tie. `exclude`: the load's fallback records, which would otherwise match their own name.
    """
    records: list[OrgRecord] = [
        from_row(row) for row in await read(cypher_match.ORGANISATIONS, None)
    ]
    known = {r.id for r in records} | exclude
    for unit in units:
        for org in unit.parsed.bundle.organisations:
            if org.id not in known and orgs.resolve(org) is None:
                known.add(org.id)
                records.append(from_organisation(org))
    return NameIndex(records)


@dataclass(frozen=True, slots=True)
class _Link:
    placeholder: str
    text: str  # as the row wrote it
    chosen: Candidate


def _link(unit: Unit, resolved: dict[str, _Link]) -> list[tuple[RelRow, _Link]]:
    """Every placeholder of a chosen name replaced by the organisation's id, marked matched."""
    out: list[tuple[RelRow, _Link]] = []
    for rel in unit.rels:
        links: list[_Link] = []
        # Plain attributes, not getattr/setattr by name: this runs for every relationship end.
        if rel.start_label is Label.ORGANISATION and (link := resolved.get(rel.start)):
            rel.start = link.chosen.record.id
            links.append(link)
        if rel.end_label is Label.ORGANISATION and (link := resolved.get(rel.end)):
            rel.end = link.chosen.record.id
            links.append(link)
        # A signatory's organisation is a property (and the relationship's key), not an end.
        on_behalf = resolved.get(str(rel.props.get("onBehalfOf") or ""))
        if on_behalf is not None:
            rel.props["onBehalfOf"] = on_behalf.chosen.record.id
            links.append(on_behalf)
        if rel.key in resolved:
            rel.key = resolved[rel.key].chosen.record.id
        if not links:
            continue
        if rel.type is RelType.RELATED_TO and rel.start > rel.end:
            # Stored once, from the smaller id (graph.ingest.rows): the order of the ids.
            rel.start, rel.end = rel.end, rel.start
        # One end at most is named (the other is the row's own record).
        rel.matched = {"matchedName": links[0].text, "matchConfidence": links[0].chosen.confidence}
        out.append((rel, links[0]))
    return out


def _clashes(unit: Unit, linked: list[tuple[RelRow, _Link]]) -> list[Problem]:
    """A matched name that makes its row name one organisation twice, or the row's own."""
    places = {(n.record, n.placeholder): n for n in unit.parsed.names}
    counts: dict[tuple[str, RelType, str, str, str], int] = {}
    for rel in unit.rels:
        key = (rel.where, rel.type, rel.start, rel.end, rel.key)
        counts[key] = counts.get(key, 0) + 1
    problems = []
    for rel, link in linked:
        named = places[(rel.where, link.placeholder)]
        if named.fallback:
            continue  # two registrations of one organisation in a row: one link (_dedupe)
        org = f"{link.chosen.record.id} ({link.chosen.record.name!r})"
        if rel.start_label is rel.end_label is Label.ORGANISATION and rel.start == rel.end:
            why = f"matched {org}, the row's own organisation"
        elif counts[(rel.where, rel.type, rel.start, rel.end, rel.key)] > 1:
            why = f"matched {org}, which the row already names"
        else:
            continue
        record = named.record.partition(":")[2] or None
        message = f"organisation name {named.text!r} {why}; name another or leave it out"
        problems.append(Problem(named.file, message, named.line, named.column, named.field, record))
    return problems


def _scheme_nodes(orgs: OrgIndex, names: Sequence[NamedOrganisation]) -> set[str]:
    """Nodes already known by a fallback id of the same scheme (`pic-...`): they carry another
    registration code, so a name with an unknown code of that scheme is not them."""
    prefixes = tuple({n.fallback.split("-", 1)[0] + "-" for n in names if n.fallback})
    if not prefixes:
        return set()
    return {node for alias, node in orgs.by_alias.items() if alias.startswith(prefixes)}


_Key = tuple[str, str | None, str]  # a name as written, its country, its fallback id or ""
# Rounds of reading the chosen organisations' codes and matching again without those whose code
# contradicts the name's: a name still choosing such an organisation after them is left unsure.
CODE_ROUNDS = 3


def _key(named: NamedOrganisation) -> _Key:
    return (named.text, named.country, named.fallback or "")


def _codes(props: Props) -> Props:
    """A record's registration codes (ROR, PIC, ...), the ones it has."""
    return {k: v for k, v in props.items() if k in IDENTIFIER_PROPS and v}


def _contradicts(held: Row | None, codes: Props) -> bool:
    return held is not None and any(held.get(k) not in (None, v) for k, v in codes.items())


async def _outcomes(
    units: Sequence[Unit],
    names: list[NamedOrganisation],
    read: Reader,
    orgs: OrgIndex,
    index: NameIndex,
) -> dict[_Key, Outcome]:
    """What each name that needs matching matched.

    A name with a fallback (a registration code) passes over the organisations that hold
    another code of its scheme: those known by a fallback id of it (`_scheme_nodes`), and
    those a match chose whose stored code contradicts the name's (read, then matched again as
    if they were not in the index). Each fallback is matched on its own: two codes with one
    name may come apart.
    """
    fallback_ids = {n.fallback for n in names if n.fallback}
    codes: dict[str, Props] = {
        claim.id: _codes(claim.props)
        for unit in units
        for claim in unit.claims
        if claim.label is Label.ORGANISATION and claim.id in fallback_ids
    }
    other_codes = _scheme_nodes(orgs, names)
    extra: dict[_Key, set[str]] = {}  # organisations a name passes over for their stored code

    def decided(key: _Key) -> Outcome:
        # The shared set as it is, not a copy per name: a dump has tens of thousands of names.
        passed = (other_codes | extra[key] if key in extra else other_codes) if key[2] else ()
        return decide(match(index, key[0], key[1], passed))

    wanted = {_key(n) for n in names if not (n.fallback and n.fallback in orgs.by_alias)}
    outcomes = {key: decided(key) for key in wanted}
    held: dict[str, Row | None] = {}  # organisation -> its codes (None: not in the graph)
    while True:  # each round passes over one more organisation per name, CODE_ROUNDS at most
        chosen = {
            key: outcome.chosen.record.id
            for key, outcome in outcomes.items()
            if outcome.chosen is not None and codes.get(key[2])
        }
        unread = sorted(set(chosen.values()) - held.keys())
        if unread:
            held.update(dict.fromkeys(unread))
            for row in await read(cypher_match.CODES_BY_ID, {"ids": unread}):
                held[row["id"]] = row
        redo = [key for key, node in chosen.items() if _contradicts(held[node], codes[key[2]])]
        for key in redo:
            extra.setdefault(key, set()).add(chosen[key])
            if len(extra[key]) > CODE_ROUNDS:
                why = "matches only organisations that hold another registration code"
                outcomes[key] = Outcome(None, outcomes[key].candidates, why)
            else:
                outcomes[key] = decided(key)
        if not redo:
            break
    return outcomes


def _with_fallback(unit: Unit, fallbacks: dict[str, str], chosen: dict[str, str]) -> None:
    """Placeholders the matcher was not sure of become their fallback records; the fallback
    record of a chosen name (`chosen`: fallback id -> the organisation's id) gives that
    organisation only what the name's registration says of it (`_carried`), not a node."""
    # Plain attributes, not getattr/setattr by name: this runs for every relationship end.
    for rel in unit.rels:
        if rel.start_label is Label.ORGANISATION and rel.start in fallbacks:
            rel.start = fallbacks[rel.start]
        if rel.end_label is Label.ORGANISATION and rel.end in fallbacks:
            rel.end = fallbacks[rel.end]
    unit.pinned.update((f, f) for f in fallbacks.values())
    carried = {f"organisations:{f}" for f in chosen}
    if not carried:
        return
    unit.rels = [r for r in unit.rels if r.where not in carried]
    for claim in unit.claims:
        if claim.where in carried and claim.label is Label.ORGANISATION:
            _carried(claim)
            unit.pinned[claim.id] = chosen[claim.id]


def _carried(claim: Claim) -> None:
    """The claim of a chosen name's fallback record, cut to what it may add to the organisation
    it names: its registration codes (a PIC: looked up and filtered on), cited to its row.

    Not its kind, place or names: a registry's own record (ROR, of the same priority) describes
    the organisation better than a participant row, and a name added here would change what the
    matcher scores on the next load of the same dump. Not its id as an alias either: the next
    load then matches the name again, as this one did, and gets the same link, confidence and
    claim, where an alias would link it without a match and drop the match from the provenance.
    """
    claim.props = _codes(claim.props)
    claim.names = []
    claim.aliases = []
    claim.name_keys = None


def _dedupe(unit: Unit) -> None:
    """One relationship per (record, type, ends, key): two registrations of one organisation
    resolved to one node give one link."""
    seen: set[tuple[str, RelType, str, str, str]] = set()
    kept = []
    for rel in unit.rels:
        key = (rel.where, rel.type, rel.start, rel.end, rel.key)
        if key not in seen:
            seen.add(key)
            kept.append(rel)
    unit.rels = kept


async def resolve_names(
    units: Sequence[Unit],
    read: Reader,
    orgs: OrgIndex,
    *,
    skip: bool,
    counts: dict[str, int] | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """Link every chosen name; (problems that stop the load, names left out with their rows).

    With `skip`, a row naming an organisation that did not match is left out of the load
    (reported in the second list) instead of stopping it. A name with a `fallback` never fails:
    its fallback id already known in the graph links to that node ("known"); else a chosen
    match links and gives that organisation the name's registration code ("linked"); else its
    fallback record is written, as a new organisation resolved by its id alone ("created", or
    "unsure" when the matcher had candidates or chose an organisation that another code of the
    scheme takes in this load). `counts` gets those tallies.
    """
    if not any(u.parsed.names for u in units):
        return [], []
    names = [n for u in units for n in u.parsed.names]
    exclude = frozenset(n.fallback for n in names if n.fallback)
    index = await name_index(units, read, orgs, exclude)
    outcomes = await _outcomes(units, names, read, orgs, index)
    problems: list[Problem] = []
    skipped: list[Problem] = []
    tally = counts if counts is not None else {}
    counted: set[str] = set()  # fallbacks: each organisation counted once, not each mention

    def count(verdict: str, fallback: str) -> None:
        if fallback not in counted:
            counted.add(fallback)
            tally[verdict] = tally.get(verdict, 0) + 1

    # Organisation -> the fallback whose registration it takes (one per organisation): the
    # next load passes over an organisation holding another code of the scheme (`_outcomes`),
    # so a second code naming it here gets its own record now, as it would then.
    taken: dict[str, str] = {}
    for unit in units:
        resolved: dict[str, _Link] = {}
        fallbacks: dict[str, str] = {}  # placeholder -> fallback id
        chosen_fallbacks: dict[str, str] = {}  # fallback id -> the organisation chosen
        failed: set[str] = set()  # records
        unmatched: set[str] = set()  # placeholders
        for named in unit.parsed.names:
            if named.fallback and named.fallback in orgs.by_alias:
                fallbacks[named.placeholder] = named.fallback
                count("known", named.fallback)
                continue
            outcome = outcomes[_key(named)]
            chosen = outcome.chosen
            if (
                chosen is not None
                and named.fallback
                and taken.setdefault(chosen.record.id, named.fallback) != named.fallback
            ):
                chosen = None
            if chosen is not None:
                resolved[named.placeholder] = _Link(named.placeholder, named.text, chosen)
                if named.fallback:
                    chosen_fallbacks[named.fallback] = chosen.record.id
                    count("linked", named.fallback)
                continue
            if named.fallback:
                fallbacks[named.placeholder] = named.fallback
                count("unsure" if outcome.candidates else "created", named.fallback)
                continue
            failed.add(named.record)
            unmatched.add(named.placeholder)
            (skipped if skip else problems).append(unmatched_problem(named, outcome))
        problems += _clashes(unit, _link(unit, resolved))
        if fallbacks or chosen_fallbacks:
            _with_fallback(unit, fallbacks, chosen_fallbacks)
            _dedupe(unit)
        # Reported here: not again as references to an unknown organisation.
        unit.rels = [
            r for r in unit.rels if not {r.start, r.end, r.props.get("onBehalfOf")} & unmatched
        ]
        if skip and failed:
            records = [c for c in unit.claims if c.label is not Label.SOURCE]
            unit.claims = [c for c in unit.claims if c.where not in failed]
            unit.rels = [r for r in unit.rels if r.where not in failed]
            if records and all(c.where in failed for c in records):
                message = (
                    "every row names an organisation that did not match: loading none of them "
                    "would withdraw all this load unit said before; fix the names"
                )
                problems.append(Problem(unit.origin, message))
    return problems, skipped
