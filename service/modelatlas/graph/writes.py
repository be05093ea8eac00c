"""Batched, repeatable writes: `UNWIND $rows ... MERGE` on natural keys, one transaction per batch.

A write first reads a snapshot of the nodes it names (their properties and the relationships
they own) and compares it with what it is asked to write: rows that would change nothing are
not written at all, so repeating an import costs one read per batch. The rest go through one
statement per kind that merges the node on its key, adds the non-null properties it is given (a
missing value never erases a known one) and merges the relationships the record owns. A value
the record did not name but took from the domain's default (a benchmark's higherIsBetter, a
claim's status, a country's ISO name) only fills a property the node does not have yet, so a
partial upsert changes only what it names. Facts
that cite sources keep the values each source gave (dates, scores, magnitudes) on their
`CITED_IN` relationship, so a second source with a different number never silently replaces
the first one's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, LiteralString, get_args, get_origin

from pydantic_core import PydanticUndefined

from modelatlas import graph_model
from modelatlas.countries import country_name
from modelatlas.domain import (
    Benchmark,
    Claim,
    Country,
    MarketEvent,
    Model,
    Organization,
    Record,
    ReferenceProblem,
    Release,
    Result,
    Source,
)
from modelatlas.errors import Conflict
from modelatlas.graph.core import Graph, Row, Transaction

BATCH_SIZE: Final = 2000

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


def _is_date(annotation: Any) -> bool:
    """Whether a field's type is a date (possibly optional or annotated)."""
    return annotation is dt.date or any(_is_date(arg) for arg in get_args(annotation))


def _is_list(annotation: Any) -> bool:
    """Whether a field's type is a list (possibly annotated)."""
    return get_origin(annotation) is list or any(_is_list(a) for a in get_args(annotation))


# Date properties travel as ISO strings and become dates in Cypher: the driver's own packing of
# a Python date costs more than the rest of a row's values together.
_DATES: Final[dict[str, tuple[str, ...]]] = {
    cls.KIND: tuple(
        info.alias or name for name, info in cls.model_fields.items() if _is_date(info.annotation)
    )
    for cls in _ORDER
}


def _has_default(info: Any) -> bool:
    """Whether a field fills itself with a value when a record leaves it out (not None, not an
    empty list: those are never written)."""
    if info.validate_default:
        return True
    return info.default not in (None, PydanticUndefined)


def _set_defaults(names: Iterable[str]) -> str:
    """`, n.p = coalesce(n.p, row.defaults.p)` for each defaulted property `p`."""
    return "".join(f", n.{p} = coalesce(n.{p}, row.defaults.{p})" for p in names)


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


# Properties a record may hold only by default: written only where the node has no value yet.
_DEFAULTED: Final[dict[str, tuple[str, ...]]] = {
    cls.KIND: tuple(
        alias
        for name, info in cls.model_fields.items()
        if (alias := info.alias or name) not in _RELATION_FIELDS
        and _has_default(info)
        and not _is_date(info.annotation)
    )
    for cls in _ORDER
}


def _set_dates(var: str, names: Iterable[str], values: str = "row") -> str:
    """`, v.d = ...` for each date `d` a row gives as an ISO string (none: the old value stays)."""
    return "".join(f", {var}.{d} = coalesce(date({values}.{d}), {var}.{d})" for d in names)


LOCKING: Final = """
How writes lock, so that concurrent writers do not queue behind each other:

- Every statement sets its own node first (`SET n += ...`, or `SET n += {}` in LINKS), which
  takes that node's write lock until commit. Only writers of the same record wait for it.
- Relationships a record owns are created when missing (`WHERE NOT EXISTS {...} CREATE`),
  never MERGEd: a MERGE that does not find the relationship write-locks both end nodes until
  commit, so every writer relating to a shared node (a country, a popular model, an
  organization) waited for the one before it to commit. Measured on Neo4j 5.26: a second
  transaction MERGEing another organization's BASED_IN to the same country waited the first
  one's whole life; the check-and-create did not wait. The owner's lock (above) keeps two
  writers of one record from both creating the same relationship.
- Rows are written in key order, and kinds in KINDS order, so two transactions that do lock
  the same records take the locks in the same order and cannot deadlock on them.
"""


def _cite(kind: str) -> str:
    """Attach the CITED_IN relationships of a fact, with what each source says on them (created
    when missing, without MERGE's lock on the source: see LOCKING)."""
    dates = [d for d in _CITED_VALUES[kind] if d in _DATES[kind]]
    return f"""
CALL (n, row) {{
  UNWIND row.sources AS url
  MATCH (s:Source {{url: url}})
  OPTIONAL MATCH (n)-[old:CITED_IN]->(s)
  OPTIONAL CALL (n, s, old) {{
    WITH * WHERE old IS NULL
    CREATE (n)-[new:CITED_IN]->(s)
    RETURN new
  }}
  WITH coalesce(old, new) AS c, row WHERE c.rank IS NULL OR c.rank >= row.rank
  SET c += row.cited, c.rank = row.rank{_set_dates("c", dates)}
}}
"""


def _upsert(label: str, key: str, body: str) -> LiteralString:
    """One kind's upsert from fixed fragments (labels and keys are constants, never input)."""
    head = f"""
UNWIND $rows AS row
MERGE (n:{label} {{{key}: row.key}})
SET n += row.props{_set_dates("n", _DATES[label], "row.own")}{_set_defaults(_DEFAULTED[label])}
WITH row, n
"""
    return head + body


def _snapshot(label: str, key: str, owned: str = "", incoming: str = "") -> LiteralString:
    """Read what a batch's existing nodes hold: properties and owned relationships.

    One row whatever the batch size: a list of [key, properties, edges] (the driver spends far
    more per record than per value, so thousands of records would cost more than the query).
    Edges are [type, target label, target key, properties] of the relationship types the kind
    owns (`owned`: outgoing, `incoming`: the one incoming type a Model owns).
    """
    target = "labels(t)[0], coalesce(t.slug, t.id, t.url, t.code), properties(r)"
    edges = f"[(n)-[r:{owned}]->(t) | [type(r), {target}]]" if owned else "[]"
    if incoming:
        edges += f" + [(n)<-[r:{incoming}]-(t) | ['<{incoming}', {target}]]"
    return (
        f"UNWIND $keys AS k MATCH (n:{label} {{{key}: k}}) "
        f"RETURN collect([k, properties(n), {edges}]) AS found"
    )


_STATEMENTS: Final[dict[str, LiteralString]] = {
    "Source": _upsert("Source", "url", "RETURN count(*) AS n"),
    "Country": _upsert("Country", "code", "RETURN count(*) AS n"),
    "Organization": _upsert(
        "Organization",
        "slug",
        """
CALL (n, row) {
  WITH row WHERE row.country IS NOT NULL
  MERGE (c:Country {code: row.country})
  ON CREATE SET c.name = row.countryName
  WITH * WHERE NOT EXISTS { (n)-[:BASED_IN]->(c) }
  CREATE (n)-[:BASED_IN]->(c)
}
RETURN count(*) AS n
""",
    ),
    "Model": _upsert(
        "Model",
        "slug",
        """
CALL (n, row) {
  UNWIND row.developers AS developer
  MATCH (o:Organization {slug: developer})
  WITH * WHERE NOT EXISTS { (o)-[:DEVELOPED]->(n) }
  CREATE (o)-[:DEVELOPED]->(n)
}
RETURN count(*) AS n
""",
    ),
    "Release": _upsert(
        "Release",
        "slug",
        """
CALL (n, row) {
  UNWIND row.announcedBy AS org
  MATCH (o:Organization {slug: org})
  WITH * WHERE NOT EXISTS { (n)-[:ANNOUNCED_BY]->(o) }
  CREATE (n)-[:ANNOUNCED_BY]->(o)
}
CALL (n, row) {
  UNWIND row.introduced AS model
  MATCH (m:Model {slug: model})
  WITH * WHERE NOT EXISTS { (n)-[:INTRODUCED]->(m) }
  CREATE (n)-[:INTRODUCED]->(m)
}
"""
        + _cite("Release")
        + "RETURN count(*) AS n",
    ),
    "Benchmark": _upsert("Benchmark", "slug", "RETURN count(*) AS n"),
    "Claim": _upsert(
        "Claim",
        "id",
        """
CALL (n, row) {
  MATCH (o:Organization {slug: row.claimedBy})
  WITH * WHERE NOT EXISTS { (n)-[:CLAIMED_BY]->(o) }
  CREATE (n)-[:CLAIMED_BY]->(o)
}
CALL (n, row) {
  MATCH (m:Model {slug: row.subject})
  WITH * WHERE NOT EXISTS { (n)-[:SUBJECT]->(m) }
  CREATE (n)-[:SUBJECT]->(m)
}
CALL (n, row) {
  UNWIND row.against AS other
  MATCH (m:Model {slug: other})
  WITH * WHERE NOT EXISTS { (n)-[:AGAINST]->(m) }
  CREATE (n)-[:AGAINST]->(m)
}
CALL (n, row) {
  WITH row WHERE row.benchmark IS NOT NULL
  MATCH (b:Benchmark {slug: row.benchmark})
  WITH * WHERE NOT EXISTS { (n)-[:ON]->(b) }
  CREATE (n)-[:ON]->(b)
}
"""
        + _cite("Claim")
        + "RETURN count(*) AS n",
    ),
    "Result": _upsert(
        "Result",
        "id",
        """
CALL (n, row) {
  MATCH (m:Model {slug: row.model})
  WITH * WHERE NOT EXISTS { (n)-[:OF]->(m) }
  CREATE (n)-[:OF]->(m)
}
CALL (n, row) {
  MATCH (b:Benchmark {slug: row.benchmark})
  SET n.benchmark = b.slug
  WITH * WHERE NOT EXISTS { (n)-[:ON]->(b) }
  CREATE (n)-[:ON]->(b)
}
"""
        + _cite("Result")
        + "RETURN count(*) AS n",
    ),
    "MarketEvent": _upsert(
        "MarketEvent",
        "id",
        """
CALL (n, row) {
  UNWIND row.affected AS org
  MATCH (o:Organization {slug: org})
  WITH * WHERE NOT EXISTS { (n)-[:AFFECTED]->(o) }
  CREATE (n)-[:AFFECTED]->(o)
}
CALL (n, row) {
  UNWIND row.attributedToModels AS model
  MATCH (m:Model {slug: model})
  WITH * WHERE NOT EXISTS { (n)-[:ATTRIBUTED_TO]->(m) }
  CREATE (n)-[:ATTRIBUTED_TO]->(m)
}
CALL (n, row) {
  UNWIND row.attributedToReleases AS release
  MATCH (r:Release {slug: release})
  WITH * WHERE NOT EXISTS { (n)-[:ATTRIBUTED_TO]->(r) }
  CREATE (n)-[:ATTRIBUTED_TO]->(r)
}
"""
        + _cite("MarketEvent")
        + "RETURN count(*) AS n",
    ),
}

# Relationships between records of the same kind are written after every node of that kind
# exists (a base model may come later in the input than the model derived from it).
_LINKS: Final[dict[str, LiteralString]] = {
    "Organization": """
UNWIND $rows AS row
MATCH (n:Organization {slug: row.key})
SET n += {}
WITH n, row
CALL (n, row) {
  WITH row WHERE row.partOf IS NOT NULL
  MATCH (p:Organization {slug: row.partOf})
  WITH * WHERE NOT EXISTS { (n)-[:PART_OF]->(p) }
  CREATE (n)-[:PART_OF]->(p)
}
CALL (n, row) {
  UNWIND row.partners AS partner
  MATCH (p:Organization {slug: partner})
  WITH * WHERE NOT EXISTS { (n)-[:PARTNER_OF]->(p) }
  CREATE (n)-[:PARTNER_OF]->(p)
}
RETURN count(*) AS n
""",
    "Model": """
UNWIND $rows AS row
MATCH (n:Model {slug: row.key})
SET n += {}
WITH n, row
CALL (n, row) {
  UNWIND row.derivedFrom AS base
  MATCH (b:Model {slug: base})
  WITH * WHERE NOT EXISTS { (n)-[:DERIVED_FROM]->(b) }
  CREATE (n)-[:DERIVED_FROM]->(b)
}
CALL (n, row) {
  WITH row WHERE row.variantOf IS NOT NULL
  MATCH (b:Model {slug: row.variantOf})
  WITH * WHERE NOT EXISTS { (n)-[:VARIANT_OF]->(b) }
  CREATE (n)-[:VARIANT_OF]->(b)
}
RETURN count(*) AS n
""",
}

# field -> (relationship type, target label); "<TYPE" marks an incoming relationship. Derived
# from the one declaration of the graph model.
_EDGES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    kind: {r.alias: (("<" if r.incoming else "") + r.type, r.target) for r in owned}
    for kind in graph_model.KINDS
    if (owned := list(graph_model.owned_by(kind)))
}


_LINK_FIELDS: Final = {
    "Organization": ("partOf", "partners"),
    "Model": ("derivedFrom", "variantOf"),
}

_KEY_PROPERTY: Final = {cls.KIND: cls.KEY_FIELD for cls in _ORDER}
_LISTS: Final = {
    cls.KIND: frozenset(
        info.alias or name for name, info in cls.model_fields.items() if _is_list(info.annotation)
    )
    for cls in _ORDER
}


def _verified(kind: str, statement: str, fields: Iterable[str]) -> LiteralString:
    """The statement ending with, per row, the relationships it was asked for and that are not
    there after the write: a target deleted since the references were checked (the MATCH
    found nothing). `write_rows` then fails the transaction rather than drop them silently."""
    checks = []
    for name in fields:
        rel, label = _EDGES[kind][name]
        target = f"(:{label} {{{_KEY_PROPERTY[label]}: k}})"
        pattern = f"(n)<-[:{rel[1:]}]-{target}" if rel[0] == "<" else f"(n)-[:{rel}]->{target}"
        listed = (
            f"row.{name}" if name in _LISTS[kind] else f"[x IN [row.{name}] WHERE x IS NOT NULL]"
        )
        checks.append(
            f"[k IN {listed} WHERE NOT EXISTS {{ {pattern} }} | ['{name}', '{label}', k]]"
        )
    ending = "RETURN count(*) AS n"
    assert statement.rstrip().endswith(ending), kind
    return (  # built from the constants above, never from input
        statement.rstrip()[: -len(ending)]
        + f"WITH n, row, {' + '.join(checks) or '[]'} AS missing\n"
        + "RETURN count(*) AS n, "
        + "collect(CASE WHEN size(missing) > 0 THEN [row.key, missing] END) AS missing\n"
    )


STATEMENTS: Final[dict[str, LiteralString]] = {
    kind: _verified(
        kind,
        statement,
        [f for f in _EDGES.get(kind, {}) if f not in _LINK_FIELDS.get(kind, ())],
    )
    for kind, statement in _STATEMENTS.items()
}
"""Per kind, the upsert of a batch of rows (see `to_row`)."""
LINKS: Final[dict[str, LiteralString]] = {
    kind: _verified(kind, statement, _LINK_FIELDS[kind]) for kind, statement in _LINKS.items()
}
"""Per kind, the same-kind relationships of a batch of rows."""


class TargetsMissing(Conflict):
    """Relationships a write was asked for have no target any more: a node was deleted after
    the references were checked. Raised inside the write's transaction, so it is rolled back."""

    def __init__(self, problems: Sequence[ReferenceProblem]) -> None:
        """Keep the problems, one per missing target."""
        super().__init__(problems)
        self.problems = tuple(problems)


def _check_targets(kind: str, rows: list[Row]) -> None:
    """Raise TargetsMissing for what a verified statement reports missing."""
    problems = [
        ReferenceProblem(kind=kind, record=str(key), field=field, missing=str(k), target=label)
        for row in rows
        for key, missing in row["missing"]
        for field, label, k in missing
    ]
    if problems:
        raise TargetsMissing(problems)


def _owned_types(kind: str) -> LiteralString:
    """The outgoing relationship types a kind's records own, as a Cypher type alternation."""
    types = dict.fromkeys(rel for rel, _ in _EDGES.get(kind, {}).values() if rel[0] != "<")
    return "|".join(types)  # built from the constants above, never from input


SNAPSHOTS: Final[dict[str, LiteralString]] = {
    "Source": _snapshot("Source", "url"),
    "Country": _snapshot("Country", "code"),
    "Organization": _snapshot("Organization", "slug", _owned_types("Organization")),
    "Model": _snapshot("Model", "slug", _owned_types("Model"), incoming="DEVELOPED"),
    "Release": _snapshot("Release", "slug", _owned_types("Release")),
    "Benchmark": _snapshot("Benchmark", "slug"),
    "Claim": _snapshot("Claim", "id", _owned_types("Claim")),
    "Result": _snapshot("Result", "id", _owned_types("Result")),
    "MarketEvent": _snapshot("MarketEvent", "id", _owned_types("MarketEvent")),
}


def _plain(value: Any) -> Any:
    """What the driver stores: enums as their names, dates as dates, lists element-wise."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | str | int | float | bool) or value is None:
        return value
    return str(value)


_STORED_AS_IS: Final = frozenset({str, int, float, bool, dt.date, type(None)})


def _stored(value: Any) -> Any:
    """`_plain`, with the common cases (plain scalars, lists of strings) passed through as is."""
    kind = type(value)
    if kind in _STORED_AS_IS:
        return value
    if kind is list and all(type(v) is str for v in value):
        return value
    if isinstance(value, Enum):
        return value._value_
    return _plain(value)


@dataclass(frozen=True, slots=True)
class _Shape:
    """How one record type becomes a row: (attribute, camelCase name) per part."""

    props: tuple[tuple[str, str], ...]
    dates: tuple[tuple[str, str], ...]
    relations: tuple[tuple[str, str], ...]
    cited: tuple[str, ...]
    """Cited values other than dates (a cited date is the row's own date, given once)."""


def _shape_of(cls: type[Record]) -> _Shape:
    names = [(name, info.alias or name) for name, info in cls.model_fields.items()]
    dates = _DATES[cls.KIND]
    return _Shape(
        props=tuple(
            (name, alias)
            for name, alias in names
            if alias not in _RELATION_FIELDS and alias != cls.KEY_FIELD and alias not in dates
        ),
        dates=tuple((name, alias) for name, alias in names if alias in dates),
        relations=tuple((name, alias) for name, alias in names if alias in _RELATION_FIELDS),
        cited=tuple(k for k in _CITED_VALUES.get(cls.KIND, ()) if k not in dates),
    )


_SHAPES: Final[dict[type[Record], _Shape]] = {cls: _shape_of(cls) for cls in _ORDER}


def to_row(record: Record) -> dict[str, Any]:
    """The parameter map one record contributes to its kind's UNWIND.

    `props` holds the non-null properties other than dates the record names; `defaults` the
    ones it took from the domain's defaults (written only where the node has none); each date
    is an ISO string (or null) under its own name; relationship fields give the natural keys
    of their targets, and `cited` the non-date values each cited source vouches for.
    """
    shape = _SHAPES.get(type(record)) or _shape_of(type(record))
    values = vars(record)
    named = record.model_fields_set
    defaulted = _DEFAULTED[record.KIND]
    props: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, alias in shape.props:
        value = values[name]
        if value is not None and value != []:
            if alias in defaulted and name not in named:
                defaults[alias] = _stored(value)
            else:
                props[alias] = _stored(value)
    row: dict[str, Any] = {"key": record.key, "props": props, "defaults": defaults}
    own: dict[str, str | None] = {}
    for name, alias in shape.dates:
        day = values[name]
        row[alias] = own[alias] = None if day is None else day.isoformat()
    row["own"] = own  # the node's own dates (row[d] is what the cited sources say)
    for name, alias in shape.relations:
        row[alias] = _stored(values[name])
    if isinstance(record, Organization) and record.country:
        row["countryName"] = country_name(record.country)
    if isinstance(record, Country) and "name" not in props:
        defaults.setdefault("name", country_name(record.code))
    if record.KIND in _CITED_VALUES:
        row["cited"] = {k: props[k] for k in shape.cited if k in props}
    return row


@dataclass
class WriteCounts:
    """created / updated / unchanged for one kind."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, statuses: dict[str, str]) -> None:
        """Add the per-key statuses of one batch."""
        tally = Counter(statuses.values())
        self.created += tally["created"]
        self.updated += tally["updated"]
        self.unchanged += tally["unchanged"]


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


def _native(value: Any) -> Any:
    """Neo4j values as Python compares them (neo4j.time.Date -> datetime.date)."""
    if isinstance(value, list):
        return [_native(v) for v in value]
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def _day_differs(stored: Any, day: str | None) -> bool:
    """Whether writing an ISO date (None: none given) would change a stored value."""
    if day is None:
        return False
    value = _native(stored)
    return not (isinstance(value, dt.date) and value.isoformat() == day)


def _wanted_edges(
    kind: str, row: dict[str, Any], fields: Iterable[str]
) -> set[tuple[str, str, str]]:
    """(type, target label, target key) of the relationships a row asks for."""
    wanted = set()
    for name in fields:
        rel, label = _EDGES[kind][name]
        value = row.get(name)
        for target in value if isinstance(value, list) else [value]:
            if target is not None:
                wanted.add((rel, label, str(target)))
    return wanted


def _changes(
    kind: str, row: dict[str, Any], props: dict[str, Any], edges: list[list[Any]]
) -> tuple[bool, bool]:
    """Whether writing this row would change the node (its snapshot: properties and owned
    relationships), and whether it adds same-kind links."""
    dates = _DATES[kind]
    changed = (
        any(_native(props.get(k)) != v for k, v in row["props"].items())
        or any(_day_differs(props.get(d), row["own"][d]) for d in dates)
        or any(props.get(k) is None for k in row["defaults"])
    )
    have = {(e[0], e[1], str(e[2])): e[3] for e in edges}
    links = _LINK_FIELDS.get(kind, ())
    own = [f for f in _EDGES.get(kind, {}) if f not in links]
    for edge in _wanted_edges(kind, row, own):
        if edge not in have:
            changed = True
        elif edge[0] == "CITED_IN" and have[edge].get("rank", row["rank"]) >= row["rank"]:
            cited = have[edge]
            changed |= (
                cited.get("rank") != row["rank"]
                or any(_native(cited.get(k)) != v for k, v in row["cited"].items())
                or any(
                    _day_differs(cited.get(d), row[d]) for d in _CITED_VALUES[kind] if d in dates
                )
            )
    linking = any(edge not in have for edge in _wanted_edges(kind, row, links))
    return changed, linking


RANKS: Final = "_ranks"
"""Node property: JSON of property -> precedence rank of the write that set it (0 is best)."""
DEFAULT_RANK: Final = 1_000_000
"""The rank of a value a record took from the domain's default: any named value replaces it."""


def _ranked(row: dict[str, Any], props: dict[str, Any] | None, rank: int) -> dict[str, Any]:
    """The row with only the values this write may set.

    A value is kept when the node has none yet or was set by a write of the same or lower
    precedence (a higher or equal rank number), so that whatever the order of writes, each
    property ends with the value of the best-ranked source that gives it. Values stored
    without a rank count as rank 0 (curated): an import never overwrites them.
    """
    stored = props or {}
    ranks: dict[str, int] = json.loads(stored[RANKS]) if RANKS in stored else {}
    default = 0 if props is not None else rank
    kept: dict[str, Any] = {}
    for name, value in row["props"].items():
        if stored.get(name) is None or rank <= ranks.get(name, default):
            kept[name] = value
            ranks[name] = rank
    own: dict[str, Any] = {}
    for name, day in row["own"].items():
        if day is not None and (stored.get(name) is None or rank <= ranks.get(name, default)):
            own[name] = day
            ranks[name] = rank
        else:
            own[name] = None
    for name in row["defaults"]:
        # A default fills an empty property, and also marks as default a value stored without
        # a rank (a country named on creation by an organization's write), so that either
        # order of the two writes leaves the same ranks.
        if name not in kept and (stored.get(name) is None or name not in ranks):
            ranks[name] = DEFAULT_RANK
    kept[RANKS] = json.dumps(ranks, sort_keys=True, separators=(",", ":"))
    return {**row, "props": kept, "own": own, "rank": rank}


@dataclass
class BatchPlan:
    """What one batch will do: each key's status, the rows to write, the rows to link later."""

    statuses: dict[str, str]
    to_write: list[dict[str, Any]]
    to_link: list[dict[str, Any]]


async def plan_batch(
    graph: Graph, kind: str, records: Sequence[Record], rank: int = 0
) -> BatchPlan:
    """Compare a batch with the graph (one read) and keep only the rows that change something.

    Statuses are created/updated/unchanged; rows whose same-kind links are missing go to
    `to_link` for write_links once every node of the kind exists.
    """
    # The read goes first: while it is on its way, the batch written before can be sent.
    keys = [r.key for r in records]
    found = (await graph.read(SNAPSHOTS[kind], {"keys": keys}))[0]["found"]
    snapshot = {str(key): (props, edges) for key, props, edges in found}
    rows = [to_row(r) for r in records]
    plan = BatchPlan({}, [], [])
    for row in rows:
        old = snapshot.get(row["key"])
        row = _ranked(row, old[0] if old else None, rank)
        if old is None:
            plan.statuses[row["key"]] = "created"
            plan.to_write.append(row)
            linking = bool(_wanted_edges(kind, row, _LINK_FIELDS.get(kind, ())))
        else:
            changed, linking = _changes(kind, row, *old)
            plan.statuses[row["key"]] = "updated" if changed or linking else "unchanged"
            if changed:
                plan.to_write.append(row)
        if linking:
            plan.to_link.append(row)
    return plan


def _row_key(row: dict[str, Any]) -> str:
    """Rows are written in key order, so locks are taken in one order (see LOCKING)."""
    key: str = row["key"]
    return key


async def _write_verified(
    graph: Graph, kind: str, statement: LiteralString, rows: list[dict[str, Any]]
) -> None:
    """One verified statement (see `_verified`) over rows in one write transaction function,
    so that a missing target raises inside it and rolls it back."""

    async def work(tx: Transaction) -> None:
        _check_targets(kind, await tx.run(statement, {"rows": rows}))

    await graph.write_tx(work)


async def write_rows(graph: Graph, kind: str, rows: list[dict[str, Any]]) -> None:
    """Upsert planned rows of one kind in one write transaction (nothing to do for none)."""
    if rows:
        await _write_verified(graph, kind, STATEMENTS[kind], sorted(rows, key=_row_key))


async def write_links(graph: Graph, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    """Same-kind relationships (lineage, parents, partners), once every node of the kind exists."""
    ordered = sorted(rows, key=_row_key)
    for start in range(0, len(ordered), BATCH_SIZE):
        await _write_verified(graph, kind, LINKS[kind], ordered[start : start + BATCH_SIZE])


def by_kind(records: Iterable[Record]) -> list[tuple[str, list[Record]]]:
    """Group records in write order (targets of relationships first)."""
    grouped: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for record in records:
        grouped[record.KIND].append(record)
    return [(kind, grouped[kind]) for kind in KINDS if grouped[kind]]


def _key_lookup(found: str) -> dict[str, LiteralString]:
    """Per kind, a query over $keys returning, as one list, the keys `found` selects."""
    keys = {cls.KIND: cls.KEY_FIELD for cls in _ORDER}  # the natural keys, from the domain
    return {
        kind: f"UNWIND $keys AS k OPTIONAL MATCH (n:{kind} {{{key}: k}}) "
        f"RETURN collect(CASE WHEN n IS {found} THEN k END) AS keys"
        for kind, key in keys.items()
    }


_EXISTING: Final = _key_lookup("NOT NULL")
_MISSING: Final = _key_lookup("NULL")


async def _lookup_keys(
    graph: Graph, queries: dict[str, LiteralString], kind: str, keys: Sequence[str]
) -> set[str]:
    if kind not in STATEMENTS:
        raise ValueError(f"unknown kind {kind!r}")
    if not keys:
        return set()
    rows = await graph.read(queries[kind], {"keys": list(keys)})
    return {str(k) for k in rows[0]["keys"]}


async def existing_keys(graph: Graph, kind: str, keys: Sequence[str]) -> set[str]:
    """Which of these natural keys already exist as nodes of this kind (one query)."""
    return await _lookup_keys(graph, _EXISTING, kind, keys)


async def missing_keys(graph: Graph, kind: str, keys: Sequence[str]) -> set[str]:
    """Which of these natural keys no node of this kind has (one query, one row back)."""
    return await _lookup_keys(graph, _MISSING, kind, keys)


_NAMES: Final[dict[str, LiteralString]] = {
    "Model": (
        "MATCH (n:Model) RETURN collect([n.slug, [n.name] + coalesce(n.aliases, [])]) AS names"
    ),
    "Benchmark": (
        "MATCH (n:Benchmark) RETURN collect([n.slug, [n.name] + coalesce(n.aliases, [])]) AS names"
    ),
}


async def name_index(graph: Graph, kind: str) -> list[tuple[str, list[str]]]:
    """(slug, names and aliases) of every Model or Benchmark, to match imported names."""
    rows = await graph.read(_NAMES[kind])
    return [(str(key), [str(n) for n in names if n]) for key, names in rows[0]["names"]]


async def link_derivations(graph: Graph, pairs: Sequence[tuple[str, str]]) -> int:
    """DERIVED_FROM edges between existing models (imports that matched known models); returns
    how many were new, so a rerun that links nothing new says 0."""
    if not pairs:
        return 0
    rows = await graph.write(
        # Checked, then the owner locked and checked again (see LOCKING).
        "UNWIND $pairs AS pair "
        "MATCH (m:Model {slug: pair[0]}), (b:Model {slug: pair[1]}) "
        "WHERE NOT (m)-[:DERIVED_FROM]->(b) "
        "SET m += {} "
        "WITH m, b WHERE NOT (m)-[:DERIVED_FROM]->(b) "
        "CREATE (m)-[:DERIVED_FROM]->(b) RETURN count(*) AS n",
        {"pairs": sorted(list(p) for p in pairs)},
    )
    return int(rows[0]["n"])
