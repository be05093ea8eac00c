"""Embedding: the GraphQL router mounted in another FastAPI app, and the Python API directly."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fastapi import FastAPI
from gqlclient import gql, nodes

from modelatlas.config import Settings
from modelatlas.graph import Graph

pytestmark = pytest.mark.anyio


async def test_router_mounted_in_another_app(seeded_graph: Graph, test_settings: Settings) -> None:
    from modelatlas.api import graphql_router

    host = FastAPI(title="Someone else's app")

    @host.get("/")
    async def home() -> dict[str, str]:
        return {"app": "host"}

    host.include_router(
        graphql_router(seeded_graph, graphiql=False, settings=test_settings), prefix="/kg/graphql"
    )
    transport = httpx.ASGITransport(app=host)
    async with httpx.AsyncClient(transport=transport, base_url="http://host") as http:
        assert (await http.get("/")).json() == {"app": "host"}
        data = await gql(
            http,
            '{ modelsClaimedToBeat(model: "gpt-4") { edges { node { subject { name } } } } }',
            path="/kg/graphql",
        )
        assert nodes(data["modelsClaimedToBeat"]) == [{"subject": {"name": "Qwen2.5-Max"}}]
        assert (await http.get("/graphql")).status_code == 404


async def test_python_api_answers_the_same_questions(seeded_graph: Graph) -> None:
    from modelatlas import KnowledgeGraph
    from modelatlas.graph.reads.counts import CountBy
    from modelatlas.graph.reads.filters import ClaimWhere, ModelWhere
    from modelatlas.graph.reads.orders import ModelOrder

    kg = KnowledgeGraph(seeded_graph)
    beaten = await kg.models_claimed_to_beat("gpt-4", include_variants=True)
    assert [(e.subject.slug, e.claimant.slug, e.date) for e in beaten.nodes] == [
        ("qwen2.5-max", "alibaba-cloud", dt.date(2025, 1, 28)),
        ("qwen2.5-max", "alibaba-cloud", None),
    ]
    assert beaten.total_count == 2 and not beaten.page_info.has_next_page

    claims = await kg.claims(
        ClaimWhere(
            claimant_country="CN",
            against_developer_country="US",
            made_on_from=dt.date(2025, 1, 1),
        )
    )
    assert [c.id for c in claims.nodes] == [
        "qwen2.5-max-outperforms-gpt-4o",
        "qwen2.5-max-outperforms-llama-3.1-405b",
        "doubao-1.5-pro-outperforms-o1",
    ]

    events = await kg.events_after_release("DeepSeek-R1", within_days=30, attributed_only=True)
    assert [e.event.id for e in events.nodes] == [
        "nvidia-stock-fall-2025-01-27",
        "us-tech-stocks-decline-after-deepseek-r1",
    ]
    assert events.nodes[0].event.magnitude == -17.0

    path = await kg.path("moonshot-ai", "nvidia")
    assert path is not None and path.hops == 4 and path.end.key == "nvidia"

    derived = await kg.derived_models("deepseek-v3")
    assert [(e.model.slug, e.depth) for e in derived.nodes] == [("deepseek-r1", 1)]

    model = await kg.model("GPT-4o")
    assert model is not None and model.released_on == dt.date(2024, 5, 13)
    assert await kg.model("gpt-7") is None

    page = await kg.models(ModelWhere(country="CN"), order_by=ModelOrder.NAME_ASC, first=2)
    assert [m.slug for m in page.nodes] == ["deepseek-r1", "deepseek-v3"]
    following = await kg.models(ModelWhere(country="CN"), first=2, after=page.page_info.end_cursor)
    assert [m.slug for m in following.nodes] == ["doubao-1.5-pro", "kimi-k1.5"]

    counts = await kg.model_counts(CountBy.COUNTRY)
    assert [(b.key, b.count) for b in counts] == [("US", 7), ("CN", 5)]

    hits = await kg.search("Qwen 2.5 Max")
    assert hits[0].key == "qwen2.5-max"

    timeline = await kg.timeline("organization:deepseek", since=dt.date(2025, 1, 21))
    assert [e.kind.value for e in timeline.nodes] == ["MARKET_EVENT"] * 3
