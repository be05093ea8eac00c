"""Causal chaining across requests: a Graph whose work shares one bookmark manager.

A write returns the bookmark of its transactions as an opaque token; a client that passes the
token back gets reads that see that write, even on another API replica against a cluster.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, LiteralString, TypeVar

from neo4j import AsyncGraphDatabase, Bookmarks, RoutingControl

from modelatlas.graph.core import Graph, Row, Transaction, _note_round_trip

T = TypeVar("T")


class InvalidBookmarkError(ValueError):
    """A token that this service did not make."""


def encode_bookmarks(bookmarks: Bookmarks | Iterable[str]) -> str:
    """The opaque, URL-safe token for a set of Neo4j bookmarks ("" when there are none)."""
    values = sorted(bookmarks.raw_values if isinstance(bookmarks, Bookmarks) else bookmarks)
    if not values:
        return ""
    raw = json.dumps(values, separators=(",", ":")).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_bookmarks(token: str) -> Bookmarks:
    """The bookmarks a token stands for; raises InvalidBookmarkError for anything else."""
    token = token.strip()
    if not token:
        return Bookmarks.from_raw_values(())
    if len(token) > 8192:
        raise InvalidBookmarkError("the bookmark is too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBookmarkError("the bookmark is not one this service issued") from exc
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidBookmarkError("the bookmark is not one this service issued")
    try:
        return Bookmarks.from_raw_values(values)
    except ValueError as exc:
        raise InvalidBookmarkError("the bookmark is not one this service issued") from exc


class BookmarkedGraph(Graph):
    """A Graph over the same driver whose reads and writes are chained by one bookmark
    manager, seeded with a client's bookmarks and yielding the bookmark of what it wrote."""

    def __init__(self, graph: Graph, bookmarks: Bookmarks | None = None) -> None:
        """Share `graph`'s driver and database; start after `bookmarks` if given."""
        super().__init__(graph.driver, graph.database, timeout=graph.timeout)
        self.bookmark_manager = AsyncGraphDatabase.bookmark_manager(initial_bookmarks=bookmarks)

    async def bookmark(self) -> str:
        """The opaque token covering every transaction this graph has committed (or was given)."""
        return encode_bookmarks(await self.bookmark_manager.get_bookmarks())

    async def read(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One read statement that sees at least what the bookmarks cover."""
        _note_round_trip()
        records, _, _ = await self.driver.execute_query(
            self.statement(query),
            dict(params or {}),
            database_=self.database,
            routing_=RoutingControl.READ,
            bookmark_manager_=self.bookmark_manager,
        )
        return [record.data() for record in records]

    async def write(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """One write statement, its bookmark kept."""
        _note_round_trip()
        records, _, _ = await self.driver.execute_query(
            self.statement(query),
            dict(params or {}),
            database_=self.database,
            routing_=RoutingControl.WRITE,
            bookmark_manager_=self.bookmark_manager,
        )
        return [record.data() for record in records]

    async def write_tx(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Several statements in one write transaction, its bookmark kept."""
        async with self.driver.session(
            database=self.database, bookmark_manager=self.bookmark_manager
        ) as session:
            return await session.execute_write(self.unit_of_work(lambda tx: work(Transaction(tx))))

    async def autocommit(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> None:
        """A self-managing statement, its bookmark kept."""
        _note_round_trip()
        async with self.driver.session(
            database=self.database, bookmark_manager=self.bookmark_manager
        ) as session:
            result = await session.run(query, dict(params or {}))
            await result.consume()
