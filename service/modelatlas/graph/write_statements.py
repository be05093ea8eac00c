"""The Cypher of upserts, built once from fixed tables: per kind, the snapshot a write plans
from, the upsert of its rows, its same-kind links, and key lookups; and the tables of how a
record becomes a row (dates, defaults, relationship fields, cited values).

Labels, keys and relationship types come from the domain and the graph model, never from input;
values are always parameters. How these statements take locks is described in `LOCKING`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, LiteralString, get_args, get_origin

from pydantic_core import PydanticUndefined

from modelatlas import graph_model
from modelatlas.domain import (
    Benchmark,
    Claim,
    Country,
    MarketEvent,
    Model,
    Organization,
    Release,
    Result,
    Source,
)

ORDER: Final = (
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
KINDS: Final = tuple(cls.KIND for cls in ORDER)
"""The order writes go in, so every relationship's target is written before its source."""


def _is_date(annotation: Any) -> bool:
    """Whether a field's type is a date (possibly optional or annotated)."""
    return annotation is dt.date or any(_is_date(arg) for arg in get_args(annotation))


def _is_list(annotation: Any) -> bool:
    """Whether a field's type is a list (possibly annotated)."""
    return get_origin(annotation) is list or any(_is_list(a) for a in get_args(annotation))


# Date properties travel as ISO strings and become dates in Cypher: the driver's own packing of
# a Python date costs more than the rest of a row's values together.
DATES: Final[dict[str, tuple[str, ...]]] = {
    cls.KIND: tuple(
        info.alias or name for name, info in cls.model_fields.items() if _is_date(info.annotation)
    )
    for cls in ORDER
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
CITED_VALUES: Final[dict[str, tuple[str, ...]]] = {
    r.owner: r.carries for r in graph_model.RELATIONSHIPS if r.type == "CITED_IN"
}

# Record fields that become relationships rather than properties.
RELATION_FIELDS: Final = frozenset(r.alias for r in graph_model.RELATIONSHIPS)


# Properties a record may hold only by default: written only where the node has no value yet.
DEFAULTED: Final[dict[str, tuple[str, ...]]] = {
    cls.KIND: tuple(
        alias
        for name, info in cls.model_fields.items()
        if (alias := info.alias or name) not in RELATION_FIELDS
        and _has_default(info)
        and not _is_date(info.annotation)
    )
    for cls in ORDER
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
    dates = [d for d in CITED_VALUES[kind] if d in DATES[kind]]
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
SET n += row.props{_set_dates("n", DATES[label], "row.own")}{_set_defaults(DEFAULTED[label])}
WITH row, n
"""
    return head + body


def _snapshot(label: str, key: str, owned: str = "", incoming: str = "") -> LiteralString:
    """Read what a batch's existing nodes hold: properties and owned relationships.

    One row whatever the batch size: a list of [key, properties, edges] (the driver spends far
    more per record than per value, so thousands of records would cost more than the query).
    Edges are [type, target label, target key, properties] of the relationship types the kind
    owns (`owned`: outgoing, `incoming`: incoming, typed "<TYPE").
    """
    target = "labels(t)[0], coalesce(t.slug, t.id, t.url, t.code), properties(r)"
    edges = f"[(n)-[r:{owned}]->(t) | [type(r), {target}]]" if owned else "[]"
    if incoming:
        edges += f" + [(n)<-[r:{incoming}]-(t) | ['<' + type(r), {target}]]"
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


def _same_kind_link(r: graph_model.Relationship, key: str) -> str:
    """One same-kind relationship of a row's node, created when missing (see LOCKING)."""
    if r.many:
        head, target = f"UNWIND row.{r.alias} AS target", "target"
    else:
        head, target = f"WITH row WHERE row.{r.alias} IS NOT NULL", f"row.{r.alias}"
    return f"""CALL (n, row) {{
  {head}
  MATCH (t:{r.target} {{{key}: {target}}})
  WITH * WHERE NOT EXISTS {{ (n)-[:{r.type}]->(t) }}
  CREATE (n)-[:{r.type}]->(t)
}}
"""


def _links(kind: str) -> LiteralString | None:
    """The statement writing a batch's same-kind relationships (None: the kind has none)."""
    links = [r for r in graph_model.owned_by(kind) if r.same_kind]
    if not links:
        return None
    key = graph_model.NODE_KINDS[kind].key
    return (
        f"UNWIND $rows AS row\nMATCH (n:{kind} {{{key}: row.key}})\nSET n += {{}}\nWITH n, row\n"
        + "".join(_same_kind_link(r, key) for r in links)
        + "RETURN count(*) AS n\n"
    )


# Relationships between records of the same kind are written after every node of that kind
# exists (a base model may come later in the input than the model derived from it).
_LINKS: Final[dict[str, LiteralString]] = {
    kind: statement for kind in graph_model.KINDS if (statement := _links(kind))
}

# field -> (relationship type, target label); "<TYPE" marks an incoming relationship. Derived
# from the one declaration of the graph model.
EDGES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    kind: {r.alias: (("<" if r.incoming else "") + r.type, r.target) for r in owned}
    for kind in graph_model.KINDS
    if (owned := list(graph_model.owned_by(kind)))
}


LINK_FIELDS: Final = {
    kind: links
    for kind in graph_model.KINDS
    if (links := tuple(r.alias for r in graph_model.owned_by(kind) if r.same_kind))
}
"""Per kind, the fields of its same-kind relationships (written once every node of the kind is)."""

KEY_PROPERTY: Final = {cls.KIND: cls.KEY_FIELD for cls in ORDER}
LISTS: Final = {
    cls.KIND: frozenset(
        info.alias or name for name, info in cls.model_fields.items() if _is_list(info.annotation)
    )
    for cls in ORDER
}


def _verified(kind: str, statement: str, fields: Iterable[str]) -> LiteralString:
    """The statement ending with, per row, the relationships it was asked for and that are not
    there after the write: a target deleted since the references were checked (the MATCH
    found nothing). `write_rows` then fails the transaction rather than drop them silently.

    The targets there are read from the row's node (a pattern comprehension), not looked for
    with `NOT EXISTS { (n)-[:R]->(:Label {key: k}) }`: Neo4j planned that from the target's
    index and expanded all of the target's relationships, so a model many others derive from
    cost thousands of db hits per row (13 million for 2,000 links on the 100k graph)."""
    checks = []
    for name in fields:
        rel, label = EDGES[kind][name]
        target = f"(linked:{label})"
        pattern = f"(n)<-[:{rel[1:]}]-{target}" if rel[0] == "<" else f"(n)-[:{rel}]->{target}"
        listed = (
            f"row.{name}" if name in LISTS[kind] else f"[x IN [row.{name}] WHERE x IS NOT NULL]"
        )
        there = f"[{pattern} | linked.{KEY_PROPERTY[label]}]"
        checks.append(f"[k IN {listed} WHERE NOT k IN {there} | ['{name}', '{label}', k]]")
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
        [f for f in EDGES.get(kind, {}) if f not in LINK_FIELDS.get(kind, ())],
    )
    for kind, statement in _STATEMENTS.items()
}
"""Per kind, the upsert of a batch of rows (see `to_row`)."""
LINKS: Final[dict[str, LiteralString]] = {
    kind: _verified(kind, statement, LINK_FIELDS[kind]) for kind, statement in _LINKS.items()
}
"""Per kind, the same-kind relationships of a batch of rows."""


def _owned_types(kind: str, *, incoming: bool = False) -> LiteralString:
    """The outgoing (or incoming) relationship types a kind's records own, as a Cypher type
    alternation ("" for none)."""
    types = dict.fromkeys(r.type for r in graph_model.owned_by(kind) if r.incoming == incoming)
    return "|".join(types)  # built from the graph model's constants, never from input


SNAPSHOTS: Final[dict[str, LiteralString]] = {
    kind: _snapshot(kind, KEY_PROPERTY[kind], _owned_types(kind), _owned_types(kind, incoming=True))
    for kind in KINDS
}
"""Per kind, what a batch's existing nodes hold (see `_snapshot`)."""


def _key_lookup(found: str) -> dict[str, LiteralString]:
    """Per kind, a query over $keys returning, as one list, the keys `found` selects."""
    return {
        kind: f"UNWIND $keys AS k OPTIONAL MATCH (n:{kind} {{{key}: k}}) "
        f"RETURN collect(CASE WHEN n IS {found} THEN k END) AS keys"
        for kind, key in KEY_PROPERTY.items()
    }


EXISTING: Final = _key_lookup("NOT NULL")
MISSING: Final = _key_lookup("NULL")


NAMES: Final[dict[str, LiteralString]] = {
    "Model": (
        "MATCH (n:Model) RETURN collect([n.slug, [n.name] + coalesce(n.aliases, [])]) AS names"
    ),
    "Benchmark": (
        "MATCH (n:Benchmark) RETURN collect([n.slug, [n.name] + coalesce(n.aliases, [])]) AS names"
    ),
}


_PARAMETER: Final = re.compile(r"\$(rows|keys)\b")
_COMBINABLE: Final = frozenset(
    [*STATEMENTS.values(), *LINKS.values(), *SNAPSHOTS.values(), *MISSING.values()]
)
"""The statements `combined` takes: this module's, one list parameter each."""


def combined(parts: Sequence[tuple[LiteralString, str]]) -> LiteralString:
    """Several one-row statements sent as one, so a small write pays one round trip instead of
    one per statement: each (statement, column) runs in its own subquery, in order (a later
    one sees what an earlier one wrote), over the parameter `p<i>` instead of its `$rows` or
    `$keys`, and its `column` comes back as `r<i>`. Only this module's constants go in."""
    query = ""
    kept: list[str] = []
    for i, (statement, column) in enumerate(parts):
        assert statement in _COMBINABLE, statement  # fixed text only, never built from input
        renamed, count = _PARAMETER.subn(f"$p{i}", statement)
        assert count == 1, statement  # every snapshot, lookup and upsert names one list
        query += (
            f"CALL () {{\n{renamed.strip()}\n}}\nWITH {', '.join([*kept, f'{column} AS r{i}'])}\n"
        )
        kept.append(f"r{i}")
    return query + f"RETURN {', '.join(kept)}"
