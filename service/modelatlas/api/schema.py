"""The GraphQL schema: root fields over the KnowledgeGraph read API, plus the mutations.

Root fields are thin: they normalise arguments and call the same `KnowledgeGraph` methods an
embedding application calls. Parser and validation results are cached (validation is most
of a small request's cost otherwise; see docs/performance.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final, cast

import strawberry
from strawberry.extensions import ParserCache
from strawberry.types import Info

from modelatlas import __version__
from modelatlas.api import loaders
from modelatlas.api.auth import AccessControl
from modelatlas.api.compiled import CompiledReadsExtension
from modelatlas.api.errors import ErrorCodes
from modelatlas.api.filters import (
    BenchmarkFilter,
    ClaimFilter,
    CountryFilter,
    MarketEventFilter,
    ModelFilter,
    OrganizationFilter,
    ReleaseFilter,
    ResultFilter,
    SourceFilter,
    to_where,
)
from modelatlas.api.limits import Limits, ValidationCache
from modelatlas.api.mutations import Mutation
from modelatlas.api.requestlog import OperationLog, QuietSchema
from modelatlas.api.review import Draft, DraftStatus, drafts_query
from modelatlas.api.types import (
    After,
    BeatClaim,
    Benchmark,
    Claim,
    Connection,
    ContestedClaim,
    Country,
    EventAfterRelease,
    First,
    LeaderboardEntry,
    MarketEvent,
    Model,
    ModelCount,
    Organization,
    Path,
    Release,
    Result,
    SearchHit,
    Source,
    TimelineEntry,
)
from modelatlas.domain import ClaimKind, EventKind
from modelatlas.graph import Graph, evidence, reads
from modelatlas.graph.reads import (
    BenchmarkOrder,
    ClaimOrder,
    CountBy,
    CountryOrder,
    MarketEventOrder,
    ModelOrder,
    OrganizationOrder,
    Page,
    RelationshipType,
    ReleaseOrder,
    ResultOrder,
    SearchKind,
    SourceOrder,
)
from modelatlas.knowledge import KnowledgeGraph

_PAGE: Final = reads.DEFAULT_PAGE_SIZE
CACHE_SIZE: Final = 1024
"""Distinct query documents whose parse and validation results are kept."""


@strawberry.type(description="What this service is and which Neo4j it talks to.")
class About:
    """Version information, useful to check a deployment."""

    service_version: str
    neo4j_version: str
    neo4j_edition: str


def graph_of(info: Info[Any, Any]) -> Graph:
    """The request's graph (from the GraphQL context)."""
    graph: Graph = info.context["graph"]
    return graph


async def _lookup(info: Info[Any, Any], kind: str, key: str) -> Any:
    """One node by natural key as a user may type it; lookups in one request share a query."""
    return await loaders.node(info, kind, KnowledgeGraph.lookup_key(kind, key))


async def _list(
    info: Info[Any, Any], kind: str, first: int, after: str | None, order: str, where: Any
) -> Page[Any]:
    """A root list: one keyset page, counting all rows only when totalCount is selected."""
    knowledge = loaders.knowledge(info)
    return await knowledge.list_nodes(
        kind,
        first=first,
        after=after,
        order=order,
        where=where,
        total=loaders.loaders(info).wants_total(info),
        prefetch=loaders.prefetch_plan(info, kind, connection=True),
        connection=info.field_name,
    )


Slug = Annotated[strawberry.ID, strawberry.argument(description="A slug (any case).")]
ModelRef = Annotated[strawberry.ID, strawberry.argument(description="A model's slug.")]
OptionalSlug = Annotated[
    strawberry.ID | None, strawberry.argument(description="A slug; leave out for any.")
]


@strawberry.type
class Query:
    """Entry points for reading the knowledge graph."""

    @strawberry.field(description="The service's and the database's versions.")
    async def about(self, info: Info[Any, Any]) -> About:
        from modelatlas.graph.admin import server_components

        _name, version, edition = await server_components(graph_of(info))
        return About(service_version=__version__, neo4j_version=version, neo4j_edition=edition)

    @strawberry.field(
        description="Facts drafted from articles, oldest first, for review (editor role)."
    )
    async def drafts(
        self,
        info: Info[Any, Any],
        status: DraftStatus | None = None,
        source: Annotated[
            str | None, strawberry.argument(description="Only this article's drafts.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description="How many to return: 0 to 1000.")
        ] = 100,
    ) -> list[Draft]:
        return await drafts_query(info, status, source, first)

    # ------------------------------------------------------------------ lookups

    @strawberry.field(
        description="A model by slug (normalised, so GPT-4o finds gpt-4o).",
        graphql_type=Model | None,
        metadata=loaders.declare(loaders.NodeByKey("Model")),
    )
    async def model(self, info: Info[Any, Any], slug: Slug) -> reads.ModelNode | None:
        return cast("reads.ModelNode | None", await _lookup(info, "Model", slug))

    @strawberry.field(
        description="An organization by slug.",
        graphql_type=Organization | None,
        metadata=loaders.declare(loaders.NodeByKey("Organization")),
    )
    async def organization(self, info: Info[Any, Any], slug: Slug) -> reads.OrganizationNode | None:
        return cast("reads.OrganizationNode | None", await _lookup(info, "Organization", slug))

    @strawberry.field(
        description="A benchmark by slug.",
        graphql_type=Benchmark | None,
        metadata=loaders.declare(loaders.NodeByKey("Benchmark")),
    )
    async def benchmark(self, info: Info[Any, Any], slug: Slug) -> reads.BenchmarkNode | None:
        return cast("reads.BenchmarkNode | None", await _lookup(info, "Benchmark", slug))

    @strawberry.field(
        description="A release by slug.",
        graphql_type=Release | None,
        metadata=loaders.declare(loaders.NodeByKey("Release")),
    )
    async def release(self, info: Info[Any, Any], slug: Slug) -> reads.ReleaseNode | None:
        return cast("reads.ReleaseNode | None", await _lookup(info, "Release", slug))

    @strawberry.field(
        description="A claim by id.",
        graphql_type=Claim | None,
        metadata=loaders.declare(loaders.NodeByKey("Claim")),
    )
    async def claim(self, info: Info[Any, Any], id: strawberry.ID) -> reads.ClaimNode | None:
        return cast("reads.ClaimNode | None", await _lookup(info, "Claim", id))

    @strawberry.field(
        description="A result by id.",
        graphql_type=Result | None,
        metadata=loaders.declare(loaders.NodeByKey("Result")),
    )
    async def result(self, info: Info[Any, Any], id: strawberry.ID) -> reads.ResultNode | None:
        return cast("reads.ResultNode | None", await _lookup(info, "Result", id))

    @strawberry.field(
        description="A market event by id.",
        graphql_type=MarketEvent | None,
        metadata=loaders.declare(loaders.NodeByKey("MarketEvent")),
    )
    async def market_event(
        self, info: Info[Any, Any], id: strawberry.ID
    ) -> reads.MarketEventNode | None:
        return cast("reads.MarketEventNode | None", await _lookup(info, "MarketEvent", id))

    @strawberry.field(
        description="A country by ISO 3166-1 alpha-2 code (any case).",
        graphql_type=Country | None,
        metadata=loaders.declare(loaders.NodeByKey("Country")),
    )
    async def country(self, info: Info[Any, Any], code: strawberry.ID) -> reads.CountryNode | None:
        return cast("reads.CountryNode | None", await _lookup(info, "Country", code))

    @strawberry.field(
        description="A source by URL or urn.",
        graphql_type=Source | None,
        metadata=loaders.declare(loaders.NodeByKey("Source")),
    )
    async def source(self, info: Info[Any, Any], url: strawberry.ID) -> reads.SourceNode | None:
        return cast("reads.SourceNode | None", await _lookup(info, "Source", url))

    # ------------------------------------------------------------------ lists

    @strawberry.field(
        description="Models, filtered and sorted.",
        graphql_type=Connection[Model],
        metadata=loaders.declare(loaders.PageOf("Model")),
    )
    async def models(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ModelFilter | None = None,
        order_by: ModelOrder = ModelOrder.NAME_ASC,
    ) -> Page[reads.ModelNode]:
        return await _list(info, "Model", first, after, order_by, to_where(reads.ModelWhere, where))

    @strawberry.field(
        description="Organizations, filtered and sorted.",
        graphql_type=Connection[Organization],
        metadata=loaders.declare(loaders.PageOf("Organization")),
    )
    async def organizations(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: OrganizationFilter | None = None,
        order_by: OrganizationOrder = OrganizationOrder.NAME_ASC,
    ) -> Page[reads.OrganizationNode]:
        return await _list(
            info,
            "Organization",
            first,
            after,
            order_by,
            to_where(reads.OrganizationWhere, where),
        )

    @strawberry.field(
        description="Countries, filtered and sorted.",
        graphql_type=Connection[Country],
        metadata=loaders.declare(loaders.PageOf("Country")),
    )
    async def countries(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: CountryFilter | None = None,
        order_by: CountryOrder = CountryOrder.NAME_ASC,
    ) -> Page[reads.CountryNode]:
        return await _list(
            info, "Country", first, after, order_by, to_where(reads.CountryWhere, where)
        )

    @strawberry.field(
        description='Claims, filtered and sorted, e.g. where: {claimantCountry: "CN", '
        'againstDeveloperCountry: "US"} for Chinese claims against U.S. models.',
        graphql_type=Connection[Claim],
        metadata=loaders.declare(loaders.PageOf("Claim")),
    )
    async def claims(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ClaimFilter | None = None,
        order_by: ClaimOrder = ClaimOrder.MADE_ON_DESC,
    ) -> Page[reads.ClaimNode]:
        return await _list(info, "Claim", first, after, order_by, to_where(reads.ClaimWhere, where))

    @strawberry.field(
        description="Measured results, filtered and sorted.",
        graphql_type=Connection[Result],
        metadata=loaders.declare(loaders.PageOf("Result")),
    )
    async def results(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ResultFilter | None = None,
        order_by: ResultOrder = ResultOrder.MEASURED_ON_DESC,
    ) -> Page[reads.ResultNode]:
        return await _list(
            info, "Result", first, after, order_by, to_where(reads.ResultWhere, where)
        )

    @strawberry.field(
        description="Market events, filtered and sorted.",
        graphql_type=Connection[MarketEvent],
        metadata=loaders.declare(loaders.PageOf("MarketEvent")),
    )
    async def market_events(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: MarketEventFilter | None = None,
        order_by: MarketEventOrder = MarketEventOrder.DATE_DESC,
    ) -> Page[reads.MarketEventNode]:
        return await _list(
            info, "MarketEvent", first, after, order_by, to_where(reads.MarketEventWhere, where)
        )

    @strawberry.field(
        description="Releases, filtered and sorted.",
        graphql_type=Connection[Release],
        metadata=loaders.declare(loaders.PageOf("Release")),
    )
    async def releases(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: ReleaseFilter | None = None,
        order_by: ReleaseOrder = ReleaseOrder.DATE_DESC,
    ) -> Page[reads.ReleaseNode]:
        return await _list(
            info, "Release", first, after, order_by, to_where(reads.ReleaseWhere, where)
        )

    @strawberry.field(
        description="Benchmarks, filtered and sorted.",
        graphql_type=Connection[Benchmark],
        metadata=loaders.declare(loaders.PageOf("Benchmark")),
    )
    async def benchmarks(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: BenchmarkFilter | None = None,
        order_by: BenchmarkOrder = BenchmarkOrder.NAME_ASC,
    ) -> Page[reads.BenchmarkNode]:
        return await _list(
            info, "Benchmark", first, after, order_by, to_where(reads.BenchmarkWhere, where)
        )

    @strawberry.field(
        description="Sources, filtered and sorted.",
        graphql_type=Connection[Source],
        metadata=loaders.declare(loaders.PageOf("Source")),
    )
    async def sources(
        self,
        info: Info[Any, Any],
        first: First = _PAGE,
        after: After = None,
        where: SourceFilter | None = None,
        order_by: SourceOrder = SourceOrder.PUBLISHED_ON_DESC,
    ) -> Page[reads.SourceNode]:
        return await _list(
            info, "Source", first, after, order_by, to_where(reads.SourceWhere, where)
        )

    # ------------------------------------------------------------------ search

    @strawberry.field(
        description="Full-text search over the names and aliases of organizations, models, "
        "benchmarks and countries, best first: those matching every word of the text (each "
        "word whole or as a prefix), or when none does, those matching any word "
        '("Qwen 2.5 Max" finds Qwen2.5-Max). Equally relevant hits are listed by kind and key '
        "among the index's best first + 50; past those, ties are cut in the index's own order.",
        graphql_type=list[SearchHit],
    )
    async def search(
        self,
        info: Info[Any, Any],
        text: str,
        kinds: list[SearchKind] | None = None,
        first: First = _PAGE,
    ) -> list[reads.SearchHit]:
        return await loaders.knowledge(info).search(text, kinds=kinds, first=first)

    # ------------------------------------------------------------------ the headline questions

    @strawberry.field(
        description="Claims that some model beat this one (and, with includeVariants, any of "
        "its variants): subject, claimant, compared models, benchmark, score, statement, date "
        "and sources; newest first, undated last.",
        graphql_type=Connection[BeatClaim],
    )
    async def models_claimed_to_beat(
        self,
        info: Info[Any, Any],
        model: ModelRef,
        include_variants: bool = False,
        benchmark: OptionalSlug = None,
        claimant: OptionalSlug = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        kinds: list[ClaimKind] | None = None,
        first: First = _PAGE,
        after: After = None,
    ) -> Page[reads.BeatClaim]:
        return await loaders.knowledge(info).models_claimed_to_beat(
            model,
            include_variants=include_variants,
            benchmark=benchmark,
            claimant=claimant,
            since=since,
            until=until,
            kinds=kinds or (ClaimKind.OUTPERFORMS,),
            first=first,
            after=after,
        )

    @strawberry.field(
        description="Market events from a model's release day to withinDays after it, in date "
        "order (e.g. NVIDIA's fall after DeepSeek-R1).",
        graphql_type=Connection[EventAfterRelease],
    )
    async def events_after_release(
        self,
        info: Info[Any, Any],
        model: ModelRef,
        within_days: int = 30,
        attributed_only: bool = False,
        kinds: list[EventKind] | None = None,
        first: First = _PAGE,
        after: After = None,
    ) -> Page[reads.EventAfterRelease]:
        return await loaders.knowledge(info).events_after_release(
            model,
            within_days,
            attributed_only=attributed_only,
            kinds=kinds,
            first=first,
            after=after,
        )

    @strawberry.field(
        description='The shortest path between two entities, named "kind:key" '
        '("model:deepseek-r1", "organization:nvidia") or by a plain slug; null when there is '
        "none within maxHops (1 to 10).",
        graphql_type=Path | None,
    )
    async def path(
        self,
        info: Info[Any, Any],
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int = 6,
        relationships: list[RelationshipType] | None = None,
    ) -> reads.GraphPath | None:
        return await loaders.knowledge(info).path(
            from_, to, max_hops=max_hops, relationships=relationships
        )

    @strawberry.field(
        description="An organization's or a model's releases, claims, results and market "
        "events in date order (undated last). A plain slug is an organization first.",
        graphql_type=Connection[TimelineEntry],
    )
    async def timeline(
        self,
        info: Info[Any, Any],
        slug: strawberry.ID,
        from_: Annotated[dt.date | None, strawberry.argument(name="from")] = None,
        to: dt.date | None = None,
        first: First = _PAGE,
        after: After = None,
    ) -> Page[reads.TimelineEntry]:
        return await loaders.knowledge(info).timeline(
            slug, since=from_, until=to, first=first, after=after
        )

    @strawberry.field(
        description="Each model's best result on a benchmark measured by asOf, ranked "
        "(respecting the benchmark's higherIsBetter).",
        graphql_type=Connection[LeaderboardEntry],
    )
    async def leaderboard(
        self,
        info: Info[Any, Any],
        benchmark: Annotated[strawberry.ID, strawberry.argument(description="Its slug.")],
        as_of: dt.date | None = None,
        first: First = _PAGE,
        after: After = None,
    ) -> Page[reads.LeaderboardEntry]:
        return await loaders.knowledge(info).leaderboard(
            benchmark,
            as_of=as_of,
            first=first,
            after=after,
            count=loaders.loaders(info).wants_total(info),
        )

    @strawberry.field(
        description="Claims to outperform a model on a benchmark where the subject's best "
        "independent result (not by the claimant, not from the claim's sources) is below the "
        "compared model's: both numbers, with their sources.",
        graphql_type=Connection[ContestedClaim],
    )
    async def contested_claims(
        self,
        info: Info[Any, Any],
        benchmark: OptionalSlug = None,
        model: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Slug of the subject or a compared model."),
        ] = None,
        claimant: OptionalSlug = None,
        first: First = _PAGE,
        after: After = None,
    ) -> Page[evidence.ContestedClaim]:
        return await loaders.knowledge(info).contested_claims(
            benchmark=benchmark, model=model, claimant=claimant, first=first, after=after
        )

    @strawberry.field(
        description="How many models per developer country, developer or release year; "
        "unknown as a null key.",
        graphql_type=list[ModelCount],
    )
    async def model_counts(
        self, info: Info[Any, Any], by: CountBy, where: ModelFilter | None = None
    ) -> list[reads.Bucket]:
        return await loaders.knowledge(info).model_counts(by, to_where(reads.ModelWhere, where))


schema = QuietSchema(
    query=Query,
    mutation=Mutation,
    # ValidationCache sets the validation outcome, so it goes before AccessControl, which
    # may replace that outcome with a refusal, and before Limits, which estimates the cost of
    # what both let through. Limits' validation rules (depth, aliases) are made once per set
    # of limits, so ValidationCache keeps hitting. On the way out hooks run in reverse: Limits
    # codes timeouts before ErrorCodes masks unknown errors, and OperationLog then notes the
    # final codes for the request's log line. CompiledReadsExtension goes last: it answers a
    # planned document in on_execute, which runs only once all the others let it through.
    extensions=[
        lambda: ParserCache(maxsize=CACHE_SIZE),
        ValidationCache,
        AccessControl,
        OperationLog,
        ErrorCodes,
        Limits,
        CompiledReadsExtension,
    ],
)


def sdl() -> str:
    """The schema as SDL, as committed in schema/schema.graphql (`modelatlas export-schema`)."""
    return str(schema) + "\n"
