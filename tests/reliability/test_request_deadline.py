"""A request's overall deadline (MODELATLAS_REQUEST_TIMEOUT_S): however many Neo4j round trips
a GraphQL request makes, its Neo4j work stops when the deadline passes, with a TIMEOUT error
(no 500), and a mutation stopped by it writes nothing at all, not even the parts it had done."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from modelatlas.api.auth import Role, new_key
from modelatlas.config import Settings
from modelatlas.domain import Claim, ClaimKind, Dataset, Model, Organization, Source
from modelatlas.graph import Graph, count_round_trips
from modelatlas.graph.admin import fingerprint
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

EDITOR_KEY, EDITOR_ENTRY = new_key(Role.EDITOR)
EDITOR = {"authorization": f"Bearer {EDITOR_KEY}"}
SLOW_CYPHER = "UNWIND range(1, 100000000000) AS x RETURN count(x) AS n"
"""Counts to 10^11: minutes of work that only a timeout stops."""
NESTED = """
{ organizations(first: 10) { edges { node { slug
    models(first: 10) { edges { node { slug
      claims(first: 10) { edges { node { id sources { url } } } } } } } } } } }
"""
"""Four round trips when it runs: organizations, their models, the models' claims, sources."""


@pytest.fixture
def make_client(make_client: Callable[..., httpx.AsyncClient]) -> Callable[..., httpx.AsyncClient]:
    """The shared client factory, with an editor key."""
    return lambda **overrides: make_client(**{"api_keys": [EDITOR_ENTRY], **overrides})


async def _seed_nested(graph: Graph) -> None:
    await KnowledgeGraph(graph).upsert(
        Dataset(
            sources=[Source(url="https://example.org/r")],
            organizations=[Organization(slug=f"lab-{o}", name=f"Lab {o}") for o in range(3)],
            models=[
                Model(slug=f"lab-{o}-m{m}", name=f"Lab {o} M{m}", developers=[f"lab-{o}"])
                for o in range(3)
                for m in range(3)
            ],
            claims=[
                Claim(
                    id=f"lab-{o}-m{m}-c",
                    kind=ClaimKind.OTHER,
                    statement="A claim.",
                    claimed_by=f"lab-{o}",
                    subject=f"lab-{o}-m{m}",
                    sources=["https://example.org/r"],
                )
                for o in range(3)
                for m in range(3)
            ],
        )
    )


def _timeouts(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = body.get("errors", [])
    assert errors, body
    codes = {e["extensions"]["code"] for e in errors}
    assert codes == {"TIMEOUT"}, errors  # never INTERNAL_SERVER_ERROR or SERVICE_UNAVAILABLE
    return errors


TINY = 1e-6
"""A deadline over before the first Neo4j call (1 ms was not: cached parsing, validation and
cost estimation can reach the first read within a millisecond)."""


async def test_a_nested_read_answers_timeout_once_its_deadline_has_passed(
    graph: Graph, make_client: Callable[..., httpx.AsyncClient]
) -> None:
    await _seed_nested(graph)
    ample = make_client()
    with count_round_trips() as trips:
        whole = await ample.post("/graphql", json={"query": NESTED})
    assert whole.status_code == 200 and "errors" not in whole.json(), whole.text
    assert trips.count == 3  # organizations, models, claims (+ their sources, read along)

    tiny = make_client(request_timeout_s=TINY)  # gone before the first round trip
    with count_round_trips() as trips:
        response = await tiny.post("/graphql", json={"query": NESTED})
    assert response.status_code == 200  # like every error met while executing
    body = response.json()
    assert body["data"] is None  # `organizations` is non-null, so the null reaches the root
    (error,) = _timeouts(body)
    assert error["path"] == ["organizations"]
    assert error["extensions"]["timeoutSeconds"] == TINY
    assert error["extensions"]["scope"] == "request"
    assert f"{TINY:g} s" in error["message"]
    assert trips.count == 0  # nothing was sent to Neo4j after the deadline


async def test_a_slow_read_stops_at_the_request_deadline_not_the_query_timeout(
    make_client: Callable[..., httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelatlas.graph import admin

    async def slow_components(graph: Graph) -> tuple[str, str, str]:
        await graph.read("RETURN 1 AS one")  # a first, quick round trip
        await graph.read(SLOW_CYPHER)  # then one that would run for minutes
        return "Neo4j Kernel", "0", "community"

    monkeypatch.setattr(admin, "server_components", slow_components)
    client = make_client(query_timeout_s=30.0, request_timeout_s=1.0)
    started = time.monotonic()
    response = await asyncio.wait_for(
        client.post("/graphql", json={"query": "{ about { serviceVersion } }"}), timeout=60
    )
    elapsed = time.monotonic() - started
    assert elapsed < 8, elapsed  # the 1 s deadline stopped it, not the 30 s query timeout
    assert response.status_code == 200
    (error,) = _timeouts(response.json())
    assert error["path"] == ["about"]
    assert error["extensions"] == {"code": "TIMEOUT", "timeoutSeconds": 1.0, "scope": "request"}


UPSERT_DATASET = """
mutation($input: DatasetInput!) { upsertDataset(input: $input) { created updated keys } }
"""


async def test_a_mutation_stopped_by_its_deadline_writes_nothing(
    graph: Graph, make_client: Callable[..., httpx.AsyncClient]
) -> None:
    """A mutation of two kinds (a new lab, then a model it develops) whose second write waits on
    a lock held elsewhere: the deadline stops it, and the lab written before is not kept
    either, because the whole mutation is one transaction. The time went on waiting for the
    lock, so the client hears of the conflict (retryable), not of a slow query."""
    await KnowledgeGraph(graph).upsert(Dataset(models=[Model(slug="held", name="Held")]))
    before = await fingerprint(graph)
    client = make_client(query_timeout_s=30.0, request_timeout_s=1.5)
    dataset = {
        "organizations": [{"name": "Deadline Lab"}],
        "models": [{"slug": "held", "name": "Held", "developers": ["deadline-lab"]}],
    }
    async with graph.driver.session(database=graph.database) as session:
        holder = await session.begin_transaction()
        try:  # another writer holds the model's lock, so the mutation's write has to wait
            await (await holder.run("MATCH (m:Model {slug: 'held'}) SET m.heldBy = 1")).consume()
            started = time.monotonic()
            response = await asyncio.wait_for(
                client.post(
                    "/graphql",
                    json={"query": UPSERT_DATASET, "variables": {"input": dataset}},
                    headers=EDITOR,
                ),
                timeout=60,
            )
            elapsed = time.monotonic() - started
        finally:
            await holder.rollback()
    assert elapsed < 10, elapsed
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["path"] == ["upsertDataset"]
    assert error["extensions"]["code"] == "WRITE_CONFLICT", error
    assert error["extensions"]["retryable"] is True
    assert await fingerprint(graph) == before, "a mutation stopped by its deadline wrote a part"
    labs = await graph.read("MATCH (o:Organization {slug: 'deadline-lab'}) RETURN o.slug AS s")
    assert labs == []

    # Without the lock the same mutation goes through, all of it.
    done = await client.post(
        "/graphql", json={"query": UPSERT_DATASET, "variables": {"input": dataset}}, headers=EDITOR
    )
    assert done.json()["data"]["upsertDataset"]["keys"] == ["deadline-lab", "held"], done.text
    developers = await graph.read(
        "MATCH (:Organization {slug: 'deadline-lab'})-[:DEVELOPED]->(m:Model) RETURN m.slug AS s"
    )
    assert developers == [{"s": "held"}]


async def test_a_graph_starts_nothing_after_its_deadline(graph: Graph) -> None:
    from modelatlas.graph import DeadlineExceeded
    from modelatlas.graph.core import Transaction

    expired = graph.with_deadline(0.001)
    await asyncio.sleep(0.01)

    async def work(tx: Transaction) -> list[dict[str, Any]]:
        return await tx.run("CREATE (:Model {slug: 'late', name: 'Late'})")

    with count_round_trips() as trips:
        for call in (
            lambda: expired.read("RETURN 1 AS one"),
            lambda: expired.write("CREATE (:Model {slug: 'late', name: 'Late'})"),
            lambda: expired.write_tx(work),
            lambda: expired.atomically(lambda g: g.write("CREATE (:Model {slug: 'late'})")),
        ):
            with pytest.raises(DeadlineExceeded):
                await call()
    assert trips.count == 0
    assert await graph.read("MATCH (m:Model {slug: 'late'}) RETURN m") == []


def test_the_request_timeout_is_never_shorter_than_the_query_timeout() -> None:
    defaults = Settings()
    assert defaults.request_timeout_s == 15.0
    assert defaults.request_timeout_s >= defaults.query_timeout_s
    raised = Settings(MODELATLAS_QUERY_TIMEOUT_S=30)
    assert raised.request_timeout_s == 30.0  # left unset, it follows a longer query timeout
    with pytest.raises(ValidationError, match="MODELATLAS_REQUEST_TIMEOUT_S"):
        Settings(MODELATLAS_QUERY_TIMEOUT_S=30, MODELATLAS_REQUEST_TIMEOUT_S=20)
    assert Settings(MODELATLAS_REQUEST_TIMEOUT_S=0).request_timeout_s == 0  # no overall limit
