"""The question which market events followed a model's release, and how many days after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from modelatlas.domain import EventKind
from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.errors import InvalidArgument
from modelatlas.graph.reads.filters import _slug, _values
from modelatlas.graph.reads.kinds import _shaped
from modelatlas.graph.reads.nodes import MarketEventNode, _event
from modelatlas.graph.reads.paging import _TAIL_ASC, DEFAULT_PAGE_SIZE, Page, _analytic_page

MAX_WITHIN_DAYS: Final = 3660


@dataclass(frozen=True, slots=True)
class EventAfterRelease:
    """A market event within some days of a model's release."""

    event: MarketEventNode
    released_on: dt.date
    days_after: int
    attributed: bool


_EVENTS_AFTER: Final = _shaped(
    """
OPTIONAL MATCH (m:Model {slug: $model})
WITH m, m IS NOT NULL AS found,
     coalesce(m.releasedOn, COLLECT {
       MATCH (m)<-[:INTRODUCED]-(r:Release) WHERE r.date IS NOT NULL
       RETURN r.date AS d ORDER BY d LIMIT 1 }[0]) AS released
WITH found, COLLECT {
  MATCH (e:MarketEvent)
  WHERE released IS NOT NULL AND e.date >= released
    AND e.date <= released + duration({days: $withinDays})
    AND ($kinds IS NULL OR e.kind IN $kinds)
  WITH e, released, (EXISTS { (e)-[:ATTRIBUTED_TO]->(m) }
       OR EXISTS { (e)-[:ATTRIBUTED_TO]->(:Release)-[:INTRODUCED]->(m) }) AS attributed
  WHERE attributed OR NOT $attributedOnly
  RETURN {entry: {event: e@MarketEvent, releasedOn: released, attributed: attributed,
                  daysAfter: duration.inDays(released, e.date).days},
          sk: e.date, tk: e.id} AS x
  ORDER BY x.sk ASC, x.tk ASC
} AS entries
"""
    + _TAIL_ASC
)


def _event_after(r: Row) -> EventAfterRelease:
    return EventAfterRelease(
        _event(r["event"]), r["releasedOn"].to_native(), r["daysAfter"], r["attributed"]
    )


async def events_after_release(
    graph: Graph,
    model: str,
    within_days: int = 30,
    *,
    attributed_only: bool = False,
    kinds: Iterable[EventKind] | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Page[EventAfterRelease]:
    """Market events from a model's release day to `within_days` after, in date order.

    The release day is the model's `releasedOn`, else its earliest dated release.
    """
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InvalidArgument(
            f"`withinDays` must be between 0 and {MAX_WITHIN_DAYS}", argument="within_days"
        )
    slug = _slug(model)
    params: dict[str, Any] = {
        "model": slug,
        "withinDays": within_days,
        "attributedOnly": attributed_only,
        "kinds": None if kinds is None else _values(kinds),
    }
    return await _analytic_page(
        graph,
        _EVENTS_AFTER,
        params,
        name="eventsAfterRelease",
        value="date",
        first=first,
        after=after,
        build=_event_after,
        missing=f"no model {slug!r}",
    )
