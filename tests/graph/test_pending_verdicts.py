"""A run of upserts given one PendingVerdicts re-weighs once, at its end, what each would have."""

from __future__ import annotations

from typing import Any

import pytest

from modelatlas.domain import Dataset
from modelatlas.graph import Graph, count_round_trips
from modelatlas.graph.admin import clear_data
from modelatlas.knowledge import KnowledgeGraph, PendingVerdicts

pytestmark = pytest.mark.anyio

CLAIMED = "https://example.org/pending-claim"
BOARD = "https://example.org/pending-board"


def _claims() -> dict[str, Any]:
    return {
        "sources": [{"url": CLAIMED, "title": "Report"}, {"url": BOARD, "title": "Board"}],
        "organizations": [{"slug": "lab", "name": "Lab"}],
        "benchmarks": [{"slug": "bench", "name": "Bench", "higherIsBetter": True}],
        "models": [{"slug": "a", "name": "A"}, {"slug": "b", "name": "B"}],
        "claims": [
            {
                "id": f"a-beats-b-{n}",
                "kind": "OUTPERFORMS",
                "statement": "A beats B",
                "claimedBy": "lab",
                "subject": "a",
                "against": ["b"],
                "benchmark": "bench",
                "sources": [CLAIMED],
            }
            for n in range(3)
        ],
    }


def _results(a: float, b: float) -> Dataset:
    return Dataset.model_validate(
        {
            "results": [
                {"id": "r-a", "model": "a", "benchmark": "bench", "score": a, "sources": [BOARD]},
                {"id": "r-b", "model": "b", "benchmark": "bench", "score": b, "sources": [BOARD]},
            ]
        }
    )


async def _verdicts(graph: Graph) -> list[Any]:
    rows = await graph.read("MATCH (c:Claim) RETURN c.verdict AS v ORDER BY c.id")
    return [row["v"] for row in rows]


async def test_pending_writes_leave_verdicts_until_the_one_refresh(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    pending = PendingVerdicts()
    await kg.upsert(Dataset.model_validate(_claims()), pending=pending)
    # Not re-weighed yet: the claims have no verdict stored.
    assert await _verdicts(graph) == [None, None, None]
    with count_round_trips() as trips:
        await kg.upsert(_results(80.0, 70.0), pending=pending)
    assert trips.count == 2  # the read and the write: no verdict refresh
    assert await _verdicts(graph) == [None, None, None]
    assert sorted(pending.claims) == ["a-beats-b-0", "a-beats-b-1", "a-beats-b-2"]
    assert pending.models == {"a", "b"}

    assert await kg.refresh_verdicts(pending) == 3
    assert await _verdicts(graph) == ["SUPPORTED"] * 3
    assert not pending.claims and not pending.models  # forgotten once re-weighed
    assert await kg.refresh_verdicts(pending) == 0


async def test_a_pending_run_ends_where_refreshing_each_write_ends(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_claims()))
    await kg.upsert(_results(80.0, 70.0))
    await kg.upsert(_results(60.0, 70.0))  # now B is ahead: contested
    each = await _verdicts(graph)
    assert each == ["CONTESTED"] * 3

    await clear_data(graph)
    pending = PendingVerdicts()
    await kg.upsert(Dataset.model_validate(_claims()), pending=pending)
    await kg.upsert(_results(80.0, 70.0), pending=pending)
    await kg.upsert(_results(60.0, 70.0), pending=pending)
    await kg.refresh_verdicts(pending)
    assert await _verdicts(graph) == each


async def test_an_unchanged_write_leaves_nothing_pending(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_claims()))
    await kg.upsert(_results(80.0, 70.0))
    pending = PendingVerdicts()
    await kg.upsert(Dataset.model_validate(_claims()), pending=pending)
    await kg.upsert(_results(80.0, 70.0), pending=pending)
    assert not pending.claims and not pending.models
