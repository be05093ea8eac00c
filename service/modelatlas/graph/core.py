"""The one gateway from Python to Cypher: managed transactions, routing, round-trip counts,
causal chaining (bookmarks), a request's overall deadline, and writes retried when other
transactions' locks stopped them."""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from time import monotonic, perf_counter
from typing import Any, Concatenate, Final, LiteralString, ParamSpec, Protocol, TypeVar
from weakref import WeakKeyDictionary

from neo4j import (
    READ_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    AsyncResult,
    Bookmarks,
    Query,
    Record,
    RoutingControl,
    unit_of_work,
)
from neo4j.api import AsyncBookmarkManager
from neo4j.exceptions import (
    ConnectionAcquisitionTimeoutError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from modelatlas.errors import Conflict, Timeout
from modelatlas.graph.bookmarks import encode_bookmarks

log = logging.getLogger("modelatlas.graph.core")

T = TypeVar("T")
P = ParamSpec("P")
G = TypeVar("G", bound="Graph")
Row = dict[str, Any]


UNAVAILABLE: Final = (
    ServiceUnavailable,
    SessionExpired,
    TransientError,
    ConnectionAcquisitionTimeoutError,
)
"""What a Neo4j outage raises: answered as "unavailable" (503), never as a bug."""

LOCK_CODES: Final = frozenset(
    {
        "Neo.ClientError.Transaction.LockClientStopped",
        "Neo.TransientError.Transaction.LockClientStopped",
        "Neo.TransientError.Transaction.DeadlockDetected",
        "Neo.TransientError.Transaction.LockAcquisitionTimeout",
    }
)
"""Neo4j's codes for a transaction stopped over other transactions' locks: its timeout ran out
while it waited for one (LockClientStopped), it was picked to break a deadlock, or it waited
longer than the server's `db.lock.acquisition.timeout`. Nothing of it was committed, and the
same work may well succeed in a new transaction: `Graph` retries such writes."""

LOCK_RETRY_S: Final = 15.0
"""How long a Graph without a deadline retries a write stopped over locks (a request's Graph
retries until its deadline instead)."""
_BACKOFF_FIRST_S: Final = 0.1
_BACKOFF_MAX_S: Final = 2.0
_MIN_ATTEMPT_S: Final = 0.25
"""A write is retried only if at least this much of its budget is left once the pause is
over: a shorter transaction could hardly get past a held lock, and it would end the request
with the deadline's TIMEOUT rather than the conflict it ran into."""


def _row(record: Record) -> Row:
    """A record as a dict of its values as the driver decoded them.

    Not `record.data()`: that walks every nested list and map through isinstance checks
    against abstract base classes to turn graph objects into dicts, which the read layer never
    returns (it projects maps), and it cost ~1 ms for a 20-row page of nested maps, 10-15% of
    the service's CPU per request. Iterating the record still raises for a value the driver
    could not decode.
    """
    return dict(zip(record.keys(), record, strict=True))


async def _rows(result: AsyncResult) -> list[Row]:
    """Every record of a result as a dict (see `_row`)."""
    return [_row(record) async for record in result]


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

    def write_retried(self, code: str) -> None:
        """A write stopped over locks (Neo4j status `code`) is being tried again."""


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

    return timed


# --------------------------------------------------------------------------- sessions in use


class _SessionCount:
    """Sessions Graphs over one driver hold open now (each holds at most one connection)."""

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open = 0


_SESSIONS: WeakKeyDictionary[AsyncDriver, _SessionCount] = WeakKeyDictionary()


def _session_count(driver: AsyncDriver) -> _SessionCount:
    found = _SESSIONS.get(driver)
    if found is None:
        found = _SESSIONS[driver] = _SessionCount()
    return found


def sessions_in_use(driver: AsyncDriver) -> int:
    """How many Neo4j sessions the Graphs over `driver` have open right now.

    Every Graph call runs in one session, which holds one of the driver's pooled connections
    while it works, so this is the pool's in-use count as far as this process's Graphs go.
    It is counted here, in Graph, because the driver keeps its pool private.
    """
    found = _SESSIONS.get(driver)
    return found.open if found is not None else 0


# --------------------------------------------------------------------------- deadlines


@dataclass(frozen=True, slots=True)
class Deadline:
    """The moment (on the monotonic clock) by which a request's Neo4j work must be done."""

    seconds: float
    """The limit it was set with, for messages."""
    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """The deadline `seconds` from now."""
        return cls(seconds, monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left (negative once it has passed)."""
        return self.at - monotonic()


class DeadlineExceeded(Timeout):
    """A Graph's deadline passed before its work was done: nothing more was sent to Neo4j,
    the transaction that was running was stopped, and nothing of it was committed."""

    def __init__(self, deadline: Deadline) -> None:
        """Note the limit that ran out."""
        super().__init__(f"the request ran longer than its {deadline.seconds:g} s limit")
        self.seconds = deadline.seconds


class WriteConflict(Conflict):
    """Other transactions' locks (a lock held too long, deadlocks) stopped every attempt of a
    write until its budget was spent; nothing of it was committed, and sending it again later
    may succeed. Raised from the last attempt's Neo4j error."""

    def __init__(self, code: str, attempts: int, seconds: float) -> None:
        """Note the last attempt's Neo4j status code, the attempts made and the time spent."""
        super().__init__(
            f"a write was stopped over other transactions' locks {attempts} time(s) in "
            f"{seconds:.1f} s ({code}); nothing of it was committed"
        )
        self.code = code
        self.attempts = attempts
        self.seconds = seconds


class _LockFailure(Exception):
    """A lock error raised by a transaction function, carried past the driver so that the
    Graph, not the driver, retries it (with a fresh timeout cut to the deadline)."""

    def __init__(self, error: Neo4jError) -> None:
        super().__init__(str(error))
        self.error = error


def _lock_code(error: BaseException) -> str | None:
    """The Neo4j status code of a lock failure, None for any other error."""
    if isinstance(error, _LockFailure):
        error = error.error
    code = error.code if isinstance(error, Neo4jError) else None
    return code if isinstance(code, str) and code in LOCK_CODES else None


def _keeping_lock_failures(
    work: Callable[[AsyncManagedTransaction], Awaitable[T]],
) -> Callable[[AsyncManagedTransaction], Awaitable[T]]:
    """The transaction function with its lock errors raised as _LockFailure. The driver retries
    a transient error (a deadlock) itself, once, after about a second and with the timeout the
    first attempt had; past it, the Graph retries sooner and cuts each attempt's timeout to
    what is left of the deadline."""

    async def attempt(tx: AsyncManagedTransaction) -> T:
        try:
            return await work(tx)
        except Neo4jError as exc:
            if _lock_code(exc) is not None:
                raise _LockFailure(exc) from exc
            raise

    return attempt


class _SharedTransaction:
    """The one transaction every call of an `atomically` block runs in, one call at a time."""

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self.tx = tx
        self.lock = asyncio.Lock()

    async def run(self, query: LiteralString, params: Mapping[str, Any] | None) -> list[Row]:
        async with self.lock:
            result = await self.tx.run(query, dict(params or {}))
            return await _rows(result)


# --------------------------------------------------------------------------- the graph


class Graph:
    """Runs parameterised Cypher as read or write managed transactions (retried when transient).

    A write (`write`, `write_tx`, `atomically`) that other transactions' locks stopped (see
    LOCK_CODES) is run again as a whole, in a new transaction, after a jittered exponential
    pause, for as long as its budget lasts: until the deadline, or `lock_retry_s` without one.
    When the budget is spent it raises WriteConflict; nothing of it was committed.

    Optionally, its work is chained by a bookmark manager (`with_bookmarks`: reads see at
    least what the given bookmarks cover, and `bookmark()` covers what it committed) and
    bounded by a deadline (`with_deadline`: every transaction's timeout is cut to the time
    left, and no transaction starts or commits after it).
    """

    def __init__(
        self,
        driver: AsyncDriver,
        database: str = "neo4j",
        *,
        timeout: float | None = None,
        bookmarks: Bookmarks | Iterable[str] | None = None,
        read_retry_s: float = 0.75,
        lock_retry_s: float = LOCK_RETRY_S,
    ) -> None:
        """Wrap the process's one driver for one database; with `timeout` (seconds) Neo4j
        stops any read or write transaction that runs longer (the service's per-query cap);
        with `bookmarks` the graph's work is chained after them (see `with_bookmarks`);
        `read_retry_s` bounds how long a read is retried on transient errors (as
        NEO4J_MAX_RETRY_TIME_S bounds the driver's retries of write transactions);
        `lock_retry_s` bounds how long a write stopped over locks is retried when the graph
        has no deadline (with one, the deadline does)."""
        self.read_retry_s = read_retry_s
        self.lock_retry_s = lock_retry_s
        self.driver = driver
        self.database = database
        self.timeout = timeout or None
        self.bookmark_manager: AsyncBookmarkManager | None = (
            None
            if bookmarks is None
            else AsyncGraphDatabase.bookmark_manager(initial_bookmarks=bookmarks)
        )
        self.deadline: Deadline | None = None
        self._sessions = _session_count(driver)
        self._shared: _SharedTransaction | None = None

    # -- derived graphs ---------------------------------------------------------------------

    def with_bookmarks(self, bookmarks: Bookmarks | Iterable[str] | None = None) -> Graph:
        """This graph (same driver, timeout and deadline) with a bookmark manager of its own:
        its work sees at least what `bookmarks` cover, and `bookmark()` covers what it wrote."""
        derived = copy.copy(self)
        derived.bookmark_manager = AsyncGraphDatabase.bookmark_manager(initial_bookmarks=bookmarks)
        return derived

    def with_deadline(self, seconds: float | None) -> Graph:
        """This graph with all its further work bounded to `seconds` from now (none: no bound)."""
        derived = copy.copy(self)
        derived.deadline = Deadline.after(seconds) if seconds else None
        return derived

    async def bookmark(self) -> str:
        """The opaque token covering what this graph committed (or was given); "" without a
        bookmark manager."""
        if self.bookmark_manager is None:
            return ""
        return encode_bookmarks(await self.bookmark_manager.get_bookmarks())

    # -- time limits ------------------------------------------------------------------------

    def _budget(self) -> float | None:
        """How long the next transaction may run: the per-query timeout, cut to what is left of
        the deadline. Raises DeadlineExceeded when nothing is left."""
        if self.deadline is None:
            return self.timeout
        left = self.deadline.remaining()
        if left <= 0:
            raise DeadlineExceeded(self.deadline)
        return left if self.timeout is None else min(self.timeout, left)

    def _check_deadline(self) -> None:
        """Raise DeadlineExceeded if the deadline has passed."""
        if self.deadline is not None and self.deadline.remaining() <= 0:
            raise DeadlineExceeded(self.deadline)

    async def _in_session(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run a call that opens one session: counted while it runs, and a Neo4j error that
        came after the deadline (the server stopping a transaction the deadline cut short)
        reported as the deadline's, unless it was over locks (see `_retrying_locks`). (Plain
        try/except, not a context manager, so exceptions that refuse a new __traceback__, such
        as frozen dataclasses, pass through untouched.)"""
        self._sessions.open += 1
        try:
            return await call()
        except Neo4jError as exc:
            if (
                self.deadline is not None
                and self.deadline.remaining() <= 0
                and _lock_code(exc) is None
            ):
                raise DeadlineExceeded(self.deadline) from exc
            raise
        finally:
            self._sessions.open -= 1

    def _query(self, query: LiteralString) -> LiteralString | Query:
        """The statement as sent to Neo4j, with the transaction timeout when there is one."""
        budget = self._budget()
        return query if budget is None else Query(query, timeout=budget)

    def _guarded(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> Any:
        """A transaction function with the transaction timeout, that starts no attempt and
        commits nothing once the deadline has passed (raising rolls the transaction back)."""

        async def attempt(tx: AsyncManagedTransaction) -> T:
            self._check_deadline()
            result = await work(tx)
            self._check_deadline()
            return result

        budget = self._budget()
        return attempt if budget is None else unit_of_work(timeout=budget)(attempt)

    # -- Neo4j calls ------------------------------------------------------------------------

    async def read(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One read statement, routed to readers, as a list of row dicts."""
        self._check_deadline()  # before counting: nothing is sent once the deadline has passed
        _note_round_trip()
        if self._shared is not None:
            return await self._shared.run(query, params)
        return await self._in_session(functools.partial(self._read, query, params))

    async def write(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One write statement in its own managed transaction."""
        self._check_deadline()  # before counting: nothing is sent once the deadline has passed
        _note_round_trip()
        if self._shared is not None:
            return await self._shared.run(query, params)
        return await self._retrying_locks(
            functools.partial(self._execute_query, query, params, RoutingControl.WRITE)
        )

    async def _read(self, query: LiteralString, params: Mapping[str, Any] | None) -> list[Row]:
        """A read as an auto-commit statement in a read-mode session (routed to readers like a
        read transaction): one network round trip where a managed transaction takes two
        (BEGIN/RUN/PULL, then COMMIT), which measured ~40% less time and driver CPU per read.
        Retryable failures (a reader gone, a leader switch) are retried for up to
        `read_retry_s`, as the driver retries managed transactions."""
        delay = 0.05
        give_up = monotonic() + self.read_retry_s
        while True:
            try:
                async with self.driver.session(
                    database=self.database,
                    default_access_mode=READ_ACCESS,
                    bookmark_manager=self.bookmark_manager,
                ) as session:
                    result = await session.run(self._query(query), dict(params or {}))
                    return await _rows(result)
            except (Neo4jError, DriverError) as exc:
                if not exc.is_retryable() or monotonic() + delay > give_up:
                    raise
            await asyncio.sleep(delay)
            delay *= 2

    async def _execute_query(
        self, query: LiteralString, params: Mapping[str, Any] | None, routing: RoutingControl
    ) -> list[Row]:
        options: dict[str, Any] = {"database_": self.database, "routing_": routing}
        if self.bookmark_manager is not None:
            options["bookmark_manager_"] = self.bookmark_manager
        records, _, _ = await self.driver.execute_query(
            self._query(query), dict(params or {}), **options
        )
        return [_row(record) for record in records]

    async def write_tx(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Several statements in one write transaction, retried as a whole on transient errors."""
        shared = self._shared
        if shared is not None:
            self._check_deadline()
            async with shared.lock:
                return await work(Transaction(shared.tx))
        return await self._retrying_locks(
            functools.partial(self._execute_write, lambda tx: work(Transaction(tx)))
        )

    async def atomically(self, work: Callable[[Graph], Awaitable[T]]) -> T:
        """Run `work` with a Graph whose every read and write goes into one write transaction,
        committed when `work` returns and rolled back if it raises; the whole is retried on
        transient errors, so `work` must be repeatable. Calls in the block run one at a time,
        so a `write_tx` function must not call the graph itself (it has its transaction)."""
        if self._shared is not None:
            return await work(self)

        async def in_transaction(tx: AsyncManagedTransaction) -> T:
            bound = copy.copy(self)
            bound._shared = _SharedTransaction(tx)
            return await work(bound)

        return await self._retrying_locks(functools.partial(self._execute_write, in_transaction))

    async def _execute_write(self, work: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        """`work` in one managed write transaction, with this attempt's timeout."""
        function = self._guarded(_keeping_lock_failures(work))
        async with self.driver.session(
            database=self.database, bookmark_manager=self.bookmark_manager
        ) as session:
            result: T = await session.execute_write(function)
            return result

    async def _retrying_locks(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run a write (`attempt` opens its own session and transaction, with a timeout cut to
        what is left of the deadline); run it again while other transactions' locks stop it
        and its budget lasts, after a pause that doubles from 0.1 s to at most 2 s, each
        jittered by +-50% (two writers that deadlocked do not retry in step). When the budget
        is spent, WriteConflict: nothing of the write was committed."""
        started = monotonic()
        give_up = self.deadline.at if self.deadline is not None else started + self.lock_retry_s
        attempts = 0
        pause = _BACKOFF_FIRST_S
        last: tuple[str, Neo4jError] | None = None
        while True:
            attempts += 1
            try:
                return await self._in_session(attempt)
            except (_LockFailure, Neo4jError) as exc:
                failed = exc.error if isinstance(exc, _LockFailure) else exc
                found = _lock_code(failed)
                if found is None:
                    raise
                last = (found, failed)
            except DeadlineExceeded as exc:
                # A retry that found no time left to start or commit: the budget went on
                # waiting for locks, so the client hears of the conflict, not of a slow query.
                if last is None or isinstance(exc.__cause__, Neo4jError):
                    raise
                raise WriteConflict(last[0], attempts - 1, monotonic() - started) from last[1]
            code, cause = last
            wait = min(pause, _BACKOFF_MAX_S) * random.uniform(0.5, 1.5)  # noqa: S311 (jitter)
            left = give_up - monotonic() - wait
            if left < _MIN_ATTEMPT_S:
                log.warning(
                    "write gave up after %d attempt(s) in %.2f s, stopped over locks (%s)",
                    attempts,
                    monotonic() - started,
                    code,
                )
                raise WriteConflict(code, attempts, monotonic() - started) from cause
            log.info(
                "write stopped over locks (%s), attempt %d; retrying in %.2f s (%.1f s left)",
                code,
                attempts,
                wait,
                left,
            )
            observer = _observer.get()
            if observer is not None:
                observer.write_retried(code)
            await asyncio.sleep(wait)
            pause *= 2

    async def autocommit(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> None:
        """A statement that manages its own transactions (schema changes, IN TRANSACTIONS)."""
        if self._shared is not None:
            raise RuntimeError("a self-managing statement cannot run inside Graph.atomically")
        self._check_deadline()
        _note_round_trip()

        async def run() -> None:
            async with self.driver.session(
                database=self.database, bookmark_manager=self.bookmark_manager
            ) as session:
                result = await session.run(query, dict(params or {}))
                await result.consume()

        await self._in_session(run)

    async def ping(self) -> None:
        """Raise unless the server answers."""
        await self.driver.verify_connectivity()


def _time_methods(cls: type[Graph]) -> None:
    """Let the current observer see every Neo4j call of the class's methods."""
    for name, kind in _TIMED.items():
        setattr(cls, name, _timed(kind, getattr(cls, name)))


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
        return await _rows(result)
