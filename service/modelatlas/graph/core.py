"""The one gateway from Python to Cypher: managed transactions, routing, and round-trip counts."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Concatenate, Final, LiteralString, ParamSpec, Protocol, TypeVar

from neo4j import AsyncDriver, AsyncManagedTransaction, Query, RoutingControl, unit_of_work

T = TypeVar("T")
P = ParamSpec("P")
G = TypeVar("G", bound="Graph")
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


class QueryObserver(Protocol):
    """Told about every Neo4j call (the service's metrics implement it)."""

    def query_started(self) -> None:
        """A call began."""

    def query_finished(self, kind: str, seconds: float, error: BaseException | None) -> None:
        """A call of `kind` ended after `seconds`, with the exception if it raised."""


_observer: ContextVar[QueryObserver | None] = ContextVar("query_observer", default=None)


@contextmanager
def observe_queries(observer: QueryObserver) -> Iterator[None]:
    """Report the Neo4j calls of this task (and tasks it starts) inside the block."""
    token = _observer.set(observer)
    try:
        yield
    finally:
        _observer.reset(token)


_TIMED: Final = {
    "read": "read",
    "write": "write",
    "write_tx": "transaction",
    "autocommit": "autocommit",
}
"""Graph methods that talk to Neo4j -> the `kind` they are reported as."""


def _timed(
    kind: str, method: Callable[Concatenate[G, P], Awaitable[T]]
) -> Callable[Concatenate[G, P], Coroutine[Any, Any, T]]:
    """Wrap a Graph method so the current observer (if any) sees its duration and outcome;
    without an observer the cost is one context-variable lookup."""

    @functools.wraps(method)
    async def timed(self: G, /, *args: P.args, **kwargs: P.kwargs) -> T:
        observer = _observer.get()
        if observer is None:
            return await method(self, *args, **kwargs)
        observer.query_started()
        started = perf_counter()
        try:
            result = await method(self, *args, **kwargs)
        except BaseException as exc:
            observer.query_finished(kind, perf_counter() - started, exc)
            raise
        observer.query_finished(kind, perf_counter() - started, None)
        return result

    timed.__dict__["_timed"] = True
    return timed


def _time_methods(cls: type[Graph]) -> None:
    """Time the Neo4j methods a class defines itself (not inherited, not already timed)."""
    for name, kind in _TIMED.items():
        method = cls.__dict__.get(name)
        if callable(method) and not getattr(method, "_timed", False):
            setattr(cls, name, _timed(kind, method))


class Graph:
    """Runs parameterised Cypher as read or write managed transactions (retried when transient)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Time a subclass's own Neo4j methods too (BookmarkedGraph overrides them all)."""
        super().__init_subclass__(**kwargs)
        _time_methods(cls)

    def __init__(
        self, driver: AsyncDriver, database: str = "neo4j", *, timeout: float | None = None
    ) -> None:
        """Wrap the process's one driver for one database; with `timeout` (seconds) Neo4j
        stops any read or write transaction that runs longer (the service's per-request cap)."""
        self.driver = driver
        self.database = database
        self.timeout = timeout or None

    def statement(self, query: LiteralString) -> LiteralString | Query:
        """The query as sent to Neo4j: with the transaction timeout, when there is one."""
        return query if self.timeout is None else Query(query, timeout=self.timeout)

    def unit_of_work(self, work: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        """A transaction function with the transaction timeout, when there is one."""
        return work if self.timeout is None else unit_of_work(timeout=self.timeout)(work)

    async def read(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One read statement, routed to readers, as a list of row dicts."""
        _note_round_trip()
        records, _, _ = await self.driver.execute_query(
            self.statement(query),
            dict(params or {}),
            database_=self.database,
            routing_=RoutingControl.READ,
        )
        return [record.data() for record in records]

    async def write(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One write statement in its own managed transaction."""
        _note_round_trip()
        records, _, _ = await self.driver.execute_query(
            self.statement(query),
            dict(params or {}),
            database_=self.database,
            routing_=RoutingControl.WRITE,
        )
        return [record.data() for record in records]

    async def write_tx(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Several statements in one write transaction, retried as a whole on transient errors."""
        async with self.driver.session(database=self.database) as session:
            return await session.execute_write(self.unit_of_work(lambda tx: work(Transaction(tx))))

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


_time_methods(Graph)


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
