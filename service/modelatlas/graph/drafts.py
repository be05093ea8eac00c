"""Drafts waiting for review, and the names article extraction matches against.

A :Draft holds a fact drafted from an article (its domain record as JSON, the sentence it came
from, a confidence and a review status) and points to the article's :Source. It has no domain
label, so no normal read sees it until review turns it into a fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, LiteralString

from modelatlas.graph.core import Graph

STATUSES: Final = ("PENDING", "ACCEPTED", "REJECTED")


@dataclass(frozen=True, slots=True)
class DraftRow:
    """One draft as stored."""

    id: str
    kind: str
    record: str
    """The domain record it would become, as JSON (camelCase keys)."""
    sentence: str
    confidence: float
    status: str
    source: str
    created_at: str
    reviewed_at: str | None = None


@dataclass(frozen=True, slots=True)
class NewDraft:
    """A draft to write: what DraftRow holds before review."""

    id: str
    kind: str
    record: str
    sentence: str
    confidence: float


_WRITE: Final[LiteralString] = """
MATCH (s:Source {url: $source})
UNWIND $rows AS row
MERGE (d:Draft {id: row.id})
ON CREATE SET d.kind = row.kind, d.record = row.record, d.sentence = row.sentence,
  d.confidence = row.confidence, d.status = 'PENDING', d.source = $source, d.createdAt = $now
MERGE (d)-[:DRAFTED_FROM]->(s)
RETURN d.id AS id, d.status AS status, d.createdAt = $now AS created
"""


async def write_drafts(
    graph: Graph, source: str, drafts: Sequence[NewDraft]
) -> dict[str, tuple[str, bool]]:
    """Create the drafts that do not exist yet, tied to their (existing) Source; an existing
    draft is left as it is, whatever its status. Returns id -> (status, created)."""
    if not drafts:
        return {}
    now = dt.datetime.now(dt.UTC).isoformat()
    rows = await graph.write(
        _WRITE,
        {
            "source": source,
            "now": now,
            "rows": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "record": d.record,
                    "sentence": d.sentence,
                    "confidence": d.confidence,
                }
                for d in drafts
            ],
        },
    )
    return {str(r["id"]): (str(r["status"]), bool(r["created"])) for r in rows}


_FIELDS: Final[LiteralString] = (
    "d.id AS id, d.kind AS kind, d.record AS record, d.sentence AS sentence, "
    "d.confidence AS confidence, d.status AS status, d.source AS source, "
    "d.createdAt AS createdAt, d.reviewedAt AS reviewedAt"
)


def _draft(row: dict[str, Any]) -> DraftRow:
    """A stored draft from its row."""
    return DraftRow(
        str(row["id"]),
        str(row["kind"]),
        str(row["record"]),
        str(row["sentence"]),
        float(row["confidence"]),
        str(row["status"]),
        str(row["source"]),
        str(row["createdAt"]),
        None if row["reviewedAt"] is None else str(row["reviewedAt"]),
    )


async def list_drafts(
    graph: Graph, *, status: str | None = None, source: str | None = None, limit: int = 1000
) -> list[DraftRow]:
    """Drafts, oldest first, optionally of one status or one source."""
    rows = await graph.read(
        "MATCH (d:Draft) WHERE ($status IS NULL OR d.status = $status) "
        "AND ($source IS NULL OR d.source = $source) "
        "RETURN " + _FIELDS + " ORDER BY d.createdAt, d.id LIMIT $limit",
        {"status": status, "source": source, "limit": limit},
    )
    return [_draft(r) for r in rows]


async def read_drafts(graph: Graph, ids: Sequence[str]) -> dict[str, DraftRow]:
    """Drafts by id (those that exist)."""
    rows = await graph.read(
        "UNWIND $ids AS id MATCH (d:Draft {id: id}) RETURN " + _FIELDS, {"ids": list(ids)}
    )
    return {str(r["id"]): _draft(r) for r in rows}


async def set_status(graph: Graph, ids: Sequence[str], status: str, *, only_from: str) -> int:
    """Move drafts from one status to another; returns how many moved (a draft reviewed in
    the meantime is not moved again)."""
    if status not in STATUSES:
        raise ValueError(f"unknown draft status {status!r}")
    rows = await graph.write(
        "UNWIND $ids AS id MATCH (d:Draft {id: id}) WHERE d.status = $from "
        "SET d.status = $status, d.reviewedAt = $now RETURN count(d) AS n",
        {
            "ids": list(ids),
            "from": only_from,
            "status": status,
            "now": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    return int(rows[0]["n"])


async def replace_record(graph: Graph, id: str, record: str) -> bool:
    """Replace a pending draft's record (an edit in review); False if none is pending."""
    rows = await graph.write(
        "MATCH (d:Draft {id: $id}) WHERE d.status = 'PENDING' SET d.record = $record "
        "RETURN count(d) AS n",
        {"id": id, "record": record},
    )
    return int(rows[0]["n"]) > 0


@dataclass(frozen=True, slots=True)
class NameRows:
    """The graph's names, for article extraction's gazetteer."""

    organizations: list[dict[str, Any]]
    models: list[dict[str, Any]]
    benchmarks: list[dict[str, Any]]


async def read_names(graph: Graph) -> NameRows:
    """Every organization, model and benchmark with the names an article may call it by,
    and what extraction needs besides (who is part of whom, developers, release dates)."""
    organizations = await graph.read(
        "MATCH (o:Organization) OPTIONAL MATCH (o)-[:PART_OF]->(p:Organization) "
        "RETURN o.slug AS slug, o.name AS name, coalesce(o.aliases, []) AS aliases, "
        "p.slug AS partOf"
    )
    models = await graph.read(
        "MATCH (m:Model) OPTIONAL MATCH (o:Organization)-[:DEVELOPED]->(m) "
        "RETURN m.slug AS slug, m.name AS name, coalesce(m.aliases, []) AS aliases, "
        "collect(o.slug) AS developers, m.releasedOn AS releasedOn"
    )
    benchmarks = await graph.read("MATCH (b:Benchmark) RETURN b.slug AS slug, b.name AS name")
    return NameRows(organizations, models, benchmarks)
