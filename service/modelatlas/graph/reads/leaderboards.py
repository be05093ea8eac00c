"""The question which models do best on a benchmark: each model's best result, ranked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.filters import _slug
from modelatlas.graph.reads.kinds import _shaped
from modelatlas.graph.reads.nodes import ModelNode, ResultNode, _model, _result
from modelatlas.graph.reads.paging import DEFAULT_PAGE_SIZE, Page, _analytic_page


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    """A model's best result on a benchmark, and its rank (ties share a rank)."""

    rank: int
    model: ModelNode
    result: ResultNode

    @property
    def score(self) -> float:
        """The best score."""
        return self.result.score


_BOARD_TAIL: Final = """
WITH found, entries,
  [x IN entries WHERE $afterTk IS NULL OR x.sk < $afterSk
     OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit] AS page
CALL (entries, page) {
  UNWIND page AS x
  WITH entries, x, x.m AS m, x.r AS best
  RETURN collect({sk: x.sk, tk: x.tk, entry: {model: m@Model, result: best@Result,
                  rank: size([y IN entries WHERE y.sk > x.sk]) + 1}}) AS rows
}
"""
_BEST_PER_MODEL: Final = """
  WITH m, r ORDER BY sign * r.score DESC, r.measuredOn ASC, r.id ASC
  WITH m, head(collect(r)) AS best
  RETURN {m: m, r: best, sk: sign * best.score, tk: m.slug} AS x
  ORDER BY x.sk DESC, x.tk ASC
"""
_LEADERBOARD: Final = _shaped(
    """
OPTIONAL MATCH (b:Benchmark {slug: $benchmark})
WITH b, b IS NOT NULL AS found,
     CASE WHEN coalesce(b.higherIsBetter, true) THEN 1.0 ELSE -1.0 END AS sign
WITH found, COLLECT {
  MATCH (b)<-[:ON]-(r:Result)-[:OF]->(m:Model)
  WHERE $asOf IS NULL OR r.measuredOn <= $asOf
"""
    + _BEST_PER_MODEL
    + "} AS entries"
    + _BOARD_TAIL
    + "RETURN found, size(entries) AS total, rows"
)
"""Every model's best result, for any page and the total. Entries keep node references and only
the page is projected: projecting every model with a result first made the statement linear in
projections, not just in comparisons."""

# The first page without a total needs only the models whose best result is good enough: walk
# the benchmark's results best score first (an ordered seek of result_benchmark_score) until
# $limit models are met; the worst of their best scores bounds the page, since every model on
# it has a result at least that good. Only the results within that bound are then ranked, so the
# statement reads about a page of results however many the benchmark has. (Should the walk not
# meet models in score order, the bound is only lower: more results read, the same answer.)
# One branch per direction of "better"; the other one seeks a null benchmark and reads nothing.
# The planner must seek: on a freshly created index it chose whole-index scans (ordered, then
# filtered), hence the SEEK hints; and a model's own results are reached through OF without the
# Result label (only results have OF), so no plan can scan a Result index for them either.
_BOUNDED: Final = """
  MATCH (r:Result) USING INDEX SEEK r:Result(benchmark, score)
  WHERE r.benchmark = CASE WHEN found AND sign {cmp} 0 THEN $benchmark END
    AND r.score IS NOT NULL
  WITH r ORDER BY r.benchmark {dir}, r.score {dir}
  WHERE $asOf IS NULL OR r.measuredOn <= $asOf
  MATCH (r)-[:OF]->(m:Model)
  WITH DISTINCT m LIMIT $limit
  CALL (m) {{
    UNWIND [(m)<-[:OF]-(r) WHERE r.benchmark = $benchmark
            AND ($asOf IS NULL OR r.measuredOn <= $asOf) | r.score] AS score
    RETURN {best}(score) AS best
  }}
  WITH {worst}(best) AS bound
  MATCH (r:Result) USING INDEX SEEK r:Result(benchmark, score)
  WHERE r.benchmark = $benchmark AND r.score {within} bound
    AND ($asOf IS NULL OR r.measuredOn <= $asOf)
  RETURN r
"""
_LEADERBOARD_TOP: Final = _shaped(
    """
OPTIONAL MATCH (b:Benchmark {slug: $benchmark})
WITH b IS NOT NULL AS found,
     CASE WHEN coalesce(b.higherIsBetter, true) THEN 1.0 ELSE -1.0 END AS sign
WITH found, sign, COLLECT {
  CALL (found, sign) {"""
    + _BOUNDED.format(cmp=">", dir="DESC", best="max", worst="min", within=">=")
    + "UNION ALL"
    + _BOUNDED.format(cmp="<", dir="ASC", best="min", worst="max", within="<=")
    + """  }
  MATCH (r)-[:OF]->(m:Model)
"""
    + _BEST_PER_MODEL
    + "} AS entries"
    + _BOARD_TAIL
    + "RETURN found, null AS total, rows"
)


def _leaderboard_entry(r: Row) -> LeaderboardEntry:
    return LeaderboardEntry(r["rank"], _model(r["model"]), _result(r["result"]))


async def leaderboard(
    graph: Graph,
    benchmark: str,
    *,
    as_of: dt.date | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
    count: bool = True,
) -> Page[LeaderboardEntry]:
    """Each model's best result on a benchmark measured by `as_of` (undated ones only without).

    Best respects the benchmark's higherIsBetter; ties are ranked alike and listed by slug.
    Without `count` the total is left out (None), and the first page then costs about a page
    of results rather than every result of the benchmark.
    """
    slug = _slug(benchmark)
    return await _analytic_page(
        graph,
        _LEADERBOARD if count or after is not None else _LEADERBOARD_TOP,
        {"benchmark": slug, "asOf": as_of},
        name="leaderboard",
        value="float",
        first=first,
        after=after,
        build=_leaderboard_entry,
        missing=f"no benchmark {slug!r}",
    )
