"""Writing the curated seed: the article's facts land in Neo4j; writing again changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from modelatlas.domain import Dataset, Model, Result, Source
from modelatlas.graph import Graph
from modelatlas.ingest import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph, UnknownReferencesError
from modelatlas.resources import resource_dir

pytestmark = pytest.mark.anyio


@pytest.fixture
def seed() -> Dataset:
    return load_yaml_files([resource_dir("seed")])


async def test_seed_writes_the_articles_claims(graph: Graph, seed: Dataset) -> None:
    report = await KnowledgeGraph(graph).upsert(seed)
    assert report.counts("Claim").created == len(seed.claims)
    rows = await graph.read(
        "MATCH (c:Claim)-[:SUBJECT]->(:Model {slug: 'qwen2.5-max'}), "
        "(c)-[:AGAINST]->(m:Model), (c)-[:CLAIMED_BY]->(o:Organization) "
        "RETURN DISTINCT m.slug AS against, o.slug AS claimant"
    )
    against = {r["against"] for r in rows}
    assert {"gpt-4o", "gpt-4", "deepseek-v3", "llama-3.1-405b"} <= against
    assert {r["claimant"] for r in rows} <= {"alibaba", "alibaba-cloud"}
    cited = await graph.read(
        "MATCH (c:Claim)-[:AGAINST]->(:Model {slug: 'gpt-4'}), (c)-[:CITED_IN]->(s:Source) "
        "RETURN s.url AS url, s.author AS author"
    )
    assert {"url": "urn:modelatlas:article:000_5dbe76b4b65cc5e1", "author": "Arindam Seal"} in cited


async def test_seed_records_lineage_countries_and_market(graph: Graph, seed: Dataset) -> None:
    await KnowledgeGraph(graph).upsert(seed)
    lineage = await graph.read(
        "MATCH (:Model {slug: 'deepseek-r1'})-[:DERIVED_FROM]->(b) RETURN b.slug AS base"
    )
    assert lineage == [{"base": "deepseek-v3"}]
    variant = await graph.read(
        "MATCH (:Model {slug: 'gpt-4o'})-[:VARIANT_OF]->(b) RETURN b.slug AS base"
    )
    assert variant == [{"base": "gpt-4"}]
    countries = await graph.read(
        "MATCH (o:Organization)-[:BASED_IN]->(c:Country) RETURN o.slug AS org, c.code AS code"
    )
    by_org = {r["org"]: r["code"] for r in countries}
    assert by_org["deepseek"] == "CN" and by_org["nvidia"] == "US"
    assert by_org["alibaba"] == "CN" and by_org["moonshot-ai"] == "CN"
    events = await graph.read(
        "MATCH (e:MarketEvent {kind: 'STOCK_MOVE'})-[:AFFECTED]->(:Organization {slug: 'nvidia'}) "
        "MATCH (e)-[:ATTRIBUTED_TO]->(:Model {slug: 'deepseek-r1'}) RETURN e.date AS date"
    )
    assert events and events[0]["date"].to_native() == dt.date(2025, 1, 27)


async def test_second_write_creates_nothing(graph: Graph, seed: Dataset) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(seed)
    first = await kg.fingerprint()
    again = await kg.upsert(seed)
    assert again.created == 0 and again.updated == 0
    assert sum(c.unchanged for c in again.kinds.values()) == sum(1 for _ in seed.records())
    assert await kg.fingerprint() == first


async def test_a_changed_value_counts_as_updated(graph: Graph, seed: Dataset) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(seed)
    changed = Dataset(models=[Model(slug="qwen2.5-max", name="Qwen2.5-Max", parameters=10**12)])
    report = await kg.upsert(changed)
    assert vars(report.counts("Model")) == {"created": 0, "updated": 1, "unchanged": 0}
    rows = await graph.read("MATCH (m:Model {slug: 'qwen2.5-max'}) RETURN m.parameters AS p")
    assert rows == [{"p": 10**12}]


async def test_unknown_reference_writes_nothing(graph: Graph, seed: Dataset) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(seed)
    before = await kg.fingerprint()
    bad = Dataset(models=[Model(slug="new-model", name="New model", developers=["no-such-org"])])
    with pytest.raises(UnknownReferencesError) as failure:
        await kg.upsert(bad)
    assert "developers" in str(failure.value) and "no-such-org" in str(failure.value)
    assert await kg.fingerprint() == before


async def test_each_source_keeps_its_own_score(graph: Graph, seed: Dataset) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(seed)
    benchmark = seed.benchmarks[0].slug
    first = Dataset(
        sources=[Source(url="https://example.org/a", title="A")],
        results=[
            Result(
                id="r1",
                model="qwen2.5-max",
                benchmark=benchmark,
                score=80.5,
                sources=["https://example.org/a"],
            )
        ],
    )
    second = Dataset(
        sources=[Source(url="https://example.org/b", title="B")],
        results=[
            Result(
                id="r1",
                model="qwen2.5-max",
                benchmark=benchmark,
                score=79.0,
                sources=["https://example.org/b"],
            )
        ],
    )
    await kg.upsert(first)
    await kg.upsert(second)
    rows = await graph.read(
        "MATCH (:Result {id: 'r1'})-[c:CITED_IN]->(s:Source) "
        "RETURN s.url AS url, c.score AS score ORDER BY url"
    )
    assert rows == [
        {"url": "https://example.org/a", "score": 80.5},
        {"url": "https://example.org/b", "score": 79.0},
    ]


async def test_lineage_is_written_whatever_the_input_order(graph: Graph) -> None:
    # A derived model listed before its base (as in Epoch's newest-first files), across batches.
    derived = [
        Model(slug=f"child-{i}", name=f"Child {i}", derived_from=[f"base-{i}"]) for i in range(2500)
    ]
    bases = [Model(slug=f"base-{i}", name=f"Base {i}") for i in range(2500)]
    kg = KnowledgeGraph(graph)
    report = await kg.upsert(Dataset(models=derived + bases))
    assert report.counts("Model").created == 5000
    rows = await graph.read("MATCH (:Model)-[r:DERIVED_FROM]->(:Model) RETURN count(r) AS n")
    assert rows == [{"n": 2500}]
    again = await kg.upsert(Dataset(models=derived + bases))
    assert vars(again.counts("Model")) == {"created": 0, "updated": 0, "unchanged": 5000}
    # A new lineage edge on an existing node counts as an update.
    more = await kg.upsert(
        Dataset(models=[Model(slug="child-0", name="Child 0", derived_from=["base-1"])])
    )
    assert vars(more.counts("Model")) == {"created": 0, "updated": 1, "unchanged": 0}
