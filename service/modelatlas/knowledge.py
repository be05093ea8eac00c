"""`KnowledgeGraph`: the one Python API over the graph, used by the CLI, the GraphQL resolvers
and any application that embeds Model Atlas."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from operator import attrgetter
from typing import Any

from modelatlas.config import Settings
from modelatlas.db.connection import make_driver, require_target
from modelatlas.domain import (
    RECORD_TYPES,
    ClaimKind,
    Dataset,
    EventKind,
    Record,
    ReferenceProblem,
    validate_key,
)
from modelatlas.errors import InvalidInput
from modelatlas.graph import Graph, evidence, history, reads
from modelatlas.graph.admin import Fingerprint, fingerprint
from modelatlas.graph.deletes import DeleteReport
from modelatlas.graph.evidence import ClaimEvidence, ContestedClaim
from modelatlas.graph.history import RecordPoint
from modelatlas.graph.migrations import Migration, migrate
from modelatlas.graph.reads import (
    DEFAULT_PAGE_SIZE,
    BeatClaim,
    BenchmarkNode,
    BenchmarkOrder,
    BenchmarkWhere,
    Bucket,
    Citation,
    ClaimNode,
    ClaimOrder,
    ClaimWhere,
    CountBy,
    CountryNode,
    CountryOrder,
    CountryWhere,
    EventAfterRelease,
    GraphPath,
    LeaderboardEntry,
    LineageDirection,
    LineageEntry,
    MarketEventNode,
    MarketEventOrder,
    MarketEventWhere,
    ModelNode,
    ModelOrder,
    ModelWhere,
    OrganizationNode,
    OrganizationOrder,
    OrganizationWhere,
    Page,
    PageRequest,
    RelationshipType,
    ReleaseNode,
    ReleaseOrder,
    ReleaseWhere,
    ResultNode,
    ResultOrder,
    ResultWhere,
    SearchHit,
    SearchKind,
    SourceNode,
    SourceOrder,
    SourceWhere,
    TimelineEntry,
)
from modelatlas.graph.writes import (
    BATCH_SIZE,
    BatchPlan,
    TargetsMissing,
    WriteReport,
    batches,
    by_kind,
    missing_keys,
    plan_at_once,
    plan_batch,
    write_at_once,
    write_links,
    write_rows,
)

Progress = Callable[[str, int, int], None]
"""Called as (kind, records written so far of that kind, total of that kind)."""


class UnknownReferencesError(InvalidInput):
    """A write names records that exist neither in the write nor in the graph."""

    def __init__(self, problems: Sequence[ReferenceProblem]) -> None:
        # Not a frozen dataclass: raising assigns __traceback__, which a frozen one refuses.
        super().__init__(problems)
        self.problems = tuple(problems)

    def __str__(self) -> str:
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        return (
            "unknown references, nothing written:\n"
            + shown
            + (f"\n  ... and {more} more" if more > 0 else "")
        )


def _defined_keys(dataset: Dataset) -> tuple[dict[str, set[str]], bool]:
    """The natural keys the dataset defines per kind (as `Dataset.keys`), and whether any is
    given twice (then `Dataset.duplicate_keys` says which), in one pass."""
    defined: dict[str, set[str]] = {}
    repeated = False
    for name, cls in RECORD_TYPES.items():
        records = dataset.collection(name)
        keys = defined.setdefault(cls.KIND, set())
        before = len(keys)
        keys.update(map(str, map(attrgetter(cls.KEY_FIELD), records)))
        repeated = repeated or len(keys) - before < len(records)
    return defined, repeated


def _outside_references(dataset: Dataset, defined: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per target kind, the keys the dataset's records refer to but do not define (what
    `Dataset.check_references` reports, without building a problem per reference)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for name, cls in RECORD_TYPES.items():
        records = dataset.collection(name)
        if not records:
            continue
        for field_name, target in cls.REFERENCES.items():
            values = map(attrgetter(field_name), records)
            if isinstance(getattr(records[0], field_name), list):
                keys = set(chain.from_iterable(values))
            else:
                keys = set(values)
                keys.discard(None)
            wanted[target] |= keys - defined[target]
    return wanted


def _wanted(dataset: Dataset, defined: dict[str, set[str]]) -> dict[str, list[str]]:
    """Per target kind, the sorted keys the dataset refers to outside itself (none: left out)."""
    return {
        kind: sorted(keys) for kind, keys in _outside_references(dataset, defined).items() if keys
    }


def _problems(dataset: Dataset, missing: dict[str, set[str]]) -> list[ReferenceProblem]:
    """The dataset's reference problems whose target no node has, in the dataset's order."""
    if not any(missing.values()):
        return []
    return [p for p in dataset.check_references() if p.missing in missing.get(p.target, set())]


def _tally(report: WriteReport, changed: set[str], kind: str, plan: BatchPlan) -> None:
    """Count a planned batch's statuses, and note its created or updated rows as "Kind:key"."""
    report.counts(kind).add(plan.statuses)
    changed.update(f"{kind}:{k}" for k, v in plan.statuses.items() if v != "unchanged")


async def _after(first: asyncio.Task[None] | None, then: Callable[[], Awaitable[None]]) -> None:
    """Run `then` once `first` (if any) has finished; not at all if it failed."""
    if first is not None:
        await first
    await then()


@dataclass
class PendingVerdicts:
    """The claims and models a run of upserts left to re-weigh once, at its end.

    An import written chunk by chunk would otherwise re-weigh after every chunk, and a chunk of
    results re-weighs every claim about its models: most of the graph's claims, every time.
    Pass one to each `KnowledgeGraph.upsert` of the run, then `refresh_verdicts(pending)`.
    """

    claims: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    models: set[str] = field(default_factory=set)

    def add(self, dataset: Dataset, changed: set[str]) -> None:
        """Note what a write may have changed the evidence of: its claims and the models of
        its results, of the rows it created or updated (an unchanged row changes no verdict).
        `changed` holds "Kind:key" of those rows."""
        self.claims.update((c.id, None) for c in dataset.claims if f"Claim:{c.key}" in changed)
        self.models.update(r.model for r in dataset.results if f"Result:{r.key}" in changed)

    async def refresh(self, graph: Graph) -> int:
        """Re-weigh what was noted, and forget it; how many verdicts changed."""
        claims, models = list(self.claims), sorted(self.models)
        self.claims.clear()
        self.models.clear()
        return await evidence.refresh_verdicts(graph, claims=claims, models=models)


class KnowledgeGraph:
    """Reads and writes the Model Atlas graph; every write validates first and is repeatable."""

    def __init__(self, graph: Graph) -> None:
        """Use an existing Graph (and its driver)."""
        self.graph = graph

    @classmethod
    @asynccontextmanager
    async def connect(cls, settings: Settings | None = None) -> AsyncIterator[KnowledgeGraph]:
        """Open a driver to the configured or running local Neo4j; closed on exit."""
        settings = settings or Settings()
        target = require_target(settings)
        driver = make_driver(target, settings)
        try:
            yield cls(Graph(driver, target.database))
        finally:
            await driver.close()

    async def migrate(self) -> list[Migration]:
        """Apply pending schema migrations."""
        return await migrate(self.graph)

    async def fingerprint(self) -> Fingerprint:
        """Counts and a checksum of the whole graph, to compare states."""
        return await fingerprint(self.graph)

    async def check_references(self, dataset: Dataset) -> list[ReferenceProblem]:
        """References that point neither into the dataset nor at an existing node.

        The same problems, in the same order, as `dataset.check_references()` less those the
        graph resolves; but a problem is only built for what the graph lacks too (an import of
        one kind refers outside the dataset hundreds of thousands of times).
        """
        return await self._check_references(dataset, dataset.keys())

    async def _check_references(
        self, dataset: Dataset, defined: dict[str, set[str]]
    ) -> list[ReferenceProblem]:
        wanted = _wanted(dataset, defined)
        # One read per target kind, all at once: before the first write nothing else can run.
        found = await asyncio.gather(
            *(missing_keys(self.graph, kind, keys) for kind, keys in wanted.items())
        )
        return _problems(dataset, dict(zip(wanted, found, strict=True)))

    async def upsert(
        self,
        dataset: Dataset,
        *,
        progress: Progress | None = None,
        rank: int = 0,
        pending: PendingVerdicts | None = None,
    ) -> WriteReport:
        """Write a validated dataset in dependency order; repeatable.

        Everything is checked before the first write: an unknown reference raises
        UnknownReferencesError and leaves the graph as it was. A target deleted by another
        writer after that check fails the batch that needed it (UnknownReferencesError too,
        its transaction rolled back; in `Graph.atomically`, the whole write). ``rank`` is the
        write's precedence (0, curated and API writes, is best): a property set by a better-ranked
        write is kept, so imports applied in any order converge (see writes._ranked).

        A dataset of at most one batch (a mutation, a small seed file) takes three round trips:
        one read checks its references and plans every kind, one statement writes it, one
        re-weighs the verdicts it may change. A larger one goes batch by batch. With
        ``pending``, the verdicts are not re-weighed but noted there, for the caller to
        re-weigh once after a run of writes (`refresh_verdicts(pending)`).
        """
        defined, repeated = _defined_keys(dataset)
        if repeated:
            duplicates = dataset.duplicate_keys()
            listed = ", ".join(f"{kind} {key!r}" for kind, key in duplicates[:10])
            raise ValueError(f"the same natural key is given twice: {listed}")
        grouped = by_kind(dataset.records())
        report = WriteReport()
        changed: set[str] = set()
        try:
            if sum(len(records) for _, records in grouped) <= BATCH_SIZE:
                await self._upsert_at_once(dataset, defined, grouped, report, changed, rank)
                for kind, records in grouped:
                    if progress is not None:
                        progress(kind, len(records), len(records))
            else:
                await self._upsert_batched(
                    dataset, defined, grouped, report, changed, progress, rank
                )
            if pending is not None:
                pending.add(dataset, changed)
            else:
                mine = PendingVerdicts()
                mine.add(dataset, changed)
                await mine.refresh(self.graph)
        except TargetsMissing as exc:
            raise UnknownReferencesError(exc.problems) from None
        return report

    async def _upsert_at_once(
        self,
        dataset: Dataset,
        defined: dict[str, set[str]],
        grouped: Sequence[tuple[str, Sequence[Record]]],
        report: WriteReport,
        changed: set[str],
        rank: int,
    ) -> None:
        """One read (references and plans), then one write statement."""
        missing, plans = await plan_at_once(self.graph, grouped, _wanted(dataset, defined), rank)
        problems = _problems(dataset, missing)
        if problems:
            raise UnknownReferencesError(tuple(problems))
        for kind, plan in plans:
            _tally(report, changed, kind, plan)
        await write_at_once(self.graph, plans)

    async def _upsert_batched(
        self,
        dataset: Dataset,
        defined: dict[str, set[str]],
        grouped: Sequence[tuple[str, Sequence[Record]]],
        report: WriteReport,
        changed: set[str],
        progress: Progress | None,
        rank: int,
    ) -> None:
        """Batch after batch, each in its own transaction (in `Graph.atomically`, all in one)."""
        totals = {kind: len(records) for kind, records in grouped}
        steps = [(kind, batch) for kind, records in grouped for batch in batches(records)]
        # Batch N+1 (of the same kind or the next) is planned (one read and Python work) while
        # Neo4j writes batch N, and the first batch while the references are checked (planning
        # writes nothing). A kind's same-kind links follow its last batch.
        planning = self._plan(steps, 0, rank)
        in_flight: asyncio.Task[None] | None = None
        try:
            problems = await self._check_references(dataset, defined)
            if problems:
                raise UnknownReferencesError(tuple(problems))
            links: list[dict[str, Any]] = []
            planned: dict[str, int] = defaultdict(int)
            for step, (kind, batch) in enumerate(steps):
                assert planning is not None
                plan = await planning
                planning = self._plan(steps, step + 1, rank)
                if in_flight is not None:
                    await in_flight
                in_flight = asyncio.create_task(write_rows(self.graph, kind, plan.to_write))
                _tally(report, changed, kind, plan)
                links.extend(plan.to_link)
                planned[kind] += len(batch)
                if progress is not None:
                    progress(kind, planned[kind], totals[kind])
                if links and (step + 1 == len(steps) or steps[step + 1][0] != kind):
                    in_flight = asyncio.create_task(
                        _after(in_flight, partial(write_links, self.graph, kind, links))
                    )
                    links = []
            if in_flight is not None:
                await in_flight
        finally:
            # On a failure, a read or a batch in flight finishes (or fails) whole.
            for task in (planning, in_flight):
                if task is not None:
                    await asyncio.wait([task])
                    if not task.cancelled():
                        task.exception()  # retrieved: the failure raised is the first one

    def _plan(
        self, steps: Sequence[tuple[str, Sequence[Record]]], step: int, rank: int
    ) -> asyncio.Task[BatchPlan] | None:
        """Start planning one batch, if there is one."""
        if step >= len(steps):
            return None
        kind, batch = steps[step]
        return asyncio.create_task(plan_batch(self.graph, kind, batch, rank))

    async def delete(self, kind: str, key: str, *, cascade: bool = False) -> DeleteReport:
        """Delete one node by its natural key (normalised like an upsert's), in one transaction.

        Refuses with WouldOrphanError when sourced facts need the node, unless `cascade`
        deletes them too; raises NotFound when there is no such node.
        """
        from modelatlas.graph.deletes import delete_node

        normalised = validate_key(kind, key)
        report = await delete_node(self.graph, kind, normalised, cascade=cascade)
        if kind not in ("Country", "Release", "MarketEvent"):
            # A deleted result (or a node whose deletion took results or claimant names with
            # it) may have been a claim's evidence: deletions are rare, so all are re-weighed.
            await evidence.refresh_verdicts(self.graph, everything=True)
        return report

    # ------------------------------------------------------------------ lookups

    async def nodes(
        self, kind: str, keys: Sequence[str], prefetch: reads.Prefetch = ()
    ) -> dict[str, Any]:
        """Nodes of one kind ("Model", "Claim"...) by natural key, in one round trip, with the
        relationships `prefetch` names read along (see reads.Prefetch)."""
        return await reads.read_nodes(self.graph, kind, keys, prefetch)

    @staticmethod
    def lookup_key(kind: str, key: str) -> str:
        """The stored form of a natural key as a user may type it ("GPT-4o" -> "gpt-4o"), the
        key `nodes` finds; InvalidArgument when no node of the kind can have it."""
        return reads.normalise_key(kind, key)

    async def _one(self, kind: str, key: str) -> Any:
        normalised = self.lookup_key(kind, key)
        return (await reads.read_nodes(self.graph, kind, [normalised])).get(normalised)

    async def organization(self, slug: str) -> OrganizationNode | None:
        """The organization with this slug (normalised, so "OpenAI" finds "openai")."""
        found: OrganizationNode | None = await self._one("Organization", slug)
        return found

    async def country(self, code: str) -> CountryNode | None:
        """The country with this ISO code (any case)."""
        found: CountryNode | None = await self._one("Country", code)
        return found

    async def model(self, slug: str) -> ModelNode | None:
        """The model with this slug (normalised, so "GPT-4o" finds "gpt-4o")."""
        found: ModelNode | None = await self._one("Model", slug)
        return found

    async def release(self, slug: str) -> ReleaseNode | None:
        """The release with this slug."""
        found: ReleaseNode | None = await self._one("Release", slug)
        return found

    async def benchmark(self, slug: str) -> BenchmarkNode | None:
        """The benchmark with this slug."""
        found: BenchmarkNode | None = await self._one("Benchmark", slug)
        return found

    async def claim(self, id: str) -> ClaimNode | None:
        """The claim with this id."""
        found: ClaimNode | None = await self._one("Claim", id)
        return found

    async def result(self, id: str) -> ResultNode | None:
        """The result with this id."""
        found: ResultNode | None = await self._one("Result", id)
        return found

    async def market_event(self, id: str) -> MarketEventNode | None:
        """The market event with this id."""
        found: MarketEventNode | None = await self._one("MarketEvent", id)
        return found

    async def source(self, url: str) -> SourceNode | None:
        """The source with this URL (scheme and host in any case) or urn."""
        found: SourceNode | None = await self._one("Source", url)
        return found

    # ------------------------------------------------------------------ lists

    async def page(self, kind: str, request: PageRequest) -> Page[Any]:
        """A filtered, sorted keyset page of any kind (what the typed list methods call)."""
        return await reads.read_page(self.graph, kind, request)

    async def list_nodes(
        self,
        kind: str,
        *,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        order: str | None = None,
        where: Any = None,
        total: bool = True,
        prefetch: reads.Prefetch = (),
        connection: str | None = None,
    ) -> Page[Any]:
        """`page` from loose arguments (what a GraphQL root list passes): `first` is checked
        before anything else, an error naming `connection` (the field asked; else the kind)."""
        reads.check_first(first, connection or kind)
        return await self.page(kind, PageRequest(first, after, order, where, total, prefetch))

    async def organizations(
        self,
        where: OrganizationWhere | None = None,
        *,
        order_by: OrganizationOrder = OrganizationOrder.NAME_ASC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[OrganizationNode]:
        """Organizations, a page at a time."""
        return await self.page("Organization", PageRequest(first, after, order_by, where))

    async def countries(
        self,
        where: CountryWhere | None = None,
        *,
        order_by: CountryOrder = CountryOrder.NAME_ASC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[CountryNode]:
        """Countries, a page at a time."""
        return await self.page("Country", PageRequest(first, after, order_by, where))

    async def models(
        self,
        where: ModelWhere | None = None,
        *,
        order_by: ModelOrder = ModelOrder.NAME_ASC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[ModelNode]:
        """Models, a page at a time."""
        return await self.page("Model", PageRequest(first, after, order_by, where))

    async def releases(
        self,
        where: ReleaseWhere | None = None,
        *,
        order_by: ReleaseOrder = ReleaseOrder.DATE_DESC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[ReleaseNode]:
        """Releases, a page at a time."""
        return await self.page("Release", PageRequest(first, after, order_by, where))

    async def benchmarks(
        self,
        where: BenchmarkWhere | None = None,
        *,
        order_by: BenchmarkOrder = BenchmarkOrder.NAME_ASC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[BenchmarkNode]:
        """Benchmarks, a page at a time."""
        return await self.page("Benchmark", PageRequest(first, after, order_by, where))

    async def claims(
        self,
        where: ClaimWhere | None = None,
        *,
        order_by: ClaimOrder = ClaimOrder.MADE_ON_DESC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[ClaimNode]:
        """Claims, a page at a time (e.g. by claimant country and compared developers' country)."""
        return await self.page("Claim", PageRequest(first, after, order_by, where))

    async def results(
        self,
        where: ResultWhere | None = None,
        *,
        order_by: ResultOrder = ResultOrder.MEASURED_ON_DESC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[ResultNode]:
        """Measured results, a page at a time."""
        return await self.page("Result", PageRequest(first, after, order_by, where))

    async def market_events(
        self,
        where: MarketEventWhere | None = None,
        *,
        order_by: MarketEventOrder = MarketEventOrder.DATE_DESC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[MarketEventNode]:
        """Market events, a page at a time."""
        return await self.page("MarketEvent", PageRequest(first, after, order_by, where))

    async def sources(
        self,
        where: SourceWhere | None = None,
        *,
        order_by: SourceOrder = SourceOrder.PUBLISHED_ON_DESC,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[SourceNode]:
        """Sources, a page at a time."""
        return await self.page("Source", PageRequest(first, after, order_by, where))

    # ------------------------------------------------------------------ relationships, batched

    async def related(
        self, relation: str, keys: Sequence[str], prefetch: reads.Prefetch = ()
    ) -> dict[str, list[Any]]:
        """A relationship field ("Model.developers") for many parents in one round trip."""
        return await reads.read_related(self.graph, relation, keys, prefetch)

    async def related_pages(
        self, relation: str, keys: Sequence[str], request: PageRequest
    ) -> dict[str, Page[Any]]:
        """A page of a relationship field ("Organization.models") for many parents at once."""
        return await reads.read_related_pages(self.graph, relation, keys, request)

    async def citations(self, kind: str, keys: Sequence[str]) -> dict[str, list[Citation]]:
        """Sources of many facts of one kind, with what each source said (date, score...)."""
        return await reads.read_citations(self.graph, kind, keys)

    async def claim_evidence(self, ids: Sequence[str]) -> dict[str, list[ClaimEvidence]]:
        """Per claim, each compared model with both sides' best independent results."""
        return await evidence.claim_evidence(self.graph, ids)

    async def refresh_verdicts(self, pending: PendingVerdicts | None = None) -> int:
        """Recompute the verdicts a run of upserts left ``pending``, or every comparative
        claim's; how many changed."""
        if pending is not None:
            return await pending.refresh(self.graph)
        return await evidence.refresh_verdicts(self.graph, everything=True)

    async def lineage(
        self,
        keys: Sequence[str],
        direction: LineageDirection,
        *,
        max_depth: int | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> dict[str, Page[LineageEntry]]:
        """Descendants or ancestors (DERIVED_FROM, any depth) of many models at once."""
        return await reads.read_lineage(
            self.graph, keys, direction, max_depth=max_depth, first=first, after=after
        )

    async def derived_models(
        self,
        model: str,
        *,
        max_depth: int | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[LineageEntry]:
        """Models fine-tuned or distilled from this one, at any depth, nearest first."""
        return await self._lineage_of(model, LineageDirection.DESCENDANTS, max_depth, first, after)

    async def ancestors(
        self,
        model: str,
        *,
        max_depth: int | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[LineageEntry]:
        """Models this one derives from, at any depth, nearest first."""
        return await self._lineage_of(model, LineageDirection.ANCESTORS, max_depth, first, after)

    async def _lineage_of(
        self,
        model: str,
        direction: LineageDirection,
        max_depth: int | None,
        first: int,
        after: str | None,
    ) -> Page[LineageEntry]:
        slug = reads.normalise_key("Model", model)
        pages = await self.lineage([slug], direction, max_depth=max_depth, first=first, after=after)
        return pages[slug]

    # ------------------------------------------------------------------ the headline questions

    async def models_claimed_to_beat(
        self,
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
        """Which models were claimed to beat `model` (or its variants): by whom, where, when."""
        return await reads.models_claimed_to_beat(
            self.graph,
            model,
            include_variants=include_variants,
            benchmark=benchmark,
            claimant=claimant,
            since=since,
            until=until,
            kinds=kinds,
            first=first,
            after=after,
        )

    async def events_after_release(
        self,
        model: str,
        within_days: int = 30,
        *,
        attributed_only: bool = False,
        kinds: Iterable[EventKind] | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[EventAfterRelease]:
        """Market events in the days after a model's release."""
        return await reads.events_after_release(
            self.graph,
            model,
            within_days,
            attributed_only=attributed_only,
            kinds=kinds,
            first=first,
            after=after,
        )

    async def path(
        self,
        source: str,
        target: str,
        *,
        max_hops: int = 6,
        relationships: Iterable[RelationshipType] | None = None,
    ) -> GraphPath | None:
        """How two entities ("moonshot-ai", "organization:nvidia") connect: a shortest path."""
        return await reads.shortest_path(
            self.graph, source, target, max_hops=max_hops, relationships=relationships
        )

    async def timeline(
        self,
        subject: str,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[TimelineEntry]:
        """An organization's or a model's releases, claims, results and events by date."""
        return await reads.timeline(
            self.graph, subject, since=since, until=until, first=first, after=after
        )

    async def leaderboard(
        self,
        benchmark: str,
        *,
        as_of: dt.date | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        count: bool = True,
    ) -> Page[LeaderboardEntry]:
        """Each model's best result on a benchmark as of a date, ranked (without `count`, no
        total: the first page then reads about a page of results, not the whole benchmark)."""
        return await reads.leaderboard(
            self.graph, benchmark, as_of=as_of, first=first, after=after, count=count
        )

    async def record_history(self, benchmark: str) -> list[RecordPoint]:
        """The results that set a new best on a benchmark, oldest first (dated by measurement,
        else by their model's release): the record's history, for a chart."""
        return await history.record_history(self.graph, reads.normalise_key("Benchmark", benchmark))

    async def contested_claims(
        self,
        *,
        benchmark: str | None = None,
        model: str | None = None,
        claimant: str | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Page[ContestedClaim]:
        """Claims that independent results on the same benchmark contradict, with both numbers."""
        return await evidence.contested_claims(
            self.graph,
            benchmark=benchmark,
            model=model,
            claimant=claimant,
            first=first,
            after=after,
        )

    async def model_counts(self, by: CountBy, where: ModelWhere | None = None) -> list[Bucket]:
        """How many models per country, organization or year: what a chart needs."""
        return await reads.model_counts(self.graph, by, where)

    async def search(
        self,
        text: str,
        *,
        kinds: Iterable[SearchKind] | None = None,
        first: int = DEFAULT_PAGE_SIZE,
    ) -> list[SearchHit]:
        """Full-text search over names and aliases, best match first."""
        return await reads.search(self.graph, text, kinds=kinds, first=first)
