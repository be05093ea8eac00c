"""A partial upsert changes only what it names: a field left out keeps its stored value, even
where the domain has a default for it (a benchmark's direction, a claim's status, a country's
name); and a relationship whose target vanished fails the write instead of being dropped."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from modelatlas.api.auth import Role, new_key
from modelatlas.domain import Dataset
from modelatlas.graph import Graph, writes
from modelatlas.knowledge import KnowledgeGraph, UnknownReferencesError

pytestmark = pytest.mark.anyio

SOURCE = "https://example.org/partial"
KEY, ENTRY = new_key(Role.EDITOR)
EDITOR = {"authorization": f"Bearer {KEY}"}


def _claim(**fields: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "kind": "OUTPERFORMS",
        "statement": "a beats b",
        "claimedBy": "lab",
        "subject": "a",
        "against": ["b"],
        "sources": [SOURCE],
    } | fields


def _base() -> dict[str, Any]:
    return {
        "sources": [{"url": SOURCE}],
        "countries": [{"code": "FR", "name": "République française"}],
        "organizations": [{"slug": "lab", "name": "Lab", "country": "FR"}],
        "models": [
            {"slug": "a", "name": "A", "developers": ["lab"]},
            {"slug": "b", "name": "B", "developers": ["lab"]},
        ],
        "benchmarks": [{"slug": "latency", "name": "Latency", "higherIsBetter": False}],
        "claims": [_claim(status="DISPUTED")],
    }


async def _props(graph: Graph, label: str, key: str, value: str) -> dict[str, Any]:
    rows = await graph.read(
        "MATCH (n) WHERE $label IN labels(n) AND n[$key] = $value RETURN properties(n) AS p",
        {"label": label, "key": key, "value": value},
    )
    assert len(rows) == 1
    props: dict[str, Any] = rows[0]["p"]
    return props


@pytest.mark.parametrize("rank", [0, 5], ids=["curated", "import"])
async def test_fields_left_out_keep_their_stored_values(graph: Graph, rank: int) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_base()))
    partial = {
        "sources": [{"url": SOURCE}],
        "countries": [{"code": "FR"}],
        "benchmarks": [{"slug": "latency", "name": "Latency (ms)"}],
        "claims": [_claim(statement="a beats b again")],
    }
    report = await kg.upsert(Dataset.model_validate(partial), rank=rank)
    benchmark = await _props(graph, "Benchmark", "slug", "latency")
    claim = await _props(graph, "Claim", "id", "c1")
    country = await _props(graph, "Country", "code", "FR")
    assert benchmark["higherIsBetter"] is False
    assert claim["status"] == "DISPUTED"
    assert country["name"] == "République française"
    if rank == 0:  # what the write named did change
        assert benchmark["name"] == "Latency (ms)"
        assert claim["statement"] == "a beats b again"
        assert report.counts("Benchmark").updated == 1
    # Repeating it writes nothing: the defaults are no change.
    again = await kg.upsert(Dataset.model_validate(partial), rank=rank)
    assert again.updated == 0 and again.created == 0


async def test_defaults_fill_a_new_node_and_named_values_replace_them(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    data = _base()
    data["benchmarks"] = [{"slug": "mmlu", "name": "MMLU"}]
    data["countries"] = [{"code": "FR"}]
    data["claims"] = [_claim()]
    await kg.upsert(Dataset.model_validate(data))
    assert (await _props(graph, "Benchmark", "slug", "mmlu"))["higherIsBetter"] is True
    assert (await _props(graph, "Claim", "id", "c1"))["status"] == "ASSERTED"
    assert (await _props(graph, "Country", "code", "FR"))["name"] == "France"
    # An import (worse rank) that names a value replaces a default, never a named value.
    named = {"benchmarks": [{"slug": "mmlu", "name": "MMLU", "higherIsBetter": False}]}
    await kg.upsert(Dataset.model_validate(named), rank=5)
    assert (await _props(graph, "Benchmark", "slug", "mmlu"))["higherIsBetter"] is False
    named["benchmarks"][0]["higherIsBetter"] = True
    await kg.upsert(Dataset.model_validate(named), rank=7)
    assert (await _props(graph, "Benchmark", "slug", "mmlu"))["higherIsBetter"] is False


async def test_graphql_partial_upserts_keep_direction_and_status(make_client: Any) -> None:
    mutation = """mutation($b: BenchmarkInput!, $c: ClaimInput!) {
      upsertBenchmark(input: $b) { key } upsertClaim(input: $c) { key } }"""
    query = """{ benchmark(slug: "latency") { name higherIsBetter }
      claims(first: 5) { edges { node { id status } } } }"""
    async with make_client(api_keys=[ENTRY]) as client:
        seeded = await client.post(
            "/graphql",
            json={
                "query": "mutation($d: DatasetInput!) { upsertDataset(input: $d) { created } }",
                "variables": {"d": _base()},
            },
            headers=EDITOR,
        )
        assert seeded.json().get("errors") is None, seeded.json()
        claim = _claim()
        response: httpx.Response = await client.post(
            "/graphql",
            json={
                "query": mutation,
                "variables": {"b": {"slug": "latency", "name": "Latency (ms)"}, "c": claim},
            },
            headers=EDITOR,
        )
        assert response.json().get("errors") is None, response.json()
        data = (await client.post("/graphql", json={"query": query})).json()["data"]
    assert data["benchmark"] == {"name": "Latency (ms)", "higherIsBetter": False}
    assert data["claims"]["edges"] == [{"node": {"id": "c1", "status": "DISPUTED"}}]


async def test_a_target_deleted_after_the_check_fails_the_write_whole(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_base()))
    dataset = Dataset.model_validate(
        {
            "models": [{"slug": "c", "name": "C", "developers": ["lab"]}],
            "claims": [_claim(id="c2", against=["b"])],
        }
    )
    assert await kg.check_references(dataset) == []  # b exists when the write is checked

    async def racing_write(tx_graph: Graph) -> None:
        # The write path of KnowledgeGraph.upsert, batch by batch, with another writer's
        # delete of b committing between the model batch and the claim batch.
        for kind, records in writes.by_kind(dataset.records()):
            if kind == "Claim":
                await graph.write("MATCH (m:Model {slug: 'b'}) DETACH DELETE m")
            plan = await writes.plan_batch(tx_graph, kind, records)
            await writes.write_rows(tx_graph, kind, plan.to_write)

    with pytest.raises(writes.TargetsMissing) as failure:
        await graph.atomically(racing_write)
    (problem,) = failure.value.problems
    assert (problem.kind, problem.record, problem.field, problem.missing) == (
        "Claim",
        "c2",
        "against",
        "b",
    )
    # Nothing of the write is left: not the model written before the claim, not the claim.
    rows = await graph.read(
        "OPTIONAL MATCH (m:Model {slug: 'c'}) OPTIONAL MATCH (c:Claim {id: 'c2'}) "
        "RETURN m IS NULL AS noModel, c IS NULL AS noClaim"
    )
    assert rows == [{"noModel": True, "noClaim": True}]


async def test_upsert_reports_a_vanished_target_as_an_unknown_reference(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(Dataset.model_validate(_base()))
    # A row planned while b existed, written after b is gone: the statement itself notices.
    dataset = Dataset.model_validate({"claims": [_claim(id="c3", against=["b"])]})
    plan = await writes.plan_batch(graph, "Claim", dataset.claims)
    await graph.write("MATCH (m:Model {slug: 'b'}) DETACH DELETE m")
    with pytest.raises(writes.TargetsMissing):
        await writes.write_rows(graph, "Claim", plan.to_write)
    assert await graph.read("MATCH (c:Claim {id: 'c3'}) RETURN c.id AS id") == []
    with pytest.raises(UnknownReferencesError):
        await kg.upsert(dataset)
