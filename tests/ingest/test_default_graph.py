"""The default graph: curated seed + packaged snapshot, loaded once, skipped when unchanged."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data, fingerprint
from modelatlas.ingest.default_graph import (
    SEED,
    load_default_graph,
    measure_provenance,
    snapshot_dir,
)
from modelatlas.ingest.snapshot import SnapshotError, read_manifest
from modelatlas.knowledge import KnowledgeGraph
from support import CliRunner

pytestmark = pytest.mark.anyio


async def _count(graph: Graph, query: str) -> int:
    rows = await graph.read(query)
    return int(rows[0]["n"])


async def test_default_graph_loads_then_skips_then_rewrites_nothing(
    graph: Graph, cli: CliRunner, neo4j_env: dict[str, str]
) -> None:
    kg = KnowledgeGraph(graph)
    first = await load_default_graph(kg)
    assert first[0].name == "curated seed"
    # The hub's model versions mostly land on the models files' models, by slug or loose key.
    [hub] = [step.report for step in first if step.name == "epoch-benchmarking-hub"]
    assert hub is not None
    matched = sum(hub.resolution.get(how, 0) for how in ("exact", "alias", "normalised"))
    assert matched > hub.resolution["new"]
    assert len(hub.new_models) == hub.resolution["new"]
    assert all(step.written is not None for step in first)
    assert await _count(graph, "MATCH (m:Model) RETURN count(m) AS n") > 1500
    assert await _count(graph, "MATCH (r:Result) RETURN count(r) AS n") > 3000
    # Curated values win over the imports' (the seed's name, not Epoch's "Alibaba").
    rows = await graph.read("MATCH (o:Organization {slug: 'alibaba'}) RETURN o.name AS name")
    assert rows == [{"name": "Alibaba Group"}]
    derived = await measure_provenance(kg)
    assert derived.provenance.changed > 3000
    assert derived.claims.created > 100
    rerun = await measure_provenance(kg)
    assert rerun.provenance.changed == 0
    assert (rerun.claims.created, rerun.claims.updated, rerun.pruned) == (0, 0, 0)
    assert rerun.verdicts_changed == 0
    before = await fingerprint(graph)

    again = await load_default_graph(kg)
    assert [step.written for step in again[1:]] == [None] * (len(again) - 1)
    assert again[0].written is not None and again[0].written.created == 0
    assert again[0].written.updated == 0
    assert await fingerprint(graph) == before

    forced = await load_default_graph(kg, force=True)
    for step in forced:
        assert step.written is not None
        assert (step.name, step.written.created, step.written.updated) == (step.name, 0, 0)
    assert await fingerprint(graph) == before

    # How the names matched stays readable after the load, from the CLI.
    shown = cli("stats", "--resolution", "--json", env=neo4j_env)
    assert shown.returncode == 0, shown.stderr
    matching = json.loads(shown.stdout)
    by_name = {item["name"]: item for item in matching["datasets"]}
    assert set(by_name) == {str(d["name"]) for d in read_manifest(snapshot_dir())}
    assert by_name["epoch-benchmarking-hub"]["models"] == dict(hub.resolution)
    assert sorted(by_name["epoch-benchmarking-hub"]["newModels"]) == sorted(hub.new_models)
    owners = matching["reportOwners"]
    assert owners["byTitle"] == derived.provenance.owners_by_title > 0
    assert [o["title"] for o in owners["unresolved"]] == [
        title for title, _url, _n in derived.provenance.unresolved
    ]
    text = cli("stats", "--resolution", env=neo4j_env)
    assert "epoch-benchmarking-hub: models" in text.stdout
    assert "report owners:" in text.stdout


async def test_every_imported_fact_cites_epoch_or_lmarena(graph: Graph) -> None:
    await load_default_graph(KnowledgeGraph(graph))
    publishers = await graph.read(
        "MATCH (r:Result)-[:CITED_IN]->(s:Source) WHERE s.publisher IS NOT NULL "
        "RETURN DISTINCT s.publisher AS publisher ORDER BY publisher"
    )
    assert {"Epoch AI"} <= {row["publisher"] for row in publishers}
    uncited = await _count(
        graph,
        "MATCH (r:Result) WHERE NOT (r)-[:CITED_IN]->(:Source {publisher: 'Epoch AI'}) "
        "AND NOT (r)-[:CITED_IN]->(:Source {publisher: 'LMArena'}) RETURN count(r) AS n",
    )
    assert uncited == 0


async def test_an_organization_spelt_two_ways_across_datasets_is_one_node(graph: Graph) -> None:
    # LMArena says "Mistral", "Meta", "Zhipu" and "DeepSeek AI"; the curated seed and Epoch say
    # "Mistral AI", "Meta Platforms" (alias "Meta"), "Zhipu AI" and "DeepSeek". A trailing
    # corporate word ("AI", "Inc.", "Platforms") is no reason for a second organization.
    await load_default_graph(KnowledgeGraph(graph))
    rows = await graph.read(
        "MATCH (o:Organization)-[:DEVELOPED]->(m:Model) WHERE m.slug IN $models "
        "RETURN m.slug AS model, collect(o.slug) AS developers ORDER BY model",
        {
            "models": [
                "deepseek-v2-api-0628",
                "glm-4-plus-0111",
                "llama-3-8b-instruct",
                "mistral-next",
            ]
        },
    )
    assert [(r["model"], r["developers"]) for r in rows] == [
        ("deepseek-v2-api-0628", ["deepseek"]),
        ("glm-4-plus-0111", ["zhipu-ai"]),
        ("llama-3-8b-instruct", ["meta"]),
        ("mistral-next", ["mistral-ai"]),
    ]
    spelt_again = await _count(
        graph,
        "MATCH (o:Organization) WHERE o.slug IN ['mistral', 'meta-ai', 'zhipu', 'deepseek-ai', "
        "'moonshot', 'google-ai'] RETURN count(o) AS n",
    )
    assert spelt_again == 0


async def test_a_tampered_snapshot_is_refused_before_any_write(
    graph: Graph, tmp_path: Path
) -> None:
    copy = tmp_path / "snapshot"
    shutil.copytree(snapshot_dir(), copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    last = manifest["datasets"][-1]["files"][0]["path"]
    (copy / last).write_bytes(b"not gzip")
    with pytest.raises(SnapshotError, match="is not the manifest's"):
        await load_default_graph(KnowledgeGraph(graph), folder=copy)
    assert await _count(graph, "MATCH (n) WHERE NOT n:_Migration RETURN count(n) AS n") == 0


async def test_results_are_told_apart_by_who_measured_them(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await load_default_graph(kg)
    report = (await measure_provenance(kg)).provenance
    assert set(report.measured_by) >= {"DEVELOPER", "EPOCH_AI", "LEADERBOARD", "THIRD_PARTY"}
    # The Qwen Technical Report's own Qwen rows are Alibaba's claims; its Llama 2 rows are
    # Alibaba's measurements of Meta's model.
    rows = await graph.read(
        "MATCH (r:Result)-[:CITED_IN]->(s:Source {title: 'Qwen Technical Report'}), "
        "(r)-[:OF]->(m:Model)<-[:DEVELOPED]-(o:Organization) "
        "RETURN r.measuredBy AS by, r.selfReported AS self, r.reportOwner AS owner, "
        "collect(DISTINCT o.slug) AS developers, m.name AS model"
    )
    assert rows
    for row in rows:
        assert row["owner"] == "alibaba", row
        if "alibaba" in row["developers"]:
            assert (row["by"], row["self"]) == ("DEVELOPER", True), row
        else:
            assert (row["by"], row["self"]) == ("THIRD_PARTY", False), row
    assert {row["by"] for row in rows} == {"DEVELOPER", "THIRD_PARTY"}
    epoch = await graph.read(
        "MATCH (r:Result {evaluator: 'Epoch AI'}) RETURN DISTINCT r.measuredBy AS by"
    )
    assert epoch == [{"by": "EPOCH_AI"}]


async def test_any_order_of_seed_and_imports_twice_reaches_the_same_graph(graph: Graph) -> None:
    """Precedence, not order, decides every value: seed and datasets in the default order, in
    reverse and shuffled, each applied twice, end in one fingerprint."""
    kg = KnowledgeGraph(graph)
    names = [SEED, *(str(d["name"]) for d in read_manifest(snapshot_dir()))]
    shuffled = names[:]
    random.Random(20).shuffle(shuffled)
    orders = [names, names[::-1], shuffled]
    assert len({tuple(order) for order in orders}) == 3
    prints = []
    for order in orders:
        await clear_data(graph)
        await load_default_graph(kg, order=order)
        await load_default_graph(kg, order=order, force=True)
        await measure_provenance(kg)
        prints.append(await fingerprint(graph))
    assert prints[1] == prints[0], "reverse order"
    assert prints[2] == prints[0], f"shuffled order {shuffled}"
