"""Ingesting an article as drafts held for review, and the review itself: an article's facts
are only guesses until someone accepts them, so they wait as drafts citing the article, and
accepting one writes it through the same validated upsert as every other fact."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import yaml
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from modelatlas.domain import (
    MAX_TEXT_LENGTH,
    Claim,
    Dataset,
    MarketEvent,
    Model,
    Organization,
    Record,
    Source,
    slugify,
)
from modelatlas.errors import InvalidInput, NotFound
from modelatlas.graph import Graph
from modelatlas.graph import drafts as store
from modelatlas.graph.drafts import DraftRow, NewDraft
from modelatlas.graph.writes import missing_keys
from modelatlas.ingest.article import Extraction, extract
from modelatlas.ingest.article_names import (
    Gazetteer,
    KnownBenchmark,
    KnownModel,
    KnownOrganization,
)
from modelatlas.ingest.article_text import clean_text
from modelatlas.knowledge import KnowledgeGraph, UnknownReferencesError

DRAFT_KINDS: Final[dict[str, type[Record]]] = {
    "Organization": Organization,
    "Model": Model,
    "Claim": Claim,
    "MarketEvent": MarketEvent,
}
_COLLECTION: Final = {
    "Organization": "organizations",
    "Model": "models",
    "Claim": "claims",
    "MarketEvent": "market_events",
}
_NEEDED: Final = ("Organization", "Model")
"""Kinds a draft may need that can come from the same article's drafts."""


class DraftError(InvalidInput):
    """A draft that cannot be reviewed as asked: already reviewed, or invalid."""


class DraftNotFound(NotFound):
    """No draft has the id a review names."""

    def __init__(self, id: str) -> None:
        """Say which id names no draft."""
        super().__init__(f"no draft {id!r}", argument="id", kind="Draft", key=id)


@dataclass
class IngestReport:
    """What ingesting one article drafted."""

    source: str
    created: Counter[str] = field(default_factory=Counter)
    """New drafts per kind."""
    existing: Counter[str] = field(default_factory=Counter)
    """Drafts that were there already, per status ("already reviewed" when not PENDING)."""
    drafts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for --json output."""
        return {
            "source": self.source,
            "created": dict(self.created),
            "existing": dict(self.existing),
            "drafts": self.drafts,
        }


async def load_gazetteer(kg: KnowledgeGraph) -> Gazetteer:
    """The graph's organizations, models and benchmarks as extraction's gazetteer."""
    rows = await store.read_names(kg.graph)
    return Gazetteer.from_records(
        (
            KnownOrganization(r["slug"], r["name"], tuple(r["aliases"]), r["partOf"])
            for r in rows.organizations
        ),
        (
            KnownModel(
                r["slug"],
                r["name"],
                tuple(r["aliases"]),
                tuple(sorted(r["developers"])),
                r["releasedOn"].to_native() if r["releasedOn"] is not None else None,
            )
            for r in rows.models
        ),
        (KnownBenchmark(r["slug"], r["name"]) for r in rows.benchmarks),
    )


def article_urn(text: str) -> str:
    """The Source key of an article given without a URL: a digest of its cleaned text, so the
    same article ingested twice is the same Source."""
    return "urn:modelatlas:article:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _digest(*parts: str) -> str:
    """A short stable hash of a draft's identity."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _dump(record: Record) -> str:
    """A record as the JSON a draft stores (camelCase, no empty fields)."""
    return record.model_dump_json(by_alias=True, exclude_none=True)


def drafts_of(extraction: Extraction, source: str) -> list[NewDraft]:
    """The drafts an extraction makes for an article; ids hash the article and the normalised
    fact (not the confidence or wording), so the same fact is the same draft every time."""
    drafts: list[NewDraft] = []
    for candidate in extraction.candidates:
        identity = _digest(source, candidate.kind, candidate.slug)
        record: Record
        if candidate.kind == "Organization":
            record = Organization(slug=candidate.slug, name=candidate.name)
        else:
            record = Model(
                slug=candidate.slug, name=candidate.name, developers=list(candidate.developers)
            )
        drafts.append(
            NewDraft(
                identity, candidate.kind, _dump(record), candidate.sentence, candidate.confidence
            )
        )
    for claim in extraction.claims:
        content = json.dumps(
            [
                claim.kind.value,
                claim.claimant,
                claim.subject,
                sorted(claim.against),
                claim.benchmark,
            ]
        )
        identity = _digest(source, "Claim", content)
        name = f"{claim.subject}-{claim.kind.value.lower()}-{'-'.join(claim.against)}"
        record = Claim(
            id=f"{slugify(name)[:150]}-{identity[:8]}",
            kind=claim.kind,
            statement=claim.sentence[:MAX_TEXT_LENGTH],
            claimed_by=claim.claimant,
            subject=claim.subject,
            against=list(claim.against),
            benchmark=claim.benchmark,
            made_on=claim.made_on,
            sources=[source],
        )
        drafts.append(NewDraft(identity, "Claim", _dump(record), claim.sentence, claim.confidence))
    known_models = {m.slug for m in extraction.mentions if m.kind == "Model" and m.known}
    for event in extraction.events:
        content = json.dumps([event.kind.value, sorted(event.affected), event.date.isoformat()])
        identity = _digest(source, "MarketEvent", content)
        name = f"{event.affected[0]}-{event.kind.value.lower()}-{event.date.isoformat()}"
        record = MarketEvent(
            id=f"{slugify(name)[:150]}-{identity[:8]}",
            kind=event.kind,
            date=event.date,
            description=event.sentence[:MAX_TEXT_LENGTH],
            magnitude=event.magnitude,
            unit=event.unit,
            affected=list(event.affected),
            attributed_to_models=[m for m in event.models if m in known_models],
            sources=[source],
        )
        drafts.append(
            NewDraft(identity, "MarketEvent", _dump(record), event.sentence, event.confidence)
        )
    # The same fact said twice in one article is one draft: the first, most confident.
    unique: dict[str, NewDraft] = {}
    for draft in drafts:
        if draft.id not in unique or draft.confidence > unique[draft.id].confidence:
            unique[draft.id] = draft
    return list(unique.values())


def headline(text: str) -> str | None:
    """The first paragraph of a cleaned article when it reads as a headline (short, no full
    stop at the end), for a Source given no title."""
    first = text.split("\n\n", 1)[0].strip()
    return first if 0 < len(first) <= 200 and not first.endswith(".") else None


async def ingest_article(
    kg: KnowledgeGraph,
    raw: str,
    *,
    published_on: dt.date | None = None,
    url: str | None = None,
    title: str | None = None,
    publisher: str | None = None,
    author: str | None = None,
) -> IngestReport:
    """Store the article as a Source and what it says as PENDING drafts citing it; repeatable
    (existing drafts, reviewed or not, are left as they are). Without a publication date,
    relative dates are read against today."""
    text = clean_text(raw)
    if not text:
        raise DraftError("the article has no text left once boilerplate is removed")
    source = Source(
        url=url or article_urn(text),
        title=title or headline(text),
        publisher=publisher,
        author=author,
        published_on=published_on,
    )
    await kg.upsert(Dataset(sources=[source]))
    known = await load_gazetteer(kg)
    extraction = extract(text, published_on=published_on or dt.date.today(), known=known)
    drafts = drafts_of(extraction, source.url)
    written = await store.write_drafts(kg.graph, source.url, drafts)
    report = IngestReport(source.url)
    for draft in drafts:
        status, created = written[draft.id]
        if created:
            report.created[draft.kind] += 1
        else:
            report.existing[status] += 1
        report.drafts.append(draft.id)
    return report


def _validated(draft: DraftRow, record_json: str | None = None) -> Record:
    """A draft's record validated by its domain model; the error names the field."""
    cls = DRAFT_KINDS.get(draft.kind)
    if cls is None:
        raise DraftError(f"draft {draft.id} is of unknown kind {draft.kind!r}")
    try:
        return cls.model_validate_json(record_json or draft.record)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'record'}: {e['msg']}" for e in exc.errors()
        )
        raise DraftError(f"{draft.kind} draft {draft.id} is not valid: {problems}") from None


async def _pending(kg: KnowledgeGraph, id: str) -> DraftRow:
    """The draft with this id, which must still wait for review."""
    draft = (await store.read_drafts(kg.graph, [id])).get(id)
    if draft is None:
        raise DraftNotFound(id)
    if draft.status != "PENDING":
        raise DraftError(f"draft {id} is already {draft.status}; only pending drafts are reviewed")
    return draft


async def _with_needs(
    kg: KnowledgeGraph, draft: DraftRow, record: Record
) -> list[tuple[str, Record]]:
    """The record with the new organizations and models it needs from the same article's
    drafts (pending or accepted), as (draft id, record); what is neither in the graph nor
    drafted is an error naming the field."""
    by_key: dict[tuple[str, str], DraftRow] = {}
    for other in await store.list_drafts(kg.graph, source=draft.source):
        if other.kind in _NEEDED and other.status != "REJECTED":
            by_key[(other.kind, json.loads(other.record)["slug"])] = other
    chosen: list[tuple[str, Record]] = [(draft.id, record)]
    queue = [record]
    seen = {(record.KIND, record.key)}
    while queue:
        current = queue.pop()
        wanted: dict[str, dict[str, str]] = {}
        for field_name, target, key in current.references():
            if target in _NEEDED and (target, key) not in seen:
                wanted.setdefault(target, {})[key] = field_name
        for target, keys in wanted.items():
            for key in sorted(await missing_keys(kg.graph, target, sorted(keys))):
                needed = by_key.get((target, key))
                if needed is None:
                    raise DraftError(
                        f"{current.KIND} draft: {keys[key]}: no {target} {key!r} in the graph "
                        "or among the article's drafts"
                    )
                seen.add((target, key))
                dependency = _validated(needed)
                chosen.append((needed.id, dependency))
                queue.append(dependency)
    return chosen


async def accept(kg: KnowledgeGraph, id: str) -> list[str]:
    """Turn a pending draft into a fact: validate its record, upsert it (with the new
    entities it needs, merged onto existing nodes by key), then mark it ACCEPTED. If the write
    fails the draft stays PENDING. Returns the ids of the drafts accepted."""
    draft = await _pending(kg, id)
    record = _validated(draft)
    chosen = await _with_needs(kg, draft, record)
    collections: dict[str, list[Record]] = {name: [] for name in _COLLECTION.values()}
    for _, item in chosen:
        collections[_COLLECTION[item.KIND]].append(item)
    try:
        await kg.upsert(Dataset(**collections))
    except (UnknownReferencesError, ValueError) as exc:
        raise DraftError(f"draft {id} was not accepted: {exc}") from exc
    ids = [draft_id for draft_id, _ in chosen]
    await store.set_status(kg.graph, ids, "ACCEPTED", only_from="PENDING")
    return ids


async def reject(kg: KnowledgeGraph, id: str) -> None:
    """Mark a pending draft REJECTED: it is kept, so re-ingesting does not bring it back."""
    await _pending(kg, id)
    await store.set_status(kg.graph, [id], "REJECTED", only_from="PENDING")


async def decide(graph: Graph, id: str, *, accept_it: bool) -> dict[str, DraftRow]:
    """Accept or reject a pending draft in one transaction (an accepted draft's facts and its
    new status commit together, or neither); the drafts it settled, as now stored."""

    async def work(bound: Graph) -> dict[str, DraftRow]:
        knowledge = KnowledgeGraph(bound)
        if accept_it:
            ids = await accept(knowledge, id)
        else:
            await reject(knowledge, id)
            ids = [id]
        return await store.read_drafts(bound, ids)

    return await graph.atomically(work)


def parse_changes(changes: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """FIELD, VALUE pairs as edit() takes them, each VALUE read as YAML ("[a, b]" is a list,
    "2025-01-29" a date, "0.8" a number); DraftError names a pair that cannot be read."""
    parsed: dict[str, Any] = {}
    for name, value in changes:
        if not name.strip():
            raise DraftError(f"a change needs a field name (value {value[:40]!r})")
        try:
            parsed[name.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise DraftError(f"{name.strip()}: {value[:40]!r} cannot be read: {exc}") from None
    return parsed


async def edit(kg: KnowledgeGraph, id: str, changes: Mapping[str, Any]) -> Record:
    """Change fields of a pending draft's record (camelCase or snake_case names), keeping it
    only if the domain model accepts the result."""
    draft = await _pending(kg, id)
    merged = {**json.loads(draft.record), **{to_camel(k): v for k, v in changes.items()}}
    record = _validated(draft, json.dumps(merged, default=str))
    await store.replace_record(kg.graph, id, _dump(record))
    return record
