"""A write of at most one batch (a mutation, a small seed file) is planned in one read and
written in one statement, and leaves exactly the graph the batch-by-batch path leaves."""

from __future__ import annotations

from typing import Any

import pytest

from modelatlas import knowledge
from modelatlas.domain import Dataset
from modelatlas.graph import Graph, count_round_trips, writes
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

SOURCE = "https://example.org/small-writes"
OTHER = "https://example.org/independent"


def _everything() -> dict[str, Any]:
    """Every kind, same-kind links whose target comes later in the input, a comparative claim
    with independent results on both sides, and a market event."""
    return {
        "sources": [{"url": SOURCE, "title": "Report"}, {"url": OTHER, "title": "Leaderboard"}],
        "countries": [{"code": "FR"}],
        "organizations": [
            {"slug": "sub-lab", "name": "Sub Lab", "partOf": "lab", "partners": ["lab"]},
            {"slug": "lab", "name": "Lab", "country": "FR"},
        ],
        "benchmarks": [{"slug": "bench", "name": "Bench", "higherIsBetter": True}],
        "models": [
            {"slug": "a-2", "name": "A 2", "developers": ["lab"], "derivedFrom": ["a"]},
            {"slug": "a", "name": "A", "developers": ["lab", "sub-lab"]},
            {"slug": "b", "name": "B", "developers": ["sub-lab"], "releasedOn": "2024-05-01"},
        ],
        "releases": [
            {
                "slug": "launch",
                "title": "Launch",
                "date": "2024-06-01",
                "announcedBy": ["lab"],
                "introduced": ["a", "a-2"],
                "sources": [SOURCE],
            }
        ],
        "claims": [
            {
                "id": "a-beats-b",
                "kind": "OUTPERFORMS",
                "statement": "A beats B",
                "claimedBy": "lab",
                "subject": "a",
                "against": ["b"],
                "benchmark": "bench",
                "sources": [SOURCE],
            }
        ],
        "results": [
            {"id": "r-a", "model": "a", "benchmark": "bench", "score": 80.0, "sources": [OTHER]},
            {"id": "r-b", "model": "b", "benchmark": "bench", "score": 70.0, "sources": [OTHER]},
        ],
        "marketEvents": [
            {
                "id": "ev",
                "kind": "FUNDING",
                "date": "2024-07-01",
                "description": "Lab raises",
                "magnitude": 1.0,
                "unit": "USD_BILLION",
                "affected": ["lab"],
                "attributedToModels": ["a"],
                "sources": [SOURCE],
            }
        ],
    }


async def _state(graph: Graph) -> list[dict[str, Any]]:
    """Every node and relationship with its properties, in a stable order."""
    return await graph.read(
        "MATCH (n) WHERE NOT n:_Migration "
        "OPTIONAL MATCH (n)-[r]->(t) "
        "WITH n, r, t ORDER BY type(r), coalesce(t.slug, t.id, t.url, t.code) "
        "RETURN labels(n) AS labels, coalesce(n.slug, n.id, n.url, n.code) AS key, "
        "properties(n) AS props, "
        "collect([type(r), properties(r), coalesce(t.slug, t.id, t.url, t.code)]) AS out "
        "ORDER BY labels[0], key"
    )


async def test_a_mutation_sized_write_takes_three_round_trips(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_everything()))
    # The soak's UpsertDataset: a source, an organization, a model and a comparative claim.
    dataset = Dataset.model_validate(
        {
            "sources": [{"url": "https://example.org/new", "title": "New"}],
            "organizations": [{"slug": "new-lab", "name": "New Lab", "country": "FR"}],
            "models": [{"slug": "new", "name": "New", "developers": ["new-lab"]}],
            "claims": [
                {
                    "id": "new-beats-a",
                    "kind": "OUTPERFORMS",
                    "statement": "New beats A",
                    "claimedBy": "new-lab",
                    "subject": "new",
                    "against": ["a"],
                    "sources": ["https://example.org/new"],
                }
            ],
        }
    )
    with count_round_trips() as trips:
        report = await graph.atomically(lambda g: KnowledgeGraph(g).upsert(dataset))
    assert report.created == 4
    # One read (references and every kind's plan), one write, one verdict refresh.
    assert trips.count == 3
    # A model with references and a same-kind link, no claim: no verdict to re-weigh.
    model = Dataset.model_validate(
        {"models": [{"slug": "c", "name": "C", "developers": ["lab"], "derivedFrom": ["a"]}]}
    )
    with count_round_trips() as trips:
        await graph.atomically(lambda g: KnowledgeGraph(g).upsert(model))
    assert trips.count == 2
    rows = await graph.read(
        "MATCH (:Organization {slug: 'lab'})-[:DEVELOPED]->(c:Model {slug: 'c'})"
        "-[:DERIVED_FROM]->(:Model {slug: 'a'}) RETURN c.name AS name"
    )
    assert rows == [{"name": "C"}]
    # Written again unchanged: the read alone.
    with count_round_trips() as trips:
        again = await graph.atomically(lambda g: KnowledgeGraph(g).upsert(model))
    assert (again.created, again.updated, trips.count) == (0, 0, 1)


async def test_at_once_and_batch_by_batch_leave_the_same_graph(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg = KnowledgeGraph(graph)
    dataset = Dataset.model_validate(_everything())
    with count_round_trips() as trips:
        at_once = await kg.upsert(dataset)
    assert trips.count == 3
    state = await _state(graph)
    verdict = await graph.read("MATCH (c:Claim {id: 'a-beats-b'}) RETURN c.verdict AS v")
    assert verdict == [{"v": "SUPPORTED"}]
    await graph.write("MATCH (n) WHERE NOT n:_Migration DETACH DELETE n")
    monkeypatch.setattr(knowledge, "BATCH_SIZE", 0)  # every dataset goes batch by batch
    with count_round_trips() as trips:
        batched = await kg.upsert(dataset)
    assert trips.count > 10
    assert batched.as_dict() == at_once.as_dict()
    assert await _state(graph) == state


async def test_a_claim_that_stops_being_comparative_loses_its_verdict(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_everything()))
    claim = _everything()["claims"][0] | {"kind": "OTHER"}
    await kg.upsert(Dataset.model_validate({"claims": [claim]}))
    rows = await graph.read("MATCH (c:Claim {id: 'a-beats-b'}) RETURN c.verdict AS v, c.kind AS k")
    assert rows == [{"v": None, "k": "OTHER"}]


async def test_a_target_deleted_between_plan_and_write_fails_it_whole(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_everything()))
    dataset = Dataset.model_validate(
        {
            "models": [{"slug": "d", "name": "D", "developers": ["lab"], "derivedFrom": ["b"]}],
            "claims": [_everything()["claims"][0] | {"id": "d-beats-b", "subject": "d"}],
        }
    )
    groups = writes.by_kind(dataset.records())
    missing, plans = await writes.plan_at_once(graph, groups, {"Model": ["b"]})
    assert missing == {"Model": set()}
    await graph.write("MATCH (m:Model {slug: 'b'}) DETACH DELETE m")
    with pytest.raises(writes.TargetsMissing) as failure:
        await writes.write_at_once(graph, plans)
    found = {(p.kind, p.record, p.field, p.missing) for p in failure.value.problems}
    assert found == {("Claim", "d-beats-b", "against", "b"), ("Model", "d", "derivedFrom", "b")}
    rows = await graph.read(
        "OPTIONAL MATCH (m:Model {slug: 'd'}) OPTIONAL MATCH (c:Claim {id: 'd-beats-b'}) "
        "RETURN m IS NULL AS noModel, c IS NULL AS noClaim"
    )
    assert rows == [{"noModel": True, "noClaim": True}]
