"""GraphQL fuzzing of the running app with hypothesis-graphql: operations generated from the
schema itself (every root field, random selections, random argument values) and invalid ones.
Whatever arrives, the answer is data or typed errors: no 500, no INTERNAL_SERVER_ERROR."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from graphql import build_schema
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from modelatlas.api import create_app
from modelatlas.api.auth import Role, new_key
from modelatlas.api.schema import sdl
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data, fingerprint
from modelatlas.ingest import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

pytestmark = pytest.mark.anyio

SDL = sdl()
_SCHEMA = build_schema(SDL)
QUERY_FIELDS = sorted(_SCHEMA.query_type.fields) if _SCHEMA.query_type else []
MUTATION_FIELDS = sorted(_SCHEMA.mutation_type.fields) if _SCHEMA.mutation_type else []
ADMIN_KEY, ADMIN_ENTRY = new_key(Role.ADMIN)
ADMIN = {"authorization": f"Bearer {ADMIN_KEY}"}
# Valid dates only: malformed ones are refused by validation and test nothing further (they
# are covered in test_fuzz_inputs.py).
SCALARS = {"Date": st.dates().map(lambda d: nodes.String(d.isoformat()))}
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
async def seeded(neo4j: Neo4jTarget, test_settings: Settings) -> AsyncIterator[Graph]:
    """The curated seed, written once for this module (the mutation fuzz may change it)."""
    driver = make_driver(neo4j, test_settings)
    graph = Graph(driver, neo4j.database)
    await clear_data(graph)
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    try:
        yield graph
    finally:
        await driver.close()


@pytest.fixture(scope="module")
async def client(seeded: Graph, test_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app over the seeded graph, with an admin key configured, over ASGI."""
    app = create_app(
        test_settings.model_copy(update={"api_keys": [ADMIN_ENTRY]}), driver=seeded.driver
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        yield http


def typed(response: httpx.Response) -> dict[str, Any]:
    """The body of an answer that is data or typed errors; never a server failure."""
    assert response.status_code < 500, response.text[:2000]
    assert response.status_code != 429, "rate limited: the fuzz tests need a higher limit"
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code and code != "INTERNAL_SERVER_ERROR", error
    text = json.dumps(body.get("errors") or [])
    assert "Neo." not in text and "Traceback" not in text, text[:2000]
    assert body.get("errors") or body.get("data") is not None, body
    codes = sorted({(e.get("extensions") or {}).get("code") for e in body.get("errors") or []})
    event(f"HTTP {response.status_code} " + (", ".join(codes) or "data"))
    return body


@pytest.fixture
async def unchanged(seeded: Graph) -> AsyncIterator[None]:
    """Fail the test if the graph differs afterwards from before."""
    before = await fingerprint(seeded)
    yield
    assert await fingerprint(seeded) == before, "a query changed the graph"


def _fuzz_one_field(
    kind: str, field: str, strategy: st.SearchStrategy[str], examples: int
) -> Callable[..., Any]:
    """A test posting operations on one root field, drawn by @given: drawing inside an async
    test body would let hypothesis's StopTest (a BaseException) stop anyio's test runner."""
    headers = ADMIN if kind == "mutation" else {}

    @settings(FUZZ, max_examples=examples)
    @given(operation=strategy)
    async def test(client: httpx.AsyncClient, operation: str) -> None:
        typed(await client.post("/graphql", json={"query": operation}, headers=headers))

    test.__name__ = test.__qualname__ = f"test_generated_{kind}_{field}"
    test.__doc__ = f"Generated {kind}s of {field}: random selections and argument values."
    return pytest.mark.usefixtures("unchanged")(test) if kind == "query" else test


# One test per root field, so every query and every mutation is fuzzed on every run.
for _field in QUERY_FIELDS:
    globals()[f"test_generated_query_{_field}"] = _fuzz_one_field(
        "query", _field, queries(SDL, fields=[_field], custom_scalars=SCALARS), 4
    )
for _field in MUTATION_FIELDS:
    globals()[f"test_generated_mutation_{_field}"] = _fuzz_one_field(
        "mutation", _field, mutations(SDL, fields=[_field], custom_scalars=SCALARS), 3
    )


@pytest.mark.usefixtures("unchanged")
@settings(FUZZ, max_examples=30)
@given(query=queries(SDL, custom_scalars=SCALARS))
async def test_generated_queries_of_many_fields(client: httpx.AsyncClient, query: str) -> None:
    typed(await client.post("/graphql", json={"query": query}))


@settings(FUZZ, max_examples=40)
@given(
    operation=st.one_of(
        queries(SDL, mode=Mode.NEGATIVE, custom_scalars=SCALARS),
        mutations(SDL, mode=Mode.NEGATIVE, custom_scalars=SCALARS),
    )
)
async def test_invalid_operations_are_refused_with_a_code(
    client: httpx.AsyncClient, operation: str
) -> None:
    body = typed(await client.post("/graphql", json={"query": operation}, headers=ADMIN))
    assert body.get("errors"), (operation, body)
