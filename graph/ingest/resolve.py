"""Entity resolution: one node per organisation, whichever loader brings it.

An incoming organisation is the node that has its ROR id, else its Wikidata id, else its id,
else one of its names in the same country (case, diacritics, Unicode form and punctuation
folded). Candidates whose ROR or Wikidata id contradicts the incoming one are never merged:
the withdrawn duplicate of a ministry shares its name but not its ROR id, and stays apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.ingest.names import name_keys
from graph.model import Organisation, OrgStatus


def org_name_keys(org: Organisation) -> list[str]:
    """The name keys of an organisation's own record (its names, in its own country)."""
    return name_keys(list(org.names), org.location.country if org.location else None)


@dataclass(slots=True)
class _Known:
    id: str
    ror: str | None
    wikidata: str | None
    active: bool


@dataclass(slots=True)
class OrgIndex:
    """The organisations in the graph and in the load so far, by every key they can match on."""

    nodes: dict[str, _Known] = field(default_factory=dict)
    by_ror: dict[str, str] = field(default_factory=dict)
    by_wikidata: dict[str, str] = field(default_factory=dict)
    by_alias: dict[str, str] = field(default_factory=dict)
    # Name key -> its node, or its nodes where namesakes share it (a few): a set per key was
    # two thirds of what a streamed load keeps per record (~240 of ~370 bytes, tracemalloc).
    by_name: dict[str, str | list[str]] = field(default_factory=dict)

    def add(
        self,
        node_id: str,
        ror: str | None,
        wikidata: str | None,
        keys: list[str],
        active: bool,
        aliases: list[str],
    ) -> None:
        known = self.nodes.get(node_id)
        if known is None:
            known = self.nodes[node_id] = _Known(node_id, ror, wikidata, active)
        known.ror = known.ror or ror
        known.wikidata = known.wikidata or wikidata
        known.active = known.active or active
        if ror:
            self.by_ror.setdefault(ror, node_id)
        if wikidata:
            self.by_wikidata.setdefault(wikidata, node_id)
        for alias in [node_id, *aliases]:
            self.by_alias.setdefault(alias, node_id)
        for key in keys:
            found = self.by_name.get(key)
            if found is None:
                self.by_name[key] = node_id
            elif isinstance(found, str):
                if found != node_id:
                    self.by_name[key] = [found, node_id]
            elif node_id not in found:
                found.append(node_id)

    def named(self, key: str) -> list[str]:
        """The nodes with this name key."""
        found = self.by_name.get(key)
        if found is None:
            return []
        return [found] if isinstance(found, str) else found

    def add_rows(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.add(
                row["id"],
                row.get("ror"),
                row.get("wikidata"),
                row.get("nameKeys") or [],
                row.get("status") != OrgStatus.WITHDRAWN.value,
                row.get("ids") or [],
            )

    def _compatible(self, node_id: str, org: Organisation) -> bool:
        known = self.nodes[node_id]
        ids = org.identifiers
        if ids.ror and known.ror and ids.ror != known.ror:
            return False
        return not (ids.wikidata and known.wikidata and ids.wikidata != known.wikidata)

    def resolve(self, org: Organisation, keys: list[str] | None = None) -> str | None:
        """The existing node this organisation is, or None for a new one.

        `keys`: the organisation's `org_name_keys`, when the caller has them already.
        """
        ids = org.identifiers
        if ids.ror and ids.ror in self.by_ror:
            return self.by_ror[ids.ror]
        if ids.wikidata and ids.wikidata in self.by_wikidata:
            node = self.by_wikidata[ids.wikidata]
            if self._compatible(node, org):
                return node
        if org.id in self.by_alias and self._compatible(self.by_alias[org.id], org):
            return self.by_alias[org.id]
        candidates = {
            node
            for key in (org_name_keys(org) if keys is None else keys)
            for node in self.named(key)
            if self._compatible(node, org)
        }
        if not candidates:
            return None
        # Several namesakes: an active one before a withdrawn or inactive one, then by id so the
        # choice does not depend on the order records arrive in.
        return min(candidates, key=lambda n: (not self.nodes[n].active, n))

    def register(self, node_id: str, org: Organisation, keys: list[str] | None = None) -> None:
        self.add(
            node_id,
            org.identifiers.ror,
            org.identifiers.wikidata,
            org_name_keys(org) if keys is None else keys,
            org.status != OrgStatus.WITHDRAWN,
            [org.id],
        )
