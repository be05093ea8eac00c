"""GraphQL mutations: upsert and delete every kind, validated by the same models as the seed.

Inputs mirror the pydantic records of :mod:`modelatlas.domain` field for field (camelCase
here), and every write goes through :meth:`KnowledgeGraph.upsert` or
:meth:`KnowledgeGraph.delete`, so the API, the CLI and embedding applications accept and
refuse exactly the same data. Upserts need the editor role, deletes the admin role. Each
payload carries a `bookmark`: pass it back (header `Modelatlas-Bookmark`) to read your writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any, Final

import strawberry
from pydantic import ValidationError
from strawberry.types import Info
from strawberry.types.unset import UnsetType

import modelatlas.api.enums  # noqa: F401 - registers the enums the inputs use
from modelatlas import errors as atlas_errors
from modelatlas.api.auth import Role, require_role
from modelatlas.api.errors import BadUserInput, NotFound, bad_input_from_validation
from modelatlas.api.review import (
    DraftChange,
    IngestArticlePayload,
    ReviewDecision,
    ReviewPayload,
    edit_draft_mutation,
    ingest_article_mutation,
    review_draft_mutation,
)
from modelatlas.domain import (
    RECORD_TYPES,
    Accessibility,
    Benchmark,
    Claim,
    ClaimKind,
    ClaimStatus,
    Country,
    Dataset,
    EventKind,
    MarketEvent,
    Model,
    Organization,
    OrganizationKind,
    Record,
    Release,
    Result,
    Source,
)
from modelatlas.graph import Graph
from modelatlas.graph.deletes import WouldOrphanError
from modelatlas.knowledge import KnowledgeGraph, UnknownReferencesError

MAX_BATCH: Final = "max_mutation_batch"
"""The GraphQL context entry holding the longest list one mutation accepts."""
DEFAULT_MAX_BATCH: Final = 500

_COLLECTION: Final[dict[str, str]] = {cls.KIND: name for name, cls in RECORD_TYPES.items()}
"""Record kind -> its Dataset collection ("Model" -> "models")."""

# --------------------------------------------------------------------------- inputs


@strawberry.input(description="A source document: a web page, paper or other document.")
class SourceInput:
    """Mirrors domain.Source."""

    url: str = strawberry.field(description="The natural key: an http(s) URL or a urn: name.")
    title: str | None = strawberry.UNSET
    publisher: str | None = strawberry.UNSET
    author: str | None = strawberry.UNSET
    published_on: dt.date | None = strawberry.UNSET


@strawberry.input(description="A country, by ISO 3166-1 alpha-2 code.")
class CountryInput:
    """Mirrors domain.Country."""

    code: str
    name: str | None = strawberry.UNSET


@strawberry.input(description="A company, lab, university or agency.")
class OrganizationInput:
    """Mirrors domain.Organization."""

    slug: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The natural key; derived from the name when left out.",
    )
    name: str
    aliases: list[str] | None = strawberry.UNSET
    kind: OrganizationKind | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166-1 alpha-2 code."
    )
    part_of: str | None = strawberry.UNSET
    partners: list[str] | None = strawberry.UNSET


@strawberry.input(description="An AI model.")
class ModelInput:
    """Mirrors domain.Model."""

    slug: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The natural key; derived from the name when left out.",
    )
    name: str
    aliases: list[str] | None = strawberry.UNSET
    developers: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Organization slugs."
    )
    parameters: float | None = strawberry.field(
        default=strawberry.UNSET, description="A whole number; a Float because Int is only 32 bits."
    )
    training_compute_flop: float | None = strawberry.UNSET
    modalities: list[str] | None = strawberry.UNSET
    accessibility: Accessibility | None = strawberry.UNSET
    released_on: dt.date | None = strawberry.UNSET
    derived_from: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Model slugs."
    )
    variant_of: str | None = strawberry.field(default=strawberry.UNSET, description="A model slug.")


@strawberry.input(description="An announcement that introduced one or more models.")
class ReleaseInput:
    """Mirrors domain.Release."""

    slug: str
    title: str
    date: dt.date | None = strawberry.UNSET
    channel: str | None = strawberry.UNSET
    announced_by: list[str] = strawberry.field(description="Organization slugs (at least one).")
    introduced: list[str] = strawberry.field(description="Model slugs (at least one).")
    sources: list[str] = strawberry.field(description="Source URLs (at least one).")


@strawberry.input(description="A test that models are scored on.")
class BenchmarkInput:
    """Mirrors domain.Benchmark."""

    slug: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The natural key; derived from the name when left out.",
    )
    name: str
    category: str | None = strawberry.UNSET
    metric: str | None = strawberry.UNSET
    higher_is_better: bool | None = strawberry.UNSET


@strawberry.input(description="What a party said about a model.")
class ClaimInput:
    """Mirrors domain.Claim."""

    id: str
    kind: ClaimKind
    statement: str
    claimed_by: str = strawberry.field(description="An organization slug.")
    subject: str = strawberry.field(description="A model slug.")
    against: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Model slugs; needed by comparative kinds."
    )
    benchmark: str | None = strawberry.UNSET
    score: float | None = strawberry.UNSET
    made_on: dt.date | None = strawberry.UNSET
    status: ClaimStatus | None = strawberry.UNSET
    sources: list[str] = strawberry.field(description="Source URLs (at least one).")


@strawberry.input(description="A measured score of a model on a benchmark.")
class ResultInput:
    """Mirrors domain.Result."""

    id: str
    model: str
    benchmark: str
    score: float
    measured_on: dt.date | None = strawberry.UNSET
    evaluator: str | None = strawberry.UNSET
    sources: list[str] = strawberry.field(description="Source URLs (at least one).")


@strawberry.input(description="Something that happened in the market, such as a stock move.")
class MarketEventInput:
    """Mirrors domain.MarketEvent."""

    id: str
    kind: EventKind
    date: dt.date
    description: str
    magnitude: float | None = strawberry.UNSET
    unit: str | None = strawberry.UNSET
    affected: list[str] = strawberry.field(description="Organization slugs (at least one).")
    attributed_to_models: list[str] | None = strawberry.UNSET
    attributed_to_releases: list[str] | None = strawberry.UNSET
    sources: list[str] = strawberry.field(description="Source URLs (at least one).")


@strawberry.input(
    description="Records of several kinds written together (e.g. a claim and its source)."
)
class DatasetInput:
    """Mirrors domain.Dataset."""

    sources: list[SourceInput] | None = strawberry.UNSET
    countries: list[CountryInput] | None = strawberry.UNSET
    organizations: list[OrganizationInput] | None = strawberry.UNSET
    models: list[ModelInput] | None = strawberry.UNSET
    releases: list[ReleaseInput] | None = strawberry.UNSET
    benchmarks: list[BenchmarkInput] | None = strawberry.UNSET
    claims: list[ClaimInput] | None = strawberry.UNSET
    results: list[ResultInput] | None = strawberry.UNSET
    market_events: list[MarketEventInput] | None = strawberry.UNSET


# --------------------------------------------------------------------------- payloads


@strawberry.type(description="What an upsert of one record did.")
class UpsertPayload:
    """One record's outcome and the bookmark to read it back."""

    kind: str = strawberry.field(description="The node label, e.g. Model.")
    key: strawberry.ID = strawberry.field(description="The natural key, normalised.")
    created: bool
    updated: bool
    unchanged: bool
    bookmark: str = strawberry.field(
        description="Opaque; send it back as the Modelatlas-Bookmark header to read this write."
    )


@strawberry.type(description="Created, updated and unchanged counts of one kind.")
class KindCounts:
    """Counts for one kind of a batch."""

    kind: str
    created: int
    updated: int
    unchanged: int


@strawberry.type(description="What a batch upsert did.")
class BatchUpsertPayload:
    """Counts per kind and in all, the keys written, and the bookmark."""

    kinds: list[KindCounts]
    created: int
    updated: int
    unchanged: int
    keys: list[strawberry.ID] = strawberry.field(description="Natural keys, in input order.")
    bookmark: str


@strawberry.type(description="A node, by kind and natural key.")
class NodeReference:
    """A node named by a delete."""

    kind: str
    key: strawberry.ID


@strawberry.type(description="What a delete removed.")
class DeletePayload:
    """The deleted node, the facts cascaded with it, and the bookmark."""

    kind: str
    key: strawberry.ID
    deleted_nodes: int = strawberry.field(description="The node and any cascaded facts.")
    deleted_relationships: int
    cascaded: list[NodeReference]
    bookmark: str


# --------------------------------------------------------------------------- writing


def _plain(value: Any) -> Any:
    """A strawberry input value as plain data for pydantic (None and unset fields dropped)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
            and not isinstance(getattr(value, f.name), UnsetType)
        }
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _record_data(record_type: type[Record], value: Any) -> dict[str, Any]:
    """An input's fields under the record's camelCase aliases, so errors name them that way."""
    fields = record_type.model_fields
    data: dict[str, Any] = _plain(value)
    return {(fields[name].alias or name) if name in fields else name: v for name, v in data.items()}


def _graph(info: Info[Any, Any]) -> Graph:
    """The request's graph, from the GraphQL context."""
    graph: Graph = info.context["graph"]
    return graph


def _max_batch(info: Info[Any, Any]) -> int:
    """The longest list this service accepts in one mutation."""
    context = info.context
    found = context.get(MAX_BATCH) if isinstance(context, dict) else None
    return found if isinstance(found, int) else DEFAULT_MAX_BATCH


def _check_length(info: Info[Any, Any], count: int, field: str = "input") -> None:
    """Refuse a batch longer than the configured limit."""
    limit = _max_batch(info)
    if count > limit:
        raise BadUserInput(
            f"{count} records in one mutation; at most {limit} are accepted", field=field
        )


def _tracked(info: Info[Any, Any]) -> Graph:
    """A graph chained after the client's bookmark (if it sent one) that records ours."""
    graph = _graph(info)
    return graph if graph.bookmark_manager is not None else graph.with_bookmarks()


class _Locator:
    """Maps a record (by Dataset collection and index) to its path in the GraphQL argument."""

    def __init__(self, shape: str) -> None:
        """`shape` is "one" (input.x), "many" (input[i].x) or "dataset" (input.models[i].x)."""
        self.shape = shape

    def validation_error(self, exc: ValidationError) -> BadUserInput:
        """The BAD_USER_INPUT for pydantic's errors, with argument paths."""
        drop = {"one": 2, "many": 1, "dataset": 0}[self.shape]
        return bad_input_from_validation(exc, "input", drop=drop)

    def record_path(self, collection: str, index: int) -> str:
        """Where one record is in the argument."""
        if self.shape == "one":
            return "input"
        if self.shape == "many":
            return f"input[{index}]"
        return f"input.{collection}[{index}]"


def _unknown_references(
    exc: UnknownReferencesError, dataset: Dataset, locate: _Locator
) -> BadUserInput:
    """BAD_USER_INPUT naming each reference to a record that does not exist."""
    where: dict[tuple[str, str], str] = {}
    for name in RECORD_TYPES:
        for index, record in enumerate(dataset.collection(name)):
            where[(record.KIND, record.key)] = locate.record_path(name, index)
    problems = [
        {
            "field": f"{where.get((p.kind, p.record), 'input')}.{p.field}",
            "message": f"no {p.target} {p.missing!r} exists",
            "missing": p.missing,
            "kind": p.target,
        }
        for p in exc.problems
    ]
    shown = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:10])
    more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return BadUserInput(
        f"unknown references, nothing written: {shown}{more}",
        field=problems[0]["field"],
        problems=problems,
    )


async def _upsert(
    info: Info[Any, Any], data: dict[str, list[dict[str, Any]]], locate: _Locator
) -> tuple[Dataset, dict[str, dict[str, int]], str]:
    """Write a dataset for a mutation: (dataset, counts per kind, bookmark)."""
    require_role(info, Role.EDITOR)
    try:
        dataset = Dataset.model_validate(data)
    except ValidationError as exc:
        raise locate.validation_error(exc) from None
    _refuse_duplicates(dataset, locate)
    tracked = _tracked(info)
    try:
        # One transaction for the whole mutation: all of it is committed or none (a deadline
        # or an error half way rolls back what was written before).
        report = await tracked.atomically(lambda graph: KnowledgeGraph(graph).upsert(dataset))
    except UnknownReferencesError as exc:
        raise _unknown_references(exc, dataset, locate) from None
    return dataset, report.as_dict(), await tracked.bookmark()


def _refuse_duplicates(dataset: Dataset, locate: _Locator) -> None:
    """Refuse a natural key given twice (both would merge into one node), naming the second."""
    seen: set[tuple[str, str]] = set()
    for name in RECORD_TYPES:
        for index, record in enumerate(dataset.collection(name)):
            if (record.KIND, record.key) in seen:
                field = f"{locate.record_path(name, index)}.{record.KEY_FIELD}"
                raise BadUserInput(
                    f"{field}: {record.KIND} {record.key!r} is given twice; nothing written",
                    field=field,
                )
            seen.add((record.KIND, record.key))


async def upsert_one(info: Info[Any, Any], record_type: type[Record], value: Any) -> UpsertPayload:
    """Create or update one record by its natural key."""
    collection = _COLLECTION[record_type.KIND]
    data = {collection: [_record_data(record_type, value)]}
    dataset, counts, bookmark = await _upsert(info, data, _Locator("one"))
    record = dataset.collection(collection)[0]
    outcome = counts.get(record.KIND, {})
    return UpsertPayload(
        kind=record.KIND,
        key=strawberry.ID(record.key),
        created=outcome.get("created", 0) > 0,
        updated=outcome.get("updated", 0) > 0,
        unchanged=outcome.get("unchanged", 0) > 0,
        bookmark=bookmark,
    )


def _batch_payload(
    dataset: Dataset, counts: dict[str, dict[str, int]], bookmark: str
) -> BatchUpsertPayload:
    """Counts per kind and in all, for a batch."""
    kinds = [KindCounts(kind=kind, **c) for kind, c in counts.items()]
    return BatchUpsertPayload(
        kinds=kinds,
        created=sum(k.created for k in kinds),
        updated=sum(k.updated for k in kinds),
        unchanged=sum(k.unchanged for k in kinds),
        keys=[strawberry.ID(r.key) for r in dataset.records()],
        bookmark=bookmark,
    )


async def upsert_many(
    info: Info[Any, Any], record_type: type[Record], values: Sequence[Any]
) -> BatchUpsertPayload:
    """Create or update a list of records of one kind, validated and written together."""
    _check_length(info, len(values))
    collection = _COLLECTION[record_type.KIND]
    data = {collection: [_record_data(record_type, v) for v in values]}
    dataset, counts, bookmark = await _upsert(info, data, _Locator("many"))
    return _batch_payload(dataset, counts, bookmark)


async def upsert_dataset(info: Info[Any, Any], value: DatasetInput) -> BatchUpsertPayload:
    """Create or update records of several kinds together, referencing each other."""
    data: dict[str, list[dict[str, Any]]] = {}
    total = 0
    for name, record_type in RECORD_TYPES.items():
        attribute = "market_events" if name == "marketEvents" else name
        items = getattr(value, attribute) or []
        total += len(items)
        data[name] = [_record_data(record_type, item) for item in items]
    _check_length(info, total)
    dataset, counts, bookmark = await _upsert(info, data, _Locator("dataset"))
    return _batch_payload(dataset, counts, bookmark)


async def delete_one(
    info: Info[Any, Any], kind: str, key: str, argument: str, cascade: bool
) -> DeletePayload:
    """Delete one node by natural key; refused when it would orphan sourced facts."""
    require_role(info, Role.ADMIN)
    tracked = _tracked(info)
    try:
        report = await KnowledgeGraph(tracked).delete(kind, key, cascade=cascade)
    except ValidationError as exc:
        raise bad_input_from_validation(exc, argument) from None
    except atlas_errors.NotFound as exc:
        raise NotFound(str(exc), field=argument) from None
    except WouldOrphanError as exc:
        raise BadUserInput(
            str(exc),
            field="cascade",
            dependentCount=len(exc.dependents),
            dependents=[{"kind": d.kind, "key": d.key} for d in exc.dependents[:100]],
        ) from None
    return DeletePayload(
        kind=report.target.kind,
        key=strawberry.ID(report.target.key),
        deleted_nodes=report.nodes,
        deleted_relationships=report.relationships,
        cascaded=[NodeReference(kind=r.kind, key=strawberry.ID(r.key)) for r in report.cascaded],
        bookmark=await tracked.bookmark(),
    )


# --------------------------------------------------------------------------- the type

_CASCADE = "Also delete the sourced facts that need this node (in the same transaction)."


@strawberry.type
class Mutation:
    """Writes: upserts need the editor role, deletes the admin role."""

    @strawberry.mutation(description="Create or update a source by URL.")
    async def upsert_source(self, info: Info[Any, Any], input: SourceInput) -> UpsertPayload:
        return await upsert_one(info, Source, input)

    @strawberry.mutation(description="Create or update sources by URL.")
    async def upsert_sources(
        self, info: Info[Any, Any], input: list[SourceInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Source, input)

    @strawberry.mutation(description="Create or update a country by ISO code.")
    async def upsert_country(self, info: Info[Any, Any], input: CountryInput) -> UpsertPayload:
        return await upsert_one(info, Country, input)

    @strawberry.mutation(description="Create or update countries by ISO code.")
    async def upsert_countries(
        self, info: Info[Any, Any], input: list[CountryInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Country, input)

    @strawberry.mutation(description="Create or update an organization by slug.")
    async def upsert_organization(
        self, info: Info[Any, Any], input: OrganizationInput
    ) -> UpsertPayload:
        return await upsert_one(info, Organization, input)

    @strawberry.mutation(description="Create or update organizations by slug.")
    async def upsert_organizations(
        self, info: Info[Any, Any], input: list[OrganizationInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Organization, input)

    @strawberry.mutation(description="Create or update a model by slug.")
    async def upsert_model(self, info: Info[Any, Any], input: ModelInput) -> UpsertPayload:
        return await upsert_one(info, Model, input)

    @strawberry.mutation(description="Create or update models by slug.")
    async def upsert_models(
        self, info: Info[Any, Any], input: list[ModelInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Model, input)

    @strawberry.mutation(description="Create or update a release by slug.")
    async def upsert_release(self, info: Info[Any, Any], input: ReleaseInput) -> UpsertPayload:
        return await upsert_one(info, Release, input)

    @strawberry.mutation(description="Create or update releases by slug.")
    async def upsert_releases(
        self, info: Info[Any, Any], input: list[ReleaseInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Release, input)

    @strawberry.mutation(description="Create or update a benchmark by slug.")
    async def upsert_benchmark(self, info: Info[Any, Any], input: BenchmarkInput) -> UpsertPayload:
        return await upsert_one(info, Benchmark, input)

    @strawberry.mutation(description="Create or update benchmarks by slug.")
    async def upsert_benchmarks(
        self, info: Info[Any, Any], input: list[BenchmarkInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Benchmark, input)

    @strawberry.mutation(description="Create or update a claim by id.")
    async def upsert_claim(self, info: Info[Any, Any], input: ClaimInput) -> UpsertPayload:
        return await upsert_one(info, Claim, input)

    @strawberry.mutation(description="Create or update claims by id.")
    async def upsert_claims(
        self, info: Info[Any, Any], input: list[ClaimInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Claim, input)

    @strawberry.mutation(description="Create or update a measured result by id.")
    async def upsert_result(self, info: Info[Any, Any], input: ResultInput) -> UpsertPayload:
        return await upsert_one(info, Result, input)

    @strawberry.mutation(description="Create or update measured results by id.")
    async def upsert_results(
        self, info: Info[Any, Any], input: list[ResultInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, Result, input)

    @strawberry.mutation(description="Create or update a market event by id.")
    async def upsert_market_event(
        self, info: Info[Any, Any], input: MarketEventInput
    ) -> UpsertPayload:
        return await upsert_one(info, MarketEvent, input)

    @strawberry.mutation(description="Create or update market events by id.")
    async def upsert_market_events(
        self, info: Info[Any, Any], input: list[MarketEventInput]
    ) -> BatchUpsertPayload:
        return await upsert_many(info, MarketEvent, input)

    @strawberry.mutation(
        description="Create or update records of several kinds at once, in dependency order."
    )
    async def upsert_dataset(self, info: Info[Any, Any], input: DatasetInput) -> BatchUpsertPayload:
        return await upsert_dataset(info, input)

    @strawberry.mutation(
        description="Store a news article (plain text or HTML) as a Source and what it says as "
        "drafts held for review; repeatable, and reviewed drafts stay as decided."
    )
    async def ingest_article(
        self,
        info: Info[Any, Any],
        text: Annotated[
            str | None,
            strawberry.argument(description="The article; without it, `url` is fetched."),
        ] = None,
        published_on: Annotated[
            dt.date | None,
            strawberry.argument(description="Relative dates are read against it (else today)."),
        ] = None,
        title: str | None = None,
        url: Annotated[
            str | None,
            strawberry.argument(
                description="The Source's key (default: a urn from the text); fetched when no "
                "text is given (public addresses only, unless the service allows private ones)."
            ),
        ] = None,
        publisher: str | None = None,
        author: str | None = None,
    ) -> IngestArticlePayload:
        return await ingest_article_mutation(
            info, text, published_on, title, url, publisher, author
        )

    @strawberry.mutation(
        description="Accept a pending draft (it becomes a fact, with the new entities it needs) "
        "or reject it (kept, so re-ingesting the article does not bring it back)."
    )
    async def review_draft(
        self, info: Info[Any, Any], id: strawberry.ID, decision: ReviewDecision
    ) -> ReviewPayload:
        return await review_draft_mutation(info, id, decision)

    @strawberry.mutation(
        description="Change fields of a pending draft's record before deciding it; refused, "
        "with the field named, if the record would not validate."
    )
    async def edit_draft(
        self, info: Info[Any, Any], id: strawberry.ID, changes: list[DraftChange]
    ) -> ReviewPayload:
        return await edit_draft_mutation(info, id, changes)

    @strawberry.mutation(description="Delete a source; facts citing only it need cascade.")
    async def delete_source(
        self,
        info: Info[Any, Any],
        url: str,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Source", url, "url", cascade)

    @strawberry.mutation(description="Delete a country (organizations lose BASED_IN).")
    async def delete_country(
        self,
        info: Info[Any, Any],
        code: str,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Country", code, "code", cascade)

    @strawberry.mutation(description="Delete an organization; claims and events need cascade.")
    async def delete_organization(
        self,
        info: Info[Any, Any],
        slug: strawberry.ID,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Organization", slug, "slug", cascade)

    @strawberry.mutation(description="Delete a model; claims, results, releases need cascade.")
    async def delete_model(
        self,
        info: Info[Any, Any],
        slug: strawberry.ID,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Model", slug, "slug", cascade)

    @strawberry.mutation(description="Delete a release.")
    async def delete_release(
        self,
        info: Info[Any, Any],
        slug: strawberry.ID,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Release", slug, "slug", cascade)

    @strawberry.mutation(description="Delete a benchmark; results and scored claims need cascade.")
    async def delete_benchmark(
        self,
        info: Info[Any, Any],
        slug: strawberry.ID,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Benchmark", slug, "slug", cascade)

    @strawberry.mutation(description="Delete a claim.")
    async def delete_claim(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Claim", id, "id", cascade)

    @strawberry.mutation(description="Delete a measured result.")
    async def delete_result(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "Result", id, "id", cascade)

    @strawberry.mutation(description="Delete a market event.")
    async def delete_market_event(
        self,
        info: Info[Any, Any],
        id: strawberry.ID,
        cascade: Annotated[bool, strawberry.argument(description=_CASCADE)] = False,
    ) -> DeletePayload:
        return await delete_one(info, "MarketEvent", id, "id", cascade)
