"""Writes that other transactions' locks stop: retried as a whole while the request's budget
lasts, then a retryable WRITE_CONFLICT, never a half-written mutation or an internal error.

Each test forces two writers onto the same records, one of them an explicit transaction held
open, on the session's real Neo4j. Waits are bounded by events and polls, not by how fast the
machine is: margins are seconds where the work takes milliseconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncTransaction
from prometheus_client.parser import text_string_to_metric_families

from modelatlas.api.auth import Role, new_key
from modelatlas.db.connection import Neo4jTarget
from modelatlas.graph import Graph
from modelatlas.graph.core import LOCK_CODES, WriteConflict, observe_queries

pytestmark = pytest.mark.anyio

MUTATION = """
mutation($input: DatasetInput!) {
  upsertDataset(input: $input) { created updated keys }
}"""
SEED = {"models": [{"slug": "held", "name": "Held"}]}
CHANGE = {
    # Written in dependency order: the source and the organization first (new nodes), then the
    # model the holder keeps locked.
    "sources": [{"url": "https://example.org/lock-race", "title": "Lock race"}],
    "organizations": [{"slug": "lockers", "name": "Lockers"}],
    "models": [{"slug": "held", "name": "Held (renamed)", "developers": ["lockers"]}],
}
STATE = """
OPTIONAL MATCH (s:Source {url: 'https://example.org/lock-race'})
OPTIONAL MATCH (o:Organization {slug: 'lockers'})
OPTIONAL MATCH (m:Model {slug: 'held'})
RETURN s.title AS source, o.name AS organization, m.name AS model, m.holder AS holder,
       [(d)-[:DEVELOPED]->(m) | d.slug] AS developers
"""
UNTOUCHED = {
    "source": None,
    "organization": None,
    "model": "Held",
    "holder": None,
    "developers": [],
}
CHANGED = {
    "source": "Lock race",
    "organization": "Lockers",
    "model": "Held (renamed)",
    "developers": ["lockers"],
}


def retries(metrics_text: str) -> float:
    """Writes retried over locks, in all, as /metrics reports them."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
        if sample.name == "modelatlas_write_retries_total"
    )


@asynccontextmanager
async def holder_of(neo4j: Neo4jTarget, statement: str) -> AsyncIterator[AsyncTransaction]:
    """An explicit transaction that has run `statement` (its locks taken) and stays open."""
    async with (
        AsyncGraphDatabase.driver(neo4j.uri, auth=(neo4j.user, neo4j.password)) as driver,
        driver.session(database=neo4j.database) as session,
    ):
        tx = await session.begin_transaction()
        try:
            await (await tx.run(statement)).consume()
            yield tx
        finally:
            if not tx.closed():
                await tx.rollback()


async def editor_client(
    make_client: Any, **settings: Any
) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """A client of an app with these settings, an editor's headers, and the seed written."""
    key, entry = new_key(Role.EDITOR)
    headers = {"authorization": f"Bearer {key}"}
    client = make_client(api_keys=[entry], **settings)
    seeder = make_client(api_keys=[entry])  # default timeouts: the seed is not under test
    seeded = await seeder.post(
        "/graphql", json={"query": MUTATION, "variables": {"input": SEED}}, headers=headers
    )
    assert seeded.json().get("errors") is None, seeded.json()
    return client, headers


async def until(check: Callable[[], Awaitable[bool]], seconds: float) -> bool:
    """Poll `check` every 50 ms until it holds or `seconds` have passed."""
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_write_behind_a_briefly_held_lock_is_retried_and_lands_whole(
    make_client: Any, neo4j: Neo4jTarget, graph: Graph
) -> None:
    """The holder outlasts the writer's transaction timeout (4 s) but not its request budget
    (40 s): the writer's transaction is stopped while it waits, is run again, and once the
    holder commits the mutation lands whole, over the holder's change."""
    client, editor = await editor_client(make_client, query_timeout_s=4, request_timeout_s=40)

    async def retried() -> bool:
        return retries((await client.get("/metrics")).text) >= 1

    async with holder_of(neo4j, "MATCH (m:Model {slug: 'held'}) SET m.name = 'Holder'") as held:

        async def release_after_a_retry() -> None:
            await until(retried, 35)  # the writer was stopped and retried while held
            await held.commit()

        releasing = asyncio.create_task(release_after_a_retry())
        response = await client.post(
            "/graphql", json={"query": MUTATION, "variables": {"input": CHANGE}}, headers=editor
        )
        await releasing
    body = response.json()
    assert body.get("errors") is None, body
    assert body["data"]["upsertDataset"]["created"] == 2  # the source and the organization
    assert retries((await client.get("/metrics")).text) >= 1
    (state,) = await graph.read(STATE)
    assert state == {**CHANGED, "holder": None}


@pytest.mark.parametrize(
    ("query_timeout_s", "request_timeout_s", "retried"),
    [
        pytest.param(4, 14, True, id="transaction-timeout-shorter-than-the-request"),
        pytest.param(6, 6, False, id="transaction-timeout-as-long-as-the-request"),
    ],
)
async def test_a_write_behind_a_lock_held_past_the_budget_is_a_retryable_conflict(
    make_client: Any,
    neo4j: Neo4jTarget,
    graph: Graph,
    query_timeout_s: float,
    request_timeout_s: float,
    retried: bool,
) -> None:
    """The holder outlasts the request's whole budget: WRITE_CONFLICT with the retry hint
    (never INTERNAL_SERVER_ERROR, nor the deadline's TIMEOUT: the time went on lock waits),
    and none of the mutation is in Neo4j, not even the records written before the held one.
    With a transaction timeout shorter than the request the write was retried first; once the
    holder is gone the same request succeeds."""
    client, editor = await editor_client(
        make_client, query_timeout_s=query_timeout_s, request_timeout_s=request_timeout_s
    )
    request = {"query": MUTATION, "variables": {"input": CHANGE}}
    async with holder_of(neo4j, "MATCH (m:Model {slug: 'held'}) SET m.holder = true"):
        response = await client.post("/graphql", json=request, headers=editor)
        (state,) = await graph.read(STATE)  # read while still held: nothing was committed
    body = response.json()
    assert body["data"] is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "WRITE_CONFLICT", error
    assert error["extensions"]["retryable"] is True
    assert error["extensions"]["retryAfterSeconds"] >= 1
    assert "nothing was written" in error["message"]
    assert state == UNTOUCHED
    assert (await graph.read(STATE)) == [UNTOUCHED]  # nor after the holder rolled back
    if retried:
        assert retries((await client.get("/metrics")).text) >= 1
    again = await client.post("/graphql", json=request, headers=editor)
    assert again.json().get("errors") is None, again.json()
    (state,) = await graph.read(STATE)
    assert state == {**CHANGED, "holder": None}


class _Retries:
    """A query observer that counts the writes retried over locks, by code."""

    def __init__(self) -> None:
        self.codes: list[str] = []

    def query_started(self) -> None:
        pass

    def query_finished(self, kind: str, seconds: float, error: BaseException | None) -> None:
        pass

    def write_retried(self, code: str) -> None:
        self.codes.append(code)


async def _blocked_transactions(driver: AsyncDriver, database: str) -> int:
    """Transactions of the server that wait for another's lock now."""
    records, _, _ = await driver.execute_query(
        "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n",
        database_=database,
    )
    return int(records[0]["n"])


async def test_a_deadlock_ends_with_both_writes_committed(graph: Graph, neo4j: Neo4jTarget) -> None:
    """Two writers lock two nodes in opposite order; the second to ask closes the cycle, and
    Neo4j stops it (DeadlockDetected). The other then holds both nodes for longer than the
    stopped writer's transaction timeout: the stopped writer is retried (past its deadlock,
    then past the held locks) until the first commits, and both writes are in the graph."""
    await graph.write("CREATE (:LockProbe {k: 'a'}), (:LockProbe {k: 'b'})")
    first_has_a = asyncio.Event()
    second_has_b = asyncio.Event()
    attempts = {"first": 0, "second": 0}

    async def first(g: Graph) -> None:
        attempts["first"] += 1
        await g.write("MATCH (n:LockProbe {k: 'a'}) SET n.first = true")
        if attempts["first"] == 1:
            first_has_a.set()
            await asyncio.wait_for(second_has_b.wait(), 20)
        await g.write("MATCH (n:LockProbe {k: 'b'}) SET n.first = true")
        await asyncio.sleep(12)  # holds both nodes, longer than the second's 5 s timeout

    async def first_waits() -> bool:
        return await _blocked_transactions(graph.driver, neo4j.database) >= 1

    async def second(g: Graph) -> None:
        attempts["second"] += 1
        if attempts["second"] == 1:
            await asyncio.wait_for(first_has_a.wait(), 20)
        await g.write("MATCH (n:LockProbe {k: 'b'}) SET n.second = true")
        if attempts["second"] == 1:
            second_has_b.set()
            # The first now waits for b: only then does the second ask for a.
            assert await until(first_waits, 3)
        await g.write("MATCH (n:LockProbe {k: 'a'}) SET n.second = true")

    counted = {"first": _Retries(), "second": _Retries()}
    # The first is like a CLI import (no timeout); the second like a request (5 s a
    # transaction, 60 s in all).
    with observe_queries(counted["first"]):
        one = asyncio.create_task(graph.atomically(first))
    with observe_queries(counted["second"]):
        two = asyncio.create_task(
            Graph(graph.driver, graph.database, timeout=5).with_deadline(60).atomically(second)
        )
    outcomes = await asyncio.gather(one, two, return_exceptions=True)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    rows = await graph.read(
        "MATCH (n:LockProbe) RETURN n.k AS k, n.first AS first, n.second AS second ORDER BY k"
    )
    assert rows == [
        {"k": "a", "first": True, "second": True},
        {"k": "b", "first": True, "second": True},
    ]
    stopped = counted["first"].codes + counted["second"].codes
    assert "Neo.TransientError.Transaction.DeadlockDetected" in stopped, counted
    assert set(stopped) <= LOCK_CODES
    assert len(stopped) >= 2, counted  # past the deadlock, then past the held nodes


async def test_a_write_outlasted_by_a_lock_raises_write_conflict(
    graph: Graph, neo4j: Neo4jTarget
) -> None:
    """At the graph layer (no GraphQL): a Graph with a deadline gives up with WriteConflict,
    raised from the lock error, after retrying; nothing of its transaction is committed."""
    await graph.write("CREATE (:LockProbe {k: 'held'})")
    bounded = Graph(graph.driver, graph.database, timeout=2).with_deadline(8)

    async def work(g: Graph) -> None:
        await g.write("CREATE (:LockProbe {k: 'new'})")
        await g.write("MATCH (n:LockProbe {k: 'held'}) SET n.written = true")

    async with holder_of(neo4j, "MATCH (n:LockProbe {k: 'held'}) SET n.holder = true"):
        with pytest.raises(WriteConflict) as raised:
            await bounded.atomically(work)
    assert raised.value.attempts >= 2
    assert raised.value.code in LOCK_CODES
    assert getattr(raised.value.__cause__, "code", None) in LOCK_CODES
    rows = await graph.read("MATCH (n:LockProbe) RETURN n.k AS k, n.written AS w ORDER BY k")
    assert rows == [{"k": "held", "w": None}]
