"""The question what happened to an organization or a model, in date order: its timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, LiteralString

from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.kinds import KINDS
from modelatlas.graph.reads.nodes import (
    ClaimNode,
    MarketEventNode,
    ReleaseNode,
    ResultNode,
    _claim,
    _date,
    _event,
    _release,
    _result,
)
from modelatlas.graph.reads.paging import _TAIL_ASC, DEFAULT_PAGE_SIZE, Page, _analytic_page
from modelatlas.graph.reads.refs import _RESOLVE_SUBJECT, _ref_params


class TimelineKind(StrEnum):
    """What a timeline entry is."""

    RELEASE = "RELEASE"
    CLAIM = "CLAIM"
    RESULT = "RESULT"
    MARKET_EVENT = "MARKET_EVENT"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated (or undated, last) happening in an organization's or model's history."""

    kind: TimelineKind
    date: dt.date | None
    summary: str
    item: ReleaseNode | ClaimNode | ResultNode | MarketEventNode


_RESULT_SUMMARY: Final = (
    "coalesce(COLLECT { MATCH (n)-[:OF]->(x:Model) RETURN x.name }[0], '?') + ' scored ' + "
    "toString(n.score) + ' on ' + "
    "coalesce(COLLECT { MATCH (n)-[:ON]->(x:Benchmark) RETURN x.name }[0], '?')"
)


def _timeline_branch(
    pattern: LiteralString, kind: TimelineKind, date: LiteralString, key: LiteralString
) -> LiteralString:
    projection: LiteralString = {
        TimelineKind.RELEASE: KINDS["Release"].projection,
        TimelineKind.CLAIM: KINDS["Claim"].projection,
        TimelineKind.RESULT: KINDS["Result"].projection,
        TimelineKind.MARKET_EVENT: KINDS["MarketEvent"].projection,
    }[kind]
    summary: LiteralString = {
        TimelineKind.RELEASE: "n.title",
        TimelineKind.CLAIM: "n.statement",
        TimelineKind.RESULT: _RESULT_SUMMARY,
        TimelineKind.MARKET_EVENT: "n.description",
    }[kind]
    return (
        "    MATCH " + pattern + "\n    RETURN '" + kind.value + "' AS kind, n." + date
        + " AS d, n." + key + " AS key, n" + projection + " AS node, " + summary
        + " AS summary\n"
    )  # fmt: skip


_TIMELINE_BRANCHES: Final[tuple[LiteralString, ...]] = (
    _timeline_branch("(o)<-[:ANNOUNCED_BY]-(n:Release)", TimelineKind.RELEASE, "date", "slug"),
    _timeline_branch("(m)<-[:INTRODUCED]-(n:Release)", TimelineKind.RELEASE, "date", "slug"),
    _timeline_branch("(o)<-[:CLAIMED_BY]-(n:Claim)", TimelineKind.CLAIM, "madeOn", "id"),
    _timeline_branch("(m)<-[:SUBJECT|AGAINST]-(n:Claim)", TimelineKind.CLAIM, "madeOn", "id"),
    _timeline_branch(
        "(o)-[:DEVELOPED]->(:Model)<-[:OF]-(n:Result)", TimelineKind.RESULT, "measuredOn", "id"
    ),
    _timeline_branch("(m)<-[:OF]-(n:Result)", TimelineKind.RESULT, "measuredOn", "id"),
    _timeline_branch("(o)<-[:AFFECTED]-(n:MarketEvent)", TimelineKind.MARKET_EVENT, "date", "id"),
    _timeline_branch(
        "(o)-[:DEVELOPED]->(:Model)<-[:ATTRIBUTED_TO]-(n:MarketEvent)",
        TimelineKind.MARKET_EVENT,
        "date",
        "id",
    ),
    _timeline_branch(
        "(o)<-[:ANNOUNCED_BY]-(:Release)<-[:ATTRIBUTED_TO]-(n:MarketEvent)",
        TimelineKind.MARKET_EVENT,
        "date",
        "id",
    ),
    _timeline_branch(
        "(m)<-[:ATTRIBUTED_TO]-(n:MarketEvent)", TimelineKind.MARKET_EVENT, "date", "id"
    ),
    _timeline_branch(
        "(m)<-[:INTRODUCED]-(:Release)<-[:ATTRIBUTED_TO]-(n:MarketEvent)",
        TimelineKind.MARKET_EVENT,
        "date",
        "id",
    ),
)

_TIMELINE: Final = (
    "WITH " + _RESOLVE_SUBJECT + " AS subject\n"
    "WITH subject IS NOT NULL AS found,\n"
    "     CASE WHEN subject:Organization THEN subject END AS o,\n"
    "     CASE WHEN subject:Model THEN subject END AS m\n"
    "WITH found, COLLECT {\n  CALL (o, m) {\n"
    + "    UNION\n".join(_TIMELINE_BRANCHES)
    + "  }\n"
    "  WITH kind, d, key, node, summary\n"
    "  WHERE ($since IS NULL OR d >= $since) AND ($until IS NULL OR d <= $until)\n"
    "  RETURN {entry: {kind: kind, date: d, node: node, summary: summary},\n"
    "          sk: coalesce(d, date('9999-12-31')), tk: kind + ':' + key} AS x\n"
    "  ORDER BY x.sk ASC, x.tk ASC\n"
    "} AS entries\n"
    + _TAIL_ASC
)  # fmt: skip

_TIMELINE_BUILD: Final[dict[str, Callable[[Row], Any]]] = {
    "RELEASE": _release,
    "CLAIM": _claim,
    "RESULT": _result,
    "MARKET_EVENT": _event,
}


def _timeline_entry(r: Row) -> TimelineEntry:
    kind = r["kind"]
    return TimelineEntry(
        TimelineKind(kind), _date(r["date"]), r["summary"], _TIMELINE_BUILD[kind](r["node"])
    )


async def timeline(
    graph: Graph,
    subject: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Page[TimelineEntry]:
    """An organization's or model's releases, claims, results and events in date order.

    For an organization: what it announced, claimed, and was affected by, plus the results of
    and the events attributed to its models. Undated entries come last, and drop out when a
    date range is given. A plain slug names an organization first, else a model.
    """
    params = _ref_params(subject, "r_", allowed=("Organization", "Model"))
    params |= {"since": since, "until": until}
    return await _analytic_page(
        graph,
        _TIMELINE,
        params,
        name="timeline",
        value="date",
        first=first,
        after=after,
        build=_timeline_entry,
        missing=f"no organization or model {subject!r}",
    )
