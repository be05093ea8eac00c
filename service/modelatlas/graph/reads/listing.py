"""Plain reads: nodes by key, pages of a kind or relationship, relationship batches, citations."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, LiteralString

from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.errors import InvalidArgument
from modelatlas.graph.reads.filters import _where
from modelatlas.graph.reads.kinds import CITED_KINDS, KINDS, RELATIONS, _Kind, _kind, _relation
from modelatlas.graph.reads.nodes import Citation, _date, _source
from modelatlas.graph.reads.orders import _order
from modelatlas.graph.reads.paging import Page, PageRequest, _page, check_first, decode_cursor
from modelatlas.graph.reads.prefetch import Prefetch, _builder, _project, along_parameters


def _root_match(kind: _Kind, filters: tuple[str, ...]) -> tuple[LiteralString, tuple[str, ...]]:
    """The MATCH binding `n` to the nodes of a kind, and the filters left to test on them: from
    the node the first anchored filter names (a unique-index seek, then its relationships)
    when a filter has an anchor, else from the label."""
    anchored = [name for name in filters if kind.filters[name].anchor is not None]
    if not anchored:
        return "MATCH (n:" + kind.label + ")\n", filters
    anchor = kind.filters[anchored[0]].anchor or ""
    rest = tuple(name for name in filters if name != anchored[0])
    return "MATCH (n:" + kind.label + ")" + anchor + "\nWITH DISTINCT n\n", rest


@lru_cache(maxsize=1024)
def _page_statement(
    kind_name: str,
    relation_name: str | None,
    filters: tuple[str, ...],
    order_name: str,
    resume: bool,
    total: bool,
    prefetch: Prefetch = (),
) -> LiteralString:
    """One keyset page of a kind, at the root or under each of many parents (UNWIND $keys)."""
    kind = KINDS[kind_name]
    order = kind.orders[order_name]
    if relation_name is None:
        head: LiteralString = ""
        scope: LiteralString = "()"
        match, filters = _root_match(kind, filters)
    else:
        relation = RELATIONS[relation_name]
        parent = KINDS[relation.parent]
        head = (
            "UNWIND $keys AS key\nOPTIONAL MATCH (p:"
            + parent.label
            + " {"
            + parent.key
            + ": key})\n"
        )
        scope = "(p)"
        match = "MATCH " + relation.pattern + "\nWITH DISTINCT n\n"
    predicates = [kind.filters[name].predicate for name in filters]
    where: LiteralString = ("WHERE " + " AND ".join(predicates) + "\n") if predicates else ""
    direction: LiteralString = "DESC" if order.desc else "ASC"
    cursor: LiteralString = ""
    if resume:
        cursor = (
            "WHERE sk " + ("<" if order.desc else ">") + " $afterSk OR "
            "(sk = $afterSk AND n." + kind.key + " > $afterKey)\n"
        )
    page = (
        "CALL " + scope + " {\n" + match + where
        + "WITH n, " + order.expr + " AS sk\n" + cursor
        + "ORDER BY sk " + direction + ", n." + kind.key + " ASC\nLIMIT $limit\n"
        + "RETURN collect({node: " + _project(kind, "n", prefetch) + ", sk: sk, key: n." + kind.key
        + "}) AS rows\n}\n"
    )  # fmt: skip
    counted: LiteralString = ""
    if total:
        counted = "CALL " + scope + " {\n" + match + where + "RETURN count(n) AS total\n}\n"
    totalled: LiteralString = "total" if total else "null"
    if relation_name is None:
        return head + page + counted + "RETURN rows, " + totalled + " AS total"
    # One row for all parents: per-record overhead dwarfs the query itself for 1,000 parents.
    return (
        head + page + counted
        + "RETURN collect({key: key, rows: rows, total: " + totalled + "}) AS batches"
    )  # fmt: skip


def _prepare(
    kind: _Kind, request: PageRequest, connection: str
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """Validate a page request: (ordering name, filters in use, parameters)."""
    check_first(request.first, connection)
    filters, params = _where(kind, request.where)
    order_name, order = _order(kind, request.order)
    params["limit"] = request.first + 1
    if request.after is not None:
        params["afterSk"], params["afterKey"] = decode_cursor(
            request.after, order_name, order.value
        )
    return order_name, filters, params


async def read_page(graph: Graph, kind_name: str, request: PageRequest) -> Page[Any]:
    """A page of all nodes of a kind, filtered and sorted (one round trip)."""
    kind = _kind(kind_name)
    order_name, filters, params = _prepare(kind, request, kind_name)
    statement = _page_statement(
        kind_name,
        None,
        filters,
        order_name,
        request.after is not None,
        request.total,
        request.prefetch,
    )
    rows = await graph.read(statement, params | along_parameters(request.prefetch))
    row = rows[0]
    build = _builder(kind_name, request.prefetch)
    return _page(row["rows"], request.first, request.after, row["total"], order_name, build)


async def read_related_pages(
    graph: Graph, relation_name: str, keys: Sequence[str], request: PageRequest
) -> dict[str, Page[Any]]:
    """A page of one relationship field under each parent key (one round trip for all)."""
    relation = _relation(relation_name)
    kind = KINDS[relation.child]
    order_name, filters, params = _prepare(kind, request, relation_name.split(".")[-1])
    statement = _page_statement(
        relation.child,
        relation_name,
        filters,
        order_name,
        request.after is not None,
        request.total,
        request.prefetch,
    )
    params["keys"] = list(keys)
    rows = await graph.read(statement, params | along_parameters(request.prefetch))
    build = _builder(relation.child, request.prefetch)
    return {
        batch["key"]: _page(
            batch["rows"], request.first, request.after, batch["total"], order_name, build
        )
        for batch in rows[0]["batches"]
    }


@lru_cache(maxsize=1024)
def _related_statement(relation_name: str, prefetch: Prefetch = ()) -> LiteralString:
    relation = RELATIONS[relation_name]
    parent, child = KINDS[relation.parent], KINDS[relation.child]
    return (
        "UNWIND $keys AS key\nOPTIONAL MATCH (p:" + parent.label + " {" + parent.key + ": key})\n"
        "RETURN collect({key: key, nodes: COLLECT { MATCH " + relation.pattern + " WITH DISTINCT n "
        "RETURN " + _project(child, "n", prefetch) + " AS node ORDER BY n." + child.key
        + " }}) AS batches"
    )  # fmt: skip


async def read_related(
    graph: Graph, relation_name: str, keys: Sequence[str], prefetch: Prefetch = ()
) -> dict[str, list[Any]]:
    """All nodes of one relationship field under each parent key, by key (one round trip),
    each with the relationships `prefetch` names read along."""
    relation = _relation(relation_name)
    build = _builder(relation.child, prefetch)
    rows = await graph.read(
        _related_statement(relation_name, prefetch),
        {"keys": list(keys)} | along_parameters(prefetch),
    )
    return {batch["key"]: [build(node) for node in batch["nodes"]] for batch in rows[0]["batches"]}


@lru_cache(maxsize=16)
def _citations_statement(kind_name: str) -> LiteralString:
    kind = KINDS[kind_name]
    return (
        "UNWIND $keys AS key\nOPTIONAL MATCH (p:" + kind.label + " {" + kind.key + ": key})\n"
        "RETURN collect({key: key, citations: COLLECT { MATCH (p)-[c:CITED_IN]->(n:Source) "
        "RETURN {source: " + _project(KINDS["Source"], "n") + ", "
        "date: coalesce(c.date, c.madeOn, c.measuredOn), score: c.score, "
        "magnitude: c.magnitude} AS citation ORDER BY n.url }}) AS batches"
    )  # fmt: skip


def _citation(row: Row) -> Citation:
    return Citation(_source(row["source"]), _date(row["date"]), row["score"], row["magnitude"])


async def read_citations(
    graph: Graph, kind_name: str, keys: Sequence[str]
) -> dict[str, list[Citation]]:
    """Each fact's sources with the per-source date, score and magnitude (one round trip)."""
    if kind_name not in CITED_KINDS:
        raise InvalidArgument(f"{kind_name} nodes cite no sources")
    rows = await graph.read(_citations_statement(kind_name), {"keys": list(keys)})
    return {b["key"]: [_citation(c) for c in b["citations"]] for b in rows[0]["batches"]}


@lru_cache(maxsize=1024)
def _nodes_statement(kind_name: str, prefetch: Prefetch = ()) -> LiteralString:
    kind = KINDS[kind_name]
    return (
        "UNWIND $keys AS key MATCH (n:" + kind.label + " {" + kind.key + ": key}) "
        "RETURN collect({key: key, node: " + _project(kind, "n", prefetch) + "}) AS found"
    )


async def read_nodes(
    graph: Graph, kind_name: str, keys: Sequence[str], prefetch: Prefetch = ()
) -> dict[str, Any]:
    """Nodes of one kind by natural key (keys that match nothing are left out), each with the
    relationships `prefetch` names read along."""
    _kind(kind_name)
    build = _builder(kind_name, prefetch)
    rows = await graph.read(
        _nodes_statement(kind_name, prefetch), {"keys": list(keys)} | along_parameters(prefetch)
    )
    return {found["key"]: build(found["node"]) for found in rows[0]["found"]}
