"""Keyset pages: page types, opaque cursors, page requests and their limits, analytic lists."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic, LiteralString, TypeVar

import orjson

from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.errors import InvalidArgument, NotFound

if TYPE_CHECKING:
    from modelatlas.graph.reads.prefetch import Prefetch

T = TypeVar("T")

DEFAULT_PAGE_SIZE: Final = 20
MAX_PAGE_SIZE: Final = 100


@dataclass(frozen=True, slots=True)
class PageInfo:
    """Where a page sits: whether more follow, and the cursors at its ends."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class Edge(Generic[T]):
    """One row of a page with the cursor that resumes after it (made when asked for: most
    queries select no cursor, and a nested query can hold hundreds of edges)."""

    node: T
    order: str
    sort_value: Any
    key: str

    @property
    def cursor(self) -> str:
        """The opaque cursor that resumes after this row."""
        return encode_cursor(self.order, self.sort_value, self.key)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A slice of a sorted list; `total_count` is None when it was not asked for."""

    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None

    @property
    def nodes(self) -> list[T]:
        """The rows without their cursors."""
        return [edge.node for edge in self.edges]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page to read: size, resume point, ordering, filter, and whether to count all."""

    first: int = DEFAULT_PAGE_SIZE
    after: str | None = None
    order: str | None = None
    where: Any = None
    total: bool = True
    prefetch: Prefetch = ()


def check_first(first: int, connection: str = "this") -> None:
    """Refuse page sizes outside 0..100 the way GitHub's API does."""
    if first > MAX_PAGE_SIZE:
        raise InvalidArgument(
            f"Requesting {first} records on the `{connection}` connection exceeds the `first` "
            f"limit of {MAX_PAGE_SIZE} records.",
            argument="first",
        )
    if first < 0:
        raise InvalidArgument("`first` must not be negative.", argument="first")


def _json_value(value: Any) -> Any:
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def encode_cursor(order: str, sort_value: Any, key: str) -> str:
    """An opaque cursor: the ordering's name, the row's sort value and its natural key."""
    raw = orjson.dumps([order, _json_value(sort_value), key])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, order: str, value: str) -> tuple[Any, str]:
    """(sort value, key) of a cursor made for this ordering; InvalidArgument otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, sort_value, key = orjson.loads(raw)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidArgument(f"{cursor!r} is not a valid cursor", argument="after") from None
    if name != order or not isinstance(key, str):
        raise InvalidArgument(
            f"cursor {cursor!r} belongs to another ordering or list", argument="after"
        )
    try:
        if value == "date":
            sort_value = dt.date.fromisoformat(sort_value)
        elif value == "int":
            sort_value = int(sort_value)
        elif value == "float":
            sort_value = float(sort_value)
        elif not isinstance(sort_value, str):
            raise TypeError
    except (TypeError, ValueError):
        raise InvalidArgument(f"{cursor!r} is not a valid cursor", argument="after") from None
    return sort_value, key


def _page(
    rows: Sequence[Row],
    first: int,
    after: str | None,
    total: int | None,
    order: str,
    build: Callable[[Any], T],
    entry: str = "node",
    key: str = "key",
) -> Page[T]:
    """Turn up to first+1 sorted rows ({entry, sk, key}) into a page."""
    shown = rows[:first]
    edges = [Edge(build(row[entry]), order, row["sk"], row[key]) for row in shown]
    info = PageInfo(
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Page(edges, info, total)


# --------------------------------------------------------------------------- analytic lists

# An analytic list is a COLLECT subquery yielding {entry, sk, tk} maps sorted by (sk, tk), with
# `found` saying whether the thing asked about exists; these tails page through it.
_TAIL_ASC: Final = """
RETURN found, size(entries) AS total,
  [x IN entries WHERE $afterTk IS NULL OR x.sk > $afterSk
     OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit] AS rows
"""
_TAIL_DESC: Final = """
RETURN found, size(entries) AS total,
  [x IN entries WHERE $afterTk IS NULL OR x.sk < $afterSk
     OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit] AS rows
"""


async def _analytic_page(
    graph: Graph,
    statement: LiteralString,
    params: dict[str, Any],
    *,
    name: str,
    value: str,
    first: int,
    after: str | None,
    build: Callable[[Row], T],
    missing: str | None = None,
) -> Page[T]:
    check_first(first, name)
    params["limit"] = first + 1
    params["afterSk"] = params["afterTk"] = None
    if after is not None:
        params["afterSk"], params["afterTk"] = decode_cursor(after, name, value)
    rows = await graph.read(statement, params)
    row = rows[0]
    if missing is not None and not row["found"]:
        raise NotFound(missing)
    return _page(row["rows"], first, after, row["total"], name, build, entry="entry", key="tk")
