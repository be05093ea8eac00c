"""GraphiQL for embedders: an app mounting the GraphQL router at its own prefix gets a page
whose files and endpoint are under that prefix (async HTTP tests, kept apart from the browser
modules: see conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from modelatlas.api import graphql_router
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.graph import Graph

pytestmark = pytest.mark.anyio


@pytest.fixture
async def session_graph(neo4j: Neo4jTarget, test_settings: Settings) -> AsyncIterator[Graph]:
    """A Graph over the session's Neo4j, data left as it is (the server's tests read it)."""
    driver = make_driver(neo4j, test_settings)
    try:
        yield Graph(driver, neo4j.database)
    finally:
        await driver.close()


@pytest.fixture
async def embedded(
    session_graph: Graph, test_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """Someone else's app with the GraphQL router (GraphiQL on) under /api/graphql."""
    host = FastAPI(title="Someone else's app")
    router = graphql_router(session_graph, settings=test_settings)
    host.include_router(router, prefix="/api/graphql")
    transport = httpx.ASGITransport(app=host)
    async with httpx.AsyncClient(transport=transport, base_url="http://host") as http:
        yield http


async def test_an_embedded_router_serves_its_own_graphiql(embedded: httpx.AsyncClient) -> None:
    page = await embedded.get("/api/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'data-endpoint="/api/graphql"' in page.text
    assets = [
        "/api/graphql/ide/vendor/react-18.3.1/react.production.min.js",
        "/api/graphql/ide/vendor/react-dom-18.3.1/react-dom.production.min.js",
        "/api/graphql/ide/vendor/graphiql-3.9.0/graphiql.min.js",
        "/api/graphql/ide/graphiql/graphiql-boot.js",
    ]
    for asset in assets:
        assert f'src="{asset}"' in page.text
        answer = await embedded.get(asset)
        assert answer.status_code == 200 and "javascript" in answer.headers["content-type"]
    css = await embedded.get("/api/graphql/ide/vendor/graphiql-3.9.0/graphiql.min.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert (await embedded.get("/graphql/ide/graphiql/graphiql-boot.js")).status_code == 404
    data = await embedded.post("/api/graphql", json={"query": "{ __typename }"})
    assert data.json()["data"] == {"__typename": "Query"}


async def test_graphiql_off_serves_neither_page_nor_files(
    session_graph: Graph, test_settings: Settings
) -> None:
    host = FastAPI()
    router = graphql_router(session_graph, graphiql=False, settings=test_settings)
    host.include_router(router, prefix="/api/graphql")
    transport = httpx.ASGITransport(app=host)
    async with httpx.AsyncClient(transport=transport, base_url="http://host") as http:
        page = await http.get("/api/graphql", headers={"accept": "text/html"})
        assert page.status_code == 404
        asset = await http.get("/api/graphql/ide/graphiql/graphiql-boot.js")
        assert asset.status_code == 404
