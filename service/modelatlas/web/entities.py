"""What the explorer needs to know of any node: its kind, key, label and page URL, one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlencode

from modelatlas.errors import InvalidInput
from modelatlas.graph.reads import (
    KINDS,
    BenchmarkNode,
    ClaimNode,
    CountryNode,
    MarketEventNode,
    ModelNode,
    OrganizationNode,
    PathNode,
    ReleaseNode,
    ResultNode,
    SourceNode,
)

PAGE_PREFIX: Final[dict[str, str]] = {
    "Model": "models",
    "Organization": "organizations",
    "Benchmark": "benchmarks",
    "Claim": "claims",
}
"""The kinds with a page of their own, and the first segment of that page's path."""

GRAPH_KINDS: Final[tuple[str, ...]] = tuple(KINDS)
"""Every kind the neighbourhood view can centre on, in the graph layer's spelling."""

MAX_KEY_LENGTH: Final = 300
"""Longer keys are refused with 400 before any read (no entity has one that long)."""

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


class BadRequest(InvalidInput):
    """A page asked for with input that cannot name anything (the page answers 400)."""


def check_key(key: str, what: str = "key") -> str:
    """The key, stripped, or BadRequest naming the problem (empty, too long, control chars)."""
    key = key.strip()
    if not key:
        raise BadRequest(f"The {what} is empty.")
    if len(key) > MAX_KEY_LENGTH:
        raise BadRequest(f"The {what} is longer than {MAX_KEY_LENGTH} characters.")
    if _CONTROL.search(key):
        raise BadRequest(f"The {what} contains control characters.")
    return key


def kind_of(kind: str) -> str:
    """A kind named in a URL ("model", "marketevent") in the graph layer's spelling."""
    for name in GRAPH_KINDS:
        if name.lower() == kind.strip().lower():
            return name
    raise BadRequest(
        f"Unknown kind {kind[:40]!r}: one of {', '.join(k.lower() for k in GRAPH_KINDS)}."
    )


@dataclass(frozen=True, slots=True)
class Entity:
    """A node as the explorer shows it: kind, natural key, a label and where it links to."""

    kind: str
    key: str
    label: str

    @property
    def ref(self) -> str:
        """The "kind:key" reference the path view and the graph view take."""
        return f"{self.kind.lower()}:{self.key}"

    @property
    def url(self) -> str:
        """The entity's own page, else its neighbourhood view (relative to the explorer root)."""
        prefix = PAGE_PREFIX.get(self.kind)
        if prefix is not None:
            return f"{prefix}/{quote(self.key, safe='')}"
        return graph_url(self.ref)


def graph_url(ref: str) -> str:
    """The neighbourhood view of a "kind:key" reference."""
    return "graph?" + urlencode({"node": ref})


def entity(node: Any) -> Entity:
    """The Entity of any node view the graph layer returns."""
    match node:
        case ModelNode() | OrganizationNode() | BenchmarkNode():
            return Entity(type(node).__name__.removesuffix("Node"), node.slug, node.name)
        case ReleaseNode():
            return Entity("Release", node.slug, node.title)
        case ClaimNode():
            return Entity("Claim", node.id, node.statement)
        case ResultNode():
            return Entity("Result", node.id, f"{node.score:g}")
        case MarketEventNode():
            return Entity("MarketEvent", node.id, node.description)
        case CountryNode():
            return Entity("Country", node.code, node.name or node.code)
        case SourceNode():
            return Entity("Source", node.url, node.title or node.url)
        case PathNode():
            return Entity(node.kind, node.key, node.name or node.key)
    raise TypeError(f"not a node view: {type(node).__name__}")
