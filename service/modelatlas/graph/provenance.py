"""Cypher of the provenance pass: what each result cites, and who measured it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, LiteralString

from modelatlas.graph.core import Graph, Row

_RESULTS: Final[LiteralString] = """
MATCH (r:Result)-[:OF]->(m:Model)
RETURN r.id AS id, r.evaluator AS evaluator, r.measuredBy AS measuredBy,
       r.selfReported AS selfReported, r.reportOwner AS reportOwner,
       m.slug AS model, m.name AS modelName,
       [(m)<-[:DEVELOPED]-(o:Organization) | o.slug] AS developers,
       [(r)-[:CITED_IN]->(s:Source) | {url: s.url, title: s.title, publisher: s.publisher}]
         AS sources
"""

_ORGANIZATIONS: Final[LiteralString] = """
MATCH (o:Organization)
RETURN o.slug AS slug, o.name AS name, coalesce(o.aliases, []) AS aliases,
       [(o)-[:DEVELOPED]->(m:Model) | m.name] AS models
"""

_CLASSIFY: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (r:Result {id: row.id})
SET r.measuredBy = row.measuredBy, r.selfReported = row.selfReported,
    r.reportOwner = row.reportOwner
"""


async def result_provenance(graph: Graph) -> tuple[list[Row], list[Row]]:
    """Every result with its model, the model's developers and its sources; every organization."""
    return await graph.read(_RESULTS), await graph.read(_ORGANIZATIONS)


async def classify_results(graph: Graph, rows: Sequence[dict[str, Any]]) -> None:
    """Store measuredBy / selfReported / reportOwner for the given results, in batches."""
    for start in range(0, len(rows), 5000):
        await graph.write(_CLASSIFY, {"rows": list(rows[start : start + 5000])})
