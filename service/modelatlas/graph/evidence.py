"""Comparative claims against independent measurements: evidence, verdicts, contested claims.

"Independent" means not the claimant's and not the claim's own: a result counts unless its
evaluator is the claimant (by name, slug or alias), its report owner is the claimant, it is
self-reported by a model's developer, or it is cited in one of the claim's sources. Each side
of a (claim, compared model) pair takes its best such result on the claim's benchmark, as a
leaderboard would. An OUTPERFORMS pair is SUPPORTED when the subject's is better, CONTESTED
when it is worse and UNVERIFIED when a side has none or they tie; other comparative kinds
(MATCHES, CHEAPER_THAN, FASTER_THAN) cannot be tested on scores and stay UNVERIFIED. A claim is
CONTESTED if any pair is, SUPPORTED if every pair is, else UNVERIFIED. The verdict is stored on
the claim (`verdict`, so lists filter on it) and refreshed after every write of claims or
results; the evidence is read live, so it always shows why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, LiteralString

from modelatlas.domain import COMPARATIVE_CLAIM_KINDS, ClaimVerdict
from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.filters import _slug
from modelatlas.graph.reads.kinds import _shaped
from modelatlas.graph.reads.nodes import (
    BenchmarkNode,
    ClaimNode,
    ModelNode,
    OrganizationNode,
    ResultNode,
    SourceNode,
    _benchmark,
    _claim,
    _model,
    _organization,
    _result,
    _source,
)
from modelatlas.graph.reads.paging import _TAIL_DESC, DEFAULT_PAGE_SIZE, Page, _analytic_page

__all__ = [
    "ClaimEvidence",
    "ContestedClaim",
    "claim_evidence",
    "contested_claims",
    "refresh_verdicts",
]

_COMPARATIVE: Final = sorted(kind.value for kind in COMPARATIVE_CLAIM_KINDS)


# The best independent result of the subject s (rs) and of the compared model m (rm) on b.
# Expanded from the model (a few results), never from the benchmark (thousands), then checked.
_BEST_SUBJECT: Final[LiteralString] = """
  CALL (c, b, s, o, sign, claimantNames) {
    OPTIONAL MATCH (s)<-[:OF]-(r:Result)
    WHERE EXISTS { (r)-[:ON]->(b) } AND NOT toLower(coalesce(r.evaluator, '')) IN claimantNames
      AND coalesce(r.reportOwner, '') <> o.slug AND NOT coalesce(r.selfReported, false)
      AND NOT EXISTS { (r)-[:CITED_IN]->(:Source)<-[:CITED_IN]-(c) }
    RETURN r AS rs ORDER BY sign * r.score DESC, r.measuredOn ASC, r.id ASC LIMIT 1
  }"""
_BEST_AGAINST: Final[LiteralString] = (
    _BEST_SUBJECT.replace("(s)", "(m)").replace(", s,", ", m,").replace("AS rs", "AS rm")
)


# Given c, one row per compared model m: the claimant o, the benchmark b (or null), both sides'
# best independent results rs and rm (or null) and the pair's verdict. The subject's best is
# found once per claim, before the rows fan out to the compared models.
_PAIRS: Final[LiteralString] = (
    """
  MATCH (c)-[:SUBJECT]->(s:Model), (c)-[:CLAIMED_BY]->(o:Organization)
  OPTIONAL MATCH (c)-[:ON]->(b:Benchmark)
  WITH c, s, o, b, CASE WHEN coalesce(b.higherIsBetter, true) THEN 1.0 ELSE -1.0 END AS sign,
       [x IN [o.name, o.slug] + coalesce(o.aliases, []) | toLower(x)] AS claimantNames"""
    + _BEST_SUBJECT
    + """
  MATCH (c)-[:AGAINST]->(m:Model)"""
    + _BEST_AGAINST
    + """
  WITH c, s, o, m, b, rs, rm,
       CASE WHEN c.kind <> 'OUTPERFORMS' OR rs IS NULL OR rm IS NULL OR rs.score = rm.score
              THEN 'UNVERIFIED'
            WHEN sign * rs.score > sign * rm.score THEN 'SUPPORTED'
            ELSE 'CONTESTED' END AS verdict"""
)

# The claims to re-weigh: those given, those about the models given, or every claim. `$all` is
# tested before the label scan (WITH ... WHERE): as `MATCH (c:Claim) WHERE $all` the planner
# scanned every claim and then dropped them all, on every write (100k claims: 106,757 db hits
# and ~1 s for a 2,000-claim refresh, against 4,000 hits this way).
_CLAIMS: Final[LiteralString] = """
CALL () {
  UNWIND $ids AS id MATCH (c:Claim {id: id}) RETURN c
  UNION
  UNWIND $models AS slug MATCH (:Model {slug: slug})<-[:SUBJECT|AGAINST]-(c:Claim) RETURN c
  UNION
  WITH $all AS everything WHERE everything MATCH (c:Claim) RETURN c
}
"""

# Each claim's verdict from its pairs; a claim of another kind has none (removed when stored).
_REFRESH: Final[LiteralString] = (
    _CLAIMS
    + """
CALL (c) {
  WITH c WHERE c.kind IN $kinds"""
    + _PAIRS
    + """
  RETURN collect(verdict) AS verdicts
}
WITH c, CASE WHEN NOT c.kind IN $kinds THEN null
             WHEN 'CONTESTED' IN verdicts THEN 'CONTESTED'
             WHEN size(verdicts) > 0 AND all(v IN verdicts WHERE v = 'SUPPORTED') THEN 'SUPPORTED'
             ELSE 'UNVERIFIED' END AS verdict
WHERE coalesce(c.verdict, '') <> coalesce(verdict, '')
SET c.verdict = verdict
RETURN count(c) AS changed
"""
)

_CHUNK: Final = 2000
_IN_FLIGHT: Final = 2  # chunks re-weighed at once

# The claims about some models (as subject or compared), to refresh each claim once. One
# row, not one per claim: streamed row by row, 100k ids took 4.6 s, collected 0.7 s.
_ABOUT: Final[LiteralString] = """
UNWIND $models AS slug
MATCH (:Model {slug: slug})<-[:SUBJECT|AGAINST]-(c:Claim)
RETURN collect(DISTINCT c.id) AS ids
"""


async def refresh_verdicts(
    graph: Graph,
    *,
    claims: Sequence[str] = (),
    models: Sequence[str] = (),
    everything: bool = False,
) -> int:
    """Recompute the stored verdict of the claims given, or about the models given; or all.

    Returns how many claims' verdicts changed (a rerun over the same graph changes none).
    """
    chunks: list[dict[str, Any]]
    if everything:
        chunks = [{"all": True, "ids": [], "models": []}]
    elif not claims and not models:
        return 0
    elif len(claims) <= _CHUNK and len(models) <= _CHUNK:  # a small write's: one statement
        chunks = [{"all": False, "ids": list(claims), "models": list(models)}]
    else:
        # Many: the claims about the models first, so a claim both written and about a
        # model given (most of an import's) is weighed once, not once per chunk naming it.
        about = (await graph.read(_ABOUT, {"models": list(models)}))[0]["ids"] if models else []
        ids = list(dict.fromkeys([*claims, *about]))
        chunks = [
            {"all": False, "ids": ids[i : i + _CHUNK], "models": []}
            for i in range(0, len(ids), _CHUNK)
        ]
    # Each chunk in its own transaction, so a large import stays bounded; two at a time, as
    # their claims are disjoint (no lock waits) and one keeps the server's CPU half idle
    # while its answer travels back and the next is sent.
    gate = asyncio.Semaphore(_IN_FLIGHT)

    async def weigh(chunk: dict[str, Any]) -> int:
        async with gate:
            rows = await graph.write(_REFRESH, {"kinds": _COMPARATIVE, **chunk})
            return int(rows[0]["changed"])

    if len(chunks) == 1:
        return await weigh(chunks[0])
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(weigh(chunk)) for chunk in chunks]
    return sum(task.result() for task in tasks)


# ---- evidence


@dataclass(frozen=True, slots=True)
class ClaimEvidence:
    """One compared model of a claim: both sides' best independent results and what they say."""

    against: ModelNode
    verdict: ClaimVerdict
    subject_result: ResultNode | None
    against_result: ResultNode | None
    subject_sources: list[SourceNode]
    against_sources: list[SourceNode]


_EVIDENCE: Final[LiteralString] = _shaped(
    """
UNWIND $ids AS id
MATCH (c:Claim {id: id})
CALL (c) {"""
    + _PAIRS
    + """
  RETURN collect({against: m@Model, verdict: verdict,
                  subjectResult: rs@Result, againstResult: rm@Result,
                  subjectSources: COLLECT { MATCH (rs)-[:CITED_IN]->(x:Source)
                                            RETURN x@Source AS x ORDER BY x.url },
                  againstSources: COLLECT { MATCH (rm)-[:CITED_IN]->(x:Source)
                                            RETURN x@Source AS x ORDER BY x.url },
                  key: m.slug}) AS pairs
}
RETURN id, pairs
"""
)


def _evidence(r: Row) -> ClaimEvidence:
    return ClaimEvidence(
        against=_model(r["against"]),
        verdict=ClaimVerdict(r["verdict"]),
        subject_result=None if r["subjectResult"] is None else _result(r["subjectResult"]),
        against_result=None if r["againstResult"] is None else _result(r["againstResult"]),
        subject_sources=[_source(s) for s in r["subjectSources"]],
        against_sources=[_source(s) for s in r["againstSources"]],
    )


async def claim_evidence(graph: Graph, ids: Sequence[str]) -> dict[str, list[ClaimEvidence]]:
    """Each claim's evidence, one entry per compared model sorted by its slug (none: [])."""
    rows = await graph.read(_EVIDENCE, {"ids": list(dict.fromkeys(ids))})
    found = {
        row["id"]: [_evidence(p) for p in sorted(row["pairs"], key=lambda p: str(p["key"]))]
        for row in rows
    }
    return {id: found.get(id, []) for id in ids}


# ---- contested claims


@dataclass(frozen=True, slots=True)
class ContestedClaim:
    """A claim to beat a model on a benchmark that independent results contradict."""

    claim: ClaimNode
    claimant: OrganizationNode
    subject: ModelNode
    against: ModelNode
    benchmark: BenchmarkNode
    subject_result: ResultNode
    against_result: ResultNode
    claim_sources: list[SourceNode]
    subject_sources: list[SourceNode]
    against_sources: list[SourceNode]

    @property
    def subject_score(self) -> float:
        """The subject's best independent score."""
        return self.subject_result.score

    @property
    def against_score(self) -> float:
        """The compared model's best independent score."""
        return self.against_result.score


_CONTESTED: Final = _shaped(
    """
WITH true AS found, COLLECT {
  MATCH (c:Claim)
  WHERE c.kind = 'OUTPERFORMS'
    AND ($benchmark IS NULL OR EXISTS { (c)-[:ON]->(:Benchmark {slug: $benchmark}) })
    AND ($model IS NULL OR EXISTS { (c)-[:SUBJECT|AGAINST]->(:Model {slug: $model}) })
    AND ($claimant IS NULL OR EXISTS { (c)-[:CLAIMED_BY]->(:Organization {slug: $claimant}) })
  CALL (c) {"""
    + _PAIRS
    + """
    RETURN s, o, m, b, rs, rm, verdict
  }
  WITH c, s, o, m, b, rs, rm WHERE verdict = 'CONTESTED'
    AND ($model IS NULL OR s.slug = $model OR m.slug = $model)
  RETURN {entry: {claim: c@Claim, claimant: o@Organization, subject: s@Model, against: m@Model,
                  benchmark: b@Benchmark, subjectResult: rs@Result, againstResult: rm@Result,
                  claimSources: COLLECT { MATCH (c)-[:CITED_IN]->(x:Source)
                                          RETURN x@Source AS x ORDER BY x.url },
                  subjectSources: COLLECT { MATCH (rs)-[:CITED_IN]->(x:Source)
                                            RETURN x@Source AS x ORDER BY x.url },
                  againstSources: COLLECT { MATCH (rm)-[:CITED_IN]->(x:Source)
                                            RETURN x@Source AS x ORDER BY x.url }},
          sk: coalesce(c.madeOn, date('0001-01-01')), tk: c.id + ' ' + m.slug} AS x
  ORDER BY x.sk DESC, x.tk ASC
} AS entries
"""
    + _TAIL_DESC
)


def _contested(r: Row) -> ContestedClaim:
    return ContestedClaim(
        claim=_claim(r["claim"]),
        claimant=_organization(r["claimant"]),
        subject=_model(r["subject"]),
        against=_model(r["against"]),
        benchmark=_benchmark(r["benchmark"]),
        subject_result=_result(r["subjectResult"]),
        against_result=_result(r["againstResult"]),
        claim_sources=[_source(s) for s in r["claimSources"]],
        subject_sources=[_source(s) for s in r["subjectSources"]],
        against_sources=[_source(s) for s in r["againstSources"]],
    )


async def contested_claims(
    graph: Graph,
    *,
    benchmark: str | None = None,
    model: str | None = None,
    claimant: str | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Page[ContestedClaim]:
    """Claims to outperform a model on a benchmark where independent results say the opposite.

    One entry per claim and compared model whose pair verdict is CONTESTED; newest first.
    """
    params = {
        "benchmark": None if benchmark is None else _slug(benchmark),
        "model": None if model is None else _slug(model),
        "claimant": None if claimant is None else _slug(claimant),
    }
    return await _analytic_page(
        graph,
        _CONTESTED,
        params,
        name="contestedClaims",
        value="date",
        first=first,
        after=after,
        build=_contested,
    )
