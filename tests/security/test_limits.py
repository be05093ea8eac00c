"""Limits: depth, aliases, tokens and estimated cost refused before anything runs, `first` in
0..100, the request body size, and a Neo4j transaction timeout, each with its own code."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from graphql import parse
from neo4j.exceptions import ClientError

from modelatlas.api import limits
from modelatlas.api.limits import QueryLimits, cached_cost, estimate_cost
from modelatlas.api.schema import schema
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget
from modelatlas.domain import Dataset, Model, Organization
from modelatlas.graph import Graph, count_round_trips
from modelatlas.graph.core import Transaction
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

SLOW_CYPHER = "UNWIND range(1, 100000000000) AS x RETURN count(x) AS n"
"""Counts to 10^11: minutes of work that only a transaction timeout stops."""


async def post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


def nested(levels: int) -> str:
    """A query `levels` deep: models -> edges -> node -> variantOf -> variantOf ... -> slug."""
    inner = "slug"
    for _ in range(levels - 3):
        inner = f"variantOf {{ {inner} }}"
    return f"{{ models(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


# --------------------------------------------------------------------------- depth


async def test_a_query_deeper_than_the_limit_is_refused_before_it_runs(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(max_query_depth=6)
    assert "errors" not in (await post(client, nested(6))).json()
    with count_round_trips() as trips:
        response = await post(client, nested(7))
    assert trips.count == 0
    assert response.status_code == 200
    assert codes(response) == ["QUERY_TOO_DEEP"]
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["maximum"] == 6
    assert "7 levels deep" in body["errors"][0]["message"]
    strict = await client.post(
        "/graphql",
        json={"query": nested(7)},
        headers={"accept": "application/graphql-response+json"},
    )
    assert strict.status_code == 400 and codes(strict) == ["QUERY_TOO_DEEP"]


async def test_depth_counts_through_fragments_and_survives_unknown_ones(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(max_query_depth=4)
    through_fragments = """
        query Deep { models(first: 1) { edges { ...E } } }
        fragment E on ModelEdge { node { ...M } }
        fragment M on Model { variantOf { variantOf { slug } } }
    """
    assert codes(await post(client, through_fragments)) == ["QUERY_TOO_DEEP"]
    unknown = await post(client, "{ models { edges { ...Nowhere } } }")
    assert codes(unknown) == ["GRAPHQL_VALIDATION_FAILED"]
    cycle = """
        { models { edges { ...A } } }
        fragment A on ModelEdge { ...B }
        fragment B on ModelEdge { ...A }
    """
    assert set(codes(await post(client, cycle))) == {"GRAPHQL_VALIDATION_FAILED"}


# --------------------------------------------------------------------------- aliases


async def test_too_many_aliases_are_refused(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(max_aliases=3)
    three = "{ a: about { serviceVersion } b: about { v: serviceVersion } }"
    assert "errors" not in (await post(client, three)).json()
    four = "{ a: about { serviceVersion } b: about { v: serviceVersion } c: __typename }"
    response = await post(client, four)
    assert codes(response) == ["TOO_MANY_ALIASES"]
    assert response.json()["errors"][0]["extensions"]["maximum"] == 3
    spread = """
        { ...F ...F }
        fragment F on Query { x: __typename y: __typename }
    """
    assert codes(await post(client, spread)) == ["TOO_MANY_ALIASES"]


async def test_an_alias_bomb_is_refused_at_the_default_limit(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client()
    bomb = "{ " + " ".join(f"a{i}: about {{ serviceVersion }}" for i in range(1000)) + " }"
    with count_round_trips() as trips:
        response = await post(client, bomb)
    assert codes(response) == ["TOO_MANY_ALIASES"]
    assert trips.count == 0


# --------------------------------------------------------------------------- tokens


async def test_a_document_with_too_many_tokens_is_refused(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(max_query_tokens=100)
    short = "{ about { serviceVersion } }"
    assert "errors" not in (await post(client, short)).json()
    long = "{ " + " ".join("__typename" for _ in range(200)) + " }"
    response = await post(client, long)
    assert response.status_code == 200
    assert codes(response) == ["TOO_MANY_TOKENS"]
    assert response.json()["errors"][0]["extensions"]["maximum"] == 100
    assert "data" not in response.json()
    padded = "{ about { serviceVersion } }\n" + "# padding\n" * 200
    assert codes(await post(client, padded)) == ["TOO_MANY_TOKENS"]


# --------------------------------------------------------------------------- cost


COSTLY = """
query Costly($outer: Int!, $inner: Int!) {
  models(first: $outer) { edges { node { slug claims(first: $inner) { edges { node { id } } } } } }
}
"""


def test_the_estimate_follows_first_and_lists() -> None:
    def cost(query: str, variables: dict[str, Any] | None = None) -> int:
        return estimate_cost(schema._schema, parse(query), None, variables)

    assert cost("{ about { serviceVersion } }") == 1
    assert cost("{ models { totalCount } }") == 1  # one lookup, no rows
    assert cost("{ models(first: 0) { totalCount } }") == 1
    assert cost("{ models { edges { node { slug } } } }") == 1 + 20  # default first
    assert cost("{ models(first: 5) { edges { node { slug } } } }") == 1 + 5
    # each model's developers (a list without `first`) are taken to be 10
    assert cost("{ models(first: 5) { edges { node { developers { slug } } } } }") == 1 + 5 + 50
    # a connection under a connection: 1 + 100 models, each 1 lookup + 100 claims
    assert cost(COSTLY, {"outer": 100, "inner": 100}) == 1 + 100 + 100 * (1 + 100)
    fragments = """
        query { models(first: 10) { edges { node { ...M } } } }
        fragment M on Model { claims(first: 3) { edges { node { id } } } }
    """
    assert cost(fragments) == 1 + 10 + 10 * (1 + 3)
    assert cost("{ __schema { types { fields { name } } } }") == 0  # introspection is free
    assert (
        cost("query($n: Int!) { models(first: $n) { edges { node { slug } } } }", {"n": 7.0}) == 8
    )
    two = "query A { models { edges { node { slug } } } } query B { __typename }"
    assert cost(two) == 21  # strawberry runs the first operation when none is named
    assert estimate_cost(schema._schema, parse(two), "B", None) == 0


def test_the_remembered_cost_follows_the_first_variables_only() -> None:
    """The cost is remembered per parsed document, keyed by the variables passed as `first`
    (here inside a fragment), not by the others: a new `first` is a new estimate."""
    document = parse(
        """query($n: Int!, $m: Int!, $slug: ID!) {
             model(slug: $slug) { slug }
             models(first: $n) { edges { node { ...M } } }
           }
           fragment M on Model { claims(first: $m) { edges { node { id } } } }"""
    )
    graphql_schema = schema._schema

    def cost(n: int, m: int, slug: str) -> int:
        return cached_cost(graphql_schema, document, None, {"n": n, "m": m, "slug": slug})

    assert cost(10, 3, "a") == estimate_cost(graphql_schema, document, None, {"n": 10, "m": 3})
    assert cost(10, 3, "b") == cost(10, 3, "a") == 1 + 1 + 10 + 10 * (1 + 3)
    assert cost(10, 50, "a") == 1 + 1 + 10 + 10 * (1 + 50)
    assert cost(2, 50, "a") == 1 + 1 + 2 + 2 * (1 + 50)
    assert cached_cost(graphql_schema, parse("{ about { serviceVersion } }"), None, {}) == 1


async def test_a_query_over_the_cost_limit_is_refused_before_it_runs(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(max_query_cost=5_000)
    with count_round_trips() as trips:
        response = await post(client, COSTLY, {"outer": 100, "inner": 100})
    assert trips.count == 0
    assert codes(response) == ["QUERY_TOO_COSTLY"]
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": 10_201,
        "maximum": 5_000,
    }
    assert body["extensions"]["cost"] == {"requestedQueryCost": 10_201, "maximum": 5_000}
    allowed = await post(client, COSTLY, {"outer": 10, "inner": 10})
    assert "errors" not in allowed.json()
    assert allowed.json()["extensions"]["cost"] == {"requestedQueryCost": 121, "maximum": 5_000}


async def test_the_estimate_bounds_what_a_query_returns(
    graph: Graph, make_client: Callable[..., httpx.AsyncClient]
) -> None:
    await KnowledgeGraph(graph).upsert(
        Dataset(
            organizations=[Organization(slug=f"org-{i}", name=f"Org {i}") for i in range(3)],
            models=[
                Model(slug=f"model-{i}", name=f"Model {i}", developers=[f"org-{i % 3}"])
                for i in range(12)
            ],
        )
    )
    client = make_client()
    query = "{ organizations(first: 5) { edges { node { slug models(first: 5) { edges { node { slug developers { slug } } } } } } } }"  # noqa: E501
    response = await post(client, query)
    body = response.json()
    assert "errors" not in body
    returned = 0
    for org in body["data"]["organizations"]["edges"]:
        returned += 1
        for model in org["node"]["models"]["edges"]:
            returned += 1 + len(model["node"]["developers"])
    assert returned == 3 + 12 + 12
    assert returned <= body["extensions"]["cost"]["requestedQueryCost"] == 1 + 5 + 5 * (1 + 5 + 50)


# --------------------------------------------------------------------------- first


async def test_first_must_be_0_to_100_before_anything_runs(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client()
    for query, variables in (
        ("{ models(first: 101) { totalCount } }", None),
        ("{ models(first: -1) { totalCount } }", None),
        ("query($n: Int!) { models(first: $n) { totalCount } }", {"n": 1000}),
        ("query($n: Int! = -5) { claims(first: $n) { totalCount } }", None),
        ("{ models(first: 1) { edges { node { claims(first: 500) { totalCount } } } } }", None),
    ):
        with count_round_trips() as trips:
            response = await post(client, query, variables)
        assert codes(response) == ["BAD_USER_INPUT"], (query, response.json())
        assert response.json()["errors"][0]["extensions"]["argument"] == "first"
        assert "data" not in response.json()
        assert trips.count == 0
    zero = await post(client, "{ models(first: 0) { totalCount edges { cursor } } }")
    assert zero.json()["data"]["models"] == {"totalCount": 0, "edges": []}
    text = await post(client, "query($n: Int!) { models(first: $n) { totalCount } }", {"n": "x"})
    assert codes(text) == ["BAD_USER_INPUT"]  # variable coercion, as before


# --------------------------------------------------------------------------- body size


async def test_a_body_over_the_limit_is_refused_with_413_before_it_is_parsed(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(max_body_bytes=2048)
    padding = "x" * 4096
    response = await client.post(
        "/graphql",
        json={"query": "{ about { serviceVersion } }", "variables": {"pad": padding}},
    )
    assert response.status_code == 413
    assert codes(response) == ["PAYLOAD_TOO_LARGE"]
    assert response.json()["errors"][0]["extensions"]["maximum"] == 2048
    not_json = await client.post(
        "/graphql", content=b"{" * 5000, headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 413  # refused unread: never reaches the JSON parser

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ about { serviceVersion } }", "variables": {"pad": "'
        for _ in range(10):
            yield b"y" * 512
        yield b'"}}'

    streamed = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert codes(streamed) == ["PAYLOAD_TOO_LARGE"]
    small = await post(client, "{ about { serviceVersion } }")
    assert small.status_code == 200 and "errors" not in small.json()


# --------------------------------------------------------------------------- timeout


async def test_the_graph_stops_a_transaction_at_its_timeout(
    graph: Graph, neo4j: Neo4jTarget
) -> None:
    capped = Graph(graph.driver, graph.database, timeout=0.5)

    async def in_transaction(tx: Transaction) -> list[dict[str, Any]]:
        return await tx.run(SLOW_CYPHER)

    works: list[Callable[[], Awaitable[Any]]] = [
        lambda: capped.read(SLOW_CYPHER),
        lambda: capped.write(SLOW_CYPHER),
        lambda: capped.write_tx(in_transaction),
    ]
    for work in works:
        started = time.monotonic()
        with pytest.raises(ClientError) as raised:
            await asyncio.wait_for(work(), timeout=30)
        assert raised.value.code is not None
        assert raised.value.code.startswith("Neo.ClientError.Transaction.TransactionTimedOut")
        assert time.monotonic() - started < 10


async def test_a_request_that_runs_too_long_answers_timeout(
    make_client: Callable[..., httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelatlas.graph import admin

    async def slow_components(graph: Graph) -> tuple[str, str, str]:
        await graph.read(SLOW_CYPHER)  # stands in for a read gone pathological
        return "Neo4j Kernel", "0", "community"

    monkeypatch.setattr(admin, "server_components", slow_components)
    client = make_client(query_timeout_s=0.5)
    started = time.monotonic()
    response = await asyncio.wait_for(post(client, "{ about { serviceVersion } }"), timeout=30)
    elapsed = time.monotonic() - started
    assert elapsed < 10
    assert codes(response) == ["TIMEOUT"]
    error = response.json()["errors"][0]
    assert error["path"] == ["about"]
    assert error["extensions"]["timeoutSeconds"] == 0.5
    assert "0.5 s" in error["message"]


# --------------------------------------------------------------------------- plumbing


async def test_the_limits_keep_validation_cached(
    make_client: Callable[..., httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    validated: list[str] = []
    real = limits.validate_document

    def counting(*args: Any) -> Any:
        validated.append(args[1].definitions[0].name.value)
        return real(*args)

    monkeypatch.setattr(limits, "validate_document", counting)
    name = f"CachedOnce{time.monotonic_ns()}"  # a text no earlier test sent
    for _ in range(4):
        assert (
            "errors"
            not in (await post(client, f"query {name} {{ about {{ serviceVersion }} }}")).json()
        )
    assert validated == [name]
    bad = f"query {name}Bad {{ about {{ noSuchField }} }}"
    for _ in range(2):  # errors are remembered too, and answered the same
        assert "noSuchField" in (await post(client, bad)).json()["errors"][0]["message"]
    assert validated == [name, f"{name}Bad"]


def test_limit_defaults_are_the_settings_defaults() -> None:
    fields = Settings.model_fields
    defaults = QueryLimits()
    assert defaults.max_depth == fields["max_query_depth"].default
    assert defaults.max_aliases == fields["max_aliases"].default
    assert defaults.max_tokens == fields["max_query_tokens"].default
    assert defaults.max_cost == fields["max_query_cost"].default
    assert defaults.timeout_s == fields["query_timeout_s"].default
