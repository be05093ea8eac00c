"""The fixed query mix a real client sends, each question in three dialects with the same answer.

- ``service``: a GraphQL document for our service (schema/schema.graphql);
- ``peer``: a GraphQL document for the @neo4j/graphql v7 peer (bench/peer/typeDefs.graphql);
- ``cypher``: the floor, hand-written parameterised Cypher for the raw Python driver.

Variables come from `Picks`, real keys sampled from the loaded graph; request number ``i``
rotates through them deterministically, so every contender gets the same sequence.
bench/check_mix.py proves the three dialects give the same answers.

The answers line up once the service's ``edges { node }`` wrappers are removed: every list is
sorted the same way in every dialect, ties broken by the natural key, unknown dates last. Two
things rest on the data rather than on the dialects. The peer sorts names case-sensitively
(the library's sort) where the service and the floor sort them lower-cased: the same order
unless two names of one list differ only in case where they first differ (true of the curated
and the synthetic data). And several paths may be shortest: the peer runs the service's
pattern and gets the same one, while the floor's typed expansion may get another as short
(check_mix accepts that when length and ends agree).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import neo4j

from modelatlas.graph.reads.name_search import SEARCH_WINDOW, lucene_query, search_words

FIRST: Final = 20
"""Page size of the lists in the mix (the service's default)."""

NESTED_ORGANIZATIONS: Final = 10
NESTED_MODELS: Final = 10
NESTED_CLAIMS: Final = 5
SEARCH_FIRST: Final = 10
LINEAGE_DEPTH: Final = 3
PATH_HOPS: Final = 6
PATH_RELATIONSHIPS: Final = (
    "DEVELOPED",
    "CLAIMED_BY",
    "AGAINST",
    "SUBJECT",
    "ATTRIBUTED_TO",
    "AFFECTED",
    "BASED_IN",
    "DERIVED_FROM",
)
"""docs/graphql.md's "how is X connected to Y" question: every relationship but shared sources."""
_PATH_TYPES: Final = "|".join(PATH_RELATIONSHIPS)

RELEASED_FROM: Final = (dt.date(2019, 1, 1), dt.date(2022, 1, 1), dt.date(2024, 1, 1))
"""Lower bounds of `models_page`'s release-date filter, in rotation."""

SAMPLE: Final = 48
"""At most this many keys of each kind are drawn into the picks."""

Variables = dict[str, Any]


@dataclass(frozen=True)
class Picks:
    """Real keys sampled from the loaded graph that the queries' variables draw from."""

    models: list[str]  # model slugs that have claims or results
    beaten: list[str]  # model slugs that other models claim to beat
    lineage: list[str]  # model slugs with a base model / derivations
    organizations: list[str]  # organization slugs that develop models
    benchmarks: list[str]  # benchmark slugs with results
    path_pairs: list[tuple[str, str]]
    terms: list[str]  # full-text search terms that hit
    as_of: str  # ISO date for leaderboard


def _nth(items: list[Any], i: int, what: str) -> Any:
    """The i-th item of a rotation, or a clear error when the graph gave none."""
    if not items:
        raise LookupError(f"the loaded graph has no {what} to draw from")
    return items[i % len(items)]


# --------------------------------------------------------------------------- picking

_PICK_MODELS: Final = """
MATCH (m:Model)
WHERE EXISTS { (m)<-[:SUBJECT|AGAINST]-(:Claim) } OR EXISTS { (m)<-[:OF]-(:Result) }
RETURN m.slug AS key ORDER BY key"""
_PICK_BEATEN: Final = """
MATCH (m:Model)<-[:AGAINST]-(:Claim {kind: 'OUTPERFORMS'})
RETURN DISTINCT m.slug AS key ORDER BY key"""
_PICK_BEATEN_VARIANTS: Final = """
MATCH (m:Model)<-[:AGAINST]-(:Claim {kind: 'OUTPERFORMS'})
WHERE EXISTS { (m)<-[:VARIANT_OF]-(:Model) }
RETURN DISTINCT m.slug AS key ORDER BY key"""
_PICK_LINEAGE: Final = """
MATCH (m:Model) WHERE EXISTS { (m)-[:DERIVED_FROM]-(:Model) }
RETURN m.slug AS key ORDER BY key"""
_PICK_ORGANIZATIONS: Final = """
MATCH (o:Organization) WHERE EXISTS { (o)-[:DEVELOPED]->(:Model) }
RETURN o.slug AS key ORDER BY key"""
_PICK_BENCHMARKS: Final = """
MATCH (b:Benchmark) WHERE EXISTS { (b)<-[:ON]-(:Result)-[:OF]->(:Model) }
RETURN b.slug AS key ORDER BY key"""
_PICK_NAMES: Final = """
MATCH (n) WHERE n:Organization OR n:Model OR n:Benchmark
RETURN n.name AS key ORDER BY key"""
_PICK_AS_OF: Final = """
MATCH (r:Result) WHERE r.measuredOn IS NOT NULL
WITH r.measuredOn AS d ORDER BY d
WITH collect(d) AS ds
RETURN CASE WHEN size(ds) = 0 THEN null ELSE ds[toInteger(size(ds) * 3 / 4)] END AS key"""
_PATH_CYPHER: Final = (
    "MATCH (a:Organization {slug: $from}), (b:Organization {slug: $to})\n"
    f"MATCH p = SHORTEST 1 (a)-[:{_PATH_TYPES}]-{{0,{PATH_HOPS}}}(b)\n"
    """WITH p, [n IN nodes(p) | {kind: labels(n)[0], key: coalesce(n.slug, n.id, n.code, n.url),
                          name: coalesce(n.name, n.title, n.statement, n.description, n.url)}] AS ns
RETURN length(p) AS hops, {kind: ns[0].kind, key: ns[0].key} AS start,
  {kind: ns[-1].kind, key: ns[-1].key} AS end,
  [i IN range(0, length(p) - 1) | {
    relationship: type(relationships(p)[i]),
    direction: CASE WHEN startNode(relationships(p)[i]) = nodes(p)[i]
                    THEN 'OUTGOING' ELSE 'INCOMING' END,
    node: ns[i + 1]}] AS steps"""
)
"""The floor's shortest path; `pick` also uses it to choose the pairs."""
PAIR_CHECK_TIMEOUT_S: Final = 2.0
"""Pairs whose path the floor does not find within this are left out of the mix: on 100k
claims a few pairs take minutes (Neo4j's shortest-path search exploring millions of paths),
and one such request would stand for the whole run instead of the typical question."""

_HITS: Final = """
CALL db.index.fulltext.queryNodes('entity_names', $query) YIELD node
RETURN count(node) > 0 AS key"""


async def _keys(
    driver: neo4j.AsyncDriver, database: str, statement: str, params: Variables | None = None
) -> list[Any]:
    """The `key` column of a read (statements are this module's fixed text)."""
    records, _, _ = await driver.execute_query(
        statement, params, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return [record["key"] for record in records]


async def _path_found(driver: neo4j.AsyncDriver, database: str, a: str, b: str) -> bool:
    """Whether the floor finds a path between two organizations within PAIR_CHECK_TIMEOUT_S."""
    query = neo4j.Query(_PATH_CYPHER, timeout=PAIR_CHECK_TIMEOUT_S)
    try:
        records, _, _ = await driver.execute_query(
            query, {"from": a, "to": b}, database_=database, routing_=neo4j.RoutingControl.READ
        )
    except neo4j.exceptions.Neo4jError as exc:
        if (exc.code or "").startswith("Neo.ClientError.Transaction.TransactionTimedOut"):
            return False
        raise
    return bool(records)


def _sample(rng: random.Random, keys: list[str], size: int = SAMPLE) -> list[str]:
    """Up to `size` keys in a seeded random order (the same graph and seed give the same list)."""
    shuffled = sorted(set(keys))
    rng.shuffle(shuffled)
    return shuffled[:size]


async def pick(driver: neo4j.AsyncDriver, database: str, rng_seed: int = 7) -> Picks:
    """Sample the keys the mix draws from: real ones, with claims, results, lineage, paths, hits."""
    rng = random.Random(rng_seed)
    models = _sample(rng, await _keys(driver, database, _PICK_MODELS))
    # Models with variants first (at most a quarter), so includeVariants has work to do early.
    varied = _sample(rng, await _keys(driver, database, _PICK_BEATEN_VARIANTS), SAMPLE // 4)
    others = [k for k in await _keys(driver, database, _PICK_BEATEN) if k not in varied]
    beaten = varied + _sample(rng, others, SAMPLE - len(varied))
    lineage = _sample(rng, await _keys(driver, database, _PICK_LINEAGE))
    organizations = _sample(rng, await _keys(driver, database, _PICK_ORGANIZATIONS))
    benchmarks = _sample(rng, await _keys(driver, database, _PICK_BENCHMARKS))

    pairs: list[tuple[str, str]] = []
    candidates = [(a, b) for a in organizations for b in organizations if a < b]
    rng.shuffle(candidates)
    for a, b in candidates[: SAMPLE * 2]:
        if await _path_found(driver, database, a, b):
            pairs.append((a, b))
        if len(pairs) == SAMPLE // 3:
            break

    terms: list[str] = []
    names = [name for name in await _keys(driver, database, _PICK_NAMES) if name]
    for name in _sample(rng, names, 4 * SAMPLE):
        term = " ".join(search_words(name)[:3])
        if not term or not term.isascii() or term in terms:
            continue
        if (await _keys(driver, database, _HITS, {"query": lucene_query(term)}))[0]:
            terms.append(term)
        if len(terms) == SAMPLE // 2:
            break

    dates = await _keys(driver, database, _PICK_AS_OF)
    as_of = dates[0].iso_format() if dates and dates[0] is not None else dt.date.today().isoformat()
    return Picks(models, beaten, lineage, organizations, benchmarks, pairs, terms, as_of)


# --------------------------------------------------------------------------- the mix

Draw = Callable[[Picks, int], Variables]


def _none(picks: Picks, i: int) -> Variables:
    """No variables."""
    return {}


@dataclass(frozen=True)
class MixQuery:
    """One question in the three dialects, and how request i draws its variables from the picks."""

    name: str
    service: str  # GraphQL document for our service
    peer: str  # GraphQL document for the @neo4j/graphql peer
    cypher: str  # the floor, parameterised Cypher
    draw_service: Draw = field(default=_none, repr=False, compare=False, kw_only=True)
    draw_peer: Draw | None = field(default=None, repr=False, compare=False, kw_only=True)
    draw_cypher: Draw | None = field(default=None, repr=False, compare=False, kw_only=True)

    def service_variables(self, picks: Picks, i: int) -> dict[str, Any]:
        """Variables of request i for our service (JSON values)."""
        return self.draw_service(picks, i)

    def peer_variables(self, picks: Picks, i: int) -> dict[str, Any]:
        """Variables of request i for the peer (JSON values; the service's unless they differ)."""
        return (self.draw_peer or self.draw_service)(picks, i)

    def cypher_parameters(self, picks: Picks, i: int) -> dict[str, Any]:
        """Parameters of request i for the floor (dates as dates)."""
        return (self.draw_cypher or self.draw_service)(picks, i)


# ---- lookup: one model by slug, with its developers and their countries

LOOKUP = MixQuery(
    name="lookup",
    service="""query Lookup($slug: ID!) {
  model(slug: $slug) {
    slug name parameters
    developers { slug name country { code name } }
  }
}""",
    peer="""query Lookup($slug: ID!) {
  model: models(where: {slug: {eq: $slug}}, limit: 1) {
    slug name parameters
    developers(sort: [{slug: ASC}]) { slug name country { code name } }
  }
}""",
    cypher="""MATCH (m:Model {slug: $slug})
RETURN m {.slug, .name, .parameters,
  developers: COLLECT {
    MATCH (m)<-[:DEVELOPED]-(o:Organization)
    RETURN o {.slug, .name,
              country: COLLECT { MATCH (o)-[:BASED_IN]->(c:Country) RETURN c {.code, .name} }[0]}
      AS o ORDER BY o.slug }} AS model""",
    draw_service=lambda picks, i: {"slug": _nth(picks.models, i, "models with claims or results")},
)


# ---- models_page: one developer's models released since a date, newest first, a page of 20


def _models_page(picks: Picks, i: int) -> Variables:
    return {
        "organization": _nth(picks.organizations, i, "organizations that develop models"),
        "releasedFrom": RELEASED_FROM[i % len(RELEASED_FROM)].isoformat(),
    }


def _models_page_cypher(picks: Picks, i: int) -> Variables:
    found = _models_page(picks, i)
    return {**found, "releasedFrom": dt.date.fromisoformat(found["releasedFrom"]), "first": FIRST}


MODELS_PAGE = MixQuery(
    name="models_page",
    service="""query ModelsPage($organization: ID!, $releasedFrom: Date!) {
  models(first: 20, where: {organization: $organization, releasedFrom: $releasedFrom},
         orderBy: RELEASED_ON_DESC) {
    totalCount
    pageInfo { hasNextPage }
    edges { node { slug name releasedOn parameters } }
  }
}""",
    peer="""query ModelsPage($organization: ID!, $releasedFrom: Date!) {
  models: modelsConnection(
    first: 20
    where: {developers: {some: {slug: {eq: $organization}}}, releasedOn: {gte: $releasedFrom}}
    sort: [{releasedOn: DESC}, {slug: ASC}]
  ) {
    totalCount
    pageInfo { hasNextPage }
    edges { node { slug name releasedOn parameters } }
  }
}""",
    cypher="""MATCH (o:Organization {slug: $organization})
CALL (o) {
  MATCH (o)-[:DEVELOPED]->(m:Model) WHERE m.releasedOn >= $releasedFrom
  RETURN count(m) AS totalCount
}
CALL (o) {
  MATCH (o)-[:DEVELOPED]->(m:Model) WHERE m.releasedOn >= $releasedFrom
  WITH m ORDER BY m.releasedOn DESC, m.slug ASC LIMIT $first
  RETURN collect(m {.slug, .name, .releasedOn, .parameters}) AS models
}
RETURN totalCount, totalCount > $first AS hasNextPage, models""",
    draw_service=_models_page,
    draw_cypher=_models_page_cypher,
)


# ---- claimed_to_beat: claims (OUTPERFORMS) against a model or any of its variants, newest first

CLAIMED_TO_BEAT = MixQuery(
    name="claimed_to_beat",
    service="""query ClaimedToBeat($model: ID!) {
  modelsClaimedToBeat(model: $model, includeVariants: true, first: 20) {
    edges { node {
      statement score
      subject { slug name }
      claimant { slug name }
      benchmark { slug }
      sources { url }
    } }
  }
}""",
    peer="""query ClaimedToBeat($model: ID!) {
  modelsClaimedToBeat(model: $model, includeVariants: true, first: 20) {
    statement score
    subject { slug name }
    claimant { slug name }
    benchmark { slug }
    sources(sort: [{url: ASC}]) { url }
  }
}""",
    cypher="""MATCH (target:Model {slug: $model})
WITH [target] + COLLECT { MATCH (v:Model)-[:VARIANT_OF]->+(target)
                          WHERE v <> target RETURN DISTINCT v } AS targets
UNWIND targets AS t
MATCH (c:Claim {kind: 'OUTPERFORMS'})-[:AGAINST]->(t)
WITH DISTINCT c
WITH c, coalesce(c.madeOn, COLLECT {
       MATCH (c)-[ci:CITED_IN]->(s:Source)
       WITH coalesce(ci.madeOn, s.publishedOn) AS d WHERE d IS NOT NULL
       RETURN d ORDER BY d LIMIT 1 }[0], date('0001-01-01')) AS day
ORDER BY day DESC, c.id ASC
LIMIT $first
MATCH (c)-[:SUBJECT]->(subject:Model), (c)-[:CLAIMED_BY]->(claimant:Organization)
OPTIONAL MATCH (c)-[:ON]->(benchmark:Benchmark)
RETURN c.statement AS statement, c.score AS score,
       subject {.slug, .name} AS subject, claimant {.slug, .name} AS claimant,
       benchmark {.slug} AS benchmark,
       COLLECT { MATCH (c)-[:CITED_IN]->(s:Source) RETURN s {.url} AS s ORDER BY s.url } AS sources
ORDER BY day DESC, c.id ASC""",
    draw_service=lambda picks, i: {"model": _nth(picks.beaten, i, "models claimed to be beaten")},
    draw_cypher=lambda picks, i: {
        "model": _nth(picks.beaten, i, "models claimed to be beaten"),
        "first": FIRST,
    },
)


# ---- nested: organizations -> models -> claims -> sources (10 x 10 x 5)

NESTED = MixQuery(
    name="nested",
    service="""query Nested {
  organizations(first: 10) {
    edges { node {
      slug name
      models(first: 10) {
        edges { node {
          slug name
          claims(first: 5, orderBy: MADE_ON_ASC) {
            edges { node { id statement madeOn sources { url } } }
          }
        } }
      }
    } }
  }
}""",
    peer="""query Nested {
  organizations(limit: 10, sort: [{name: ASC}, {slug: ASC}]) {
    slug name
    models(limit: 10, sort: [{name: ASC}, {slug: ASC}]) {
      slug name
      claims(limit: 5, sort: [{madeOn: ASC}, {id: ASC}]) {
        id statement madeOn
        sources(sort: [{url: ASC}]) { url }
      }
    }
  }
}""",
    cypher="""MATCH (o:Organization)
WITH o ORDER BY toLower(o.name) ASC, o.slug ASC LIMIT $organizations
RETURN o {.slug, .name, models: COLLECT {
  MATCH (o)-[:DEVELOPED]->(m:Model)
  WITH m ORDER BY toLower(m.name) ASC, m.slug ASC LIMIT $models
  RETURN m {.slug, .name, claims: COLLECT {
    MATCH (m)<-[:SUBJECT]-(c:Claim)
    WITH c ORDER BY c.madeOn ASC, c.id ASC LIMIT $claims
    RETURN c {.id, .statement, .madeOn, sources: COLLECT {
      MATCH (c)-[:CITED_IN]->(s:Source) RETURN s {.url} AS s ORDER BY s.url }} AS c
  }} AS m
}} AS organization""",
    draw_cypher=lambda picks, i: {
        "organizations": NESTED_ORGANIZATIONS,
        "models": NESTED_MODELS,
        "claims": NESTED_CLAIMS,
    },
)


# ---- lineage: a model's ancestors and derived models within 3 DERIVED_FROM steps


def _lineage_cypher(direction: str) -> str:
    return (
        "COLLECT {\n    MATCH p = SHORTEST 1 (m)" + direction + "{1," + str(LINEAGE_DEPTH) + "}"
        "(n:Model) WHERE n <> m\n"
        "    RETURN {depth: length(p), model: n {.slug, .name}} AS e\n"
        "    ORDER BY e.depth ASC, e.model.slug ASC LIMIT $first }"
    )


LINEAGE = MixQuery(
    name="lineage",
    service="""query Lineage($slug: ID!) {
  model(slug: $slug) {
    slug name
    ancestors(maxDepth: 3, first: 20) { edges { node { depth model { slug name } } } }
    derivedModels(maxDepth: 3, first: 20) { edges { node { depth model { slug name } } } }
  }
}""",
    peer="""query Lineage($slug: ID!) {
  model: models(where: {slug: {eq: $slug}}, limit: 1) {
    slug name
    ancestors(maxDepth: 3, first: 20) { depth model { slug name } }
    derivedModels(maxDepth: 3, first: 20) { depth model { slug name } }
  }
}""",
    cypher="MATCH (m:Model {slug: $slug})\nRETURN m {.slug, .name,\n  ancestors: "
    + _lineage_cypher("-[:DERIVED_FROM]->")
    + ",\n  derivedModels: "
    + _lineage_cypher("<-[:DERIVED_FROM]-")
    + "} AS model",
    draw_service=lambda picks, i: {"slug": _nth(picks.lineage, i, "models with lineage")},
    draw_cypher=lambda picks, i: {
        "slug": _nth(picks.lineage, i, "models with lineage"),
        "first": FIRST,
    },
)


# ---- path: a shortest path (at most 6 hops) between two organizations, not via shared sources


def _pair(picks: Picks, i: int) -> tuple[str, str]:
    pair: tuple[str, str] = _nth(picks.path_pairs, i, "connected organization pairs")
    return pair


PATH = MixQuery(
    name="path",
    service="""query Path($from: ID!, $to: ID!) {
  path(from: $from, to: $to, maxHops: 6,
       relationships: [DEVELOPED, CLAIMED_BY, AGAINST, SUBJECT, ATTRIBUTED_TO, AFFECTED,
                       BASED_IN, DERIVED_FROM]) {
    hops
    start { kind key }
    end { kind key }
    steps { relationship direction node { kind key name } }
  }
}""",
    peer="""query Path($from: ID!, $to: ID!) {
  path(from: $from, to: $to) {
    hops
    start { kind key }
    end { kind key }
    steps { relationship direction node { kind key name } }
  }
}""",
    cypher=_PATH_CYPHER,
    draw_service=lambda picks, i: {
        "from": "organization:" + _pair(picks, i)[0],
        "to": "organization:" + _pair(picks, i)[1],
    },
    draw_peer=lambda picks, i: {"from": _pair(picks, i)[0], "to": _pair(picks, i)[1]},
    draw_cypher=lambda picks, i: {"from": _pair(picks, i)[0], "to": _pair(picks, i)[1]},
)


# ---- leaderboard: each model's best result on a benchmark as of a date, ranked


def _leaderboard(picks: Picks, i: int) -> Variables:
    return {
        "benchmark": _nth(picks.benchmarks, i, "benchmarks with results"),
        "asOf": picks.as_of,
    }


LEADERBOARD = MixQuery(
    name="leaderboard",
    service="""query Leaderboard($benchmark: ID!, $asOf: Date!) {
  leaderboard(benchmark: $benchmark, asOf: $asOf, first: 20) {
    edges { node { rank score model { slug name } result { id measuredOn } } }
  }
}""",
    peer="""query Leaderboard($benchmark: ID!, $asOf: Date!) {
  leaderboard(benchmark: $benchmark, asOf: $asOf, first: 20) {
    rank score model { slug name } result { id measuredOn }
  }
}""",
    cypher="""MATCH (b:Benchmark {slug: $benchmark})
WITH b, CASE WHEN coalesce(b.higherIsBetter, true) THEN 1.0 ELSE -1.0 END AS sign
MATCH (b)<-[:ON]-(r:Result)-[:OF]->(m:Model)
WHERE r.measuredOn <= $asOf
WITH sign, m, r ORDER BY sign * r.score DESC, r.measuredOn ASC, r.id ASC
WITH sign, m, head(collect(r)) AS best
WITH m, best, sign * best.score AS key ORDER BY key DESC, m.slug ASC
WITH collect({m: m, r: best, key: key}) AS board
UNWIND board[0..$first] AS x
WITH board, x, x.m AS m, x.r AS r
RETURN size([y IN board WHERE y.key > x.key]) + 1 AS rank, r.score AS score,
       m {.slug, .name} AS model, r {.id, .measuredOn} AS result""",
    draw_service=_leaderboard,
    draw_cypher=lambda picks, i: {
        **_leaderboard(picks, i),
        "asOf": dt.date.fromisoformat(picks.as_of),
        "first": FIRST,
    },
)


# ---- search: full-text search over names and aliases (index entity_names), best first

SEARCH = MixQuery(
    name="search",
    service="""query Search($text: String!) {
  search(text: $text, first: 10) { kind key name score }
}""",
    peer="""query Search($text: String!) {
  search(text: $text, first: 10) { kind key name score }
}""",
    cypher="""CALL db.index.fulltext.queryNodes('entity_names', $query, {limit: $window})
YIELD node, score
WITH node, score, labels(node)[0] AS kind, coalesce(node.slug, node.code) AS key
ORDER BY score DESC, kind ASC, key ASC
LIMIT $first
RETURN toUpper(kind) AS kind, key, node.name AS name, score""",
    draw_service=lambda picks, i: {"text": _nth(picks.terms, i, "search terms")},
    draw_cypher=lambda picks, i: {
        "query": lucene_query(_nth(picks.terms, i, "search terms")),
        "first": SEARCH_FIRST,
        "window": SEARCH_FIRST + SEARCH_WINDOW,
    },
)


MIX: Final[tuple[MixQuery, ...]] = (
    LOOKUP,
    MODELS_PAGE,
    CLAIMED_TO_BEAT,
    NESTED,
    LINEAGE,
    PATH,
    LEADERBOARD,
    SEARCH,
)
"""The eight questions, in the order a report lists them."""
