"""The one gateway from Python to Cypher: managed transactions, routing, and round-trip counts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, LiteralString, TypeVar

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl

T = TypeVar("T")
Row = dict[str, Any]


@dataclass
class RoundTrips:
    """How many Cypher statements one unit of work sent (used to prove there is no N+1)."""

    count: int = 0


_round_trips: ContextVar[RoundTrips | None] = ContextVar("round_trips", default=None)


@contextmanager
def count_round_trips() -> Iterator[RoundTrips]:
    """Count the Cypher statements sent by this task (and tasks it starts) inside the block."""
    counter = RoundTrips()
    token = _round_trips.set(counter)
    try:
        yield counter
    finally:
        _round_trips.reset(token)


def _note_round_trip() -> None:
    counter = _round_trips.get()
    if counter is not None:
        counter.count += 1


class Graph:
    """Runs parameterised Cypher as read or write managed transactions (retried when transient)."""

    def __init__(self, driver: AsyncDriver, database: str = "neo4j") -> None:
        """Wrap the process's one driver for one database."""
        self.driver = driver
        self.database = database

    async def read(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One read statement, routed to readers, as a list of row dicts."""
        _note_round_trip()
        records, _, _ = await self.driver.execute_query(
            query, dict(params or {}), database_=self.database, routing_=RoutingControl.READ
        )
        return [record.data() for record in records]

    async def write(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One write statement in its own managed transaction."""
        _note_round_trip()
        records, _, _ = await self.driver.execute_query(
            query, dict(params or {}), database_=self.database, routing_=RoutingControl.WRITE
        )
        return [record.data() for record in records]

    async def write_tx(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Several statements in one write transaction, retried as a whole on transient errors."""
        async with self.driver.session(database=self.database) as session:
            return await session.execute_write(lambda tx: work(Transaction(tx)))

    async def autocommit(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> None:
        """A statement that manages its own transactions (schema changes, IN TRANSACTIONS)."""
        _note_round_trip()
        async with self.driver.session(database=self.database) as session:
            result = await session.run(query, dict(params or {}))
            await result.consume()

    async def ping(self) -> None:
        """Raise unless the server answers."""
        await self.driver.verify_connectivity()


class Transaction:
    """A managed write transaction that counts its statements."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        """Wrap the driver's transaction."""
        self._tx = tx

    async def run(self, query: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        """One statement inside the transaction."""
        _note_round_trip()
        result = await self._tx.run(query, dict(params or {}))
        return [record.data() async for record in result]
