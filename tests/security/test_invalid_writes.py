"""A table of invalid writes through the GraphQL mutations: bad dates, negative numbers, unknown
references, wrong enums, missing sources, oversized lists. Each is refused with its code and
the offending field named in `extensions.field`, and nothing at all is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from modelatlas.api import create_app
from modelatlas.api.auth import Role, new_key
from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.domain import (
    MAX_LIST_ITEMS,
    MAX_SLUG_LENGTH,
    Benchmark,
    Dataset,
    Model,
    Organization,
    Source,
)
from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data, fingerprint
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

ADMIN_KEY, ADMIN_ENTRY = new_key(Role.ADMIN)
ADMIN = {"authorization": f"Bearer {ADMIN_KEY}"}
MAX_BATCH = 20
SOURCE = "https://example.org/base"
TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()

UPSERT = {
    kind: f"mutation($input: {kind}Input!) {{ upsert{kind}(input: $input) {{ key }} }}"
    for kind in ("Source", "Country", "Organization", "Model", "Benchmark", "Release")
} | {
    "Claim": "mutation($input: ClaimInput!) { upsertClaim(input: $input) { key } }",
    "Result": "mutation($input: ResultInput!) { upsertResult(input: $input) { key } }",
    "MarketEvent": (
        "mutation($input: MarketEventInput!) { upsertMarketEvent(input: $input) { key } }"
    ),
    "Models": "mutation($input: [ModelInput!]!) { upsertModels(input: $input) { keys } }",
    "Sources": "mutation($input: [SourceInput!]!) { upsertSources(input: $input) { keys } }",
    "Dataset": "mutation($input: DatasetInput!) { upsertDataset(input: $input) { keys } }",
}

CLAIM = {
    "id": "new-claim",
    "kind": "OUTPERFORMS",
    "statement": "Base-1 beats Base-2",
    "claimedBy": "base-lab",
    "subject": "base-1",
    "against": ["base-2"],
    "sources": [SOURCE],
}
RESULT = {
    "id": "new-result",
    "model": "base-1",
    "benchmark": "base-bench",
    "score": 50.0,
    "sources": [SOURCE],
}
EVENT = {
    "id": "new-event",
    "kind": "FUNDING",
    "date": "2025-01-02",
    "description": "Base Lab raises money",
    "magnitude": 10.0,
    "unit": "MUSD",
    "affected": ["base-lab"],
    "sources": [SOURCE],
}
RELEASE = {
    "slug": "new-release",
    "title": "A release",
    "announcedBy": ["base-lab"],
    "introduced": ["base-1"],
    "sources": [SOURCE],
}


@dataclass(frozen=True)
class Case:
    """One invalid write: the mutation, its input, and the field and code it must be refused
    with (`field` may be a prefix, and any of the problems when several are listed)."""

    name: str
    mutation: str
    input: Any
    field: str
    code: str = "BAD_USER_INPUT"
    headers: dict[str, str] = field(default_factory=lambda: ADMIN)


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a valid input with some fields changed (None removes one)."""
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not None}


CASES = [
    # Dates: in the future, malformed, impossible, or not dates at all.
    Case("future release date", "Model", {"name": "M", "releasedOn": TOMORROW}, "input.releasedOn"),
    Case("future claim date", "Claim", with_(CLAIM, madeOn="2999-01-01"), "input.madeOn"),
    Case("future event date", "MarketEvent", with_(EVENT, date=TOMORROW), "input.date"),
    Case("future measurement", "Result", with_(RESULT, measuredOn=TOMORROW), "input.measuredOn"),
    Case(
        "future publication",
        "Source",
        {"url": SOURCE + "/x", "publishedOn": TOMORROW},
        "input.publishedOn",
    ),
    Case("malformed date", "Model", {"name": "M", "releasedOn": "2024-13-45"}, "input.releasedOn"),
    Case("impossible date", "Release", with_(RELEASE, date="2023-02-29"), "input.date"),
    Case("date as words", "MarketEvent", with_(EVENT, date="yesterday"), "input.date"),
    Case("date as a number", "Model", {"name": "M", "releasedOn": 20240101}, "input.releasedOn"),
    Case(
        "timestamp for a date", "Claim", with_(CLAIM, madeOn="2024-01-01T10:00:00Z"), "input.madeOn"
    ),
    # Numbers: negative, fractional where whole, of the wrong type.
    Case("negative parameters", "Model", {"name": "M", "parameters": -7e9}, "input.parameters"),
    Case("fractional parameters", "Model", {"name": "M", "parameters": 7.5}, "input.parameters"),
    Case("parameters beyond int64", "Model", {"name": "M", "parameters": 1e30}, "input.parameters"),
    Case(
        "negative compute",
        "Model",
        {"name": "M", "trainingComputeFlop": -1.0},
        "input.trainingComputeFlop",
    ),
    Case("parameters as text", "Model", {"name": "M", "parameters": "lots"}, "input.parameters"),
    Case("negative score", "Result", with_(RESULT, score=-0.5), "input.score"),
    Case(
        "negative claimed score",
        "Claim",
        with_(CLAIM, benchmark="base-bench", score=-3.0),
        "input.score",
    ),
    Case("magnitude without unit", "MarketEvent", with_(EVENT, unit=None), "input.unit"),
    # References to records that exist neither in the write nor in the graph.
    Case(
        "unknown developer",
        "Model",
        {"name": "M", "developers": ["no-such-lab"]},
        "input.developers",
    ),
    Case(
        "unknown parent model",
        "Model",
        {"name": "M", "derivedFrom": ["no-such-model"]},
        "input.derivedFrom",
    ),
    Case("unknown variant target", "Model", {"name": "M", "variantOf": "ghost"}, "input.variantOf"),
    Case("unknown claimant", "Claim", with_(CLAIM, claimedBy="ghost-lab"), "input.claimedBy"),
    Case("unknown subject", "Claim", with_(CLAIM, subject="ghost"), "input.subject"),
    Case("unknown compared model", "Claim", with_(CLAIM, against=["ghost"]), "input.against"),
    Case("unknown benchmark", "Result", with_(RESULT, benchmark="ghost-bench"), "input.benchmark"),
    Case(
        "unknown source",
        "Claim",
        with_(CLAIM, sources=["https://example.org/ghost"]),
        "input.sources",
    ),
    Case(
        "unknown parent organization",
        "Organization",
        {"name": "O", "partOf": "ghost"},
        "input.partOf",
    ),
    Case(
        "unknown affected organization",
        "MarketEvent",
        with_(EVENT, affected=["ghost"]),
        "input.affected",
    ),
    Case(
        "unknown reference deep in a dataset",
        "Dataset",
        {"models": [{"name": "Ok"}, {"name": "Bad", "developers": ["ghost"]}]},
        "input.models[1].developers",
    ),
    # Enums that do not exist.
    Case(
        "wrong accessibility",
        "Model",
        {"name": "M", "accessibility": "OPENISH"},
        "input.accessibility",
    ),
    Case("wrong claim kind", "Claim", with_(CLAIM, kind="BEATS"), "input.kind"),
    Case("wrong claim status", "Claim", with_(CLAIM, status="TRUE"), "input.status"),
    Case("wrong event kind", "MarketEvent", with_(EVENT, kind="RUMOUR"), "input.kind"),
    Case("wrong organization kind", "Organization", {"name": "O", "kind": 3}, "input.kind"),
    # Facts without sources.
    Case("claim without sources", "Claim", with_(CLAIM, sources=None), "input.sources"),
    Case("claim with no source", "Claim", with_(CLAIM, sources=[]), "input.sources"),
    Case("result with no source", "Result", with_(RESULT, sources=[]), "input.sources"),
    Case("event with no source", "MarketEvent", with_(EVENT, sources=[]), "input.sources"),
    Case("release with no source", "Release", with_(RELEASE, sources=[]), "input.sources"),
    Case("source that is no URL", "Claim", with_(CLAIM, sources=["not a url"]), "input.sources[0]"),
    # Oversized lists and values.
    Case(
        "too many aliases",
        "Model",
        {"name": "M", "aliases": [f"a{i}" for i in range(MAX_LIST_ITEMS + 1)]},
        "input.aliases",
    ),
    Case(
        "too many modalities",
        "Model",
        {"name": "M", "modalities": [f"m{i}" for i in range(MAX_LIST_ITEMS + 1)]},
        "input.modalities",
    ),
    Case(
        "too many compared models",
        "Claim",
        with_(CLAIM, against=[f"m{i}" for i in range(MAX_LIST_ITEMS + 1)]),
        "input.against",
    ),
    Case(
        "batch over the limit",
        "Sources",
        [{"url": f"{SOURCE}/{i}"} for i in range(MAX_BATCH + 1)],
        "input",
    ),
    Case(
        "dataset over the limit",
        "Dataset",
        {"sources": [{"url": f"{SOURCE}/{i}"} for i in range(MAX_BATCH + 1)]},
        "input",
    ),
    Case(
        "slug too long", "Model", {"name": "M", "slug": "x" * (MAX_SLUG_LENGTH + 1)}, "input.slug"
    ),
    Case("name too long", "Organization", {"name": "O" * 301}, "input.name"),
    # Other shapes of bad data.
    Case("blank name", "Organization", {"name": "   "}, "input.name"),
    Case("unknown country", "Organization", {"name": "O", "country": "XX"}, "input.country"),
    Case("javascript url", "Source", {"url": "javascript:alert(1)"}, "input.url"),
    Case("comparison with nothing", "Claim", with_(CLAIM, against=[]), "input.against"),
    Case("compared with itself", "Claim", with_(CLAIM, against=["base-1"]), "input.against"),
    Case(
        "second of a batch invalid",
        "Models",
        [{"name": "Fine"}, {"name": "Broken", "parameters": -1}],
        "input[1].parameters",
    ),
    Case(
        "same key twice in a batch", "Models", [{"name": "Twin"}, {"name": "twin"}], "input[1].slug"
    ),
    Case("unknown input field", "Model", {"name": "M", "weights": "open"}, "input"),
    Case("missing required field", "Model", {"parameters": 5}, "input.name"),
    # A valid write without the right to make it.
    Case("no key", "Model", {"name": "M"}, "", code="UNAUTHENTICATED", headers={}),
]


@pytest.fixture(scope="module")
async def base(neo4j: Neo4jTarget, test_settings: Settings) -> AsyncIterator[Graph]:
    """A small graph every case can refer to (a lab, two models, a benchmark and a source),
    written once: no case may change it."""
    driver = make_driver(neo4j, test_settings)
    graph = Graph(driver, neo4j.database)
    await clear_data(graph)
    await KnowledgeGraph(graph).upsert(
        Dataset(
            sources=[Source(url=SOURCE, title="Base")],
            organizations=[Organization(slug="base-lab", name="Base Lab", country="FR")],
            models=[
                Model(slug="base-1", name="Base-1", developers=["base-lab"]),
                Model(slug="base-2", name="Base-2", developers=["base-lab"]),
            ],
            benchmarks=[Benchmark(slug="base-bench", name="Base Bench")],
        )
    )
    try:
        yield graph
    finally:
        await driver.close()


@pytest.fixture(scope="module")
async def client(base: Graph, test_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app over the base graph, with an admin key and a small batch limit."""
    settings = test_settings.model_copy(
        update={"api_keys": [ADMIN_ENTRY], "max_mutation_batch": MAX_BATCH}
    )
    app = create_app(settings, driver=base.driver)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://atlas") as http:
        yield http


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_invalid_write_is_refused_naming_the_field(
    client: httpx.AsyncClient, base: Graph, case: Case
) -> None:
    before = await fingerprint(base)
    response = await client.post(
        "/graphql",
        json={"query": UPSERT[case.mutation], "variables": {"input": case.input}},
        headers=case.headers,
    )
    assert response.status_code < 500, response.text
    body = response.json()
    assert body.get("errors"), body
    assert not (body.get("data") or {}).get(next(iter(body.get("data") or {"": None}))), body
    error = body["errors"][0]
    extensions = error["extensions"]
    assert extensions["code"] == case.code, error
    if case.field:
        named = [extensions.get("field")] + [p["field"] for p in extensions.get("problems", [])]
        assert any(str(f).startswith(case.field) for f in named if f is not None), error
    assert await fingerprint(base) == before, "a refused write changed the graph"


async def test_the_base_inputs_are_valid(client: httpx.AsyncClient) -> None:
    """The cases above fail for the one reason they name: the inputs they vary are accepted."""
    for mutation, value in [
        ("Claim", CLAIM),
        ("Result", RESULT),
        ("MarketEvent", EVENT),
        ("Release", RELEASE),
        ("Model", {"name": "M", "releasedOn": "2024-01-01", "parameters": 7e9}),
    ]:
        response = await client.post(
            "/graphql",
            json={"query": UPSERT[mutation], "variables": {"input": value}},
            headers=ADMIN,
        )
        assert "errors" not in response.json(), (mutation, response.json())
