"""Entity references ("model:gpt-4", "nvidia", a URL): how a question finds the node named."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from modelatlas.domain import country_key, slugify, source_key
from modelatlas.graph.reads.errors import InvalidArgument

_REF_KINDS: Final[dict[str, str]] = {
    "organization": "Organization",
    "org": "Organization",
    "model": "Model",
    "benchmark": "Benchmark",
    "release": "Release",
    "claim": "Claim",
    "result": "Result",
    "marketevent": "MarketEvent",
    "market-event": "MarketEvent",
    "event": "MarketEvent",
    "country": "Country",
    "source": "Source",
}

# Finds one node by reference; `$r_` is renamed per use. Plain keys try the kinds in this order.
_RESOLVE: Final = """COLLECT { CALL () {
  MATCH (n:Organization {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Organization'
  RETURN n, 0 AS rank
  UNION ALL
  MATCH (n:Model {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Model' RETURN n, 1 AS rank
  UNION ALL
  MATCH (n:Benchmark {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Benchmark'
  RETURN n, 2 AS rank
  UNION ALL
  MATCH (n:Release {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Release'
  RETURN n, 3 AS rank
  UNION ALL
  MATCH (n:Claim {id: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Claim' RETURN n, 4 AS rank
  UNION ALL
  MATCH (n:Result {id: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Result' RETURN n, 5 AS rank
  UNION ALL
  MATCH (n:MarketEvent {id: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'MarketEvent'
  RETURN n, 6 AS rank
  UNION ALL
  MATCH (n:Country {code: $r_code}) WHERE $r_kind IS NULL OR $r_kind = 'Country'
  RETURN n, 7 AS rank
  UNION ALL
  MATCH (n:Source {url: $r_url}) WHERE $r_kind IS NULL OR $r_kind = 'Source' RETURN n, 8 AS rank
} RETURN n ORDER BY rank LIMIT 1 }[0]"""


def _ref_params(ref: str, prefix: str, allowed: Iterable[str] | None = None) -> dict[str, Any]:
    """Parameters that find the node a reference names ("model:gpt-4", "nvidia", a URL...)."""
    text = ref.strip()
    head, sep, rest = text.partition(":")
    kind = _REF_KINDS.get(head.strip().lower()) if sep else None
    key = rest.strip() if kind else text
    if not key:
        raise InvalidArgument(f"{ref!r} names nothing")
    if allowed is not None and kind is not None and kind not in allowed:
        raise InvalidArgument(f"{ref!r} must name one of: {', '.join(allowed)}")
    try:
        slug: str | None = slugify(key)
    except ValueError:
        slug = None  # no slug-keyed node can match; a URL or code still may
    return {
        prefix + "kind": kind,
        prefix + "slug": slug,
        prefix + "code": country_key(key),
        prefix + "url": source_key(key),
    }


# The subject of a timeline: an organization, else a model.
_RESOLVE_SUBJECT: Final = """COLLECT { CALL () {
  MATCH (n:Organization {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Organization'
  RETURN n, 0 AS rank
  UNION ALL
  MATCH (n:Model {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Model' RETURN n, 1 AS rank
} RETURN n ORDER BY rank LIMIT 1 }[0]"""
