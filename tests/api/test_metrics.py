"""/metrics: request counts and latency per GraphQL operation, errors by code, Neo4j query time
and pool figures, in the Prometheus text format, with labels that stay bounded."""

from __future__ import annotations

import asyncio
import inspect

import httpx
import pytest
from neo4j.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families

from modelatlas.api import metrics as metrics_module
from modelatlas.api.metrics import MAX_OPERATION_NAMES, Metrics, error_codes, operation_of
from modelatlas.graph import Graph

pytestmark = pytest.mark.anyio

NAMED = 'query ModelPage { model(slug: "gpt-4o") { name developers { slug } } }'
TWO_OPERATIONS = (
    'query First { model(slug: "gpt-4o") { name } } '
    "query Second { organizations(first: 2) { totalCount } }"
)


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """(labels, value) of every sample called `name` in an exposition."""
    return [
        (dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def value(text: str, name: str, **labels: str) -> float:
    """The one sample of `name` whose labels include `labels` (0 when absent)."""
    found = [v for have, v in samples(text, name) if labels.items() <= have.items()]
    assert len(found) <= 1, found
    return found[0] if found else 0.0


async def test_metrics_count_operations_errors_and_neo4j_time(
    seeded_client: httpx.AsyncClient,
) -> None:
    for _ in range(2):
        ok = await seeded_client.post("/graphql", json={"query": NAMED})
        assert ok.status_code == 200 and ok.json()["data"]["model"]["name"]
    chosen = await seeded_client.post(
        "/graphql", json={"query": TWO_OPERATIONS, "operationName": "Second"}
    )
    assert chosen.json()["data"]["organizations"]["totalCount"] > 0
    broken = await seeded_client.post("/graphql", json={"query": "query Broken { model(slug: "})
    assert broken.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    refused = await seeded_client.post(
        "/graphql", json={"query": 'mutation Sneaky { deleteModel(slug: "gpt-4o") { kind } }'}
    )
    assert refused.status_code == 401
    missing = await seeded_client.post(
        "/graphql", json={"query": "{ models(first: 1000) { totalCount } }"}
    )
    assert missing.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    response = await seeded_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text

    requests = "modelatlas_graphql_requests_total"
    assert value(text, requests, operation="ModelPage", type="query", status="200") == 2
    assert value(text, requests, operation="Second", type="query", status="200") == 1
    assert value(text, requests, operation="Sneaky", type="mutation", status="401") == 1
    assert value(text, requests, operation="anonymous", type="query", status="200") == 1
    latency = "modelatlas_graphql_request_duration_seconds_count"
    assert value(text, latency, operation="ModelPage", type="query") == 2
    errors = "modelatlas_graphql_errors_total"
    assert value(text, errors, operation="Broken", code="GRAPHQL_PARSE_FAILED") == 1
    assert value(text, errors, operation="Sneaky", code="UNAUTHENTICATED") == 1
    assert value(text, errors, operation="anonymous", code="BAD_USER_INPUT") == 1
    assert value(text, errors, operation="ModelPage", code="UNAUTHENTICATED") == 0

    assert value(text, "modelatlas_neo4j_query_duration_seconds_count", kind="read") >= 3
    assert value(text, "modelatlas_neo4j_queries_in_flight") == 0
    assert value(text, "modelatlas_neo4j_pool_max_size") > 0
    assert value(text, "process_resident_memory_bytes") > 0

    again = (await seeded_client.get("/metrics")).text
    assert value(again, "modelatlas_http_requests_total", route="/metrics", status="200") >= 1


async def test_pool_connections_in_use_count_the_graphs_open_sessions(
    seeded_client: httpx.AsyncClient, seeded_graph: Graph
) -> None:
    """In use: the sessions Graph holds open over the app's driver, counted by Graph itself
    (public hooks), not read from the driver's private pool."""
    assert "._pool" not in inspect.getsource(metrics_module)
    in_use = "modelatlas_neo4j_pool_connections"

    async def scrape() -> float:
        return value((await seeded_client.get("/metrics")).text, in_use, state="in_use")

    assert await scrape() == 0
    slow = Graph(seeded_graph.driver, seeded_graph.database, timeout=3.0)
    running = [
        asyncio.create_task(slow.read("UNWIND range(1, 100000000000) AS x RETURN count(x) AS n"))
        for _ in range(2)
    ]
    seen = 0.0
    for _ in range(200):  # until both reads hold their sessions
        seen = await scrape()
        if seen == 2:
            break
        await asyncio.sleep(0.01)
    assert seen == 2
    for task in running:
        with pytest.raises(ClientError):  # stopped by its 3 s transaction timeout
            await task
    assert await scrape() == 0


async def test_openmetrics_when_asked(seeded_client: httpx.AsyncClient) -> None:
    response = await seeded_client.get(
        "/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def test_operation_labels_stay_bounded() -> None:
    metrics = Metrics()
    assert metrics.operation_label(None) == "anonymous"
    assert metrics.operation_label("not a name; DROP") == "invalid"
    assert metrics.operation_label("x" * 500) == "invalid"
    names = [metrics.operation_label(f"Op{i}") for i in range(MAX_OPERATION_NAMES + 50)]
    assert names[:MAX_OPERATION_NAMES] == [f"Op{i}" for i in range(MAX_OPERATION_NAMES)]
    assert set(names[MAX_OPERATION_NAMES:]) == {"other"}
    assert metrics.operation_label("Op3") == "Op3"  # names already seen keep their label


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"query": "{ about { serviceVersion } }"}, (None, "query")),
        ({"query": "query A { about { serviceVersion } }"}, ("A", "query")),
        ({"query": "mutation M($x: ID!) { deleteModel(slug: $x) { kind } }"}, ("M", "mutation")),
        (
            {"query": "query A { a: about { x } } mutation B { b }", "operationName": "B"},
            ("B", "mutation"),
        ),
        (
            {"query": "fragment F on Model { slug } query Q { model(slug: 1) { ...F } }"},
            ("Q", "query"),
        ),
        ({"query": "query { about { x } }"}, (None, "query")),
        ({"query": 42}, (None, "unknown")),
        ([{"query": "{ a }"}], ("batch", "unknown")),
        (None, (None, "unknown")),
    ],
)
def test_operation_of(payload: object, expected: tuple[str | None, str]) -> None:
    assert operation_of(payload) == expected


def test_error_codes_of_a_body() -> None:
    body = (
        b'{"data":null,"errors":[{"message":"x","extensions":{"code":"NOT_FOUND"}},'
        b'{"message":"y"}]}'
    )
    assert error_codes(body) == ["NOT_FOUND", "NONE"]
    assert error_codes(b"not json") == []
    assert error_codes(b'{"errors":[{"extensions":{"code":"lower case; drop"}}]}') == ["NONE"]
