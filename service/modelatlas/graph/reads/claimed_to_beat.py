"""The question which models are claimed to beat a model (or one of its variants)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from modelatlas.domain import ClaimKind
from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.filters import _slug, _values
from modelatlas.graph.reads.kinds import _shaped
from modelatlas.graph.reads.nodes import (
    BenchmarkNode,
    ClaimNode,
    ModelNode,
    OrganizationNode,
    SourceNode,
    _benchmark,
    _claim,
    _date,
    _model,
    _organization,
    _source,
)
from modelatlas.graph.reads.paging import _TAIL_DESC, DEFAULT_PAGE_SIZE, Page, _analytic_page


@dataclass(frozen=True, slots=True)
class BeatClaim:
    """A claim that a model beat the one asked about (or one of its variants)."""

    claim: ClaimNode
    subject: ModelNode
    claimant: OrganizationNode
    beaten: list[ModelNode]
    against: list[ModelNode]
    benchmark: BenchmarkNode | None
    date: dt.date | None
    sources: list[SourceNode]

    @property
    def statement(self) -> str:
        """What was said, as recorded."""
        return self.claim.statement

    @property
    def score(self) -> float | None:
        """The score claimed, when the claim gives one."""
        return self.claim.score


_BEATEN: Final = _shaped(
    """
OPTIONAL MATCH (target:Model {slug: $model})
WITH target, target IS NOT NULL AS found,
     CASE WHEN target IS NULL THEN []
          WHEN $includeVariants
            THEN [target] + COLLECT { MATCH (v:Model)-[:VARIANT_OF]->+(target)
                                      WHERE v <> target RETURN DISTINCT v }
          ELSE [target] END AS targets
WITH found, targets, COLLECT {
  UNWIND targets AS t
  MATCH (c:Claim)-[:AGAINST]->(t)
  WHERE c.kind IN $kinds
    AND ($benchmark IS NULL OR EXISTS { (c)-[:ON]->(:Benchmark {slug: $benchmark}) })
    AND ($claimant IS NULL OR EXISTS { (c)-[:CLAIMED_BY]->(:Organization {slug: $claimant}) })
  WITH c, collect(DISTINCT t) AS beaten
  WITH c, beaten, coalesce(c.madeOn, COLLECT {
         MATCH (c)-[ci:CITED_IN]->(src:Source)
         WITH coalesce(ci.madeOn, src.publishedOn) AS d WHERE d IS NOT NULL
         RETURN d ORDER BY d LIMIT 1 }[0]) AS madeOn
  WHERE ($since IS NULL OR madeOn >= $since) AND ($until IS NULL OR madeOn <= $until)
  MATCH (c)-[:SUBJECT]->(s:Model), (c)-[:CLAIMED_BY]->(o:Organization)
  OPTIONAL MATCH (c)-[:ON]->(b:Benchmark)
  RETURN {entry: {claim: c@Claim, subject: s@Model, claimant: o@Organization,
                  benchmark: b@Benchmark, date: madeOn, beaten: [t IN beaten | t@Model],
                  against: COLLECT { MATCH (c)-[:AGAINST]->(m:Model)
                                     RETURN m@Model AS m ORDER BY m.slug },
                  sources: COLLECT { MATCH (c)-[:CITED_IN]->(src:Source)
                                     RETURN src@Source AS src ORDER BY src.url }},
          sk: coalesce(madeOn, date('0001-01-01')), tk: c.id} AS x
  ORDER BY x.sk DESC, x.tk ASC
} AS entries
"""
    + _TAIL_DESC
)


def _beat_claim(r: Row) -> BeatClaim:
    benchmark = r["benchmark"]
    return BeatClaim(
        claim=_claim(r["claim"]),
        subject=_model(r["subject"]),
        claimant=_organization(r["claimant"]),
        beaten=[_model(m) for m in r["beaten"]],
        against=[_model(m) for m in r["against"]],
        benchmark=None if benchmark is None else _benchmark(benchmark),
        date=_date(r["date"]),
        sources=[_source(s) for s in r["sources"]],
    )


async def models_claimed_to_beat(
    graph: Graph,
    model: str,
    *,
    include_variants: bool = False,
    benchmark: str | None = None,
    claimant: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kinds: Iterable[ClaimKind] = (ClaimKind.OUTPERFORMS,),
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Page[BeatClaim]:
    """Claims that some model beat `model` (and, if asked, any of its variants), newest first.

    A claim's date is its own, else the earliest date a source gives for it; dateless claims
    come last and drop out when `since` or `until` is given.
    """
    slug = _slug(model)
    params: dict[str, Any] = {
        "model": slug,
        "includeVariants": include_variants,
        "benchmark": None if benchmark is None else _slug(benchmark),
        "claimant": None if claimant is None else _slug(claimant),
        "since": since,
        "until": until,
        "kinds": _values(kinds),
    }
    return await _analytic_page(
        graph,
        _BEATEN,
        params,
        name="modelsClaimedToBeat",
        value="date",
        first=first,
        after=after,
        build=_beat_claim,
        missing=f"no model {slug!r}",
    )
