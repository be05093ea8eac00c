"""The question what is called by a name: full-text search over names and aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from modelatlas.graph.core import Graph, Row
from modelatlas.graph.reads.errors import InvalidArgument
from modelatlas.graph.reads.kinds import KINDS, _shaped
from modelatlas.graph.reads.nodes import BenchmarkNode, CountryNode, ModelNode, OrganizationNode
from modelatlas.graph.reads.paging import DEFAULT_PAGE_SIZE, check_first

MAX_SEARCH_TEXT: Final = 500
"""Longer search text is refused: Lucene fails on a prefix of 1000 characters or on more
than 1024 clauses, and no name is anywhere near that long."""


class SearchKind(StrEnum):
    """Kinds the full-text index `entity_names` covers."""

    ORGANIZATION = "Organization"
    MODEL = "Model"
    BENCHMARK = "Benchmark"
    COUNTRY = "Country"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text match with its relevance score (higher is better)."""

    kind: SearchKind
    key: str
    name: str | None
    score: float
    node: OrganizationNode | ModelNode | BenchmarkNode | CountryNode


_TOKEN: Final = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")
_LUCENE_SPECIAL: Final = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')

SEARCH_WINDOW: Final = 50
"""Beyond `first`, how many of the full-text index's best hits a search ranks: hits that tie
in relevance past that window are cut in the index's own order (a prefix such as `model*` can
match every model; ranking them all cost 0.5 s per search on a million-claim graph)."""

_SEARCH_RANK: Final = """
WITH node, score, [l IN labels(node) WHERE l IN $kinds][0] AS kind
WHERE kind IS NOT NULL
WITH node, score, kind, coalesce(node.slug, node.code) AS key
ORDER BY score DESC, kind ASC, key ASC
LIMIT $limit
RETURN kind, key, node.name AS name, score,
  CASE kind WHEN 'Organization' THEN node@Organization
            WHEN 'Model' THEN node@Model
            WHEN 'Benchmark' THEN node@Benchmark
            ELSE node@Country END AS node
"""
# The index is eventually consistent (updated just after a commit, not inside it: see
# migration 0007), so a search first waits for the updates of the writes committed before it.
_CAUGHT_UP: Final = "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh() "
_SEARCH: Final = _shaped(
    _CAUGHT_UP + "CALL db.index.fulltext.queryNodes('entity_names', $query, {limit: $window}) "
    "YIELD node, score" + _SEARCH_RANK
)
_SEARCH_ALL: Final = _shaped(
    _CAUGHT_UP
    + "CALL db.index.fulltext.queryNodes('entity_names', $query) YIELD node, score"
    + _SEARCH_RANK
)
"""Every hit: for a search limited to some kinds that the window did not fill."""


def search_words(text: str) -> list[str]:
    """The words a search looks for: runs of letters and digits (dots inside kept, so "2.5"
    stays one word), lower-cased, each once, in order."""
    return list(dict.fromkeys(_TOKEN.findall(text.casefold())))


def lucene_query(text: str, *, every_word: bool = True) -> str | None:
    """A safe Lucene query for free text: its words, exact (boosted) or as prefixes, each one
    required (`every_word`) or any one enough; None when the text has no words."""
    words = search_words(text)
    return _lucene(words, every_word=every_word) if words else None


def _lucene(words: list[str], *, every_word: bool) -> str:
    """The Lucene query for search words. Lower-cased, so AND / OR / NOT are never operators;
    anything Lucene treats specially is escaped."""
    required = every_word and len(words) > 1
    clauses = []
    for word in words:
        escaped = _LUCENE_SPECIAL.sub(r"\\\1", word)
        clause = f"{escaped}^2 {escaped}*"
        clauses.append(f"+({clause})" if required else clause)
    return " ".join(clauses)


async def _ranked_hits(graph: Graph, query: str, wanted: list[str], first: int) -> list[Row]:
    """The best `first` hits of one Lucene query among the wanted kinds."""
    params = {"query": query, "kinds": wanted, "limit": first, "window": first + SEARCH_WINDOW}
    rows = await graph.read(_SEARCH, params)
    if len(rows) < first and len(wanted) < len(SearchKind):
        rows = await graph.read(_SEARCH_ALL, params)  # the window held too few of these kinds
    return rows


async def search(
    graph: Graph,
    text: str,
    *,
    kinds: Iterable[SearchKind] | None = None,
    first: int = DEFAULT_PAGE_SIZE,
) -> list[SearchHit]:
    """Organizations, models, benchmarks and countries whose names or aliases match, best first:
    those that match every word of the text, or when none does, those that match any word.

    Requiring every word keeps a search selective (a common word such as "model" or "instruct"
    alone would match a large share of the graph, and the index scores every match), and is
    what a name search is expected to do; the fallback keeps a text with one unmatched word
    (a misspelling, "gpt4" for GPT-4) finding what its other words name."""
    check_first(first, "search")
    if len(text) > MAX_SEARCH_TEXT:
        raise InvalidArgument(
            f"The search text is longer than {MAX_SEARCH_TEXT} characters.", argument="text"
        )
    words = search_words(text)
    if not words or first == 0:
        return []
    wanted = [SearchKind(k).value for k in kinds] if kinds else [k.value for k in SearchKind]
    rows = await _ranked_hits(graph, _lucene(words, every_word=True), wanted, first)
    if not rows and len(words) > 1:  # nothing has every word: any one will do
        rows = await _ranked_hits(graph, _lucene(words, every_word=False), wanted, first)
    return [
        SearchHit(
            SearchKind(r["kind"]),
            r["key"],
            r["name"],
            r["score"],
            KINDS[r["kind"]].build(r["node"]),
        )
        for r in rows
    ]
