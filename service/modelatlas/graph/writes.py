"""Batched, repeatable writes: `UNWIND $rows ... MERGE` on natural keys, one transaction per batch.

Each kind has one statement. It merges the node on its key, adds the non-null properties it is
given (a missing value never erases a known one), merges the relationships the record owns, and
reports per row whether the node was created, changed or left as it was. Facts that cite sources
keep the values each source gave (dates, scores, magnitudes) on their `CITED_IN` relationship,
so a second source with a different number never silently replaces the first one's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, LiteralString

from modelatlas.countries import country_name
from modelatlas.domain import (
    Benchmark,
    Claim,
    Country,
    MarketEvent,
    Model,
    Organization,
    Record,
    Release,
    Result,
    Source,
)
from modelatlas.graph.core import Graph, Transaction

BATCH_SIZE: Final = 2000

# Counting what a row changed: the node's properties and the relationships the record owns,
# before and after, give each row's status: created, updated or unchanged.
_OUTCOME: Final = """
WITH row, isNew, before, ownedBefore, properties(n) AS after, {owned} AS ownedAfter
RETURN row.key AS key,
       CASE WHEN isNew THEN 'created'
            WHEN before <> after OR ownedBefore <> ownedAfter THEN 'updated'
            ELSE 'unchanged' END AS status
"""

_CITE: Final = """
CALL (n, row) {
  UNWIND row.sources AS url
  MATCH (s:Source {url: url})
  MERGE (n)-[c:CITED_IN]->(s)
  SET c += row.cited
}
"""


def _statement(label: str, key: str, owned: str, body: str) -> LiteralString:
    """Assemble one kind's upsert from fixed fragments (labels and keys are constants)."""
    head = f"""
UNWIND $rows AS row
OPTIONAL MATCH (old:{label} {{{key}: row.key}})
WITH row, old IS NULL AS isNew,
     CASE WHEN old IS NULL THEN {{}} ELSE properties(old) END AS before,
     CASE WHEN old IS NULL THEN 0 ELSE {owned.replace("(n)", "(old)")} END AS ownedBefore
MERGE (n:{label} {{{key}: row.key}})
SET n += row.props
WITH row, n, isNew, before, ownedBefore
"""
    return head + body + _OUTCOME.replace("{owned}", owned)


_COUNT_CITED: Final = "COUNT { (n)-[:CITED_IN]->() }"

STATEMENTS: Final[dict[str, LiteralString]] = {
    "Source": _statement("Source", "url", "0", ""),
    "Country": _statement("Country", "code", "0", ""),
    "Organization": _statement(
        "Organization",
        "slug",
        "COUNT { (n)-[:BASED_IN]->() }",
        """
CALL (n, row) {
  WITH row WHERE row.country IS NOT NULL
  MERGE (c:Country {code: row.country})
  ON CREATE SET c.name = row.countryName
  MERGE (n)-[:BASED_IN]->(c)
}
""",
    ),
    "Model": _statement(
        "Model",
        "slug",
        "COUNT { (n)<-[:DEVELOPED]-() }",
        """
CALL (n, row) {
  UNWIND row.developers AS developer
  MATCH (o:Organization {slug: developer})
  MERGE (o)-[:DEVELOPED]->(n)
}
""",
    ),
    "Release": _statement(
        "Release",
        "slug",
        "COUNT { (n)-[:ANNOUNCED_BY|INTRODUCED]->() } + " + _COUNT_CITED,
        """
CALL (n, row) {
  UNWIND row.announcedBy AS org
  MATCH (o:Organization {slug: org})
  MERGE (n)-[:ANNOUNCED_BY]->(o)
}
CALL (n, row) {
  UNWIND row.introduced AS model
  MATCH (m:Model {slug: model})
  MERGE (n)-[:INTRODUCED]->(m)
}
"""
        + _CITE,
    ),
    "Benchmark": _statement("Benchmark", "slug", "0", ""),
    "Claim": _statement(
        "Claim",
        "id",
        "COUNT { (n)-[:CLAIMED_BY|SUBJECT|AGAINST|ON]->() } + " + _COUNT_CITED,
        """
CALL (n, row) {
  MATCH (o:Organization {slug: row.claimedBy})
  MERGE (n)-[:CLAIMED_BY]->(o)
}
CALL (n, row) {
  MATCH (m:Model {slug: row.subject})
  MERGE (n)-[:SUBJECT]->(m)
}
CALL (n, row) {
  UNWIND row.against AS other
  MATCH (m:Model {slug: other})
  MERGE (n)-[:AGAINST]->(m)
}
CALL (n, row) {
  WITH row WHERE row.benchmark IS NOT NULL
  MATCH (b:Benchmark {slug: row.benchmark})
  MERGE (n)-[:ON]->(b)
}
"""
        + _CITE,
    ),
    "Result": _statement(
        "Result",
        "id",
        "COUNT { (n)-[:OF|ON]->() } + " + _COUNT_CITED,
        """
CALL (n, row) {
  MATCH (m:Model {slug: row.model})
  MERGE (n)-[:OF]->(m)
}
CALL (n, row) {
  MATCH (b:Benchmark {slug: row.benchmark})
  MERGE (n)-[:ON]->(b)
}
"""
        + _CITE,
    ),
    "MarketEvent": _statement(
        "MarketEvent",
        "id",
        "COUNT { (n)-[:AFFECTED|ATTRIBUTED_TO]->() } + " + _COUNT_CITED,
        """
CALL (n, row) {
  UNWIND row.affected AS org
  MATCH (o:Organization {slug: org})
  MERGE (n)-[:AFFECTED]->(o)
}
CALL (n, row) {
  UNWIND row.attributedToModels AS model
  MATCH (m:Model {slug: model})
  MERGE (n)-[:ATTRIBUTED_TO]->(m)
}
CALL (n, row) {
  UNWIND row.attributedToReleases AS release
  MATCH (r:Release {slug: release})
  MERGE (n)-[:ATTRIBUTED_TO]->(r)
}
"""
        + _CITE,
    ),
}

# Relationships between records of the same kind are written after every node of that kind
# exists (a base model may come later in the input than the model derived from it).
# Each returns the keys whose own edges changed.
LINKS: Final[dict[str, LiteralString]] = {
    "Organization": """
UNWIND $rows AS row
MATCH (n:Organization {slug: row.key})
WITH row, n, COUNT { (n)-[:PART_OF|PARTNER_OF]->() } AS before
CALL (n, row) {
  WITH row WHERE row.partOf IS NOT NULL
  MATCH (p:Organization {slug: row.partOf})
  MERGE (n)-[:PART_OF]->(p)
}
CALL (n, row) {
  UNWIND row.partners AS partner
  MATCH (p:Organization {slug: partner})
  MERGE (n)-[:PARTNER_OF]->(p)
}
WITH row, before, COUNT { (n)-[:PART_OF|PARTNER_OF]->() } AS after
WHERE after <> before
RETURN row.key AS key
""",
    "Model": """
UNWIND $rows AS row
MATCH (n:Model {slug: row.key})
WITH row, n, COUNT { (n)-[:DERIVED_FROM|VARIANT_OF]->() } AS before
CALL (n, row) {
  UNWIND row.derivedFrom AS base
  MATCH (b:Model {slug: base})
  MERGE (n)-[:DERIVED_FROM]->(b)
}
CALL (n, row) {
  WITH row WHERE row.variantOf IS NOT NULL
  MATCH (b:Model {slug: row.variantOf})
  MERGE (n)-[:VARIANT_OF]->(b)
}
WITH row, before, COUNT { (n)-[:DERIVED_FROM|VARIANT_OF]->() } AS after
WHERE after <> before
RETURN row.key AS key
""",
}
_LINK_FIELDS: Final = {
    "Organization": ("partOf", "partners"),
    "Model": ("derivedFrom", "variantOf"),
}

# Which properties each source vouches for: kept per source on CITED_IN.
_CITED_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "Release": ("date",),
    "Claim": ("madeOn", "score"),
    "Result": ("score", "measuredOn"),
    "MarketEvent": ("date", "magnitude"),
}
# Record fields that become relationships rather than properties.
_RELATION_FIELDS: Final = frozenset(
    {
        "country",
        "partOf",
        "partners",
        "developers",
        "derivedFrom",
        "variantOf",
        "announcedBy",
        "introduced",
        "claimedBy",
        "subject",
        "against",
        "benchmark",
        "model",
        "affected",
        "attributedToModels",
        "attributedToReleases",
        "sources",
    }
)
_ORDER: Final = (
    Source,
    Country,
    Organization,
    Benchmark,
    Model,
    Release,
    Claim,
    Result,
    MarketEvent,
)
KINDS: Final = tuple(cls.KIND for cls in _ORDER)
"""The order writes go in, so every relationship's target is written before its source."""


def _plain(value: Any) -> Any:
    """What the driver stores: enums as their names, dates as dates, lists element-wise."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | str | int | float | bool) or value is None:
        return value
    return str(value)


def to_row(record: Record) -> dict[str, Any]:
    """The parameter map one record contributes to its kind's UNWIND."""
    data = {k: _plain(v) for k, v in record.model_dump(by_alias=True).items()}
    props = {
        k: v
        for k, v in data.items()
        if k not in _RELATION_FIELDS and k != record.KEY_FIELD and v is not None and v != []
    }
    row: dict[str, Any] = {"key": record.key, "props": props}
    for name in _RELATION_FIELDS & data.keys():
        row[name] = data[name]
    if isinstance(record, Organization) and record.country:
        row["countryName"] = country_name(record.country)
    if isinstance(record, Country):
        props.setdefault("name", country_name(record.code))
    cited = _CITED_VALUES.get(record.KIND)
    if cited is not None:
        row["cited"] = {k: data[k] for k in cited if data.get(k) is not None}
    return row


@dataclass
class WriteCounts:
    """created / updated / unchanged for one kind."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, statuses: dict[str, str]) -> None:
        """Add the per-key statuses of one batch."""
        for status in statuses.values():
            setattr(self, status, getattr(self, status) + 1)


@dataclass
class WriteReport:
    """What a write did, per kind (only kinds that were written appear)."""

    kinds: dict[str, WriteCounts] = field(default_factory=dict)

    def counts(self, kind: str) -> WriteCounts:
        """The counts of one kind, created on first use."""
        return self.kinds.setdefault(kind, WriteCounts())

    @property
    def created(self) -> int:
        """Nodes created across all kinds."""
        return sum(c.created for c in self.kinds.values())

    @property
    def updated(self) -> int:
        """Nodes changed across all kinds."""
        return sum(c.updated for c in self.kinds.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Plain data for --json output and GraphQL."""
        return {k: vars(c).copy() for k, c in self.kinds.items()}


def batches(records: Sequence[Record], size: int = BATCH_SIZE) -> Iterable[Sequence[Record]]:
    """Fixed-size slices, one transaction each."""
    for start in range(0, len(records), size):
        yield records[start : start + size]


async def write_batch(graph: Graph, kind: str, records: Sequence[Record]) -> dict[str, str]:
    """Upsert one batch of one kind in one write transaction; key -> created/updated/unchanged."""
    rows = [to_row(r) for r in records]

    async def work(tx: Transaction) -> list[dict[str, Any]]:
        return await tx.run(STATEMENTS[kind], {"rows": rows})

    return {str(r["key"]): str(r["status"]) for r in await graph.write_tx(work)}


async def write_links(graph: Graph, kind: str, records: Sequence[Record]) -> set[str]:
    """Same-kind relationships (lineage, parents, partners) once all nodes exist.

    Returns the keys whose relationships changed, so an otherwise unchanged node is reported
    as updated. Kinds without such relationships do nothing.
    """
    fields = _LINK_FIELDS.get(kind)
    if fields is None:
        return set()
    rows = [row for row in (to_row(r) for r in records) if any(row.get(f) for f in fields)]
    changed: set[str] = set()
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start : start + BATCH_SIZE]

        async def work(
            tx: Transaction, chunk: list[dict[str, Any]] = chunk
        ) -> list[dict[str, Any]]:
            return await tx.run(LINKS[kind], {"rows": chunk})

        changed.update(str(r["key"]) for r in await graph.write_tx(work))
    return changed


def by_kind(records: Iterable[Record]) -> list[tuple[str, list[Record]]]:
    """Group records in write order (targets of relationships first)."""
    grouped: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for record in records:
        grouped[record.KIND].append(record)
    return [(kind, grouped[kind]) for kind in KINDS if grouped[kind]]


async def existing_keys(graph: Graph, kind: str, keys: Sequence[str]) -> set[str]:
    """Which of these natural keys already exist as nodes of this kind (one query)."""
    if kind not in STATEMENTS:
        raise ValueError(f"unknown kind {kind!r}")
    rows = await graph.read(_EXISTING[kind], {"keys": list(keys)})
    return {str(r["key"]) for r in rows}


_EXISTING: Final[dict[str, LiteralString]] = {
    "Source": "UNWIND $keys AS k MATCH (n:Source {url: k}) RETURN n.url AS key",
    "Country": "UNWIND $keys AS k MATCH (n:Country {code: k}) RETURN n.code AS key",
    "Organization": "UNWIND $keys AS k MATCH (n:Organization {slug: k}) RETURN n.slug AS key",
    "Model": "UNWIND $keys AS k MATCH (n:Model {slug: k}) RETURN n.slug AS key",
    "Release": "UNWIND $keys AS k MATCH (n:Release {slug: k}) RETURN n.slug AS key",
    "Benchmark": "UNWIND $keys AS k MATCH (n:Benchmark {slug: k}) RETURN n.slug AS key",
    "Claim": "UNWIND $keys AS k MATCH (n:Claim {id: k}) RETURN n.id AS key",
    "Result": "UNWIND $keys AS k MATCH (n:Result {id: k}) RETURN n.id AS key",
    "MarketEvent": "UNWIND $keys AS k MATCH (n:MarketEvent {id: k}) RETURN n.id AS key",
}


_NAMES: Final[dict[str, LiteralString]] = {
    "Model": "MATCH (n:Model) RETURN n.slug AS key, [n.name] + coalesce(n.aliases, []) AS names",
    "Benchmark": (
        "MATCH (n:Benchmark) RETURN n.slug AS key, [n.name] + coalesce(n.aliases, []) AS names"
    ),
}


async def name_index(graph: Graph, kind: str) -> list[tuple[str, list[str]]]:
    """(slug, names and aliases) of every Model or Benchmark, to match imported names."""
    rows = await graph.read(_NAMES[kind])
    return [(str(r["key"]), [str(n) for n in r["names"] if n]) for r in rows]


async def link_derivations(graph: Graph, pairs: Sequence[tuple[str, str]]) -> int:
    """DERIVED_FROM edges between existing models (imports that matched known models)."""
    if not pairs:
        return 0
    rows = await graph.write(
        "UNWIND $pairs AS pair "
        "MATCH (m:Model {slug: pair[0]}), (b:Model {slug: pair[1]}) "
        "MERGE (m)-[:DERIVED_FROM]->(b) RETURN count(*) AS n",
        {"pairs": [list(p) for p in pairs]},
    )
    return int(rows[0]["n"])
