"""Batched, repeatable writes: planned from a snapshot, written by `UNWIND $rows ... MERGE` on
natural keys (the statements are in write_statements.py).

A write first reads a snapshot of the nodes it names (their properties and the relationships
they own) and compares it with what it is asked to write: rows that would change nothing are
not written at all, so repeating an import costs one read per batch. The rest go through one
statement per kind that merges the node on its key, adds the non-null properties it is given (a
missing value never erases a known one) and creates the relationships the record owns that are
missing. A value the record did not name but took from the domain's default (a benchmark's
higherIsBetter, a claim's status, a country's ISO name) only fills a property the node does not
have yet, so a partial upsert changes only what it names. Facts that cite sources keep the
values each source gave (dates, scores, magnitudes) on their `CITED_IN` relationship, so a
second source with a different number never silently replaces the first one's.

A large write goes batch by batch, one transaction each (`plan_batch`, `write_rows`,
`write_links`); a write of one batch is planned in one read and written in one statement
(`plan_at_once`, `write_at_once`), since each round trip of a mutation waits behind the whole
load of a busy server.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, LiteralString

from modelatlas.countries import country_name
from modelatlas.domain import (
    Country,
    Organization,
    Record,
    ReferenceProblem,
)
from modelatlas.errors import Conflict
from modelatlas.graph.core import Graph, Transaction
from modelatlas.graph.write_statements import (
    CITED_VALUES,
    DATES,
    DEFAULTED,
    EDGES,
    EXISTING,
    KINDS,
    LINK_FIELDS,
    LINKS,
    MISSING,
    NAMES,
    ORDER,
    RELATION_FIELDS,
    SNAPSHOTS,
    STATEMENTS,
    combined,
)

BATCH_SIZE: Final = 2000


class TargetsMissing(Conflict):
    """Relationships a write was asked for have no target any more: a node was deleted after
    the references were checked. Raised inside the write's transaction, so it is rolled back."""

    def __init__(self, problems: Sequence[ReferenceProblem]) -> None:
        """Keep the problems, one per missing target."""
        super().__init__(problems)
        self.problems = tuple(problems)


def _missing_targets(kind: str, missing: list[Any]) -> list[ReferenceProblem]:
    """The problems a verified statement reports ([key, missing] per row lacking a target)."""
    return [
        ReferenceProblem(kind=kind, record=str(key), field=field, missing=str(k), target=label)
        for key, lacking in missing
        for field, label, k in lacking
    ]


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
    dates = DATES[cls.KIND]
    return _Shape(
        props=tuple(
            (name, alias)
            for name, alias in names
            if alias not in RELATION_FIELDS and alias != cls.KEY_FIELD and alias not in dates
        ),
        dates=tuple((name, alias) for name, alias in names if alias in dates),
        relations=tuple((name, alias) for name, alias in names if alias in RELATION_FIELDS),
        cited=tuple(k for k in CITED_VALUES.get(cls.KIND, ()) if k not in dates),
    )


_SHAPES: Final[dict[type[Record], _Shape]] = {cls: _shape_of(cls) for cls in ORDER}


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
    defaulted = DEFAULTED[record.KIND]
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
    if record.KIND in CITED_VALUES:
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
        rel, label = EDGES[kind][name]
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
    dates = DATES[kind]
    changed = (
        any(_native(props.get(k)) != v for k, v in row["props"].items())
        or any(_day_differs(props.get(d), row["own"][d]) for d in dates)
        or any(props.get(k) is None for k in row["defaults"])
    )
    have = {(e[0], e[1], str(e[2])): e[3] for e in edges}
    links = LINK_FIELDS.get(kind, ())
    own = [f for f in EDGES.get(kind, {}) if f not in links]
    for edge in _wanted_edges(kind, row, own):
        if edge not in have:
            changed = True
        elif edge[0] == "CITED_IN" and have[edge].get("rank", row["rank"]) >= row["rank"]:
            cited = have[edge]
            changed |= (
                cited.get("rank") != row["rank"]
                or any(_native(cited.get(k)) != v for k, v in row["cited"].items())
                or any(_day_differs(cited.get(d), row[d]) for d in CITED_VALUES[kind] if d in dates)
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
    """Compare a batch with the graph (one read) and keep only the rows that change something
    (see `_plan`)."""
    # The read goes first: while it is on its way, the batch written before can be sent.
    keys = [r.key for r in records]
    found = (await graph.read(SNAPSHOTS[kind], {"keys": keys}))[0]["found"]
    return _plan(kind, records, found, rank)


def _plan(kind: str, records: Sequence[Record], found: list[Any], rank: int) -> BatchPlan:
    """A batch's plan from its snapshot: statuses are created/updated/unchanged; rows whose
    same-kind links are missing go to `to_link`, written once every node of the kind exists."""
    snapshot = {str(key): (props, edges) for key, props, edges in found}
    plan = BatchPlan({}, [], [])
    for record in records:
        row = to_row(record)
        old = snapshot.get(row["key"])
        row = _ranked(row, old[0] if old else None, rank)
        if old is None:
            plan.statuses[row["key"]] = "created"
            plan.to_write.append(row)
            linking = bool(_wanted_edges(kind, row, LINK_FIELDS.get(kind, ())))
        else:
            changed, linking = _changes(kind, row, *old)
            plan.statuses[row["key"]] = "updated" if changed or linking else "unchanged"
            if changed:
                plan.to_write.append(row)
        if linking:
            plan.to_link.append(row)
    return plan


async def plan_at_once(
    graph: Graph,
    groups: Sequence[tuple[str, Sequence[Record]]],
    wanted: Mapping[str, Sequence[str]],
    rank: int = 0,
) -> tuple[dict[str, set[str]], list[tuple[str, BatchPlan]]]:
    """A small write's reference check and every kind's plan in one read: per target kind,
    the `wanted` keys no node has; per (kind, records) group (one batch each), its plan."""
    parts = [(SNAPSHOTS[kind], "found") for kind, _ in groups]
    parts += [(MISSING[kind], "keys") for kind in wanted]
    if not parts:
        return {}, []
    values = [[r.key for r in records] for _, records in groups] + [
        list(k) for k in wanted.values()
    ]
    params = {f"p{i}": keys for i, keys in enumerate(values)}
    row = (await graph.read(combined(parts), params))[0]
    plans = [(kind, _plan(kind, recs, row[f"r{i}"], rank)) for i, (kind, recs) in enumerate(groups)]
    first = len(groups)
    missing = {kind: {str(k) for k in row[f"r{first + i}"]} for i, kind in enumerate(wanted)}
    return missing, plans


async def write_at_once(graph: Graph, plans: Sequence[tuple[str, BatchPlan]]) -> None:
    """A small write's planned rows, kind after kind, then their same-kind links, as one
    statement in one write transaction (see `_write_verified`)."""
    parts = [(kind, STATEMENTS[kind], plan.to_write) for kind, plan in plans if plan.to_write]
    parts += [(kind, LINKS[kind], plan.to_link) for kind, plan in plans if plan.to_link]
    if parts:
        await _write_verified(graph, parts)


def _row_key(row: dict[str, Any]) -> str:
    """Rows are written in key order, so locks are taken in one order (see LOCKING)."""
    key: str = row["key"]
    return key


async def _write_verified(
    graph: Graph, parts: Sequence[tuple[str, LiteralString, Sequence[dict[str, Any]]]]
) -> None:
    """Verified statements (see write_statements `_verified`), each (kind, statement, rows), as
    one statement in one write transaction function, rows in key order (see LOCKING): a missing
    target raises TargetsMissing inside it, so nothing of it is committed."""
    statement = combined([(text, "missing") for _, text, _ in parts])
    params = {f"p{i}": sorted(rows, key=_row_key) for i, (_, _, rows) in enumerate(parts)}

    async def work(tx: Transaction) -> None:
        row = (await tx.run(statement, params))[0]
        problems = [
            problem
            for i, (kind, _, _) in enumerate(parts)
            for problem in _missing_targets(kind, row[f"r{i}"])
        ]
        if problems:
            raise TargetsMissing(problems)

    await graph.write_tx(work)


async def write_rows(graph: Graph, kind: str, rows: list[dict[str, Any]]) -> None:
    """Upsert planned rows of one kind in one write transaction (nothing to do for none)."""
    if rows:
        await _write_verified(graph, [(kind, STATEMENTS[kind], rows)])


async def write_links(graph: Graph, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    """Same-kind relationships (lineage, parents, partners), once every node of the kind exists."""
    ordered = sorted(rows, key=_row_key)
    for start in range(0, len(ordered), BATCH_SIZE):
        await _write_verified(graph, [(kind, LINKS[kind], ordered[start : start + BATCH_SIZE])])


def by_kind(records: Iterable[Record]) -> list[tuple[str, list[Record]]]:
    """Group records in write order (targets of relationships first)."""
    grouped: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for record in records:
        grouped[record.KIND].append(record)
    return [(kind, grouped[kind]) for kind in KINDS if grouped[kind]]


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
    return await _lookup_keys(graph, EXISTING, kind, keys)


async def missing_keys(graph: Graph, kind: str, keys: Sequence[str]) -> set[str]:
    """Which of these natural keys no node of this kind has (one query, one row back)."""
    return await _lookup_keys(graph, MISSING, kind, keys)


async def name_index(graph: Graph, kind: str) -> list[tuple[str, list[str]]]:
    """(slug, names and aliases) of every Model or Benchmark, to match imported names."""
    rows = await graph.read(NAMES[kind])
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
