"""Cost must not grow with the graph: slug lookups and date-range filters are index seeks.

EXPLAIN (no execution) of the exact statements the read layer sends, on a graph with a few
thousand nodes per kind so the planner's choice is the one it makes on real data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from modelatlas.domain import Dataset
from modelatlas.graph import Graph
from modelatlas.graph.reads.kinds import KINDS
from modelatlas.graph.reads.leaderboards import _LEADERBOARD, _LEADERBOARD_TOP
from modelatlas.graph.reads.listing import _nodes_statement, _page_statement
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

N = 1000
SCANS = {"AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan"}


def _day(i: int) -> str:
    return (dt.date(2019, 1, 1) + dt.timedelta(days=i % 2000)).isoformat()


def _dataset() -> Dataset:
    """N nodes of every kind that has a natural key and a date."""
    src = [f"https://example.org/s/{i}" for i in range(N)]
    return Dataset.model_validate(
        {
            "sources": [
                {"url": u, "title": f"S {i}", "publishedOn": _day(i)} for i, u in enumerate(src)
            ],
            "organizations": [
                {"slug": f"org-{i}", "name": f"Org {i}", "kind": "COMPANY"} for i in range(20)
            ],
            "benchmarks": [{"slug": "b", "name": "B", "higherIsBetter": True}],
            "models": [
                {
                    "slug": f"m-{i}",
                    "name": f"M {i}",
                    "developers": [f"org-{i % 20}"],
                    "releasedOn": _day(i),
                }
                for i in range(N)
            ],
            "releases": [
                {
                    "slug": f"r-{i}",
                    "title": f"R {i}",
                    "date": _day(i),
                    "introduced": [f"m-{i}"],
                    "announcedBy": [f"org-{i % 20}"],
                    "sources": [src[i]],
                }
                for i in range(N)
            ],
            "claims": [
                {
                    "id": f"c-{i}",
                    "kind": "OUTPERFORMS",
                    "statement": f"M {i} beats M {i + 1}",
                    "claimedBy": f"org-{i % 20}",
                    "subject": f"m-{i}",
                    "against": [f"m-{(i + 1) % N}"],
                    "madeOn": _day(i),
                    "sources": [src[i]],
                }
                for i in range(N)
            ],
            "results": [
                {
                    "id": f"x-{i}",
                    "model": f"m-{i}",
                    "benchmark": "b",
                    "score": i % 100,
                    "measuredOn": _day(i),
                    "sources": [src[i]],
                }
                for i in range(N)
            ],
            "marketEvents": [
                {
                    "id": f"e-{i}",
                    "kind": "STOCK_MOVE",
                    "date": _day(i),
                    "description": "x",
                    "affected": [f"org-{i % 20}"],
                    "sources": [src[i]],
                }
                for i in range(N)
            ],
        }
    )


@pytest.fixture
async def filled(graph: Graph) -> Graph:
    """The graph with N nodes per kind."""
    await KnowledgeGraph(graph).upsert(_dataset())
    return graph


async def _plan(
    graph: Graph, statement: str, params: dict[str, Any], how: str = "EXPLAIN"
) -> dict[str, Any]:
    async with graph.driver.session(database=graph.database) as session:
        result = await session.run(how + " " + statement, params)  # type: ignore[arg-type]
        summary = await result.consume()
    plan = summary.profile if how == "PROFILE" else summary.plan
    assert plan is not None
    return dict(plan)


def _rows(plan: dict[str, Any], operator: str) -> int:
    """Rows the operators of one type produced in a PROFILE, summed over the tree."""
    own = plan.get("rows", 0) if plan["operatorType"].split("@")[0] == operator else 0
    return int(own) + sum(_rows(child, operator) for child in plan.get("children", []))


def _operators(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(operator without the @runtime suffix, its details) for every operator in the tree."""
    out = [(plan["operatorType"].split("@")[0], str(plan.get("args", {}).get("Details", "")))]
    for child in plan.get("children", []):
        out += _operators(child)
    return out


def _lookup_problems(kind: str, ops: list[tuple[str, str]]) -> list[str]:
    spec = KINDS[kind]
    seek = any(
        op.startswith("NodeUniqueIndexSeek") and f":{spec.label}({spec.key})" in details
        for op, details in ops
    )
    scans = {op for op, _ in ops} & SCANS
    return [] if seek and not scans else [f"lookup of {kind} by {spec.key}: {ops}"]


def _range_problems(kind: str, name: str, ops: list[tuple[str, str]]) -> list[str]:
    label = KINDS[kind].label
    seek = any(op.startswith("NodeIndexSeekByRange") and f":{label}(" in d for op, d in ops)
    scans = {op for op, _ in ops} & SCANS
    return [] if seek and not scans else [f"{kind} where {name}: {ops}"]


DATE_FILTERS = [
    (kind, name)
    for kind, spec in KINDS.items()
    for name, where in spec.filters.items()
    if " >= $f_" in where.predicate or " <= $f_" in where.predicate
]


def test_every_dated_kind_has_a_date_filter() -> None:
    """The date-range checks cover every kind that has a date (guards the list itself)."""
    kinds = {kind for kind, _ in DATE_FILTERS}
    assert kinds >= {"Model", "Release", "Claim", "Result", "MarketEvent", "Source"}, kinds


async def test_lookups_and_date_ranges_are_index_seeks(filled: Graph) -> None:
    """Every by-key read seeks the uniqueness constraint's index (`model(slug:)` and the
    loaders), and every date-range filter seeks the date's range index: no label scans."""
    problems: list[str] = []
    for kind in sorted(KINDS):
        plan = await _plan(filled, _nodes_statement(kind), {"keys": ["a", "b"]})
        problems += _lookup_problems(kind, _operators(plan))
    for kind, name in DATE_FILTERS:
        spec = KINDS[kind]
        statement = _page_statement(kind, None, (name,), spec.default_order, False, False)
        params = {f"f_{name}": dt.date(2020, 1, 1), "limit": 21}
        problems += _range_problems(kind, name, _operators(await _plan(filled, statement, params)))
    assert not problems, "\n".join(problems)


async def test_first_leaderboard_page_reads_about_a_page_of_results(filled: Graph) -> None:
    """PROFILE: without a total, the first page of a benchmark's leaderboard seeks a few dozen
    of its 1000 results in score order (ten results tie on every score) and scans nothing; the
    full ranking, for totals and later pages, reads them all."""
    params = {"benchmark": "b", "asOf": None, "limit": 21, "afterSk": None, "afterTk": None}
    top = await _plan(filled, _LEADERBOARD_TOP, params, "PROFILE")
    seeks = _rows(top, "NodeIndexSeek") + _rows(top, "NodeIndexSeekByRange")
    scans = {op for op, _ in _operators(top)} & (SCANS | {"NodeIndexScan"})
    assert 21 <= seeks <= 80 and not scans, _operators(top)
    full = await _plan(filled, _LEADERBOARD, params, "PROFILE")
    assert _rows(full, "Expand(All)") >= N
