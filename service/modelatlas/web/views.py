"""What each explorer page shows, read through the Python API (KnowledgeGraph), never Cypher."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Final

from modelatlas.domain import ClaimVerdict, MeasuredBy
from modelatlas.graph.evidence import ClaimEvidence
from modelatlas.graph.history import RecordPoint
from modelatlas.graph.reads import (
    RELATIONS,
    BenchmarkNode,
    ClaimNode,
    ClaimOrder,
    ClaimWhere,
    GraphPath,
    LeaderboardEntry,
    ModelNode,
    ModelOrder,
    NotFound,
    OrganizationNode,
    Page,
    PageAlong,
    PageRequest,
    ReleaseOrder,
    ResultNode,
    SourceNode,
    normalise_key,
    page_along,
)
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.web.entities import Entity, entity

_CLAIM_PARTS: Final = (
    ("Claim.claimant", ()),
    ("Claim.subject", ()),
    ("Claim.against", ()),
    ("Claim.benchmark", ()),
)
LEADERBOARD_ROWS: Final = 50
"""The leaderboard's rows on the benchmark page (GraphQL pages through the rest)."""
MAX_LIST: Final = 100
"""Rows one section of a page lists at most, newest first (the rest is a GraphQL page away)."""


def _newest(relation: str, order: str) -> PageAlong:
    along = page_along(relation, PageRequest(MAX_LIST, None, order))
    assert along is not None  # no filter, no cursor: always one
    return along


_CLAIMS_MADE: Final = _newest("Model.claims", ClaimOrder.MADE_ON_DESC)
_CLAIMS_AGAINST: Final = _newest("Model.claimsAgainst", ClaimOrder.MADE_ON_DESC)
_ORG_CLAIMS: Final = _newest("Organization.claims", ClaimOrder.MADE_ON_DESC)
_ORG_MODELS: Final = _newest("Organization.models", ModelOrder.RELEASED_ON_DESC)
_ORG_RELEASES: Final = _newest("Organization.releases", ReleaseOrder.DATE_DESC)
_MODEL_PREFETCH: Final = (
    ("Model.developers", (("Organization.country", ()),)),
    ("Model.variantOf", ()),
    ("Model.variants", ()),
    ("Model.releases", (("Release.sources", ()),)),
    ("Model.events", ()),
    (_CLAIMS_MADE, _CLAIM_PARTS[:1] + _CLAIM_PARTS[2:]),
    (_CLAIMS_AGAINST, _CLAIM_PARTS[:2] + _CLAIM_PARTS[3:]),
)
_RESULT_PARTS: Final = (("Result.benchmark", ()), ("Result.sources", ()))
_ORGANIZATION_PREFETCH: Final = (
    ("Organization.country", ()),
    ("Organization.parent", ()),
    ("Organization.parts", ()),
    ("Organization.partners", ()),
    (_ORG_MODELS, ()),
    ("Organization.events", ()),
    (_ORG_RELEASES, ()),
    (_ORG_CLAIMS, _CLAIM_PARTS[1:]),
)


def _first(items: list[Any]) -> Any:
    return items[0] if items else None


# ---------------------------------------------------------------- claims, as every page lists them


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim with who made it, about which models, on what, and its verdict."""

    claim: ClaimNode
    claimant: OrganizationNode | None
    subject: ModelNode | None
    against: list[ModelNode]
    benchmark: BenchmarkNode | None

    @property
    def verdict(self) -> str:
        """The verdict's name, or "NONE" for a claim that is not comparative."""
        return self.claim.verdict.value if self.claim.verdict else "NONE"


def _claim_row(node: ClaimNode) -> ClaimRow:
    got = node.prefetched or {}
    return ClaimRow(
        claim=node,
        claimant=_first(got.get("Claim.claimant", [])),
        subject=_first(got.get("Claim.subject", [])),
        against=list(got.get("Claim.against", [])),
        benchmark=_first(got.get("Claim.benchmark", [])),
    )


# ---------------------------------------------------------------- model page


@dataclass(frozen=True, slots=True)
class BenchmarkScores:
    """A model's results on one benchmark, split by who measured them."""

    benchmark: BenchmarkNode
    results: list[tuple[ResultNode, list[SourceNode]]]

    def _best(self, rows: list[ResultNode]) -> ResultNode | None:
        if not rows:
            return None
        pick = max if self.benchmark.higher_is_better else min
        return pick(rows, key=lambda r: r.score)

    @property
    def self_reported(self) -> ResultNode | None:
        """The best score the model's own developer reported."""
        return self._best([r for r, _ in self.results if r.self_reported])

    @property
    def independent(self) -> ResultNode | None:
        """The best score anyone else measured (Epoch AI, a leaderboard, another lab)."""
        return self._best([r for r, _ in self.results if r.self_reported is False])


@dataclass(frozen=True, slots=True)
class LineageTree:
    """A model's descendants as nested (model, children) pairs, nearest first."""

    model: ModelNode
    children: list[LineageTree] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ModelView:
    """Everything the model page shows."""

    model: ModelNode
    developers: list[OrganizationNode]
    countries: list[Any]
    variant_of: list[ModelNode]
    variants: list[ModelNode]
    releases: list[Any]
    release_sources: dict[str, list[SourceNode]]
    events: list[Any]
    claims: list[ClaimRow]
    claims_against: list[ClaimRow]
    scores: list[BenchmarkScores]
    ancestors: list[tuple[ModelNode, int]]
    descendants: list[LineageTree]


async def model_view(kg: KnowledgeGraph, slug: str) -> ModelView:
    """The model page: facts with sources, lineage, variants, releases, claims, results."""
    key = normalise_key("Model", slug)
    found, results, ancestors, descendants = await asyncio.gather(
        kg.nodes("Model", [key], _MODEL_PREFETCH),
        kg.related("Model.results", [key], _RESULT_PARTS),
        kg.ancestors(key, first=MAX_LIST),
        kg.derived_models(key, first=MAX_LIST),
    )
    model: ModelNode | None = found.get(key)
    if model is None:
        raise NotFound(f"No model is called {slug!r}.")
    got = model.prefetched or {}
    developers = list(got.get("Model.developers", []))
    releases = list(got.get("Model.releases", []))
    per_benchmark: dict[str, list[tuple[ResultNode, list[SourceNode]]]] = defaultdict(list)
    benchmarks: dict[str, BenchmarkNode] = {}
    for result in results.get(key, []):
        parts = result.prefetched or {}
        bench = _first(parts.get("Result.benchmark", []))
        if bench is None:
            continue
        benchmarks[bench.slug] = bench
        per_benchmark[bench.slug].append((result, list(parts.get("Result.sources", []))))
    scores = [
        BenchmarkScores(benchmarks[s], sorted(rows, key=lambda p: -p[0].score))
        for s, rows in sorted(per_benchmark.items(), key=lambda kv: benchmarks[kv[0]].name.lower())
    ]
    return ModelView(
        model=model,
        developers=developers,
        countries=[
            c for d in developers for c in (d.prefetched or {}).get("Organization.country", [])
        ],
        variant_of=list(got.get("Model.variantOf", [])),
        variants=list(got.get("Model.variants", [])),
        releases=sorted(releases, key=lambda r: r.date or dt.date.max),
        release_sources={
            r.slug: list((r.prefetched or {}).get("Release.sources", [])) for r in releases
        },
        events=sorted(got.get("Model.events", []), key=lambda e: e.date),
        claims=[replace(_claim_row(c), subject=model) for c in got[_CLAIMS_MADE].nodes],
        claims_against=[
            replace(_claim_row(c), against=[model]) for c in got[_CLAIMS_AGAINST].nodes
        ],
        scores=scores,
        ancestors=[(e.model, e.depth) for e in ancestors.nodes],
        descendants=await _tree(kg, model, descendants.nodes),
    )


async def _tree(kg: KnowledgeGraph, root: ModelNode, entries: list[Any]) -> list[LineageTree]:
    """Nest descendants under the parent they derive from (nearest first, each once)."""
    if not entries:
        return []
    keys = [e.model.slug for e in entries]
    parents = await kg.related("Model.derivedFrom", keys)
    depth = {root.slug: 0} | {e.model.slug: e.depth for e in entries}
    children: dict[str, list[ModelNode]] = defaultdict(list)
    for e in entries:
        # a model derived from several lineage members hangs under the nearest one
        ups = [p.slug for p in parents.get(e.model.slug, []) if p.slug in depth]
        parent = min(ups, key=lambda s: (depth[s], s)) if ups else root.slug
        children[parent].append(e.model)

    def grow(model: ModelNode) -> LineageTree:
        return LineageTree(model, [grow(c) for c in children.get(model.slug, [])])

    return [grow(c) for c in children.get(root.slug, [])]


# ---------------------------------------------------------------- organization page


@dataclass(frozen=True, slots=True)
class Moment:
    """One dated happening on an organization's timeline: a release, a claim or an event."""

    date: dt.date | None
    what: str
    entity: Entity


@dataclass(frozen=True, slots=True)
class OrganizationView:
    """Everything the organization page shows."""

    organization: OrganizationNode
    country: Any
    parent: OrganizationNode | None
    parts: list[OrganizationNode]
    partners: list[OrganizationNode]
    models: list[ModelNode]
    model_count: int | None
    events: list[Any]
    claims: list[ClaimRow]
    timeline: list[Moment]


async def organization_view(kg: KnowledgeGraph, slug: str) -> OrganizationView:
    """The organization page: country, models, and its releases, claims and events by date."""
    key = normalise_key("Organization", slug)
    found = await kg.nodes("Organization", [key], _ORGANIZATION_PREFETCH)
    org: OrganizationNode | None = found.get(key)
    if org is None:
        raise NotFound(f"No organization is called {slug!r}.")
    got = org.prefetched or {}
    claims = [replace(_claim_row(c), claimant=org) for c in got[_ORG_CLAIMS].nodes]
    events = sorted(got.get("Organization.events", []), key=lambda e: e.date)
    releases = got[_ORG_RELEASES].nodes
    moments = [Moment(r.date, "Release", entity(r)) for r in releases]
    moments += [Moment(c.claim.made_on, "Claim", entity(c.claim)) for c in claims]
    moments += [Moment(e.date, "Market event", entity(e)) for e in events]
    return OrganizationView(
        organization=org,
        country=_first(got.get("Organization.country", [])),
        parent=_first(got.get("Organization.parent", [])),
        parts=list(got.get("Organization.parts", [])),
        partners=list(got.get("Organization.partners", [])),
        models=got[_ORG_MODELS].nodes,
        model_count=got[_ORG_MODELS].total_count,
        events=events,
        claims=claims,
        timeline=sorted(moments, key=lambda m: (m.date or dt.date.max, m.what, m.entity.key)),
    )


# ---------------------------------------------------------------- benchmark page


@dataclass(frozen=True, slots=True)
class BenchmarkView:
    """Everything the benchmark page shows."""

    benchmark: BenchmarkNode
    as_of: dt.date | None
    leaderboard: list[LeaderboardEntry]
    history: list[RecordPoint]


async def benchmark_view(kg: KnowledgeGraph, slug: str, as_of: dt.date | None) -> BenchmarkView:
    """The benchmark page: the leaderboard as of a date and the best score over time."""
    key = normalise_key("Benchmark", slug)
    found = await kg.nodes("Benchmark", [key])
    bench: BenchmarkNode | None = found.get(key)
    if bench is None:
        raise NotFound(f"No benchmark is called {slug!r}.")
    board, history = await asyncio.gather(
        kg.leaderboard(key, as_of=as_of, first=LEADERBOARD_ROWS, count=False),
        kg.record_history(key),
    )
    return BenchmarkView(
        benchmark=bench,
        as_of=as_of,
        leaderboard=board.nodes,
        history=history,
    )


# ---------------------------------------------------------------- claim pages


@dataclass(frozen=True, slots=True)
class ClaimView:
    """Everything the claim page shows."""

    row: ClaimRow
    sources: list[SourceNode]
    evidence: list[ClaimEvidence]


async def claim_view(kg: KnowledgeGraph, id: str) -> ClaimView:
    """The claim page: statement, claimant, sources, the independent evidence and verdict."""
    found, evidence = await asyncio.gather(
        kg.nodes("Claim", [id], (*_CLAIM_PARTS, ("Claim.sources", ()))),
        kg.claim_evidence([id]),
    )
    claim: ClaimNode | None = found.get(id)
    if claim is None:
        raise NotFound(f"No claim has the id {id!r}.")
    return ClaimView(
        row=_claim_row(claim),
        sources=list((claim.prefetched or {}).get("Claim.sources", [])),
        evidence=evidence.get(id, []),
    )


VERDICTS: Final = tuple(v.value for v in ClaimVerdict)
CLAIMS_PER_PAGE: Final = 25


@dataclass(frozen=True, slots=True)
class ClaimsView:
    """The claims-vs-measurements page: a filtered page of claims with their evidence."""

    rows: list[tuple[ClaimRow, list[ClaimEvidence]]]
    next_cursor: str | None


async def claims_view(
    kg: KnowledgeGraph,
    *,
    verdict: ClaimVerdict | None,
    benchmark: str | None,
    claimant: str | None,
    after: str | None,
) -> ClaimsView:
    """Claims with both sides' independent scores, filtered by verdict, benchmark, claimant."""
    where = ClaimWhere(
        verdict=None if verdict is None else (verdict,),
        benchmark=benchmark,
        claimant=claimant,
    )
    # no total: counting every match costs more than the page itself on a large graph
    request = PageRequest(
        CLAIMS_PER_PAGE, after, ClaimOrder.MADE_ON_DESC, where, False, _CLAIM_PARTS
    )
    page: Page[ClaimNode] = await kg.page("Claim", request)
    evidence = await kg.claim_evidence([c.id for c in page.nodes])
    return ClaimsView(
        rows=[(_claim_row(c), evidence.get(c.id, [])) for c in page.nodes],
        next_cursor=page.page_info.end_cursor if page.page_info.has_next_page else None,
    )


# ---------------------------------------------------------------- graph and path views

_TYPE: Final = re.compile(r"\[:(\w+)\]")


@dataclass(frozen=True, slots=True)
class Edge:
    """A relationship drawn between two entities, labelled with its type."""

    source: Entity
    target: Entity
    label: str


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """An entity and every node one relationship away, with the edges between them."""

    centre: Entity
    edges: list[Edge]

    def elements(self) -> dict[str, list[dict[str, str]]]:
        """The nodes and edges as the graph drawing takes them (JSON-ready)."""
        return drawing([self.centre], self.edges)


def drawing(entities: list[Entity], edges: list[Edge]) -> dict[str, list[dict[str, str]]]:
    """Nodes (the given entities first, in order, then the edges' other ends) and edges as
    the graph drawing (static/graph.js) takes them."""
    nodes = {e.ref: e for e in entities}
    for edge in edges:
        nodes.setdefault(edge.source.ref, edge.source)
        nodes.setdefault(edge.target.ref, edge.target)
    return {
        "nodes": [
            {"id": n.ref, "kind": n.kind, "label": n.label[:60], "url": n.url}
            for n in nodes.values()
        ],
        "edges": [
            {"id": f"{e.source.ref}|{e.label}|{e.target.ref}", "source": e.source.ref,
             "target": e.target.ref, "label": e.label}
            for e in edges
        ],
    }  # fmt: skip


MAX_NEIGHBOURS: Final = 60
"""Nodes one relationship of the neighbourhood view draws at most (the busiest first cut)."""


async def neighbourhood(kg: KnowledgeGraph, kind: str, key: str) -> Neighbourhood:
    """Every node one relationship away from an entity (each relationship capped)."""
    key = normalise_key(kind, key)
    relations = sorted(name for name in RELATIONS if name.split(".")[0] == kind)
    found = await kg.nodes(kind, [key], tuple((name, ()) for name in relations))
    node = found.get(key)
    if node is None:
        raise NotFound(f"No {kind.lower()} has the key {key!r}.")
    centre = entity(node)
    edges: list[Edge] = []
    got = node.prefetched or {}
    for name in relations:
        pattern = RELATIONS[name].pattern
        match = _TYPE.search(pattern)
        label = match.group(1) if match else name.split(".")[1]
        incoming = "(p)<-" in pattern
        for other in got.get(name, [])[:MAX_NEIGHBOURS]:
            far = entity(other)
            edges.append(Edge(far, centre, label) if incoming else Edge(centre, far, label))
    if kind == "Model":  # models derived from this one: a lineage, not a RELATIONS field
        derived = await kg.derived_models(key, max_depth=1, first=MAX_NEIGHBOURS)
        edges += [Edge(entity(e.model), centre, "DERIVED_FROM") for e in derived.nodes]
    return Neighbourhood(centre, edges)


@dataclass(frozen=True, slots=True)
class PathView:
    """A shortest path as the entities along it and the edges between them."""

    entities: list[Entity]
    edges: list[Edge]

    def elements(self) -> dict[str, list[dict[str, str]]]:
        """The path's nodes, in path order, and edges as the graph drawing takes them."""
        return drawing(self.entities, self.edges)


async def path_view(kg: KnowledgeGraph, source: str, target: str) -> PathView | None:
    """How two entities connect (None: not within the hop bound)."""
    path: GraphPath | None = await kg.path(source, target)
    if path is None:
        return None
    here = entity(path.start)
    entities, edges = [here], []
    for step in path.steps:
        there = entity(step.node)
        outgoing = step.direction.value == "OUTGOING"
        label = step.relationship.value
        edges.append(Edge(here, there, label) if outgoing else Edge(there, here, label))
        entities.append(there)
        here = there
    return PathView(entities, edges)


MEASURED_BY: Final[dict[str, str]] = {
    MeasuredBy.DEVELOPER: "its developer",
    MeasuredBy.EPOCH_AI: "Epoch AI",
    MeasuredBy.LEADERBOARD: "a leaderboard",
    MeasuredBy.THIRD_PARTY: "another lab",
    MeasuredBy.UNKNOWN: "unknown",
}
"""Who measured a result, in words."""
