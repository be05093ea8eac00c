"""The question how many models there are per country, organization or release year."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final, LiteralString

from modelatlas.graph.core import Graph
from modelatlas.graph.reads.filters import ModelWhere, _where
from modelatlas.graph.reads.kinds import KINDS
from modelatlas.graph.reads.listing import _root_match


class CountBy(StrEnum):
    """What to group model counts by."""

    COUNTRY = "COUNTRY"
    ORGANIZATION = "ORGANIZATION"
    YEAR = "YEAR"


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bar of a chart: a group's key (None for unknown), its label and its count."""

    key: str | None
    label: str | None
    count: int


_COUNT_GROUPS: Final[dict[CountBy, LiteralString]] = {
    CountBy.COUNTRY: """
OPTIONAL MATCH (n)<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->(g:Country)
WITH g.code AS key, g.name AS label, count(DISTINCT n) AS count
RETURN key, label, count ORDER BY count DESC, key ASC""",
    CountBy.ORGANIZATION: """
OPTIONAL MATCH (n)<-[:DEVELOPED]-(g:Organization)
WITH g.slug AS key, g.name AS label, count(DISTINCT n) AS count
RETURN key, label, count ORDER BY count DESC, key ASC""",
    CountBy.YEAR: """
WITH toString(n.releasedOn.year) AS key, count(n) AS count
RETURN key, key AS label, count ORDER BY key ASC""",
}


@lru_cache(maxsize=256)
def _count_statement(by: CountBy, filters: tuple[str, ...]) -> LiteralString:
    kind = KINDS["Model"]
    match, rest = _root_match(kind, filters)
    predicates = [kind.filters[name].predicate for name in rest]
    where: LiteralString = ("WHERE " + " AND ".join(predicates)) if predicates else ""
    return match + where + _COUNT_GROUPS[by]


async def model_counts(graph: Graph, by: CountBy, where: ModelWhere | None = None) -> list[Bucket]:
    """How many models per country, organization or release year (unknown as key None).

    A model developed by several organizations counts once for each of them (and each country).
    """
    filters, params = _where(KINDS["Model"], where)
    rows = await graph.read(_count_statement(CountBy(by), filters), params)
    buckets = [Bucket(r["key"], r["label"], r["count"]) for r in rows]
    if by is CountBy.YEAR:  # unknown years last
        buckets.sort(key=lambda b: (b.key is None, b.key or ""))
    return buckets
