"""What one statement reads along with each node, so a nested selection is one round trip."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, LiteralString

from modelatlas.graph.core import Row
from modelatlas.graph.reads.kinds import KINDS, RELATIONS, _Kind, _Relation, _relation
from modelatlas.graph.reads.lineage import (
    _LINEAGE_PATTERNS,
    LineageDirection,
    _check_lineage,
    _lineage_page,
)
from modelatlas.graph.reads.orders import _order
from modelatlas.graph.reads.paging import PageRequest, _page, check_first


@dataclass(frozen=True, slots=True)
class PageAlong:
    """A connection read along with each parent in the parent's statement: its first `first`
    nodes in the ordering named `order` (no filter, no cursor), and how many there are in all
    (always: sorting them all to cut the page costs more than counting them, and one entry then
    serves every selection of the field with these arguments). Make one with page_along."""

    relation: str
    order: str
    first: int


def page_along(relation_name: str, request: PageRequest) -> PageAlong | None:
    """The PageAlong that reads what read_related_pages reads for `request` (checked as it
    checks it), or None for a request it cannot (a filter or a cursor)."""
    if request.after is not None or request.where is not None:
        return None
    relation = _relation(relation_name)
    check_first(request.first, relation_name.split(".")[-1])
    order_name, _ = _order(KINDS[relation.child], request.order)
    return PageAlong(relation_name, order_name, request.first)


@dataclass(frozen=True, slots=True)
class LineageAlong:
    """A model's lineage read along with it in its statement: the first `first` entries
    within `max_depth`, nearest first, and how many in all (no cursor). Make one with
    lineage_along."""

    direction: LineageDirection
    max_depth: int | None
    first: int


def lineage_along(direction: LineageDirection, max_depth: int | None, first: int) -> LineageAlong:
    """The LineageAlong that reads what read_lineage reads (checked as it checks them)."""
    _check_lineage(direction, max_depth, first)
    return LineageAlong(LineageDirection(direction), max_depth, first)


Along = PageAlong | LineageAlong
"""A paged field read along with its parent."""

Prefetch = tuple[tuple["str | Along", "Prefetch"], ...]
"""What to read along with each node in its statement: relationship fields (RELATIONS names),
connection pages (PageAlong) and lineages (LineageAlong, of models), each with what to read
along with its own nodes: e.g. (("Model.developers", (("Organization.country", ()),)),)."""

Prefetched = Mapping["str | Along", Any]
"""What a node came with: the nodes of each relationship (a list) by name, the page of each
PageAlong or LineageAlong by it."""

MAX_PREFETCH_DEPTH: Final = 3
"""How many levels of relationships one statement reads at most."""
MAX_PREFETCH_BRANCHES: Final = 16
"""How many relationships, pages and lineages one statement reads along at most, all levels
counted. Neo4j plans a statement in time that grows with its subqueries, faster than linearly:
on a cold plan cache (2 cores) 12 of them took 0.3 s, 37 1.2 s, 69 2.6 s, and a lookup of 404
(cost 12,811 of 50,000) planned past the 10 s transaction timeout, so it failed on every
request. A wider selection reads its shallower levels along and the rest per level."""


def _project(kind: _Kind, var: LiteralString, prefetch: Prefetch = ()) -> LiteralString:
    """`var`'s map projection, plus under `_with` (by position) the nodes of each prefetched
    relationship or the page of each connection read along (each with its own read-along
    relationships): one statement instead of one per level."""
    if not prefetch:
        return var + kind.projection
    entries: list[LiteralString] = []
    for index, (entry, nested) in enumerate(prefetch):
        inner: LiteralString = var + "_" + _position(index)
        if isinstance(entry, PageAlong):
            value = _page_along(entry, var, inner, nested)
        elif isinstance(entry, LineageAlong):
            value = _lineage_along(entry, var, inner)
        else:
            value = _nodes_along(entry, var, inner, nested)
        entries.append("`" + _position(index) + "`: " + value)
    return var + kind.projection[:-1] + ", _with: {" + ", ".join(entries) + "}}"


def _position(index: int) -> LiteralString:
    """An entry's name in `_with` and its variable's suffix (digits, not user text)."""
    return str(index)


def _nodes_along(
    relation_name: str, var: LiteralString, inner: LiteralString, nested: Prefetch
) -> LiteralString:
    """A relationship's nodes under `var`, sorted by key, each with its own read along."""
    relation = RELATIONS[relation_name]
    child = KINDS[relation.child]
    return (
        "COLLECT { MATCH " + _pattern(relation, var, inner) + " WITH DISTINCT " + inner
        + " RETURN " + _project(child, inner, nested) + " AS x ORDER BY " + inner + "."
        + child.key + " }"
    )  # fmt: skip


def _pattern(relation: _Relation, parent: LiteralString, child: LiteralString) -> LiteralString:
    """The relationship's pattern from `parent` to `child` (its text names them p and n)."""
    return relation.pattern.replace("(p)", "(" + parent + ")").replace("(n:", "(" + child + ":")


_OVER_N: Final = re.compile(r"\bn\.")


def _page_along(
    along: PageAlong, var: LiteralString, inner: LiteralString, nested: Prefetch
) -> LiteralString:
    """A connection's page under `var` as {rows: up to first+1 sorted {node, sk, key}, total}
    (what one parent's batch of read_related_pages holds), first+1 in $<inner>_limit."""
    relation = RELATIONS[along.relation]
    child = KINDS[relation.child]
    order = child.orders[along.order]
    match: LiteralString = "MATCH " + _pattern(relation, var, inner) + " WITH DISTINCT " + inner
    sort_key: LiteralString = inner + "_sk"
    expr: LiteralString = _OVER_N.sub(inner + ".", order.expr)
    direction: LiteralString = "DESC" if order.desc else "ASC"
    rows: LiteralString = (
        "COLLECT { " + match + " WITH " + inner + ", " + expr + " AS " + sort_key
        + " ORDER BY " + sort_key + " " + direction + ", " + inner + "." + child.key
        + " ASC LIMIT $" + inner + "_limit RETURN {node: " + _project(child, inner, nested)
        + ", sk: " + sort_key + ", key: " + inner + "." + child.key + "} AS x }"
    )  # fmt: skip
    return "{rows: " + rows + ", total: COUNT { " + match + " RETURN " + inner + " }}"


def _lineage_along(along: LineageAlong, var: LiteralString, inner: LiteralString) -> LiteralString:
    """A model's lineage under `var` as {rows: up to first+1 {entry, sk, tk}, total} (what one
    model's batch of read_lineage holds), first+1 in $<inner>_limit, maxDepth in
    $<inner>_maxDepth."""
    pattern = _LINEAGE_PATTERNS[along.direction].replace("(p)", "(" + var + ")")
    depth: LiteralString = inner + "_depth"
    entries: LiteralString = inner + "_entries"
    found = (
        "COLLECT { MATCH path = SHORTEST 1 " + pattern.replace("(n:", "(" + inner + ":")
        + " WITH " + inner + ", length(path) AS " + depth
        + " WHERE " + inner + " <> " + var + " AND ($" + inner + "_maxDepth IS NULL OR "
        + depth + " <= $" + inner + "_maxDepth)"
        + " RETURN {entry: {model: " + inner + KINDS["Model"].projection + ", depth: " + depth
        + "}, sk: " + depth + ", tk: " + inner + ".slug} AS x ORDER BY x.sk ASC, x.tk ASC }"
    )  # fmt: skip
    return (
        "[" + entries + " IN [" + found + "] | {total: size(" + entries + "), rows: "
        + entries + "[0..$" + inner + "_limit]}][0]"
    )  # fmt: skip


def along_parameters(prefetch: Prefetch, var: str = "n") -> dict[str, int | None]:
    """The page sizes (first+1) and depths a statement's read-along pages and lineages take,
    by parameter name."""
    parameters: dict[str, int | None] = {}
    for index, (entry, nested) in enumerate(prefetch):
        inner = var + "_" + _position(index)
        if isinstance(entry, PageAlong | LineageAlong):
            parameters[inner + "_limit"] = entry.first + 1
        if isinstance(entry, LineageAlong):
            parameters[inner + "_maxDepth"] = entry.max_depth
        parameters.update(along_parameters(nested, inner))
    return parameters


def _build(kind_name: str, prefetch: Prefetch, row: Row) -> Any:
    """A node view from its projection, with what was read along attached: under each
    relationship's name its nodes, under each PageAlong its page."""
    node = KINDS[kind_name].build(row)
    if not prefetch:
        return node
    read = row["_with"]
    prefetched: dict[str | Along, Any] = {}
    for index, (entry, nested) in enumerate(prefetch):
        found = read[_position(index)]
        if isinstance(entry, PageAlong):
            build = _builder(RELATIONS[entry.relation].child, nested)
            prefetched[entry] = _page(
                found["rows"], entry.first, None, found["total"], entry.order, build
            )
        elif isinstance(entry, LineageAlong):
            prefetched[entry] = _lineage_page(found, entry.direction, entry.first, None)
        else:
            child = RELATIONS[entry].child
            prefetched[entry] = [_build(child, nested, item) for item in found]
    return replace(node, prefetched=prefetched)


def _builder(kind_name: str, prefetch: Prefetch) -> Callable[[Row], Any]:
    if not prefetch:
        return KINDS[kind_name].build
    return lambda row: _build(kind_name, prefetch, row)
