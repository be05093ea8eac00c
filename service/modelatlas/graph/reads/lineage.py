"""The question which models derive from a model, or which it derives from, at any depth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, LiteralString

from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.errors import InvalidArgument
from modelatlas.graph.reads.kinds import _shaped
from modelatlas.graph.reads.nodes import ModelNode, _model
from modelatlas.graph.reads.paging import DEFAULT_PAGE_SIZE, Page, _page, check_first, decode_cursor


@dataclass(frozen=True, slots=True)
class LineageEntry:
    """A model derived from (or an ancestor of) another, `depth` DERIVED_FROM steps away."""

    model: ModelNode
    depth: int


class LineageDirection(StrEnum):
    """Which way along DERIVED_FROM to walk."""

    DESCENDANTS = "DESCENDANTS"
    ANCESTORS = "ANCESTORS"


def _lineage_statement(pattern: LiteralString) -> LiteralString:
    """Descendants or ancestors of each model in $keys, nearest (shortest path) first."""
    return _shaped(
        """
UNWIND $keys AS key
OPTIONAL MATCH (p:Model {slug: key})
WITH key, COLLECT {
  MATCH path = SHORTEST 1 """
        + pattern
        + """
  WITH n, length(path) AS depth
  WHERE n <> p AND ($maxDepth IS NULL OR depth <= $maxDepth)
  RETURN {entry: {model: n@Model, depth: depth}, sk: depth, tk: n.slug} AS x
  ORDER BY x.sk ASC, x.tk ASC
} AS entries
RETURN collect({key: key, total: size(entries),
  rows: [x IN entries WHERE $afterTk IS NULL OR x.sk > $afterSk
           OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit]}) AS batches
"""
    )


_LINEAGE_PATTERNS: Final[dict[LineageDirection, LiteralString]] = {
    LineageDirection.DESCENDANTS: "(p)<-[:DERIVED_FROM]-+(n:Model)",
    LineageDirection.ANCESTORS: "(p)-[:DERIVED_FROM]->+(n:Model)",
}
_LINEAGE: Final[dict[LineageDirection, LiteralString]] = {
    direction: _lineage_statement(pattern) for direction, pattern in _LINEAGE_PATTERNS.items()
}


def _lineage_entry(r: Row) -> LineageEntry:
    return LineageEntry(_model(r["model"]), r["depth"])


async def read_lineage(
    graph: Graph,
    keys: Sequence[str],
    direction: LineageDirection,
    *,
    max_depth: int | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> dict[str, Page[LineageEntry]]:
    """Each model's descendants or ancestors at any depth, nearest first (one round trip)."""
    name = _check_lineage(direction, max_depth, first)
    params: dict[str, Any] = {
        "keys": list(keys),
        "maxDepth": max_depth,
        "limit": first + 1,
        "afterSk": None,
        "afterTk": None,
    }
    if after is not None:
        params["afterSk"], params["afterTk"] = decode_cursor(after, name, "int")
    rows = await graph.read(_LINEAGE[LineageDirection(direction)], params)
    return {
        batch["key"]: _lineage_page(batch, direction, first, after) for batch in rows[0]["batches"]
    }


def _check_lineage(direction: LineageDirection, max_depth: int | None, first: int) -> str:
    """Refuse a lineage page read_lineage would refuse; the field's name (its cursors')."""
    name = _lineage_name(direction)
    check_first(first, name)
    if max_depth is not None and max_depth < 1:
        raise InvalidArgument("`maxDepth` must be at least 1", argument="max_depth")
    return name


def _lineage_page(
    found: Row, direction: LineageDirection, first: int, after: str | None
) -> Page[LineageEntry]:
    """One model's lineage page from its {rows, total}."""
    name = _lineage_name(direction)
    return _page(found["rows"], first, after, found["total"], name, _lineage_entry, "entry", "tk")


def _lineage_name(direction: LineageDirection) -> str:
    """The lineage field's name, which its cursors carry."""
    return "derivedModels" if direction == LineageDirection.DESCENDANTS else "ancestors"
