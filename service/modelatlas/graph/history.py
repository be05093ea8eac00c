"""A benchmark's record over time: the results that set a new best, read in one statement.

Each result is dated by when it was measured, else by its model's release (most aggregated
tables carry no evaluation date). Neo4j walks the benchmark's results best first and keeps each
one dated earlier than every better one: exactly the results that were the best so far on their
day. Only those points leave the database, however many results the benchmark has.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, LiteralString

from modelatlas.graph.core import Graph
from modelatlas.graph.reads.errors import NotFound
from modelatlas.graph.reads.kinds import _shaped
from modelatlas.graph.reads.nodes import ModelNode, ResultNode, _model, _result

__all__ = ["RecordPoint", "record_history"]


@dataclass(frozen=True, slots=True)
class RecordPoint:
    """A result that set a new best on its benchmark, the day it counts from, and its model."""

    date: dt.date
    result: ResultNode
    model: ModelNode

    @property
    def measured(self) -> bool:
        """Whether `date` is when it was measured (else its model's release date)."""
        return self.result.measured_on is not None


_HISTORY: Final[LiteralString] = _shaped(
    """
OPTIONAL MATCH (b:Benchmark {slug: $benchmark})
WITH b IS NOT NULL AS found,
     CASE WHEN coalesce(b.higherIsBetter, true) THEN 1.0 ELSE -1.0 END AS sign
CALL (found, sign) {
  MATCH (r:Result) USING INDEX r:Result(benchmark, score)
  WHERE found AND r.benchmark = $benchmark AND r.score IS NOT NULL
  MATCH (r)-[:OF]->(m:Model)
  WITH r, m, coalesce(r.measuredOn, m.releasedOn) AS day
  WHERE day IS NOT NULL
  WITH r, m, day ORDER BY sign * r.score DESC, day ASC, r.id ASC
  WITH collect({r: r, m: m, day: day}) AS walk
  WITH reduce(acc = {earliest: null, points: []}, x IN walk |
         CASE WHEN acc.earliest IS NULL OR x.day < acc.earliest
              THEN {earliest: x.day, points: acc.points + [x]} ELSE acc END).points AS points
  UNWIND points AS p
  WITH p.r AS r, p.m AS m, p.day AS day
  RETURN collect({day: day, result: r@Result, model: m@Model}) AS points
}
RETURN found, points
"""
)


async def record_history(graph: Graph, benchmark: str) -> list[RecordPoint]:
    """The results that set a new best on a benchmark, oldest first; NotFound if unknown."""
    row = (await graph.read(_HISTORY, {"benchmark": benchmark}))[0]
    if not row["found"]:
        raise NotFound(f"No benchmark is called {benchmark!r}.")
    points = [
        RecordPoint(p["day"].to_native(), _result(p["result"]), _model(p["model"]))
        for p in row["points"]
    ]
    return sorted(points, key=lambda p: (p.date, p.result.id))
