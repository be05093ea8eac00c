"""Access: production mode turns off GraphiQL and introspection, CORS admits only the listed
origins, and rate limits per key and per client address answer 429 with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from modelatlas.api import create_app
from modelatlas.api.auth import Role, new_key
from modelatlas.api.ratelimit import TokenBuckets
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.graph import Graph

pytestmark = pytest.mark.anyio

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
EDITOR = {"authorization": f"Bearer {EDITOR_KEY}"}
READ = "{ about { serviceVersion } }"
INTROSPECTION = "{ __schema { queryType { name } } }"
ALLOWED = "https://atlas.example.org"
REFUSED = "https://evil.example.com"


@pytest.fixture
async def make_client(
    graph: Graph, neo4j: Neo4jTarget, test_settings: Settings
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Build clients over apps with the given settings overrides; `client_address` sets the
    address the app sees, `same_app_as` reuses another client's app."""
    drivers = []
    clients: list[httpx.AsyncClient] = []
    apps: dict[int, Any] = {}

    def build(
        client_address: str = "127.0.0.1",
        *,
        same_app_as: httpx.AsyncClient | None = None,
        **overrides: Any,
    ) -> httpx.AsyncClient:
        if same_app_as is not None:
            app = apps[id(same_app_as)]
        else:
            settings = test_settings.model_copy(update={"api_keys": [EDITOR_ENTRY], **overrides})
            driver = make_driver(neo4j, settings)
            drivers.append(driver)
            app = create_app(settings, driver=driver)
        transport = httpx.ASGITransport(app=app, client=(client_address, 50000))
        http = httpx.AsyncClient(transport=transport, base_url="http://atlas")
        clients.append(http)
        apps[id(http)] = app
        return http

    yield build
    for http in clients:
        await http.aclose()
    for driver in drivers:
        await driver.close()


async def post(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers or {})


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


# --------------------------------------------------------------------------- production


async def test_development_serves_graphiql_and_introspection(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client()
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    schema = await post(client, INTROSPECTION)
    assert schema.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    "overrides", [{"env": "production"}, {"production": True}], ids=["env", "flag"]
)
async def test_production_turns_off_graphiql_and_introspection(
    make_client: Callable[..., httpx.AsyncClient], overrides: dict[str, Any]
) -> None:
    client = make_client(**overrides)
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()
    for query in (INTROSPECTION, '{ __type(name: "Model") { name } }'):
        response = await post(client, query)
        assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"], response.json()
        assert "introspection is turned off" in response.json()["errors"][0]["message"]
        assert "data" not in response.json()
    fragment = "{ ...Q } fragment Q on Query { __schema { types { name } } }"
    assert codes(await post(client, fragment)) == ["GRAPHQL_VALIDATION_FAILED"]
    ordinary = await post(client, "{ __typename about { serviceVersion } }")
    assert ordinary.json()["data"]["__typename"] == "Query"


def test_production_mode_settings() -> None:
    assert not Settings().is_production
    assert Settings(MODELATLAS_ENV="production").is_production
    assert Settings(MODELATLAS_ENV="Prod").is_production
    assert Settings(MODELATLAS_PRODUCTION="true").is_production
    assert not Settings(MODELATLAS_ENV="staging").is_production


# --------------------------------------------------------------------------- CORS


def preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_cors_admits_a_listed_origin(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(cors_origins=[ALLOWED])
    answer = await client.options("/graphql", headers=preflight(ALLOWED))
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed_headers = answer.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    response = await client.post("/graphql", json={"query": READ}, headers={"origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_cors_refuses_an_unlisted_origin(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(cors_origins=[ALLOWED])
    answer = await client.options("/graphql", headers=preflight(REFUSED))
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers
    response = await client.post("/graphql", json={"query": READ}, headers={"origin": REFUSED})
    assert "access-control-allow-origin" not in response.headers


async def test_no_cors_origins_by_default(make_client: Callable[..., httpx.AsyncClient]) -> None:
    client = make_client()
    answer = await client.options("/graphql", headers=preflight(ALLOWED))
    assert answer.status_code == 405
    assert "access-control-allow-origin" not in answer.headers
    response = await client.post("/graphql", json={"query": READ}, headers={"origin": ALLOWED})
    assert "access-control-allow-origin" not in response.headers


def test_cors_origins_are_checked() -> None:
    settings = Settings(MODELATLAS_CORS_ORIGINS=f"{ALLOWED}, http://localhost:5173/")
    assert settings.cors_origins == [ALLOWED, "http://localhost:5173"]
    for bad in ("atlas.example.org", "https://atlas.example.org/app", "ftp://x.org"):
        with pytest.raises(ValidationError):
            Settings(MODELATLAS_CORS_ORIGINS=bad)


# --------------------------------------------------------------------------- rate limits


async def test_an_address_over_its_rate_gets_429_with_retry_after(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(rate_limit_per_address=0.1, rate_limit_per_address_burst=3)
    for _ in range(3):
        assert (await post(client, READ)).status_code == 200
    refused = await post(client, READ)
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 9 <= retry_after <= 10  # a token comes back every 10 s
    assert refused.headers["content-type"].startswith("application/json")
    assert codes(refused) == ["RATE_LIMITED"]
    assert refused.json()["errors"][0]["extensions"]["retryAfter"] == retry_after
    assert refused.headers["x-request-id"]
    assert (await client.get("/healthz")).status_code == 200  # probes are never limited
    assert (await client.get("/readyz")).status_code == 200
    other = make_client("10.0.0.2", same_app_as=client)  # another address, its own bucket
    assert (await post(other, READ)).status_code == 200
    assert (await post(client, READ)).status_code == 429


async def test_a_key_has_its_own_bucket(make_client: Callable[..., httpx.AsyncClient]) -> None:
    client = make_client(
        rate_limit_per_key=0.01,
        rate_limit_per_key_burst=2,
        rate_limit_per_address=0.01,
        rate_limit_per_address_burst=4,
    )
    for _ in range(2):
        assert (await post(client, READ, EDITOR)).status_code == 200
    keyed = await post(client, READ, EDITOR)
    assert keyed.status_code == 429 and codes(keyed) == ["RATE_LIMITED"]
    # the same address without the key still has its own tokens
    for _ in range(4):
        assert (await post(client, READ)).status_code == 200
    assert (await post(client, READ)).status_code == 429
    # an invalid key spends the address's tokens, not a key's
    assert (await post(client, READ, {"authorization": "Bearer ma_wrong"})).status_code == 429


async def test_a_refusal_still_carries_cors_headers(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(
        cors_origins=[ALLOWED], rate_limit_per_address=0.01, rate_limit_per_address_burst=1
    )
    await post(client, READ, {"origin": ALLOWED})
    refused = await post(client, READ, {"origin": ALLOWED})
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in refused.headers["access-control-expose-headers"].lower()


async def test_rate_limits_can_be_turned_off(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    client = make_client(rate_limit_per_address=0, rate_limit_per_address_burst=1)
    for _ in range(20):
        assert (await client.get("/graphql", params={"query": READ})).status_code == 200


def test_buckets_refill_at_the_rate_up_to_the_burst() -> None:
    now = [0.0]
    buckets = TokenBuckets(2.0, 3, max_clients=2, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] = 0.25
    assert buckets.take("a") == pytest.approx(0.25)  # half a token back, half to go
    now[0] = 100.0
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]  # never above the burst
    assert buckets.take("a") > 0
    buckets.take("b")
    buckets.take("c")  # past max_clients: the least recently seen ("a") is forgotten
    assert len(buckets) == 2
    assert buckets.take("a") == 0.0
