"""The explorer's pages as HTTP answers: real URLs over a real graph, their text, their charts,
and a page of its own (400, 404, 503) for every failure instead of a 500.

A small graph made here (test data under example.org): Acme's report scores its own model and a
rival's; Epoch AI's runs are the independent evidence; a curated claim and a market event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import httpx
import pytest

from modelatlas.api import create_app
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.domain import (
    Benchmark,
    Claim,
    ClaimKind,
    Country,
    Dataset,
    EventKind,
    MarketEvent,
    Model,
    Organization,
    Release,
    Result,
    Source,
)
from modelatlas.graph import Graph
from modelatlas.ingest.default_graph import measure_provenance
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

REPORT = "https://example.org/acme-report"
EPOCH = "https://epoch.ai/benchmarks"
NEWS = "https://example.org/news"


def _row(id: str, model: str, score: float, source: str, day: int) -> Result:
    return Result(
        id=id,
        model=model,
        benchmark="quiz",
        score=score,
        measured_on=dt.date(2025, 3, day),
        evaluator="Epoch AI" if source == EPOCH else None,
        sources=[source],
    )


GRAPH = Dataset(
    sources=[
        Source(url=REPORT, title="Acme Technical Report", published_on=dt.date(2025, 2, 1)),
        Source(url=EPOCH, title="AI Benchmarking Hub", publisher="Epoch AI"),
        Source(url=NEWS, title="Acme launches Acme-2", published_on=dt.date(2025, 4, 1)),
    ],
    countries=[Country(code="US", name="United States")],
    organizations=[
        Organization(name="Acme", country="US"),
        Organization(name="Rival Labs"),
    ],
    models=[
        Model(name="Acme-1", developers=["acme"], parameters=7_000_000_000),
        Model(name="Acme-1 Chat", developers=["acme"], derived_from=["acme-1"]),
        Model(name="Rival-1", developers=["rival-labs"]),
    ],
    releases=[
        Release(
            slug="acme-1-launch",
            title="Introducing Acme-1",
            date=dt.date(2025, 1, 15),
            announced_by=["acme"],
            introduced=["acme-1"],
            sources=[NEWS],
        )
    ],
    benchmarks=[Benchmark(name="Quiz")],
    results=[
        _row("r-acme", "acme-1", 80, REPORT, 1),
        _row("r-rival", "rival-1", 75, REPORT, 1),
        _row("e-acme", "acme-1", 60, EPOCH, 5),
        _row("e-rival", "rival-1", 65, EPOCH, 9),
    ],
    claims=[
        Claim(
            id="acme-beats-rival-per-news",
            kind=ClaimKind.OUTPERFORMS,
            statement="Acme says Acme-1 beats Rival-1 on Quiz",
            claimed_by="acme",
            subject="acme-1",
            against=["rival-1"],
            benchmark="quiz",
            made_on=dt.date(2025, 4, 1),
            sources=[NEWS],
        )
    ],
    market_events=[
        MarketEvent(
            id="rival-shares-fall",
            kind=EventKind.STOCK_MOVE,
            date=dt.date(2025, 4, 2),
            description="Rival Labs shares fall 5% after Acme-1",
            magnitude=-5.0,
            unit="percent",
            affected=["rival-labs"],
            attributed_to_models=["acme-1"],
            sources=[NEWS],
        )
    ],
)


@pytest.fixture
async def site(graph: Graph, make_client: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    """The service over the small graph above, derived claims and verdicts included."""
    kg = KnowledgeGraph(graph)
    await kg.upsert(GRAPH)
    await measure_provenance(kg)
    return make_client()


def _text(html: str) -> str:
    """The page's visible text, tags dropped and whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def _page(client: httpx.AsyncClient, url: str, status: int = 200) -> str:
    response = await client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == status, (url, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_model_page_shows_facts_lineage_results_and_claims(site: httpx.AsyncClient) -> None:
    html = await _page(site, "/models/acme-1")
    text = _text(html)
    assert "<h1>Acme-1" in html
    assert "7,000,000,000" in text
    assert 'href="organizations/acme"' in html and 'href="countries' not in html
    assert "Introducing Acme-1" in text and "Acme launches Acme-2" in text  # release + source
    assert 'href="models/acme-1-chat"' in html  # lineage tree
    # the chart: one self-reported bar (the report's 80) and one independent (Epoch's 60)
    assert re.findall(r'class="bar self"[^>]*data-score="([\d.]+)"', html) == ["80.0"]
    assert re.findall(r'class="bar independent"[^>]*data-score="([\d.]+)"', html) == ["60.0"]
    assert "80 by its developer" in text and "60 by Epoch AI" in text
    assert "Acme says Acme-1 beats Rival-1 on Quiz" in text
    assert "verdict-contested" in html  # Epoch has Rival-1 ahead: 65 vs 60


async def test_organization_page_has_country_models_and_a_timeline(
    site: httpx.AsyncClient,
) -> None:
    html = await _page(site, "/organizations/acme")
    text = _text(html)
    assert "United States" in text
    assert 'href="models/acme-1"' in html and 'href="models/acme-1-chat"' in html
    timeline = html[html.index('class="timeline"') :]
    whats = re.findall(r'data-what="([^"]+)"', timeline)
    assert whats[0] == "Release" and "Claim" in whats
    assert "Introducing Acme-1" in _text(timeline)


async def test_benchmark_page_leaderboard_as_of_and_history(site: httpx.AsyncClient) -> None:
    html = await _page(site, "/benchmarks/quiz")
    board = _text(html[html.index('class="leaderboard"') : html.index('id="history"')])
    assert board.index("Acme-1") < board.index("Rival-1")  # best rows: 80 vs 75
    # history: 80 and 75 on 03-01 (80 first), nothing beats 80 later
    points = re.findall(r'class="point"[^>]*data-score="([\d.]+)" data-date="([\d-]+)"', html)
    assert points == [("80.0", "2025-03-01")]
    # as of 2025-03-06 only the results measured by then count: Acme's two and Rival's report
    early = _text(await _page(site, "/benchmarks/quiz?as_of=2025-02-01"))
    assert "No results by that date" in early


async def test_claim_page_shows_evidence_and_verdict(site: httpx.AsyncClient) -> None:
    text = _text(await _page(site, "/claims/acme-beats-rival-per-news"))
    assert "Acme says Acme-1 beats Rival-1 on Quiz" in text
    assert "contested" in text
    evidence = text[text.index("Independent evidence") :]
    assert "60" in evidence and "65" in evidence and "AI Benchmarking Hub" in evidence


async def test_claims_page_filters_by_verdict(site: httpx.AsyncClient) -> None:
    contested = _text(await _page(site, "/claims?verdict=CONTESTED"))
    assert "Acme says Acme-1 beats Rival-1 on Quiz" in contested
    assert "60 vs 65 (Rival-1)" in contested
    supported = _text(await _page(site, "/claims?verdict=SUPPORTED"))
    assert "No claims match." in supported
    by_other = _text(await _page(site, "/claims?verdict=ANY&claimant=rival-labs"))
    assert "No claims match." in by_other


async def test_graph_path_and_search(site: httpx.AsyncClient) -> None:
    html = await _page(site, "/graph?node=model:acme-1")
    assert "DEVELOPED" in html and "Acme" in html
    data = (await site.get("/graph.json?node=model:acme-1")).json()
    ids = {n["id"] for n in data["nodes"]}
    assert {"model:acme-1", "organization:acme", "model:acme-1-chat"} <= ids
    edges = {(e["source"], e["label"], e["target"]) for e in data["edges"]}
    assert ("organization:acme", "DEVELOPED", "model:acme-1") in edges
    assert ("model:acme-1-chat", "DERIVED_FROM", "model:acme-1") in edges
    path = _text(await _page(site, "/path?source=organization:rival-labs&target=model:acme-1-chat"))
    assert "Rival Labs" in path and "Acme-1 Chat" in path
    hits = _text(await _page(site, "/search?q=acme"))
    assert "Acme-1" in hits and "Acme" in hits
    suggest = (await site.get("/suggest?q=rival")).json()
    rival = {"key": "rival-1", "label": "Rival-1", "url": "models/rival-1", "kind": "Model"}
    assert rival in suggest


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/models/no-such-model", 404, "No model is called"),
        ("/organizations/nobody", 404, "No organization is called"),
        ("/benchmarks/nothing", 404, "No benchmark is called"),
        ("/claims/nope", 404, "No claim has the id"),
        ("/graph?node=model:nothing", 404, "No model has the key"),
        ("/graph?node=gizmo:x", 400, "Unknown kind"),
        ("/graph?node=plain", 400, "kind:key"),
        ("/benchmarks/quiz?as_of=yesterday", 400, "is not a date"),
        ("/claims?verdict=MAYBE", 400, "is not one of"),
        ("/claims?verdict=ANY&after=not-a-cursor", 400, ""),
        ("/models/%00%01", 400, "control characters"),
        ("/models/" + "x" * 400, 400, "longer than"),
        ("/search?q=" + "a" * 3000, 400, "too long"),
        ("/models/%E2%80%AE%F0%9F%98%80'%22%3Cscript%3E", 404, "No model is called"),
    ],
)
async def test_bad_input_gets_a_page_not_a_500(
    site: httpx.AsyncClient, url: str, status: int, says: str
) -> None:
    html = await _page(site, url, status)
    assert f'data-status="{status}"' in html
    assert says in _text(html)
    assert "<script>" not in html.split("</head>")[1]  # user text is escaped


async def test_an_unreachable_database_is_a_503_page(test_settings: Settings) -> None:
    settings = test_settings.model_copy(update={"neo4j_max_retry_time_s": 0.0})
    driver = make_driver(Neo4jTarget("bolt://127.0.0.1:9", "neo4j", "x", "neo4j"), settings)
    app = create_app(settings, driver=driver)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://atlas"
        ) as client:
            html = await _page(client, "/models/acme-1", 503)
    finally:
        await driver.close()
    assert "The database is not answering" in html


async def test_an_unknown_path_is_a_404_page_for_browsers_and_json_for_others(
    site: httpx.AsyncClient,
) -> None:
    html = await _page(site, "/no/such/page", 404)
    assert "No page has this address." in html and '<base href="/">' in html
    plain = await site.get("/no/such/page")
    assert plain.status_code == 404 and plain.json() == {"detail": "Not Found"}


async def test_the_explorer_mounts_under_a_prefix_in_another_app(
    graph: Graph, test_settings: Settings
) -> None:
    from fastapi import FastAPI

    from modelatlas.web import explorer_router

    await KnowledgeGraph(graph).upsert(GRAPH)
    host = FastAPI()
    host.include_router(
        explorer_router(graph, settings=test_settings, graphql_url="/kg/graphql"), prefix="/atlas"
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=host), base_url="http://host"
    ) as client:
        html = await _page(client, "/atlas/models/acme-1")
        assert '<base href="/atlas/">' in html and 'href="/kg/graphql"' in html
        assert 'href="organizations/acme"' in html  # relative to the mount
        css = await client.get("/atlas/static/explorer.css")
        assert css.status_code == 200 and css.headers["cache-control"] == "public, max-age=3600"
        vendored = await client.get("/atlas/static/vendor/cytoscape-3.35.0/cytoscape.min.js")
        assert vendored.headers["cache-control"] == "public, max-age=31536000, immutable"
        missing = await _page(client, "/atlas/models/nope", 404)
        assert '<base href="/atlas/">' in missing


async def test_claims_against_a_model_are_on_its_page(site: httpx.AsyncClient) -> None:
    html = await _page(site, "/models/rival-1")
    against = html[html.index('id="claims-against"') :]
    assert "Acme says Acme-1 beats Rival-1 on Quiz" in _text(against)
    assert 'href="organizations/acme"' in against and 'href="models/rival-1"' in against
