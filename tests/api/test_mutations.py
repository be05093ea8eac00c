"""Mutations over HTTP against the real Neo4j: upserts validate like the seed, write once, and
report what they did; deletes never orphan a sourced fact; errors carry codes and hide detail."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from modelatlas.api import create_app
from modelatlas.api.auth import Role, new_key
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.graph import Graph
from modelatlas.graph.admin import fingerprint
from modelatlas.graph.bookmarks import decode_bookmarks
from modelatlas.ingest import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

pytestmark = pytest.mark.anyio

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
ADMIN_KEY, ADMIN_ENTRY = new_key(Role.ADMIN)
EDITOR = {"authorization": f"Bearer {EDITOR_KEY}"}
ADMIN = {"authorization": f"Bearer {ADMIN_KEY}"}
ARTICLE = "urn:modelatlas:article:000_5dbe76b4b65cc5e1"


@pytest.fixture
def settings(test_settings: Settings) -> Settings:
    return test_settings.model_copy(
        update={"api_keys": [EDITOR_ENTRY, ADMIN_ENTRY], "max_mutation_batch": 10}
    )


@pytest.fixture
async def client(
    graph: Graph, neo4j: Neo4jTarget, settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    driver = make_driver(neo4j, settings)
    app = create_app(settings, driver=driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        yield http
    await driver.close()


@pytest.fixture
async def seeded(graph: Graph) -> Graph:
    await KnowledgeGraph(graph).upsert(load_yaml_files([resource_dir("seed")]))
    return graph


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or EDITOR
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    assert len(body["errors"]) == 1, body["errors"]
    error: dict[str, Any] = body["errors"][0]
    return error


UPSERT_MODEL = """
mutation($input: ModelInput!) {
  upsertModel(input: $input) { kind key created updated unchanged bookmark }
}
"""


async def test_upsert_creates_then_reports_unchanged(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    model = {"name": "Atlas Test-1", "parameters": 7e9, "modalities": ["Text"]}
    first = (await gql(client, UPSERT_MODEL, {"input": model}))["data"]["upsertModel"]
    assert first["kind"] == "Model" and first["key"] == "atlas-test-1"
    assert (first["created"], first["updated"], first["unchanged"]) == (True, False, False)
    assert first["bookmark"]
    again = (await gql(client, UPSERT_MODEL, {"input": model}))["data"]["upsertModel"]
    assert (again["created"], again["updated"], again["unchanged"]) == (False, False, True)
    rows = await graph.read(
        "MATCH (m:Model {slug: 'atlas-test-1'}) RETURN count(m) AS n, "
        "collect(m.parameters)[0] AS p, collect(m.modalities)[0] AS mods"
    )
    assert rows == [{"n": 1, "p": 7_000_000_000, "mods": ["text"]}]
    changed = {**model, "parameters": 8e9}
    third = (await gql(client, UPSERT_MODEL, {"input": changed}))["data"]["upsertModel"]
    assert (third["created"], third["updated"]) == (False, True)


async def test_every_kind_can_be_upserted_in_one_dataset(
    client: httpx.AsyncClient, seeded: Graph
) -> None:
    dataset = {
        "sources": [{"url": "https://example.org/atlas-test", "title": "Test page"}],
        "countries": [{"code": "fr"}],
        "organizations": [{"name": "Atlas Lab", "country": "FR", "kind": "COMPANY"}],
        "benchmarks": [{"name": "Atlas Bench", "metric": "accuracy"}],
        "models": [{"name": "Atlas-M", "developers": ["atlas-lab"], "releasedOn": "2025-01-02"}],
        "releases": [
            {
                "slug": "atlas-m-launch",
                "title": "Atlas-M launch",
                "date": "2025-01-02",
                "announcedBy": ["atlas-lab"],
                "introduced": ["atlas-m"],
                "sources": ["https://example.org/atlas-test"],
            }
        ],
        "claims": [
            {
                "id": "atlas-m-beats-gpt-4o",
                "kind": "OUTPERFORMS",
                "statement": "Atlas-M beats GPT-4o on Atlas Bench",
                "claimedBy": "atlas-lab",
                "subject": "atlas-m",
                "against": ["gpt-4o"],
                "benchmark": "atlas-bench",
                "score": 91.5,
                "sources": ["https://example.org/atlas-test"],
            }
        ],
        "results": [
            {
                "id": "atlas-m-on-atlas-bench",
                "model": "atlas-m",
                "benchmark": "atlas-bench",
                "score": 88.0,
                "sources": ["https://example.org/atlas-test"],
            }
        ],
        "marketEvents": [
            {
                "id": "atlas-lab-funding",
                "kind": "FUNDING",
                "date": "2025-01-03",
                "description": "Atlas Lab raises money",
                "magnitude": 10,
                "unit": "MUSD",
                "affected": ["atlas-lab"],
                "attributedToReleases": ["atlas-m-launch"],
                "sources": ["https://example.org/atlas-test"],
            }
        ],
    }
    query = """
    mutation($input: DatasetInput!) {
      upsertDataset(input: $input) {
        created updated unchanged keys bookmark kinds { kind created updated unchanged }
      }
    }"""
    payload = (await gql(client, query, {"input": dataset}))["data"]["upsertDataset"]
    kinds = {k["kind"]: k for k in payload["kinds"]}
    assert set(kinds) == {
        "Source",
        "Country",
        "Organization",
        "Benchmark",
        "Model",
        "Release",
        "Claim",
        "Result",
        "MarketEvent",
    }
    # France may already exist (organizations create their country); everything else is new.
    assert payload["created"] + payload["updated"] + payload["unchanged"] == 9
    assert "atlas-m-beats-gpt-4o" in payload["keys"] and "FR" in payload["keys"]
    again = (await gql(client, query, {"input": dataset}))["data"]["upsertDataset"]
    assert again["created"] == 0 and again["updated"] == 0 and again["unchanged"] == 9
    rows = await seeded.read(
        "MATCH (c:Claim {id: 'atlas-m-beats-gpt-4o'})-[:AGAINST]->(m:Model), "
        "(c)-[:CITED_IN]->(s:Source) RETURN m.slug AS against, s.url AS source"
    )
    assert rows == [{"against": "gpt-4o", "source": "https://example.org/atlas-test"}]


async def test_batch_upsert_and_its_limit(client: httpx.AsyncClient, graph: Graph) -> None:
    query = """
    mutation($input: [SourceInput!]!) { upsertSources(input: $input) { created keys } }"""
    sources = [{"url": f"https://example.org/s{i}"} for i in range(3)]
    payload = (await gql(client, query, {"input": sources}))["data"]["upsertSources"]
    assert payload == {"created": 3, "keys": [s["url"] for s in sources]}
    before = await fingerprint(graph)
    too_many = [{"url": f"https://example.org/t{i}"} for i in range(11)]
    error = only_error(await gql(client, query, {"input": too_many}))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "input"
    assert "at most 10" in error["message"]
    assert await fingerprint(graph) == before


INVALID_WRITES = [
    pytest.param(
        UPSERT_MODEL,
        {"input": {"name": "Bad", "parameters": -5}},
        "input.parameters",
        id="negative",
    ),
    pytest.param(
        UPSERT_MODEL,
        {
            "input": {
                "name": "Bad",
                "releasedOn": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            }
        },
        "input.releasedOn",
        id="future-date",
    ),
    pytest.param(
        UPSERT_MODEL,
        {"input": {"name": "Bad", "accessibility": "SOMETIMES"}},
        "input.accessibility",
        id="unknown-enum",
    ),
    pytest.param(
        UPSERT_MODEL,
        {"input": {"name": "Bad", "developers": ["no-such-lab"]}},
        "input.developers",
        id="unknown-reference",
    ),
    pytest.param(
        UPSERT_MODEL,
        {"input": {"name": "Bad", "releasedOn": "27 January"}},
        "input.releasedOn",
        id="malformed-date",
    ),
    pytest.param(
        """mutation($input: ResultInput!) { upsertResult(input: $input) { key } }""",
        {"input": {"id": "r", "model": "qwen2.5-max", "benchmark": "b", "score": 1, "sources": []}},
        "input.sources",
        id="empty-sources",
    ),
    pytest.param(
        """mutation($input: ResultInput!) { upsertResult(input: $input) { key } }""",
        {"input": {"id": "r", "model": "qwen2.5-max", "benchmark": "b", "score": 1}},
        "input.sources",
        id="missing-sources",
    ),
    pytest.param(
        """mutation($input: [ModelInput!]!) { upsertModels(input: $input) { created } }""",
        {"input": [{"name": "Fine"}, {"name": "Bad", "parameters": 1.5}]},
        "input[1].parameters",
        id="batch-item",
    ),
    pytest.param(
        """mutation($input: DatasetInput!) { upsertDataset(input: $input) { created } }""",
        {
            "input": {
                "models": [{"name": "Fine"}],
                "claims": [
                    {
                        "id": "c",
                        "kind": "OUTPERFORMS",
                        "statement": "Fine beats a model that is not there",
                        "claimedBy": "alibaba",
                        "subject": "fine",
                        "against": ["no-such-model"],
                        "sources": [ARTICLE],
                    }
                ],
            }
        },
        "input.claims[0].against",
        id="dataset-reference",
    ),
    pytest.param(
        """mutation($input: [ModelInput!]!) { upsertModels(input: $input) { created } }""",
        {"input": [{"name": "Twice"}, {"name": "twice"}]},
        "input[1].slug",
        id="duplicate-key",
    ),
    pytest.param(
        """mutation { upsertCountry(input: {code: "Narnia"}) { key } }""",
        None,
        "input.code",
        id="country-code",
    ),
]


@pytest.mark.parametrize(("query", "variables", "field"), INVALID_WRITES)
async def test_invalid_writes_name_the_field_and_write_nothing(
    client: httpx.AsyncClient,
    seeded: Graph,
    query: str,
    variables: dict[str, Any] | None,
    field: str,
) -> None:
    before = await fingerprint(seeded)
    body = await gql(client, query, variables)
    error = only_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field, error
    assert await fingerprint(seeded) == before


DELETE_MODEL = """
mutation($slug: ID!, $cascade: Boolean! = false) {
  deleteModel(slug: $slug, cascade: $cascade) {
    kind key deletedNodes deletedRelationships cascaded { kind key } bookmark
  }
}"""


async def test_delete_refuses_to_orphan_then_cascades(
    client: httpx.AsyncClient, seeded: Graph
) -> None:
    before = await fingerprint(seeded)
    error = only_error(await gql(client, DELETE_MODEL, {"slug": "Qwen2.5-Max"}, ADMIN))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "cascade"
    assert "would orphan" in error["message"] and "cascade: true" in error["message"]
    dependents = {(d["kind"], d["key"]) for d in error["extensions"]["dependents"]}
    claims = await seeded.read(
        "MATCH (c:Claim)-[:SUBJECT]->(:Model {slug: 'qwen2.5-max'}) RETURN c.id AS id"
    )
    assert claims and {("Claim", c["id"]) for c in claims} <= dependents
    assert error["extensions"]["dependentCount"] == len(dependents)
    assert await fingerprint(seeded) == before

    body = await gql(client, DELETE_MODEL, {"slug": "qwen2.5-max", "cascade": True}, ADMIN)
    payload = body["data"]["deleteModel"]
    assert payload["kind"] == "Model" and payload["key"] == "qwen2.5-max"
    assert {(c["kind"], c["key"]) for c in payload["cascaded"]} == dependents
    assert payload["deletedNodes"] == 1 + len(dependents)
    assert payload["bookmark"]
    left = await seeded.read(
        "OPTIONAL MATCH (m:Model {slug: 'qwen2.5-max'}) "
        "OPTIONAL MATCH (c:Claim) WHERE c.id IN $ids "
        "RETURN count(m) AS models, count(c) AS claims",
        {"ids": [c["id"] for c in claims]},
    )
    assert left == [{"models": 0, "claims": 0}]
    # Every fact left still has its source and its required ends.
    unsourced = await seeded.read(
        "MATCH (f) WHERE (f:Claim OR f:Result OR f:Release OR f:MarketEvent) "
        "AND NOT (f)-[:CITED_IN]->(:Source) RETURN count(f) AS n"
    )
    assert unsourced == [{"n": 0}]


async def test_delete_source_only_when_not_the_only_source(
    client: httpx.AsyncClient, seeded: Graph
) -> None:
    query = """
    mutation($url: String!, $cascade: Boolean! = false) {
      deleteSource(url: $url, cascade: $cascade) { deletedNodes cascaded { kind key } }
    }"""
    error = only_error(await gql(client, query, {"url": ARTICLE}, ADMIN))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["dependentCount"] > 0
    # A source nothing depends on alone goes without cascade.
    await gql(
        client,
        'mutation { upsertSource(input: {url: "https://example.org/lonely"}) { key } }',
    )
    body = await gql(client, query, {"url": "https://example.org/lonely"}, ADMIN)
    assert body["data"]["deleteSource"] == {"deletedNodes": 1, "cascaded": []}


async def test_deleting_a_fact_and_a_missing_key(client: httpx.AsyncClient, seeded: Graph) -> None:
    claim = (await seeded.read("MATCH (c:Claim) RETURN c.id AS id ORDER BY id LIMIT 1"))[0]["id"]
    query = """
    mutation($id: ID!) { deleteClaim(id: $id) { kind key deletedNodes cascaded { key } } }"""
    body = await gql(client, query, {"id": claim}, ADMIN)
    assert body["data"]["deleteClaim"] == {
        "kind": "Claim",
        "key": claim,
        "deletedNodes": 1,
        "cascaded": [],
    }
    error = only_error(await gql(client, query, {"id": claim}, ADMIN))
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["field"] == "id"


async def test_bookmark_reads_your_writes(client: httpx.AsyncClient) -> None:
    body = await gql(client, UPSERT_MODEL, {"input": {"name": "Bookmarked"}})
    bookmark = body["data"]["upsertModel"]["bookmark"]
    read = await client.post(
        "/graphql",
        json={"query": "{ about { neo4jVersion } }"},
        headers={"modelatlas-bookmark": bookmark},
    )
    assert read.status_code == 200 and "errors" not in read.json()
    bad = await client.post(
        "/graphql",
        json={"query": "{ about { neo4jVersion } }"},
        headers={"modelatlas-bookmark": "not a bookmark"},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_graph_chained_after_the_bookmark_reads_the_write(
    client: httpx.AsyncClient, graph: Graph
) -> None:
    body = await gql(client, UPSERT_MODEL, {"input": {"name": "Chained"}})
    bookmark = body["data"]["upsertModel"]["bookmark"]
    chained = graph.with_bookmarks(decode_bookmarks(bookmark))
    rows = await chained.read("MATCH (m:Model {slug: 'chained'}) RETURN m.name AS name")
    assert rows == [{"name": "Chained"}]
    assert await chained.bookmark()  # covers at least what it was given
    assert await graph.bookmark() == ""  # a graph without a bookmark manager has none
    assert graph.bookmark_manager is None


async def test_internal_errors_are_masked_and_logged(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(KnowledgeGraph, "upsert", explode)
    with caplog.at_level(logging.ERROR):
        response = await client.post(
            "/graphql",
            json={"query": UPSERT_MODEL, "variables": {"input": {"name": "X"}}},
            headers=EDITOR,
        )
    assert response.status_code == 200
    assert "secret detail" not in response.text
    error = only_error(response.json())
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["reference"] in caplog.text
    assert "secret detail" in caplog.text


async def test_unreachable_neo4j_fails_fast_with_a_code(test_settings: Settings) -> None:
    settings = test_settings.model_copy(update={"neo4j_connection_timeout_s": 0.5})
    driver = make_driver(Neo4jTarget("bolt://127.0.0.1:1", "neo4j", "x", "neo4j"), settings)
    app = create_app(settings, driver=driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        response = await http.post("/graphql", json={"query": "{ about { neo4jVersion } }"})
    await driver.close()
    error = only_error(response.json())
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "bolt://" not in error["message"] and "127.0.0.1" not in error["message"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ about { ", "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", "GRAPHQL_VALIDATION_FAILED"),
        (
            'mutation { upsertModel(input: {name: "x", accessibility: SOMETIMES}) { key } }',
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
)
async def test_request_errors_have_codes(client: httpx.AsyncClient, query: str, code: str) -> None:
    response = await client.post("/graphql", json={"query": query}, headers=EDITOR)
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert {e["extensions"]["code"] for e in body["errors"]} == {code}
    strict = await client.post(
        "/graphql",
        json={"query": query},
        headers={**EDITOR, "accept": "application/graphql-response+json"},
    )
    assert strict.status_code == 400
    assert strict.headers["content-type"].startswith("application/graphql-response+json")


async def test_mutations_are_refused_over_get(client: httpx.AsyncClient, graph: Graph) -> None:
    before = await fingerprint(graph)
    response = await client.get(
        "/graphql",
        params={
            "query": 'mutation { upsertSource(input: {url: "https://example.org/g"}) { key } }'
        },
        headers={**EDITOR, "accept": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert await fingerprint(graph) == before
    read = await client.get(
        "/graphql",
        params={"query": "{ about { neo4jEdition } }"},
        headers={"accept": "application/json"},
    )
    assert read.status_code == 200 and read.json()["data"]["about"]["neo4jEdition"] == "community"
