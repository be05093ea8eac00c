"""GraphQL mutations for article review: ingest an article as drafts and decide drafts, behind
the editor key like every other write, through the same functions as the CLI."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Final

import strawberry
from pydantic import ValidationError
from strawberry.types import Info

from modelatlas.api.auth import Role, require_role
from modelatlas.api.errors import BadUserInput, NotFound, bad_input_from_validation
from modelatlas.graph import Graph
from modelatlas.graph.drafts import DraftRow, list_drafts, read_drafts
from modelatlas.ingest.article_text import FetchError, fetch_article
from modelatlas.ingest.drafts import (
    DraftError,
    DraftNotFound,
    IngestReport,
    decide,
    edit,
    ingest_article,
    parse_changes,
)
from modelatlas.knowledge import KnowledgeGraph

MAX_ARTICLE_CHARACTERS: Final = 500_000
FETCH_PRIVATE: Final = "article_fetch_private"
"""Context key: whether ingestArticle(url:) may fetch non-public addresses (a setting)."""


@strawberry.enum(description="What review decides for a draft.")
class ReviewDecision(Enum):
    """Accept turns a draft into a fact; reject keeps it as a record that it was refused."""

    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


@strawberry.enum(description="Where a draft stands in review.")
class DraftStatus(Enum):
    """PENDING until decided; ACCEPTED drafts are facts, REJECTED ones are kept as refused."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


MAX_DRAFTS: Final = 1000


@strawberry.type(description="A fact drafted from an article, waiting for review or reviewed.")
class Draft:
    """One stored draft."""

    id: strawberry.ID
    kind: str = strawberry.field(description="The kind of record it becomes, e.g. Claim.")
    status: DraftStatus
    confidence: float
    sentence: str = strawberry.field(description="The sentence of the article it came from.")
    source: str = strawberry.field(description="The article's Source URL or urn.")
    record: str = strawberry.field(description="The record it becomes, as JSON (camelCase).")


@strawberry.type(description="How many drafts of one kind or status.")
class DraftCount:
    """A count by kind (new drafts) or by status (drafts that were there already)."""

    name: str
    count: int


@strawberry.type(description="What ingesting an article drafted.")
class IngestArticlePayload:
    """The article's Source, the drafts made or found, and the bookmark."""

    source: str
    created: list[DraftCount] = strawberry.field(description="New drafts per kind.")
    existing: list[DraftCount] = strawberry.field(
        description="Drafts that existed already, per status (reviewed ones stay as decided)."
    )
    drafts: list[Draft]
    bookmark: str


@strawberry.type(description="What a review decision did.")
class ReviewPayload:
    """The drafts decided (an accepted draft brings the new entities it needs)."""

    drafts: list[Draft]
    bookmark: str


def _draft(row: DraftRow) -> Draft:
    """The GraphQL view of a stored draft."""
    return Draft(
        id=strawberry.ID(row.id),
        kind=row.kind,
        status=DraftStatus(row.status),
        confidence=row.confidence,
        sentence=row.sentence,
        source=row.source,
        record=row.record,
    )


def _tracked(info: Info[Any, Any]) -> Graph:
    """The request's graph, chained after the client's bookmark and recording ours."""
    graph: Graph = info.context["graph"]
    return graph if graph.bookmark_manager is not None else graph.with_bookmarks()


async def ingest_article_mutation(
    info: Info[Any, Any],
    text: str | None,
    published_on: dt.date | None,
    title: str | None,
    url: str | None,
    publisher: str | None,
    author: str | None,
) -> IngestArticlePayload:
    """Store an article (its text, or the page at `url`) as a Source and its facts as PENDING
    drafts, in one transaction."""
    require_role(info, Role.EDITOR)
    if text is None:
        if url is None:
            raise BadUserInput("give the article's text, or the url to fetch it from", field="text")
        try:
            text = await fetch_article(url, allow_private=bool(info.context.get(FETCH_PRIVATE)))
        except FetchError as exc:
            raise BadUserInput(f"the article could not be fetched: {exc}", field="url") from None
    if len(text) > MAX_ARTICLE_CHARACTERS:
        raise BadUserInput(
            f"the article has {len(text)} characters; at most {MAX_ARTICLE_CHARACTERS}",
            field="text",
        )
    tracked = _tracked(info)

    async def work(graph: Graph) -> tuple[IngestReport, dict[str, DraftRow]]:
        report = await ingest_article(
            KnowledgeGraph(graph),
            text,
            published_on=published_on,
            url=url,
            title=title,
            publisher=publisher,
            author=author,
        )
        return report, await read_drafts(graph, report.drafts)

    try:
        report, rows = await tracked.atomically(work)
    except ValidationError as exc:
        raise bad_input_from_validation(exc, "") from None
    except DraftError as exc:
        raise BadUserInput(str(exc), field="text") from None
    return IngestArticlePayload(
        source=report.source,
        created=[DraftCount(name=k, count=n) for k, n in sorted(report.created.items())],
        existing=[DraftCount(name=k, count=n) for k, n in sorted(report.existing.items())],
        drafts=[_draft(rows[i]) for i in report.drafts if i in rows],
        bookmark=await tracked.bookmark(),
    )


async def review_draft_mutation(
    info: Info[Any, Any], id: str, decision: ReviewDecision
) -> ReviewPayload:
    """Accept or reject a pending draft; an accepted draft's write and its new status are
    committed together."""
    require_role(info, Role.EDITOR)
    tracked = _tracked(info)
    try:
        rows = await decide(tracked, id, accept_it=decision is ReviewDecision.ACCEPT)
    except DraftNotFound as exc:
        raise NotFound(str(exc), field="id") from None
    except DraftError as exc:
        raise BadUserInput(str(exc), field="id") from None
    return ReviewPayload(
        drafts=[_draft(row) for row in rows.values()], bookmark=await tracked.bookmark()
    )


@strawberry.input(description="One field of a draft's record to change.")
class DraftChange:
    """A field (camelCase or snake_case) and its new value, read as YAML like the CLI's --set."""

    field: str
    value: str = strawberry.field(description='YAML: "[a, b]" is a list, "0.8" a number.')


async def edit_draft_mutation(
    info: Info[Any, Any], id: str, changes: list[DraftChange]
) -> ReviewPayload:
    """Change fields of a pending draft's record, kept only if the domain model accepts it."""
    require_role(info, Role.EDITOR)
    tracked = _tracked(info)
    try:
        parsed = parse_changes((c.field, c.value) for c in changes)
        await edit(KnowledgeGraph(tracked), id, parsed)
    except DraftNotFound as exc:
        raise NotFound(str(exc), field="id") from None
    except DraftError as exc:
        raise BadUserInput(str(exc), field="changes") from None
    rows = await read_drafts(tracked, [id])
    return ReviewPayload(
        drafts=[_draft(row) for row in rows.values()], bookmark=await tracked.bookmark()
    )


async def drafts_query(
    info: Info[Any, Any], status: DraftStatus | None, source: str | None, first: int
) -> list[Draft]:
    """Drafts for a reviewer, oldest first: they are not facts, so the editor role is needed."""
    require_role(info, Role.EDITOR)
    if not 0 <= first <= MAX_DRAFTS:
        raise BadUserInput(f"first must be between 0 and {MAX_DRAFTS}", field="first")
    graph: Graph = info.context["graph"]
    rows = await list_drafts(
        graph, status=status.value if status else None, source=source, limit=first
    )
    return [_draft(row) for row in rows]
