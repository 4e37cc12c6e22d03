"""Free-text affiliations -> organisations: split, normalise, look up whole names, score, choose.

Pure code: no Neo4j, no I/O. `records` is the one record type the index is built from (from
model Organisations or from Neo4j rows alike), `index` the in-memory name index, `score` the
matcher itself (`match(index, text, country)`), `cli` the CSV command.
"""

from graph.match.index import NameIndex
from graph.match.record import OrgName, OrgRecord
from graph.match.score import Candidate, Reason, match

__all__ = ["Candidate", "NameIndex", "OrgName", "OrgRecord", "Reason", "match"]
