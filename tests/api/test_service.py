"""The service answers GraphQL, /healthz and /readyz against the real Neo4j."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from modelatlas.api import create_app
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.db.local import NEO4J_VERSION
from modelatlas.graph import Graph

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(
    graph: Graph, neo4j: Neo4jTarget, test_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    driver = make_driver(neo4j, test_settings)
    app = create_app(test_settings, driver=driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        yield http
    await driver.close()


async def test_trivial_query_answers(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ about { serviceVersion neo4jVersion neo4jEdition } }"}
    )
    assert response.status_code == 200
    about = response.json()["data"]["about"]
    assert about["neo4jVersion"] == NEO4J_VERSION
    assert about["neo4jEdition"] == "community"


async def test_other_methods_reach_the_router(client: httpx.AsyncClient) -> None:
    """GET and POST at /graphql are answered ahead of the app's routing; other methods still
    get the router's 405 with the methods it allows, and a request id from the request log."""
    for method in ("PUT", "DELETE", "PATCH"):
        response = await client.request(method, "/graphql", json={"query": "{ __typename }"})
        assert response.status_code == 405, method
        assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
        assert response.headers["x-request-id"]
    answered = await client.get("/graphql", params={"query": "{ __typename }"})
    assert answered.json()["data"] == {"__typename": "Query"}
    assert answered.headers["x-request-id"]


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_readiness_fails_when_neo4j_is_unreachable(test_settings: Settings) -> None:
    unreachable = Neo4jTarget("bolt://127.0.0.1:1", "neo4j", "x", "neo4j")
    driver = make_driver(unreachable, test_settings)
    app = create_app(test_settings, driver=driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        assert (await http.get("/healthz")).status_code == 200
        ready = await http.get("/readyz")
    await driver.close()
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
