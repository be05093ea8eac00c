"""Cypher of the provenance pass: what each result cites, and who measured it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, LiteralString

from modelatlas.domain import DERIVED_PREFIX
from modelatlas.graph.core import Graph, Row

_RESULTS: Final[LiteralString] = """
MATCH (r:Result)-[:OF]->(m:Model), (r)-[:ON]->(b:Benchmark)
RETURN r.id AS id, r.evaluator AS evaluator, r.measuredBy AS measuredBy,
       r.selfReported AS selfReported, r.reportOwner AS reportOwner,
       r.score AS score, toString(r.measuredOn) AS measuredOn,
       b.slug AS benchmark, b.name AS benchmarkName,
       coalesce(b.higherIsBetter, true) AS higherIsBetter,
       m.slug AS model, m.name AS modelName,
       [(m)<-[:DEVELOPED]-(o:Organization) | o.slug] AS developers,
       [(r)-[:CITED_IN]->(s:Source) | {url: s.url, title: s.title, publisher: s.publisher,
                                          publishedOn: toString(s.publishedOn)}] AS sources
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


_DERIVED: Final[LiteralString] = (
    "MATCH (c:Claim) WHERE c.id STARTS WITH '" + DERIVED_PREFIX + "' RETURN collect(c.id) AS ids"
)

_PRUNE: Final[LiteralString] = (
    "UNWIND $ids AS id MATCH (c:Claim {id: id}) WHERE c.id STARTS WITH '"
    + DERIVED_PREFIX
    + "' DETACH DELETE c RETURN count(*) AS deleted"
)


async def derived_claim_ids(graph: Graph) -> set[str]:
    """Ids of the claims an earlier pass derived from report tables."""
    rows = await graph.read(_DERIVED)
    return set(rows[0]["ids"])


async def prune_derived_claims(graph: Graph, ids: Sequence[str]) -> int:
    """Delete derived claims a pass no longer derives (their report rows changed), in one go."""
    if not ids:
        return 0
    rows = await graph.write(_PRUNE, {"ids": list(ids)})
    return int(rows[0]["deleted"])


_MODELS: Final[LiteralString] = """
MATCH (m:Model) RETURN collect([m.slug, EXISTS { (m)-[:VARIANT_OF]->(:Model) }]) AS models
"""

_LINK_VARIANTS: Final[LiteralString] = """
UNWIND $pairs AS pair
MATCH (v:Model {slug: pair[0]}), (m:Model {slug: pair[1]})
MERGE (v)-[:VARIANT_OF]->(m)
RETURN count(*) AS linked
"""


async def model_variant_state(graph: Graph) -> dict[str, bool]:
    """Every model slug, and whether it already is a VARIANT_OF some model."""
    rows = await graph.read(_MODELS)
    return {str(slug): bool(linked) for slug, linked in rows[0]["models"]}


async def link_variants(graph: Graph, parents: dict[str, str]) -> int:
    """Store variant -> model VARIANT_OF links (merged: a rerun adds nothing)."""
    if not parents:
        return 0
    rows = await graph.write(_LINK_VARIANTS, {"pairs": sorted(parents.items())})
    return int(rows[0]["linked"])


async def result_provenance(graph: Graph) -> tuple[list[Row], list[Row]]:
    """Every result with its model, the model's developers and its sources; every organization."""
    return await graph.read(_RESULTS), await graph.read(_ORGANIZATIONS)


async def classify_results(graph: Graph, rows: Sequence[dict[str, Any]]) -> None:
    """Store measuredBy / selfReported / reportOwner for the given results, in batches."""
    for start in range(0, len(rows), 5000):
        await graph.write(_CLASSIFY, {"rows": list(rows[start : start + 5000])})
