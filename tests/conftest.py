"""One real Neo4j per test session (local, or NEO4J_URI's); tests clear data, not servers."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from neo4j import AsyncDriver

from modelatlas.api import create_app
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, configured_target, local_server, make_driver
from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data
from modelatlas.graph.migrations import migrate
from support import CliRunner, run_cli


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Async tests run on asyncio, like the service."""
    return "asyncio"


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with a throw-away data folder; the jar cache is the user's, so it is reused."""
    data = tmp_path_factory.mktemp("modelatlas-data")
    return Settings(
        MODELATLAS_DATA_DIR=data, MODELATLAS_NEO4J_HEAP="768m", MODELATLAS_NEO4J_PAGECACHE="256m"
    )


@pytest.fixture(scope="session")
def neo4j(test_settings: Settings) -> Iterator[Neo4jTarget]:
    """The session's Neo4j: NEO4J_URI's server if set, else a local one started here, migrated."""
    target = configured_target(test_settings)
    server = None
    if target is None:
        server = local_server(test_settings)
        info = server.start()
        target = Neo4jTarget(info.uri, info.user, info.password, "neo4j", local=True)

    async def prepare() -> None:
        driver = make_driver(target, test_settings)
        try:
            await migrate(Graph(driver, target.database))
        finally:
            await driver.close()

    asyncio.run(prepare())
    try:
        yield target
    finally:
        if server is not None:
            server.stop()


@pytest.fixture
def neo4j_env(neo4j: Neo4jTarget) -> dict[str, str]:
    """Environment for a `modelatlas` subprocess that must use the session's server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MODELATLAS_"))}
    env.update(
        NEO4J_URI=neo4j.uri,
        NEO4J_USER=neo4j.user,
        NEO4J_PASSWORD=neo4j.password,
        NEO4J_DATABASE=neo4j.database,
        MODELATLAS_DATA_DIR=tempfile.mkdtemp(prefix="modelatlas-cli-"),
    )
    return env


@pytest.fixture
async def graph(neo4j: Neo4jTarget, test_settings: Settings) -> AsyncIterator[Graph]:
    """A Graph over an emptied database (schema and migration records kept)."""
    driver = make_driver(neo4j, test_settings)
    g = Graph(driver, neo4j.database)
    await clear_data(g)
    try:
        yield g
    finally:
        await driver.close()


@pytest.fixture
def cli() -> CliRunner:
    """The `modelatlas` command as a subprocess, as users run it."""
    return run_cli


@pytest.fixture
async def make_client(
    graph: Graph, neo4j: Neo4jTarget, test_settings: Settings
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Clients over apps built with the given settings overrides, each on its own driver, over
    an emptied graph (all closed at the end)."""
    drivers: list[AsyncDriver] = []
    clients: list[httpx.AsyncClient] = []

    def build(**overrides: Any) -> httpx.AsyncClient:
        settings = test_settings.model_copy(update=overrides)
        driver = make_driver(neo4j, settings)
        drivers.append(driver)
        app = create_app(settings, driver=driver)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://atlas")
        clients.append(http)
        return http

    yield build
    for http in clients:
        await http.aclose()
    for driver in drivers:
        await driver.close()
