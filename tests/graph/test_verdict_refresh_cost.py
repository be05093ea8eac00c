"""Re-weighing a write's claims costs Neo4j what those claims need, not the whole graph's."""

from __future__ import annotations

from typing import Any

import pytest

from modelatlas.domain import Dataset
from modelatlas.graph import Graph, evidence
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

SOURCE = "https://example.org/refresh-cost"


def _claims(first: int, count: int) -> dict[str, Any]:
    return {
        "sources": [{"url": SOURCE, "title": "Report"}],
        "organizations": [{"slug": "lab", "name": "Lab"}],
        "models": [{"slug": "a", "name": "A"}, {"slug": "b", "name": "B"}],
        "claims": [
            {
                "id": f"claim-{i}",
                "kind": "OUTPERFORMS",
                "statement": f"A beats B ({i})",
                "claimedBy": "lab",
                "subject": "a",
                "against": ["b"],
                "sources": [SOURCE],
            }
            for i in range(first, first + count)
        ],
    }


def _db_hits(plan: dict[str, Any]) -> int:
    return int(plan.get("dbHits") or 0) + sum(_db_hits(c) for c in plan.get("children", []))


async def _refresh_hits(graph: Graph, claim: str) -> int:
    """Neo4j's db hits for re-weighing one claim (the write path's statement, profiled)."""
    params = {"kinds": evidence._COMPARATIVE, "all": False, "ids": [claim], "models": []}
    async with graph.driver.session(database=graph.database) as session:
        result = await session.run("PROFILE " + evidence._REFRESH, params)
        await result.fetch(10)
        summary = await result.consume()
    assert summary.profile is not None
    return _db_hits(summary.profile)


async def test_re_weighing_one_claim_does_not_read_every_claim(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_claims(0, 5)))
    few = await _refresh_hits(graph, "claim-0")
    await kg.upsert(Dataset.model_validate(_claims(5, 1000)))
    rows = await graph.read("MATCH (c:Claim) RETURN count(c) AS n")
    assert rows[0]["n"] == 1005
    many = await _refresh_hits(graph, "claim-0")
    # The claim's own pairs read the same; 1,000 more claims elsewhere cost at most a little.
    assert many - few < 100, (few, many)


async def test_re_weighing_everything_still_reaches_every_claim(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_claims(0, 30)))
    await graph.write("MATCH (c:Claim) REMOVE c.verdict")
    assert await evidence.refresh_verdicts(graph, everything=True) == 30
    rows = await graph.read("MATCH (c:Claim) WHERE c.verdict = 'UNVERIFIED' RETURN count(c) AS n")
    assert rows[0]["n"] == 30
