"""Leaderboards and contested claims over HTTP: the seed plus measured Results made here.

The scores below are test data (cited to example.org), not real measurements. The seed and the
results are written once for this module; every test here only reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from gqlclient import gql, gql_errors, nodes

from modelatlas.domain import Benchmark, Dataset, Result, Source
from modelatlas.graph import Graph
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

LAB = "https://example.org/independent-lab"
QWEN_BLOG = "https://qwenlm.github.io/blog/qwen2.5-max/"


def _result(
    id: str, model: str, benchmark: str, score: float, on: str, evaluator: str, source: str
) -> Result:
    return Result(
        id=id,
        model=model,
        benchmark=benchmark,
        score=score,
        measured_on=dt.date.fromisoformat(on),
        evaluator=evaluator,
        sources=[source],
    )


RESULTS = Dataset(
    sources=[Source(url=LAB, title="Independent evaluations (test data)")],
    benchmarks=[Benchmark(name="Latency", metric="ms", higher_is_better=False)],
    results=[
        # GPQA-Diamond: the vendor's own number is the best, but not independent.
        _result("qwen-gpqa-vendor", "qwen2.5-max", "gpqa-diamond", 60.1, "2025-01-28",
                "Alibaba Cloud", QWEN_BLOG),
        _result("qwen-gpqa-lab", "qwen2.5-max", "gpqa-diamond", 58.0, "2025-02-01", "Lab", LAB),
        _result("dsv3-gpqa-lab", "deepseek-v3", "gpqa-diamond", 59.1, "2025-02-01", "Lab", LAB),
        _result("dsv3-gpqa-early", "deepseek-v3", "gpqa-diamond", 55.0, "2025-01-05", "Lab", LAB),
        _result("gpt4o-gpqa-lab", "gpt-4o", "gpqa-diamond", 53.6, "2024-05-20", "Lab", LAB),
        # LiveBench: independent numbers bear the claim out.
        _result("qwen-livebench-lab", "qwen2.5-max", "livebench", 62.2, "2025-02-01", "Lab", LAB),
        _result("dsv3-livebench-lab", "deepseek-v3", "livebench", 60.5, "2025-02-01", "Lab", LAB),
        # Latency: lower is better; two models tie.
        _result("gpt4o-latency", "gpt-4o", "latency", 300.0, "2025-01-01", "Lab", LAB),
        _result("qwen-latency", "qwen2.5-max", "latency", 250.0, "2025-02-01", "Lab", LAB),
        _result("dsv3-latency", "deepseek-v3", "latency", 250.0, "2025-01-15", "Lab", LAB),
    ],
)  # fmt: skip


@pytest.fixture(scope="module")
async def client(
    seeded_graph: Graph, seeded_client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    await KnowledgeGraph(seeded_graph).upsert(RESULTS)
    yield seeded_client


LEADERBOARD = """
query($benchmark: ID!, $asOf: Date, $first: Int!, $after: String) {
  leaderboard(benchmark: $benchmark, asOf: $asOf, first: $first, after: $after) {
    totalCount
    edges { node { rank score model { slug } result { id measuredOn } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _board(data: dict[str, object]) -> list[tuple[int, str, float, str]]:
    return [
        (e["rank"], e["model"]["slug"], e["score"], e["result"]["id"])
        for e in nodes(data["leaderboard"])  # type: ignore[arg-type]
    ]


async def test_leaderboard_takes_each_models_best_result(client: httpx.AsyncClient) -> None:
    data = await gql(client, LEADERBOARD, {"benchmark": "GPQA-Diamond", "first": 20})
    assert _board(data) == [
        (1, "qwen2.5-max", 60.1, "qwen-gpqa-vendor"),
        (2, "deepseek-v3", 59.1, "dsv3-gpqa-lab"),
        (3, "gpt-4o", 53.6, "gpt4o-gpqa-lab"),
    ]
    january = await gql(
        client, LEADERBOARD, {"benchmark": "gpqa-diamond", "asOf": "2025-01-31", "first": 20}
    )
    assert _board(january) == [
        (1, "qwen2.5-max", 60.1, "qwen-gpqa-vendor"),
        (2, "deepseek-v3", 55.0, "dsv3-gpqa-early"),
        (3, "gpt-4o", 53.6, "gpt4o-gpqa-lab"),
    ]
    early = await gql(
        client, LEADERBOARD, {"benchmark": "gpqa-diamond", "asOf": "2025-01-10", "first": 20}
    )
    assert _board(early) == [
        (1, "deepseek-v3", 55.0, "dsv3-gpqa-early"),
        (2, "gpt-4o", 53.6, "gpt4o-gpqa-lab"),
    ]


async def test_leaderboard_lower_is_better_with_ties_and_pages(client: httpx.AsyncClient) -> None:
    first = await gql(client, LEADERBOARD, {"benchmark": "latency", "first": 1})
    assert _board(first) == [(1, "deepseek-v3", 250.0, "dsv3-latency")]
    assert first["leaderboard"]["totalCount"] == 3
    cursor = first["leaderboard"]["pageInfo"]["endCursor"]
    rest = await gql(client, LEADERBOARD, {"benchmark": "latency", "first": 5, "after": cursor})
    assert _board(rest) == [
        (1, "qwen2.5-max", 250.0, "qwen-latency"),
        (3, "gpt-4o", 300.0, "gpt4o-latency"),
    ]
    assert rest["leaderboard"]["pageInfo"]["hasNextPage"] is False
    missing = await gql_errors(client, '{ leaderboard(benchmark: "mmlu") { totalCount } }')
    assert missing[0]["extensions"]["code"] == "NOT_FOUND"


CONTESTED = """
query($benchmark: ID, $model: ID) {
  contestedClaims(benchmark: $benchmark, model: $model) {
    totalCount
    edges { node {
      claim { id statement } claimant { slug } subject { slug } against { slug }
      benchmark { slug } subjectScore againstScore
      subjectResult { id evaluator sources { url } } againstResult { id citations { score } }
      claimSources { url } subjectSources { url } againstSources { url }
    } }
  }
}
"""


async def test_contested_claims_compare_independent_results(client: httpx.AsyncClient) -> None:
    data = await gql(client, CONTESTED, {})
    assert data["contestedClaims"]["totalCount"] == 1
    [entry] = nodes(data["contestedClaims"])
    assert entry["claim"]["id"] == "qwen2.5-max-outperforms-deepseek-v3-gpqa-diamond"
    assert entry["claimant"] == {"slug": "alibaba-cloud"}
    assert (entry["subject"], entry["against"], entry["benchmark"]) == (
        {"slug": "qwen2.5-max"},
        {"slug": "deepseek-v3"},
        {"slug": "gpqa-diamond"},
    )
    # The vendor's 60.1 is not independent (its own evaluation, in the claim's source).
    assert (entry["subjectScore"], entry["againstScore"]) == (58.0, 59.1)
    assert entry["subjectResult"] == {
        "id": "qwen-gpqa-lab",
        "evaluator": "Lab",
        "sources": [{"url": LAB}],
    }
    assert entry["againstResult"] == {"id": "dsv3-gpqa-lab", "citations": [{"score": 59.1}]}
    assert entry["claimSources"] == [{"url": QWEN_BLOG}]
    assert entry["subjectSources"] == entry["againstSources"] == [{"url": LAB}]
    on_livebench = await gql(client, CONTESTED, {"benchmark": "livebench"})
    assert on_livebench["contestedClaims"]["totalCount"] == 0
    about_gpt4o = await gql(client, CONTESTED, {"model": "gpt-4o"})
    assert about_gpt4o["contestedClaims"]["totalCount"] == 0


async def test_results_lists_and_relationships(client: httpx.AsyncClient) -> None:
    data = await gql(
        client,
        """{
          results(where: {benchmark: "gpqa-diamond", measuredOnFrom: "2025-01-01"},
                  orderBy: SCORE_DESC) { edges { node { id score model { slug } } } }
          qwen: model(slug: "qwen2.5-max") { results(orderBy: MEASURED_ON_ASC, first: 2) {
            totalCount edges { node { id benchmark { slug } } } } }
          latency: benchmark(slug: "latency") { higherIsBetter results { edges { node { id } } } }
          lab: source(url: "https://example.org/independent-lab") { results { totalCount } }
          timeline(slug: "model:deepseek-v3", from: "2025-02-01") {
            edges { node { kind summary } } }
        }""",
    )
    assert [(r["id"], r["score"]) for r in nodes(data["results"])] == [
        ("qwen-gpqa-vendor", 60.1),
        ("dsv3-gpqa-lab", 59.1),
        ("qwen-gpqa-lab", 58.0),
        ("dsv3-gpqa-early", 55.0),
    ]
    assert data["qwen"]["results"]["totalCount"] == 4
    assert nodes(data["qwen"]["results"]) == [
        {"id": "qwen-gpqa-vendor", "benchmark": {"slug": "gpqa-diamond"}},
        {"id": "qwen-gpqa-lab", "benchmark": {"slug": "gpqa-diamond"}},
    ]
    # Lower latency is better, so SCORE_DESC is not the benchmark's default order.
    assert data["latency"]["higherIsBetter"] is False
    assert [r["id"] for r in nodes(data["latency"]["results"])] == [
        "gpt4o-latency",
        "dsv3-latency",
        "qwen-latency",
    ]
    assert data["lab"]["results"]["totalCount"] == 9
    assert nodes(data["timeline"]) == [
        {"kind": "RESULT", "summary": "DeepSeek-V3 scored 59.1 on GPQA-Diamond"},
        {"kind": "RESULT", "summary": "DeepSeek-V3 scored 60.5 on LiveBench"},
    ]
