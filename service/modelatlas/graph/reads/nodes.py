"""The frozen views reads return for each kind of node, and their builders from map projections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modelatlas.domain import (
    Accessibility,
    ClaimKind,
    ClaimStatus,
    ClaimVerdict,
    EventKind,
    MeasuredBy,
    OrganizationKind,
)
from modelatlas.graph.core import Row

if TYPE_CHECKING:
    from modelatlas.graph.reads.prefetch import Prefetched


@dataclass(frozen=True, slots=True)
class OrganizationNode:
    """An organization as read from the graph."""

    slug: str
    name: str
    aliases: list[str]
    kind: OrganizationKind | None
    website: str | None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CountryNode:
    """A country as read from the graph."""

    code: str
    name: str | None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ModelNode:
    """A model as read from the graph."""

    slug: str
    name: str
    aliases: list[str]
    parameters: int | None
    training_compute_flop: float | None
    modalities: list[str]
    accessibility: Accessibility | None
    released_on: dt.date | None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ReleaseNode:
    """A release (announcement) as read from the graph."""

    slug: str
    title: str
    date: dt.date | None
    channel: str | None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class BenchmarkNode:
    """A benchmark as read from the graph."""

    slug: str
    name: str
    category: str | None
    metric: str | None
    higher_is_better: bool
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ClaimNode:
    """A claim as read from the graph."""

    id: str
    kind: ClaimKind
    statement: str
    score: float | None
    made_on: dt.date | None
    status: ClaimStatus
    against_score: float | None = None
    verdict: ClaimVerdict | None = None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ResultNode:
    """A measured result as read from the graph."""

    id: str
    score: float
    measured_on: dt.date | None
    evaluator: str | None
    measured_by: MeasuredBy | None = None
    self_reported: bool | None = None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MarketEventNode:
    """A market event as read from the graph."""

    id: str
    kind: EventKind
    date: dt.date
    description: str
    magnitude: float | None
    unit: str | None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SourceNode:
    """A source document as read from the graph."""

    url: str
    title: str | None
    publisher: str | None
    author: str | None
    published_on: dt.date | None
    prefetched: Prefetched | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Citation:
    """One source of a fact with the values that source gave (kept on CITED_IN)."""

    source: SourceNode
    date: dt.date | None
    score: float | None
    magnitude: float | None


AnyNode = (
    OrganizationNode
    | CountryNode
    | ModelNode
    | ReleaseNode
    | BenchmarkNode
    | ClaimNode
    | ResultNode
    | MarketEventNode
    | SourceNode
)


def _date(value: Any) -> dt.date | None:
    """Neo4j's date as Python's (None stays None)."""
    return None if value is None else value.to_native()


def _organization(r: Row) -> OrganizationNode:
    kind = r["kind"]
    return OrganizationNode(
        r["slug"],
        r["name"],
        r["aliases"] or [],
        None if kind is None else OrganizationKind(kind),
        r["website"],
    )


def _country(r: Row) -> CountryNode:
    return CountryNode(r["code"], r["name"])


def _model(r: Row) -> ModelNode:
    access = r["accessibility"]
    return ModelNode(
        r["slug"],
        r["name"],
        r["aliases"] or [],
        r["parameters"],
        r["trainingComputeFlop"],
        r["modalities"] or [],
        None if access is None else Accessibility(access),
        _date(r["releasedOn"]),
    )


def _release(r: Row) -> ReleaseNode:
    return ReleaseNode(r["slug"], r["title"], _date(r["date"]), r["channel"])


def _benchmark(r: Row) -> BenchmarkNode:
    better = r["higherIsBetter"]
    return BenchmarkNode(
        r["slug"], r["name"], r["category"], r["metric"], True if better is None else better
    )


def _claim(r: Row) -> ClaimNode:
    return ClaimNode(
        r["id"],
        ClaimKind(r["kind"]),
        r["statement"],
        r["score"],
        _date(r["madeOn"]),
        ClaimStatus(r["status"] or "ASSERTED"),
        r["againstScore"],
        ClaimVerdict(r["verdict"]) if r["verdict"] else None,
    )


def _result(r: Row) -> ResultNode:
    return ResultNode(
        r["id"],
        r["score"],
        _date(r["measuredOn"]),
        r["evaluator"],
        MeasuredBy(r["measuredBy"]) if r["measuredBy"] else None,
        r["selfReported"],
    )


def _event(r: Row) -> MarketEventNode:
    return MarketEventNode(
        r["id"],
        EventKind(r["kind"]),
        r["date"].to_native(),
        r["description"],
        r["magnitude"],
        r["unit"],
    )


def _source(r: Row) -> SourceNode:
    return SourceNode(r["url"], r["title"], r["publisher"], r["author"], _date(r["publishedOn"]))
