"""The question how two entities are connected: the shortest path between them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final, LiteralString

from modelatlas.domain import shorten
from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.errors import InvalidArgument, NotFound
from modelatlas.graph.reads.filters import _values
from modelatlas.graph.reads.refs import _RESOLVE, _ref_params

MAX_PATH_HOPS: Final = 10


_KEY_OF: Final = "coalesce(n.slug, n.id, n.code, n.url)"
_NAME_OF: Final = "coalesce(n.name, n.title, n.statement, n.description, n.url)"


class RelationshipType(StrEnum):
    """The relationship types of the graph model, for restricting a path search."""

    BASED_IN = "BASED_IN"
    PART_OF = "PART_OF"
    PARTNER_OF = "PARTNER_OF"
    DEVELOPED = "DEVELOPED"
    DERIVED_FROM = "DERIVED_FROM"
    VARIANT_OF = "VARIANT_OF"
    ANNOUNCED_BY = "ANNOUNCED_BY"
    INTRODUCED = "INTRODUCED"
    CLAIMED_BY = "CLAIMED_BY"
    SUBJECT = "SUBJECT"
    AGAINST = "AGAINST"
    ON = "ON"
    OF = "OF"
    AFFECTED = "AFFECTED"
    ATTRIBUTED_TO = "ATTRIBUTED_TO"
    CITED_IN = "CITED_IN"


class Direction(StrEnum):
    """Which way a relationship points relative to the walk along a path."""

    OUTGOING = "OUTGOING"
    INCOMING = "INCOMING"


@dataclass(frozen=True, slots=True)
class PathNode:
    """A node on a path: its kind (label), natural key and display name."""

    kind: str
    key: str
    name: str | None


@dataclass(frozen=True, slots=True)
class PathStep:
    """One hop: the relationship crossed, its direction, and the node reached."""

    relationship: RelationshipType
    direction: Direction
    node: PathNode


@dataclass(frozen=True, slots=True)
class GraphPath:
    """A shortest path as typed steps from `start`."""

    start: PathNode
    steps: list[PathStep]

    @property
    def hops(self) -> int:
        """The number of relationships crossed."""
        return len(self.steps)

    @property
    def end(self) -> PathNode:
        """The node the path reaches."""
        return self.steps[-1].node if self.steps else self.start


@lru_cache(maxsize=512)
def _path_statement(hops: int, types: tuple[str, ...] | None) -> LiteralString:
    """The shortest-path statement for a hop bound and a set of relationship types (None: any).

    The types are written into the pattern (`-[:A|B]-{0,6}`), not filtered per relationship
    with a parameter: Neo4j then expands only those types, where a filter made it walk every
    relationship (CITED_IN fans out widely) and measured ~50x slower. Types and bounds come
    from fixed tables, so no caller text reaches the statement.
    """
    bound: LiteralString = _HOP_BOUNDS[hops]
    if types is None:
        walk: LiteralString = "SHORTEST 1 (a)-[]-{0," + bound + "}(b)"
    elif not types:
        walk = "SHORTEST 1 (a)(()-[]-() WHERE false){0," + bound + "}(b)"  # zero-length only
    else:
        walk = "SHORTEST 1 (a)-[:" + "|".join(_TYPE_NAMES[t] for t in types) + "]-{0," + bound
        walk += "}(b)"
    return (
        "WITH " + _RESOLVE.replace("$r_", "$a_") + " AS a,\n     "
        + _RESOLVE.replace("$r_", "$b_") + " AS b\n"
        "OPTIONAL MATCH p = " + walk + "\n"
        "RETURN a IS NOT NULL AS foundFrom, b IS NOT NULL AS foundTo,\n"
        "  CASE WHEN p IS NULL THEN null ELSE {\n"
        "    nodes: [n IN nodes(p) | {kind: labels(n)[0], key: " + _KEY_OF + ", name: "
        + _NAME_OF + "}],\n"
        "    rels: [i IN range(0, length(p) - 1) | {type: type(relationships(p)[i]), "
        "outgoing: startNode(relationships(p)[i]) = nodes(p)[i]}]\n"
        "  } END AS path"
    )  # fmt: skip


# Hop bounds are integers from this fixed table, so no caller text reaches the statement.
_HOP_BOUNDS: Final[dict[int, LiteralString]] = {
    1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6", 7: "7", 8: "8", 9: "9", 10: "10",
}  # fmt: skip
_TYPE_NAMES: Final[dict[str, LiteralString]] = {t.value: t.value for t in RelationshipType}


def _path_node(r: Row) -> PathNode:
    return PathNode(r["kind"], r["key"], r["name"])


async def shortest_path(
    graph: Graph,
    source: str,
    target: str,
    *,
    max_hops: int = 6,
    relationships: Iterable[RelationshipType] | None = None,
) -> GraphPath | None:
    """The shortest path between two entities, in either direction; None when none is that short.

    Entities are named "kind:key" ("model:deepseek-r1", "organization:nvidia") or by a plain
    key, tried as organization, model, benchmark, release, claim, result, event, country, source.
    """
    if max_hops not in _HOP_BOUNDS:
        raise InvalidArgument(
            f"`maxHops` must be between 1 and {MAX_PATH_HOPS}", argument="max_hops"
        )
    params = {**_ref_params(source, "a_"), **_ref_params(target, "b_")}
    types = None if relationships is None else tuple(sorted(set(_values(relationships))))
    unknown = [t for t in types or () if t not in _TYPE_NAMES]
    if unknown:
        raise InvalidArgument(
            f"unknown relationship type {shorten(unknown[0])!r}", argument="relationships"
        )
    rows = await graph.read(_path_statement(max_hops, types), params)
    row = rows[0]
    if not row["foundFrom"]:
        raise NotFound(f"nothing is named {source!r}")
    if not row["foundTo"]:
        raise NotFound(f"nothing is named {target!r}")
    path = row["path"]
    if path is None:
        return None
    nodes = [_path_node(n) for n in path["nodes"]]
    steps = [
        PathStep(
            RelationshipType(rel["type"]),
            Direction.OUTGOING if rel["outgoing"] else Direction.INCOMING,
            nodes[i + 1],
        )
        for i, rel in enumerate(path["rels"])
    ]
    return GraphPath(nodes[0], steps)
