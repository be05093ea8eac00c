"""Epoch imports land in Neo4j with the counts the CSV implies, and rerunning creates nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from modelatlas.graph import Graph
from modelatlas.graph.admin import fingerprint
from modelatlas.ingest import load_yaml_files
from modelatlas.ingest.imports import import_epoch_benchmarks, import_epoch_models
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir
from support import SHARED_DATA, CliRunner

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parent / "fixtures" / "epoch"
NOTABLE = SHARED_DATA / "epoch-notable-ai-models" / "notable_ai_models.csv"
HUB = SHARED_DATA / "epoch-benchmarking-hub"


def _real(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"../shared/data is absent: {path} not found")
    return path


def _distinct_model_names(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return len({row["Model"].strip() for row in csv.DictReader(fh) if row["Model"].strip()})


async def test_fixture_import_then_rerun_creates_nothing(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    first = await import_epoch_models(kg, FIXTURES / "notable_ai_models.csv")
    models = await graph.read("MATCH (m:Model) RETURN count(m) AS n")
    assert models[0]["n"] == _distinct_model_names(FIXTURES / "notable_ai_models.csv")
    assert first.written.counts("Model").created == models[0]["n"]
    hub = await import_epoch_benchmarks(kg, FIXTURES / "hub")
    assert hub.written.counts("Result").created > 0
    before = await fingerprint(graph)
    again = await import_epoch_models(kg, FIXTURES / "notable_ai_models.csv")
    again_hub = await import_epoch_benchmarks(kg, FIXTURES / "hub")
    assert again.written.created == 0 and again_hub.written.created == 0
    assert again.written.updated == 0 and again_hub.written.updated == 0
    assert await fingerprint(graph) == before


async def test_every_release_and_result_cites_a_source(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    await import_epoch_models(kg, FIXTURES / "notable_ai_models.csv")
    await import_epoch_benchmarks(kg, FIXTURES / "hub")
    uncited = await graph.read(
        "MATCH (n) WHERE (n:Release OR n:Result) AND NOT (n)-[:CITED_IN]->(:Source) "
        "RETURN count(n) AS n"
    )
    assert uncited == [{"n": 0}]
    epoch = await graph.read(
        "MATCH (:Release)-[:CITED_IN]->(s:Source {url: 'https://epoch.ai/data/ai-models'}) "
        "RETURN DISTINCT s.publisher AS publisher"
    )
    assert epoch == [{"publisher": "Epoch AI"}]


async def test_real_notable_models_counts_and_lineage(graph: Graph) -> None:
    path = _real(NOTABLE)
    kg = KnowledgeGraph(graph)
    await import_epoch_models(kg, path)
    rows = await graph.read("MATCH (m:Model) RETURN count(m) AS n")
    assert rows[0]["n"] == _distinct_model_names(path)
    # Base models named in the file that are themselves rows of the file become edges.
    with path.open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    names = {r["Model"].strip() for r in records}
    expected_edges = {
        (r["Model"].strip(), base.strip())
        for r in records
        for base in r["Base model"].split(",")
        if base.strip() in names and base.strip() != r["Model"].strip()
    }
    edges = await graph.read(
        "MATCH (m:Model)-[:DERIVED_FROM]->(b:Model) RETURN m.name AS m, b.name AS b"
    )
    squash = lambda text: " ".join(text.split())  # noqa: E731 - names are whitespace-normalised
    assert {(squash(e["m"]), squash(e["b"])) for e in edges} == {
        (squash(m), squash(b)) for m, b in expected_edges
    }
    before = await fingerprint(graph)
    again = await import_epoch_models(kg, path)
    assert again.written.created == 0
    assert await fingerprint(graph) == before


async def test_real_hub_maps_versions_onto_seeded_models(
    graph: Graph, cli: CliRunner, neo4j_env: dict[str, str]
) -> None:
    hub = _real(HUB)
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    proc = cli("import", "epoch-benchmarks", str(hub), "--json", env=neo4j_env)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["kinds"]["Result"]["created"] == summary["rowsUsed"]
    # Epoch's qwen2.5-max and deepseek-r1 runs attach to the curated models, not to copies.
    for slug in ("qwen2.5-max", "deepseek-r1"):
        rows = await graph.read(
            "MATCH (r:Result)-[:OF]->(:Model {slug: $slug}) RETURN count(r) AS n", {"slug": slug}
        )
        assert rows[0]["n"] > 0, slug
    copies = await graph.read(
        "MATCH (m:Model) WHERE m.slug STARTS WITH 'qwen2.5-max' OR m.slug = 'deepseek-r1-1' "
        "RETURN collect(m.slug) AS slugs"
    )
    assert copies[0]["slugs"] == ["qwen2.5-max"]
    rerun = cli("import", "epoch-benchmarks", str(hub), "--json", env=neo4j_env)
    assert all(k["created"] == 0 for k in json.loads(rerun.stdout)["kinds"].values())
