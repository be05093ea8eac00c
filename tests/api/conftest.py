"""Fixtures for API tests: the curated seed written once per module, and a GraphQL client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from modelatlas.api import create_app
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data
from modelatlas.ingest import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir


@pytest.fixture(scope="module")
async def seeded_graph(neo4j: Neo4jTarget, test_settings: Settings) -> AsyncIterator[Graph]:
    """The curated seed, written once for a module whose tests only read.

    Other modules' `graph` fixture clears the data again before each of their tests.
    """
    driver = make_driver(neo4j, test_settings)
    graph = Graph(driver, neo4j.database)
    await clear_data(graph)
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    try:
        yield graph
    finally:
        await driver.close()


@pytest.fixture(scope="module")
async def seeded_client(
    seeded_graph: Graph, test_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the whole app over the seeded graph."""
    app = create_app(test_settings, driver=seeded_graph.driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        yield http
