"""Claims derived from a report's table, weighed by independent results: stored, filtered, shown.

A small graph made here (test data under example.org): Acme's technical report scores its own
model and a rival's; Epoch AI's runs are the independent evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest
from gqlclient import gql, nodes

from modelatlas.domain import (
    Benchmark,
    Dataset,
    Model,
    Organization,
    Result,
    Source,
)
from modelatlas.graph import Graph
from modelatlas.ingest.default_graph import measure_provenance
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

REPORT = "https://example.org/acme-report"
EPOCH = "https://epoch.ai/benchmarks"


def _row(id: str, model: str, benchmark: str, score: float, source: str) -> Result:
    evaluator = "Epoch AI" if source == EPOCH else None
    return Result(
        id=id,
        model=model,
        benchmark=benchmark,
        score=score,
        measured_on=dt.date(2025, 3, 1),
        evaluator=evaluator,
        sources=[source],
    )


GRAPH = Dataset(
    sources=[
        Source(url=REPORT, title="Acme Technical Report", published_on=dt.date(2025, 2, 1)),
        Source(url=EPOCH, title="AI Benchmarking Hub", publisher="Epoch AI"),
    ],
    organizations=[Organization(name="Acme"), Organization(name="Rival Labs")],
    models=[
        Model(name="Acme-1", developers=["acme"]),
        Model(name="Rival-1", developers=["rival-labs"]),
    ],
    benchmarks=[
        Benchmark(name="Quiz"),
        Benchmark(name="Lag", metric="ms", higher_is_better=False),
        Benchmark(name="Even"),
    ],
    results=[
        # The report's table: Acme's model ahead on Quiz (80 vs the rival's best 75), on Lag
        # (lower is better: 100 ms vs 120 ms), level on Even (no claim).
        _row("r-acme-quiz", "acme-1", "quiz", 80, REPORT),
        _row("r-rival-quiz", "rival-1", "quiz", 70, REPORT),
        _row("r-rival-quiz-5shot", "rival-1", "quiz", 75, REPORT),
        _row("r-acme-lag", "acme-1", "lag", 100, REPORT),
        _row("r-rival-lag", "rival-1", "lag", 120, REPORT),
        _row("r-acme-even", "acme-1", "even", 50, REPORT),
        _row("r-rival-even", "rival-1", "even", 50, REPORT),
        # Epoch AI's runs: the rival ahead on Quiz, Acme ahead on Lag.
        _row("e-acme-quiz", "acme-1", "quiz", 60, EPOCH),
        _row("e-rival-quiz", "rival-1", "quiz", 65, EPOCH),
        _row("e-acme-lag", "acme-1", "lag", 90, EPOCH),
        _row("e-rival-lag", "rival-1", "lag", 130, EPOCH),
    ],
)

CLAIMS = """
query($where: ClaimFilter) {
  claims(where: $where, first: 50) { totalCount edges { node {
    id kind statement score againstScore madeOn verdict
    claimant { slug } subject { slug } against { slug } benchmark { slug } sources { url }
    evidence { against { slug } verdict
               subjectResult { id score measuredBy } againstResult { id score }
               subjectSources { url } againstSources { url } }
  } } }
}
"""


async def _claims(client: httpx.AsyncClient, **where: object) -> list[dict[str, object]]:
    data = await gql(client, CLAIMS, {"where": where or None})
    return nodes(data["claims"])


async def test_report_tables_become_weighed_claims(
    graph: Graph, make_client: Callable[..., httpx.AsyncClient]
) -> None:
    kg = KnowledgeGraph(graph)
    await kg.upsert(GRAPH)
    derived = await measure_provenance(kg)
    assert derived.claims.created == 2
    client = make_client()

    claims = {c["benchmark"]["slug"]: c for c in await _claims(client, derived=True)}  # type: ignore[index]
    assert sorted(claims) == ["lag", "quiz"]
    quiz, lag = claims["quiz"], claims["lag"]
    assert str(quiz["id"]).startswith("derived-")
    assert quiz["kind"] == "OUTPERFORMS"
    assert (quiz["claimant"], quiz["subject"], quiz["against"]) == (
        {"slug": "acme"},
        {"slug": "acme-1"},
        [{"slug": "rival-1"}],
    )
    # Both scores (the rival's best row of the table), the report as the only source and date.
    assert (quiz["score"], quiz["againstScore"], quiz["madeOn"]) == (80.0, 75.0, "2025-02-01")
    assert quiz["sources"] == [{"url": REPORT}]
    assert quiz["statement"] == (
        "Acme reports Acme-1 at 80 vs Rival-1 at 75 on Quiz (Acme Technical Report)"
    )
    assert (lag["score"], lag["againstScore"]) == (100.0, 120.0)
    # Independent evidence only: Epoch's runs, never the report's own rows.
    assert quiz["verdict"] == "CONTESTED"
    assert quiz["evidence"] == [
        {
            "against": {"slug": "rival-1"},
            "verdict": "CONTESTED",
            "subjectResult": {"id": "e-acme-quiz", "score": 60.0, "measuredBy": "EPOCH_AI"},
            "againstResult": {"id": "e-rival-quiz", "score": 65.0},
            "subjectSources": [{"url": EPOCH}],
            "againstSources": [{"url": EPOCH}],
        }
    ]
    assert lag["verdict"] == "SUPPORTED"

    contested = await _claims(client, verdict=["CONTESTED"])
    assert [c["id"] for c in contested] == [quiz["id"]]
    data = await gql(client, "{ contestedClaims { totalCount edges { node { claim { id } } } } }")
    assert [n["claim"]["id"] for n in nodes(data["contestedClaims"])] == [quiz["id"]]
    assert await _claims(client, derived=False) == []

    # A rerun derives and weighs the same: nothing is written.
    again = await measure_provenance(kg)
    assert (again.claims.created, again.claims.updated, again.pruned) == (0, 0, 0)
    assert again.verdicts_changed == 0 and again.provenance.changed == 0

    # A new independent result is weighed as it is written, without a pass.
    await kg.upsert(Dataset(results=[_row("e-acme-quiz-2", "acme-1", "quiz", 70, EPOCH)]))
    [weighed] = await _claims(client, benchmark="quiz")
    assert weighed["verdict"] == "SUPPORTED"
    assert weighed["evidence"][0]["subjectResult"]["id"] == "e-acme-quiz-2"  # type: ignore[index]

    # A corrected table no longer claims Quiz: the pass deletes what it no longer derives.
    await kg.upsert(Dataset(results=[_row("r-acme-quiz", "acme-1", "quiz", 74, REPORT)]))
    pruned = await measure_provenance(kg)
    assert pruned.pruned == 1
    assert [c["benchmark"] for c in await _claims(client)] == [{"slug": "lag"}]


async def test_model_versions_become_variants_and_answer_for_their_model(
    graph: Graph, make_client: Callable[..., httpx.AsyncClient]
) -> None:
    kg = KnowledgeGraph(graph)
    versions = Dataset(
        sources=GRAPH.sources,
        organizations=[*GRAPH.organizations, Organization(name="OpenAI")],
        models=[
            GRAPH.models[0],
            Model(name="GPT-4", developers=["openai"]),
            Model(name="GPT-4 (Jun 2023)", slug="gpt-4-jun-2023", developers=["openai"]),
            Model(name="gpt-4-1106-preview", developers=["openai"]),
            Model(name="GPT-4o", slug="gpt-4o-2024-05-13", developers=["openai"]),
        ],
        benchmarks=[Benchmark(name="Quiz")],
        results=[
            _row("r-acme", "acme-1", "quiz", 80, REPORT),
            _row("r-gpt4", "gpt-4-jun-2023", "quiz", 70, REPORT),
        ],
    )
    await kg.upsert(versions)
    derived = await measure_provenance(kg)
    assert derived.variants_linked == 2
    assert (await measure_provenance(kg)).variants_linked == 0
    rows = await graph.read(
        "MATCH (v:Model)-[:VARIANT_OF]->(m:Model) RETURN v.slug AS v, m.slug AS m ORDER BY v"
    )
    # No gpt-4o in the graph: its dated version stays a model of its own.
    assert rows == [
        {"v": "gpt-4-1106-preview", "m": "gpt-4"},
        {"v": "gpt-4-jun-2023", "m": "gpt-4"},
    ]
    data = await gql(
        make_client(),
        '{ modelsClaimedToBeat(model: "gpt-4", includeVariants: true) { totalCount '
        "edges { node { subject { slug } claimant { slug } beaten { slug } } } } }",
    )
    assert nodes(data["modelsClaimedToBeat"]) == [
        {
            "subject": {"slug": "acme-1"},
            "claimant": {"slug": "acme"},
            "beaten": [{"slug": "gpt-4-jun-2023"}],
        }
    ]
