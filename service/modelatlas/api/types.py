"""GraphQL object types for every node kind, their relationship fields, and the answer types.

Resolvers return the read layer's frozen dataclasses as they are: scalar fields are read off
them by attribute, and each relationship field asks a per-request DataLoader (see loaders.py),
so every relationship costs one Cypher round trip per query level however many rows there are.
"""

# Resolvers return the read layer's dataclasses where the schema names these GraphQL types
# (strawberry reads fields by attribute): the loader helpers are typed Any for that reason.
# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

import modelatlas.api.enums  # noqa: F401 - registers the enums the types use
from modelatlas.api import loaders
from modelatlas.api.filters import (
    ClaimFilter,
    MarketEventFilter,
    ModelFilter,
    OrganizationFilter,
    ReleaseFilter,
    ResultFilter,
    to_where,
)
from modelatlas.domain import (
    Accessibility,
    ClaimKind,
    ClaimStatus,
    ClaimVerdict,
    EventKind,
    MeasuredBy,
    OrganizationKind,
)
from modelatlas.graph import reads
from modelatlas.graph.reads import (
    ClaimOrder,
    Direction,
    MarketEventOrder,
    ModelOrder,
    OrganizationOrder,
    RelationshipType,
    ReleaseOrder,
    ResultOrder,
    SearchKind,
    TimelineKind,
)

NodeT = TypeVar("NodeT")

First = Annotated[
    int, strawberry.argument(description="How many to return: 0 to 100 (default 20).")
]
After = Annotated[str | None, strawberry.argument(description="Return the rows after this cursor.")]
MaxDepth = Annotated[
    int | None, strawberry.argument(description="How many DERIVED_FROM steps at most (any).")
]

_PAGE = reads.DEFAULT_PAGE_SIZE

# ----------------------------------------------------------------------------- connections


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    """Relay's PageInfo; `hasPreviousPage` is true whenever `after` was given."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One row of a list, with the cursor that resumes after it.")
class Edge(Generic[NodeT]):
    """A Relay edge."""

    cursor: str
    node: NodeT


@strawberry.type(
    description="A page of a list (Relay style). Cursors hold the row's sort value and key, "
    "so they stay valid when rows are inserted before them."
)
class Connection(Generic[NodeT]):
    """A Relay connection, filled from reads.Page."""

    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Rows in the whole list, all pages.")


def _is(cls: type) -> Any:
    """An `is_type_of` for a GraphQL type backed by a read-layer dataclass (for unions)."""

    def check(cls_: type, obj: Any, _info: Any) -> bool:
        return isinstance(obj, cls)

    return classmethod(check)


# ----------------------------------------------------------------------------- node kinds


@strawberry.type(description="A country organizations are based in.")
class Country:
    """reads.CountryNode."""

    code: strawberry.ID = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    name: str | None

    is_type_of = _is(reads.CountryNode)

    @strawberry.field(description="Organizations based here.")
    async def organizations(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: OrganizationFilter | None = None,
        order_by: OrganizationOrder = OrganizationOrder.NAME_ASC,
    ) -> Connection[Organization]:
        return await loaders.page(
            info,
            "Country.organizations",
            self.code,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.OrganizationWhere, where),
        )


@strawberry.type(description="A company, lab, university or agency.")
class Organization:
    """reads.OrganizationNode."""

    slug: strawberry.ID
    name: str
    aliases: list[str]
    kind: OrganizationKind | None
    website: str | None

    is_type_of = _is(reads.OrganizationNode)

    @strawberry.field(description="The country it is based in.")
    async def country(self, info: Info[Any, Any]) -> Country | None:
        return await loaders.single(info, "Organization.country", self)

    @strawberry.field(description="The organization it is part of.")
    async def parent(self, info: Info[Any, Any]) -> Organization | None:
        return await loaders.single(info, "Organization.parent", self)

    @strawberry.field(description="Organizations that are part of it.")
    async def parts(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[Organization]:
        return await loaders.page(info, "Organization.parts", self.slug, first=first, after=after)

    @strawberry.field(description="Its partners (PARTNER_OF in either direction).")
    async def partners(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[Organization]:
        return await loaders.page(
            info, "Organization.partners", self.slug, first=first, after=after
        )

    @strawberry.field(description="Models it developed.")
    async def models(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ModelFilter | None = None,
        order_by: ModelOrder = ModelOrder.NAME_ASC,
    ) -> Connection[Model]:
        return await loaders.page(
            info,
            "Organization.models",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ModelWhere, where),
        )

    @strawberry.field(description="Claims it made.")
    async def claims(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ClaimFilter | None = None,
        order_by: ClaimOrder = ClaimOrder.MADE_ON_DESC,
    ) -> Connection[Claim]:
        return await loaders.page(
            info,
            "Organization.claims",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ClaimWhere, where),
        )

    @strawberry.field(description="Releases it announced.")
    async def releases(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ReleaseFilter | None = None,
        order_by: ReleaseOrder = ReleaseOrder.DATE_DESC,
    ) -> Connection[Release]:
        return await loaders.page(
            info,
            "Organization.releases",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ReleaseWhere, where),
        )

    @strawberry.field(description="Market events that affected it.")
    async def events(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: MarketEventFilter | None = None,
        order_by: MarketEventOrder = MarketEventOrder.DATE_DESC,
    ) -> Connection[MarketEvent]:
        return await loaders.page(
            info,
            "Organization.events",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.MarketEventWhere, where),
        )


@strawberry.type(description="An AI model.")
class Model:
    """reads.ModelNode."""

    slug: strawberry.ID
    name: str
    aliases: list[str]
    parameters: float | None = strawberry.field(
        description="A whole number; a Float because Int is only 32 bits."
    )
    training_compute_flop: float | None
    modalities: list[str]
    accessibility: Accessibility | None
    released_on: dt.date | None

    is_type_of = _is(reads.ModelNode)

    @strawberry.field(description="Organizations that developed it.")
    async def developers(self, info: Info[Any, Any]) -> list[Organization]:
        return await loaders.related(info, "Model.developers", self)

    @strawberry.field(description="Claims about it (it is their subject).")
    async def claims(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ClaimFilter | None = None,
        order_by: ClaimOrder = ClaimOrder.MADE_ON_DESC,
    ) -> Connection[Claim]:
        return await loaders.page(
            info,
            "Model.claims",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ClaimWhere, where),
        )

    @strawberry.field(description="Claims that compare another model against it.")
    async def claims_against(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ClaimFilter | None = None,
        order_by: ClaimOrder = ClaimOrder.MADE_ON_DESC,
    ) -> Connection[Claim]:
        return await loaders.page(
            info,
            "Model.claimsAgainst",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ClaimWhere, where),
        )

    @strawberry.field(description="Its measured results.")
    async def results(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ResultFilter | None = None,
        order_by: ResultOrder = ResultOrder.MEASURED_ON_DESC,
    ) -> Connection[Result]:
        return await loaders.page(
            info,
            "Model.results",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ResultWhere, where),
        )

    @strawberry.field(description="Releases that introduced it.")
    async def releases(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[Release]:
        return await loaders.page(info, "Model.releases", self.slug, first=first, after=after)

    @strawberry.field(description="Models it directly derives from (fine-tune, distillation).")
    async def derived_from(self, info: Info[Any, Any]) -> list[Model]:
        return await loaders.related(info, "Model.derivedFrom", self)

    @strawberry.field(
        description="Models derived from it, at any depth, nearest first.",
        metadata=loaders.declare(loaders.LineageOf(reads.LineageDirection.DESCENDANTS)),
    )
    async def derived_models(
        self,
        info: Info[Any, Any],
        max_depth: MaxDepth = None,
        first: First = _PAGE,
        after: After = None,
    ) -> Connection[LineageEntry]:
        return await loaders.lineage(
            info,
            reads.LineageDirection.DESCENDANTS,
            self.slug,
            max_depth=max_depth,
            first=first,
            after=after,
        )

    @strawberry.field(
        description="Models it derives from, at any depth, nearest first.",
        metadata=loaders.declare(loaders.LineageOf(reads.LineageDirection.ANCESTORS)),
    )
    async def ancestors(
        self,
        info: Info[Any, Any],
        max_depth: MaxDepth = None,
        first: First = _PAGE,
        after: After = None,
    ) -> Connection[LineageEntry]:
        return await loaders.lineage(
            info,
            reads.LineageDirection.ANCESTORS,
            self.slug,
            max_depth=max_depth,
            first=first,
            after=after,
        )

    @strawberry.field(description="The model it is a variant of.")
    async def variant_of(self, info: Info[Any, Any]) -> Model | None:
        return await loaders.single(info, "Model.variantOf", self)

    @strawberry.field(description="Its variants (VARIANT_OF it).")
    async def variants(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        order_by: ModelOrder = ModelOrder.NAME_ASC,
    ) -> Connection[Model]:
        return await loaders.page(
            info, "Model.variants", self.slug, first=first, after=after, order=order_by
        )

    @strawberry.field(description="Market events attributed to it.")
    async def events(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        order_by: MarketEventOrder = MarketEventOrder.DATE_DESC,
    ) -> Connection[MarketEvent]:
        return await loaders.page(
            info, "Model.events", self.slug, first=first, after=after, order=order_by
        )


@strawberry.type(description="A source document: a web page, paper or other document.")
class Source:
    """reads.SourceNode."""

    url: strawberry.ID
    title: str | None
    publisher: str | None
    author: str | None
    published_on: dt.date | None

    is_type_of = _is(reads.SourceNode)

    @strawberry.field(description="Claims citing it.")
    async def claims(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[Claim]:
        return await loaders.page(info, "Source.claims", self.url, first=first, after=after)

    @strawberry.field(description="Results citing it.")
    async def results(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[Result]:
        return await loaders.page(info, "Source.results", self.url, first=first, after=after)

    @strawberry.field(description="Releases citing it.")
    async def releases(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[Release]:
        return await loaders.page(info, "Source.releases", self.url, first=first, after=after)

    @strawberry.field(description="Market events citing it.")
    async def market_events(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[MarketEvent]:
        return await loaders.page(info, "Source.events", self.url, first=first, after=after)


@strawberry.type(
    description="One source of a fact, with the values that source gave (they may differ "
    "between sources)."
)
class Citation:
    """reads.Citation."""

    source: Source
    date: dt.date | None
    score: float | None
    magnitude: float | None


@strawberry.type(description="An announcement that introduced one or more models.")
class Release:
    """reads.ReleaseNode."""

    slug: strawberry.ID
    title: str
    date: dt.date | None
    channel: str | None

    is_type_of = _is(reads.ReleaseNode)

    @strawberry.field(description="Organizations that announced it.")
    async def announced_by(self, info: Info[Any, Any]) -> list[Organization]:
        return await loaders.related(info, "Release.announcedBy", self)

    @strawberry.field(description="Models it introduced.")
    async def introduced(self, info: Info[Any, Any]) -> list[Model]:
        return await loaders.related(info, "Release.introduced", self)

    @strawberry.field(description="Market events attributed to it.")
    async def events(
        self, info: Info[Any, Any], first: First = _PAGE, after: After = None
    ) -> Connection[MarketEvent]:
        return await loaders.page(info, "Release.events", self.slug, first=first, after=after)

    @strawberry.field(description="Where it is reported.")
    async def sources(self, info: Info[Any, Any]) -> list[Source]:
        return await loaders.related(info, "Release.sources", self)

    @strawberry.field(description="Its sources with the date each gives.")
    async def citations(self, info: Info[Any, Any]) -> list[Citation]:
        return await loaders.citations(info, "Release", self.slug)


@strawberry.type(description="A test that models are scored on.")
class Benchmark:
    """reads.BenchmarkNode."""

    slug: strawberry.ID
    name: str
    category: str | None
    metric: str | None
    higher_is_better: bool

    is_type_of = _is(reads.BenchmarkNode)

    @strawberry.field(description="Claims made on it.")
    async def claims(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ClaimFilter | None = None,
        order_by: ClaimOrder = ClaimOrder.MADE_ON_DESC,
    ) -> Connection[Claim]:
        return await loaders.page(
            info,
            "Benchmark.claims",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ClaimWhere, where),
        )

    @strawberry.field(description="Results measured on it.")
    async def results(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ResultFilter | None = None,
        order_by: ResultOrder = ResultOrder.SCORE_DESC,
    ) -> Connection[Result]:
        return await loaders.page(
            info,
            "Benchmark.results",
            self.slug,
            first=first,
            after=after,
            order=order_by,
            where=to_where(reads.ResultWhere, where),
        )


@strawberry.type(description="What a party said about a model, kept apart from measurements.")
class Claim:
    """reads.ClaimNode."""

    id: strawberry.ID
    kind: ClaimKind
    statement: str
    score: float | None
    made_on: dt.date | None
    status: ClaimStatus
    against_score: float | None = strawberry.field(
        description="The compared model's score as the claim gives it (derived claims)."
    )
    verdict: ClaimVerdict | None = strawberry.field(
        description="What independent results say (comparative kinds only; see evidence)."
    )

    is_type_of = _is(reads.ClaimNode)

    @strawberry.field(
        description="Per compared model: both sides' best independent results on the claim's "
        "benchmark, their sources and the pair's verdict."
    )
    async def evidence(self, info: Info[Any, Any]) -> list[ClaimEvidence]:
        return await loaders.evidence(info, self.id)

    @strawberry.field(description="The organization that made it.")
    async def claimant(self, info: Info[Any, Any]) -> Organization:
        return await loaders.single(info, "Claim.claimant", self)

    @strawberry.field(description="The model it is about.")
    async def subject(self, info: Info[Any, Any]) -> Model:
        return await loaders.single(info, "Claim.subject", self)

    @strawberry.field(description="The models it compares against.")
    async def against(self, info: Info[Any, Any]) -> list[Model]:
        return await loaders.related(info, "Claim.against", self)

    @strawberry.field(description="The benchmark it is about, if any.")
    async def benchmark(self, info: Info[Any, Any]) -> Benchmark | None:
        return await loaders.single(info, "Claim.benchmark", self)

    @strawberry.field(description="Where it is reported.")
    async def sources(self, info: Info[Any, Any]) -> list[Source]:
        return await loaders.related(info, "Claim.sources", self)

    @strawberry.field(description="Its sources with the date and score each gives.")
    async def citations(self, info: Info[Any, Any]) -> list[Citation]:
        return await loaders.citations(info, "Claim", self.id)


@strawberry.type(description="A measured score of a model on a benchmark.")
class Result:
    """reads.ResultNode."""

    id: strawberry.ID
    score: float
    measured_on: dt.date | None
    evaluator: str | None
    measured_by: MeasuredBy | None = strawberry.field(
        description="Who measured it: the model's developer, Epoch AI, a leaderboard or a third "
        "party (null until the provenance pass has classified it)."
    )
    self_reported: bool | None = strawberry.field(
        description="Whether the model's own developer reported this score."
    )

    is_type_of = _is(reads.ResultNode)

    @strawberry.field(description="The model measured.")
    async def model(self, info: Info[Any, Any]) -> Model:
        return await loaders.single(info, "Result.model", self)

    @strawberry.field(description="The benchmark.")
    async def benchmark(self, info: Info[Any, Any]) -> Benchmark:
        return await loaders.single(info, "Result.benchmark", self)

    @strawberry.field(description="Where it is reported.")
    async def sources(self, info: Info[Any, Any]) -> list[Source]:
        return await loaders.related(info, "Result.sources", self)

    @strawberry.field(description="Its sources with the score and date each gives.")
    async def citations(self, info: Info[Any, Any]) -> list[Citation]:
        return await loaders.citations(info, "Result", self.id)


@strawberry.type(description="Something that happened in the market, such as a stock move.")
class MarketEvent:
    """reads.MarketEventNode."""

    id: strawberry.ID
    kind: EventKind
    date: dt.date
    description: str
    magnitude: float | None
    unit: str | None

    is_type_of = _is(reads.MarketEventNode)

    @strawberry.field(description="Organizations it affected.")
    async def affected(self, info: Info[Any, Any]) -> list[Organization]:
        return await loaders.related(info, "MarketEvent.affected", self)

    @strawberry.field(description="Models it is attributed to.")
    async def attributed_to_models(self, info: Info[Any, Any]) -> list[Model]:
        return await loaders.related(info, "MarketEvent.attributedToModels", self)

    @strawberry.field(description="Releases it is attributed to.")
    async def attributed_to_releases(self, info: Info[Any, Any]) -> list[Release]:
        return await loaders.related(info, "MarketEvent.attributedToReleases", self)

    @strawberry.field(description="Where it is reported.")
    async def sources(self, info: Info[Any, Any]) -> list[Source]:
        return await loaders.related(info, "MarketEvent.sources", self)

    @strawberry.field(description="Its sources with the date and magnitude each gives.")
    async def citations(self, info: Info[Any, Any]) -> list[Citation]:
        return await loaders.citations(info, "MarketEvent", self.id)


# ----------------------------------------------------------------------------- answers


@strawberry.type(description="A model and how many DERIVED_FROM steps away it is.")
class LineageEntry:
    """reads.LineageEntry."""

    model: Model
    depth: int


@strawberry.type(
    description="A claim that a model beat the one asked about (or one of its variants)."
)
class BeatClaim:
    """reads.BeatClaim."""

    subject: Model = strawberry.field(description="The model claimed to be better.")
    claimant: Organization = strawberry.field(description="Who made the claim.")
    beaten: list[Model] = strawberry.field(
        description="Which of the model asked about and its variants the claim names."
    )
    against: list[Model] = strawberry.field(description="Every model the claim compares with.")
    benchmark: Benchmark | None
    score: float | None = strawberry.field(description="The score claimed, if given.")
    statement: str
    date: dt.date | None = strawberry.field(
        description="When it was made: the claim's date, else the earliest a source gives."
    )
    sources: list[Source]
    claim: Claim


@strawberry.type(description="A market event within some days after a model's release.")
class EventAfterRelease:
    """reads.EventAfterRelease."""

    event: MarketEvent
    released_on: dt.date = strawberry.field(description="The model's release day.")
    days_after: int
    attributed: bool = strawberry.field(
        description="Whether the event is attributed to the model or a release of it."
    )


TimelineItem = Annotated[
    Release | Claim | Result | MarketEvent,
    strawberry.union("TimelineItem", description="Something on a timeline."),
]


@strawberry.type(description="One happening in an organization's or a model's history.")
class TimelineEntry:
    """reads.TimelineEntry."""

    kind: TimelineKind
    date: dt.date | None
    summary: str = strawberry.field(description="A title, statement or description.")
    item: TimelineItem


@strawberry.type(description="A model's best result on a benchmark, ranked.")
class LeaderboardEntry:
    """reads.LeaderboardEntry."""

    rank: int = strawberry.field(description="1 for the best; ties share a rank.")
    model: Model
    score: float
    result: Result


@strawberry.type(description="One compared model of a claim, weighed by independent results.")
class ClaimEvidence:
    """evidence.ClaimEvidence."""

    against: Model
    verdict: ClaimVerdict
    subject_result: Result | None = strawberry.field(
        description="The subject's best independent result (null: none)."
    )
    against_result: Result | None = strawberry.field(
        description="The compared model's best independent result (null: none)."
    )
    subject_sources: list[Source]
    against_sources: list[Source]


@strawberry.type(
    description="A claim to beat a model on a benchmark that independent results contradict: "
    "the subject's best independent score is below the compared model's."
)
class ContestedClaim:
    """evidence.ContestedClaim."""

    claim: Claim
    claimant: Organization
    subject: Model
    against: Model
    benchmark: Benchmark
    subject_score: float
    against_score: float
    subject_result: Result
    against_result: Result
    claim_sources: list[Source]
    subject_sources: list[Source]
    against_sources: list[Source]


@strawberry.type(description="One group of a model count: what a chart bar needs.")
class ModelCount:
    """reads.Bucket."""

    key: str | None = strawberry.field(description="Country code, organization slug or year.")
    label: str | None
    count: int


SearchNode = Annotated[
    Organization | Model | Benchmark | Country,
    strawberry.union("SearchNode", description="What a search hit is."),
]


@strawberry.type(description="A full-text match on a name or alias.")
class SearchHit:
    """reads.SearchHit."""

    kind: SearchKind
    key: strawberry.ID
    name: str | None
    score: float = strawberry.field(description="Relevance; higher is better.")
    node: SearchNode


@strawberry.type(description="A node on a path.")
class PathNode:
    """reads.PathNode."""

    kind: str = strawberry.field(description="Its label, e.g. Organization.")
    key: strawberry.ID = strawberry.field(description="Its natural key (slug, id, code or url).")
    name: str | None


@strawberry.type(description="One hop of a path.")
class PathStep:
    """reads.PathStep."""

    relationship: RelationshipType
    direction: Direction = strawberry.field(
        description="OUTGOING when the relationship points along the walk."
    )
    node: PathNode = strawberry.field(description="The node this hop reaches.")


@strawberry.type(description="A shortest path between two entities.")
class Path:
    """reads.GraphPath."""

    start: PathNode
    end: PathNode
    hops: int
    steps: list[PathStep]
