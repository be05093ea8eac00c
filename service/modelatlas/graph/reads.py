"""Every read of the graph: lookups, keyset pages, relationship batches and the headline questions.

Each statement is assembled once from fixed fragments (labels, relationship patterns, sort
expressions and filter predicates come from the tables below, never from user text) and
cached; user values only ever travel as parameters. Neo4j shapes every result with map
projections, so Python only turns rows into the frozen dataclasses defined here.

Pagination is keyset-based: a cursor holds the ordering's name, the row's sort value and its
natural key, so a page that follows a cursor starts after that row whatever was inserted
before it. Relationship reads take many parent keys at once (``UNWIND $keys``), which is what
keeps a GraphQL request's round trips bounded by its depth rather than by its row count.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar, Final, Generic, LiteralString, TypeVar
from urllib.parse import urlsplit

import orjson

from modelatlas.domain import (
    DERIVED_PREFIX,
    Accessibility,
    ClaimKind,
    ClaimStatus,
    ClaimVerdict,
    EventKind,
    MeasuredBy,
    OrganizationKind,
    shorten,
    slugify,
)
from modelatlas.graph.core import Graph, Row

T = TypeVar("T")

DEFAULT_PAGE_SIZE: Final = 20
MAX_PAGE_SIZE: Final = 100
MAX_PATH_HOPS: Final = 10
MAX_WITHIN_DAYS: Final = 3660
MAX_SEARCH_TEXT: Final = 500
"""Longer search text is refused: Lucene fails on a prefix of 1000 characters or on more
than 1024 clauses, and no name is anywhere near that long."""

# --------------------------------------------------------------------------- errors


class ReadError(Exception):
    """A read that cannot be answered as asked; ``extensions`` carries a GraphQL error code."""

    code: ClassVar[str] = "BAD_USER_INPUT"

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        """Keep the message and, when one argument is to blame, its name."""
        super().__init__(message)
        self.argument = argument

    @property
    def extensions(self) -> dict[str, Any]:
        """What GraphQL reports next to the message (graphql-core copies this attribute)."""
        found: dict[str, Any] = {"code": self.code}
        if self.argument is not None:
            found["argument"] = self.argument
        return found


class InvalidArgument(ReadError, ValueError):
    """An argument is out of range or malformed (a page size over 100, a foreign cursor)."""


class NotFound(ReadError, LookupError):
    """The entity a question is about does not exist."""

    code: ClassVar[str] = "NOT_FOUND"


# --------------------------------------------------------------------------- node views


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


# --------------------------------------------------------------------------- filters


def _text(value: Any) -> str:
    return str(value).lower()


def _slug(value: Any) -> str:
    try:
        return slugify(str(value))
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


def _code(value: Any) -> str:
    return str(value).strip().upper()


def _values(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    return [str(v) for v in items]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class _Filter:
    """One `where` field: a predicate over `n` reading `$f_<field>`, and how to prepare it;
    `anchor`, when set, is a path from `n` to a node found by its key that a page of all nodes
    can start from instead of testing every node of the kind."""

    predicate: LiteralString
    prepare: Callable[[Any], Any] = _same
    anchor: LiteralString | None = None


def _linked(path: LiteralString, prepare: Callable[[Any], Any]) -> _Filter:
    """A filter on a path from `n` (written after `(n)`) to one node given by its key. A root
    page starts from that node (a unique-index seek, then its relationships): starting from an
    index on `n` and testing each node for the path measured ~60x slower on 100k claims."""
    return _Filter("EXISTS { (n)" + path + " }", prepare, anchor=path)


_NAME_CONTAINS: Final = _Filter(
    "(toLower(n.name) CONTAINS $f_name_contains OR "
    "any(a IN coalesce(n.aliases, []) WHERE toLower(a) CONTAINS $f_name_contains))",
    _text,
)


@dataclass(frozen=True, slots=True)
class OrganizationWhere:
    """Which organizations to list; every field given must hold."""

    name_contains: str | None = None
    country: str | None = None
    kind: tuple[OrganizationKind, ...] | None = None
    part_of: str | None = None


@dataclass(frozen=True, slots=True)
class CountryWhere:
    """Which countries to list."""

    name_contains: str | None = None


@dataclass(frozen=True, slots=True)
class ModelWhere:
    """Which models to list; every field given must hold."""

    name_contains: str | None = None
    organization: str | None = None
    country: str | None = None
    accessibility: tuple[Accessibility, ...] | None = None
    modality: str | None = None
    released_from: dt.date | None = None
    released_to: dt.date | None = None
    derived_from: str | None = None
    variant_of: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseWhere:
    """Which releases to list."""

    organization: str | None = None
    model: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class BenchmarkWhere:
    """Which benchmarks to list."""

    name_contains: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimWhere:
    """Which claims to list, including by who made them and whom they compare against."""

    kind: tuple[ClaimKind, ...] | None = None
    status: tuple[ClaimStatus, ...] | None = None
    verdict: tuple[ClaimVerdict, ...] | None = None
    derived: bool | None = None
    claimant: str | None = None
    claimant_country: str | None = None
    subject: str | None = None
    subject_developer_country: str | None = None
    against: str | None = None
    against_developer_country: str | None = None
    benchmark: str | None = None
    made_on_from: dt.date | None = None
    made_on_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ResultWhere:
    """Which results to list."""

    model: str | None = None
    benchmark: str | None = None
    evaluator: str | None = None
    measured_by: tuple[MeasuredBy, ...] | None = None
    self_reported: bool | None = None
    measured_on_from: dt.date | None = None
    measured_on_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class MarketEventWhere:
    """Which market events to list."""

    kind: tuple[EventKind, ...] | None = None
    organization: str | None = None
    country: str | None = None
    model: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SourceWhere:
    """Which sources to list."""

    publisher: str | None = None
    title_contains: str | None = None
    published_from: dt.date | None = None
    published_to: dt.date | None = None


# --------------------------------------------------------------------------- orderings


class OrganizationOrder(StrEnum):
    """How to sort organizations."""

    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


class CountryOrder(StrEnum):
    """How to sort countries."""

    NAME_ASC = "NAME_ASC"
    CODE_ASC = "CODE_ASC"


class ModelOrder(StrEnum):
    """How to sort models; unknown dates and sizes come last either way."""

    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    RELEASED_ON_ASC = "RELEASED_ON_ASC"
    RELEASED_ON_DESC = "RELEASED_ON_DESC"
    PARAMETERS_ASC = "PARAMETERS_ASC"
    PARAMETERS_DESC = "PARAMETERS_DESC"


class ReleaseOrder(StrEnum):
    """How to sort releases."""

    DATE_DESC = "DATE_DESC"
    DATE_ASC = "DATE_ASC"


class BenchmarkOrder(StrEnum):
    """How to sort benchmarks."""

    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


class ClaimOrder(StrEnum):
    """How to sort claims; undated claims come last either way."""

    MADE_ON_DESC = "MADE_ON_DESC"
    MADE_ON_ASC = "MADE_ON_ASC"


class ResultOrder(StrEnum):
    """How to sort results."""

    MEASURED_ON_DESC = "MEASURED_ON_DESC"
    MEASURED_ON_ASC = "MEASURED_ON_ASC"
    SCORE_DESC = "SCORE_DESC"
    SCORE_ASC = "SCORE_ASC"


class MarketEventOrder(StrEnum):
    """How to sort market events."""

    DATE_DESC = "DATE_DESC"
    DATE_ASC = "DATE_ASC"


class SourceOrder(StrEnum):
    """How to sort sources."""

    PUBLISHED_ON_DESC = "PUBLISHED_ON_DESC"
    PUBLISHED_ON_ASC = "PUBLISHED_ON_ASC"
    URL_ASC = "URL_ASC"


@dataclass(frozen=True, slots=True)
class _Order:
    """A sort expression over `n` (never null: sentinels put unknown values last)."""

    expr: LiteralString
    desc: bool
    value: str  # "text" | "date" | "int" | "float": how a cursor's sort value is decoded


_LATEST: Final = "date('9999-12-31')"
_EARLIEST: Final = "date('0001-01-01')"


def _by_name() -> dict[str, _Order]:
    return {
        "NAME_ASC": _Order("toLower(n.name)", False, "text"),
        "NAME_DESC": _Order("toLower(n.name)", True, "text"),
    }


def _by_date(prop: LiteralString, prefix: LiteralString) -> dict[str, _Order]:
    return {
        prefix + "_DESC": _Order("coalesce(n." + prop + ", " + _EARLIEST + ")", True, "date"),
        prefix + "_ASC": _Order("coalesce(n." + prop + ", " + _LATEST + ")", False, "date"),
    }


# --------------------------------------------------------------------------- kinds


@dataclass(frozen=True, slots=True)
class _Kind:
    """Everything the read layer knows about one node label (all fixed text)."""

    label: LiteralString
    key: LiteralString
    projection: LiteralString  # a map projection body, prefixed with a variable name
    build: Callable[[Row], Any]
    where: type[Any] | None
    filters: Mapping[str, _Filter]
    orders: Mapping[str, _Order]
    default_order: str


def _in(prop: LiteralString) -> _Filter:
    return _Filter("n." + prop + " IN $f_" + prop, _values)


KINDS: Final[dict[str, _Kind]] = {
    "Organization": _Kind(
        "Organization",
        "slug",
        "{.slug, .name, .aliases, .kind, .website}",
        _organization,
        OrganizationWhere,
        {
            "name_contains": _NAME_CONTAINS,
            "country": _linked("-[:BASED_IN]->(:Country {code: $f_country})", _code),
            "kind": _in("kind"),
            "part_of": _linked("-[:PART_OF]->(:Organization {slug: $f_part_of})", _slug),
        },
        _by_name(),
        "NAME_ASC",
    ),
    "Country": _Kind(
        "Country",
        "code",
        "{.code, .name}",
        _country,
        CountryWhere,
        {"name_contains": _Filter("toLower(n.name) CONTAINS $f_name_contains", _text)},
        {
            "NAME_ASC": _Order("toLower(coalesce(n.name, n.code))", False, "text"),
            "CODE_ASC": _Order("n.code", False, "text"),
        },
        "NAME_ASC",
    ),
    "Model": _Kind(
        "Model",
        "slug",
        "{.slug, .name, .aliases, .parameters, .trainingComputeFlop, .modalities, "
        ".accessibility, .releasedOn}",
        _model,
        ModelWhere,
        {
            "name_contains": _NAME_CONTAINS,
            "organization": _linked(
                "<-[:DEVELOPED]-(:Organization {slug: $f_organization})", _slug
            ),
            "country": _linked(
                "<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->(:Country {code: $f_country})", _code
            ),
            "accessibility": _in("accessibility"),
            "modality": _Filter("$f_modality IN n.modalities", _text),
            "released_from": _Filter("n.releasedOn >= $f_released_from"),
            "released_to": _Filter("n.releasedOn <= $f_released_to"),
            "derived_from": _linked("-[:DERIVED_FROM]->(:Model {slug: $f_derived_from})", _slug),
            "variant_of": _linked("-[:VARIANT_OF]->(:Model {slug: $f_variant_of})", _slug),
        },
        {
            **_by_name(),
            **_by_date("releasedOn", "RELEASED_ON"),
            "PARAMETERS_DESC": _Order("coalesce(n.parameters, -1)", True, "int"),
            "PARAMETERS_ASC": _Order("coalesce(n.parameters, 9223372036854775807)", False, "int"),
        },
        "NAME_ASC",
    ),
    "Release": _Kind(
        "Release",
        "slug",
        "{.slug, .title, .date, .channel}",
        _release,
        ReleaseWhere,
        {
            "organization": _linked(
                "-[:ANNOUNCED_BY]->(:Organization {slug: $f_organization})", _slug
            ),
            "model": _linked("-[:INTRODUCED]->(:Model {slug: $f_model})", _slug),
            "date_from": _Filter("n.date >= $f_date_from"),
            "date_to": _Filter("n.date <= $f_date_to"),
        },
        _by_date("date", "DATE"),
        "DATE_DESC",
    ),
    "Benchmark": _Kind(
        "Benchmark",
        "slug",
        "{.slug, .name, .category, .metric, .higherIsBetter}",
        _benchmark,
        BenchmarkWhere,
        {
            "name_contains": _NAME_CONTAINS,
            "category": _Filter("toLower(n.category) CONTAINS $f_category", _text),
        },
        _by_name(),
        "NAME_ASC",
    ),
    "Claim": _Kind(
        "Claim",
        "id",
        "{.id, .kind, .statement, .score, .madeOn, .status, .againstScore, .verdict}",
        _claim,
        ClaimWhere,
        {
            "kind": _in("kind"),
            "status": _in("status"),
            "verdict": _in("verdict"),
            "derived": _Filter("(n.id STARTS WITH '" + DERIVED_PREFIX + "') = $f_derived"),
            "claimant": _linked("-[:CLAIMED_BY]->(:Organization {slug: $f_claimant})", _slug),
            "claimant_country": _linked(
                "-[:CLAIMED_BY]->(:Organization)-[:BASED_IN]->"
                "(:Country {code: $f_claimant_country})",
                _code,
            ),
            "subject": _linked("-[:SUBJECT]->(:Model {slug: $f_subject})", _slug),
            "subject_developer_country": _linked(
                "-[:SUBJECT]->(:Model)<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->"
                "(:Country {code: $f_subject_developer_country})",
                _code,
            ),
            "against": _linked("-[:AGAINST]->(:Model {slug: $f_against})", _slug),
            "against_developer_country": _linked(
                "-[:AGAINST]->(:Model)<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->"
                "(:Country {code: $f_against_developer_country})",
                _code,
            ),
            "benchmark": _linked("-[:ON]->(:Benchmark {slug: $f_benchmark})", _slug),
            "made_on_from": _Filter("n.madeOn >= $f_made_on_from"),
            "made_on_to": _Filter("n.madeOn <= $f_made_on_to"),
        },
        _by_date("madeOn", "MADE_ON"),
        "MADE_ON_DESC",
    ),
    "Result": _Kind(
        "Result",
        "id",
        "{.id, .score, .measuredOn, .evaluator, .measuredBy, .selfReported}",
        _result,
        ResultWhere,
        {
            "model": _linked("-[:OF]->(:Model {slug: $f_model})", _slug),
            "benchmark": _linked("-[:ON]->(:Benchmark {slug: $f_benchmark})", _slug),
            "evaluator": _Filter("toLower(n.evaluator) CONTAINS $f_evaluator", _text),
            "measured_by": _Filter("n.measuredBy IN $f_measured_by", _values),
            "self_reported": _Filter("n.selfReported = $f_self_reported"),
            "measured_on_from": _Filter("n.measuredOn >= $f_measured_on_from"),
            "measured_on_to": _Filter("n.measuredOn <= $f_measured_on_to"),
        },
        {
            **_by_date("measuredOn", "MEASURED_ON"),
            "SCORE_DESC": _Order("n.score", True, "float"),
            "SCORE_ASC": _Order("n.score", False, "float"),
        },
        "MEASURED_ON_DESC",
    ),
    "MarketEvent": _Kind(
        "MarketEvent",
        "id",
        "{.id, .kind, .date, .description, .magnitude, .unit}",
        _event,
        MarketEventWhere,
        {
            "kind": _in("kind"),
            "organization": _linked("-[:AFFECTED]->(:Organization {slug: $f_organization})", _slug),
            "country": _linked(
                "-[:AFFECTED]->(:Organization)-[:BASED_IN]->(:Country {code: $f_country})", _code
            ),
            "model": _Filter(
                "(EXISTS { (n)-[:ATTRIBUTED_TO]->(:Model {slug: $f_model}) } OR "
                "EXISTS { (n)-[:ATTRIBUTED_TO]->(:Release)-[:INTRODUCED]->"
                "(:Model {slug: $f_model}) })",
                _slug,
            ),
            "date_from": _Filter("n.date >= $f_date_from"),
            "date_to": _Filter("n.date <= $f_date_to"),
        },
        _by_date("date", "DATE"),
        "DATE_DESC",
    ),
    "Source": _Kind(
        "Source",
        "url",
        "{.url, .title, .publisher, .author, .publishedOn}",
        _source,
        SourceWhere,
        {
            "publisher": _Filter("toLower(n.publisher) CONTAINS $f_publisher", _text),
            "title_contains": _Filter("toLower(n.title) CONTAINS $f_title_contains", _text),
            "published_from": _Filter("n.publishedOn >= $f_published_from"),
            "published_to": _Filter("n.publishedOn <= $f_published_to"),
        },
        {**_by_date("publishedOn", "PUBLISHED_ON"), "URL_ASC": _Order("n.url", False, "text")},
        "PUBLISHED_ON_DESC",
    ),
}
"""Label -> what is read of it, how it is filtered and sorted (the allow-list)."""


def _project(kind: _Kind, var: LiteralString, prefetch: Prefetch = ()) -> LiteralString:
    """`var`'s map projection, plus under `_with` (by position) the nodes of each prefetched
    relationship or the page of each connection read along (each with its own read-along
    relationships): one statement instead of one per level."""
    if not prefetch:
        return var + kind.projection
    entries: list[LiteralString] = []
    for index, (entry, nested) in enumerate(prefetch):
        inner: LiteralString = var + "_" + _position(index)
        if isinstance(entry, PageAlong):
            value = _page_along(entry, var, inner, nested)
        elif isinstance(entry, LineageAlong):
            value = _lineage_along(entry, var, inner)
        else:
            value = _nodes_along(entry, var, inner, nested)
        entries.append("`" + _position(index) + "`: " + value)
    return var + kind.projection[:-1] + ", _with: {" + ", ".join(entries) + "}}"


def _position(index: int) -> LiteralString:
    """An entry's name in `_with` and its variable's suffix (digits, not user text)."""
    return str(index)


def _nodes_along(
    relation_name: str, var: LiteralString, inner: LiteralString, nested: Prefetch
) -> LiteralString:
    """A relationship's nodes under `var`, sorted by key, each with its own read along."""
    relation = RELATIONS[relation_name]
    child = KINDS[relation.child]
    return (
        "COLLECT { MATCH " + _pattern(relation, var, inner) + " WITH DISTINCT " + inner
        + " RETURN " + _project(child, inner, nested) + " AS x ORDER BY " + inner + "."
        + child.key + " }"
    )  # fmt: skip


def _pattern(relation: _Relation, parent: LiteralString, child: LiteralString) -> LiteralString:
    """The relationship's pattern from `parent` to `child` (its text names them p and n)."""
    return relation.pattern.replace("(p)", "(" + parent + ")").replace("(n:", "(" + child + ":")


_OVER_N: Final = re.compile(r"\bn\.")


def _page_along(
    along: PageAlong, var: LiteralString, inner: LiteralString, nested: Prefetch
) -> LiteralString:
    """A connection's page under `var` as {rows: up to first+1 sorted {node, sk, key}, total}
    (what one parent's batch of read_related_pages holds), first+1 in $<inner>_limit."""
    relation = RELATIONS[along.relation]
    child = KINDS[relation.child]
    order = child.orders[along.order]
    match: LiteralString = "MATCH " + _pattern(relation, var, inner) + " WITH DISTINCT " + inner
    sort_key: LiteralString = inner + "_sk"
    expr: LiteralString = _OVER_N.sub(inner + ".", order.expr)
    direction: LiteralString = "DESC" if order.desc else "ASC"
    rows: LiteralString = (
        "COLLECT { " + match + " WITH " + inner + ", " + expr + " AS " + sort_key
        + " ORDER BY " + sort_key + " " + direction + ", " + inner + "." + child.key
        + " ASC LIMIT $" + inner + "_limit RETURN {node: " + _project(child, inner, nested)
        + ", sk: " + sort_key + ", key: " + inner + "." + child.key + "} AS x }"
    )  # fmt: skip
    return "{rows: " + rows + ", total: COUNT { " + match + " RETURN " + inner + " }}"


def _lineage_along(along: LineageAlong, var: LiteralString, inner: LiteralString) -> LiteralString:
    """A model's lineage under `var` as {rows: up to first+1 {entry, sk, tk}, total} (what one
    model's batch of read_lineage holds), first+1 in $<inner>_limit, maxDepth in
    $<inner>_maxDepth."""
    pattern = _LINEAGE_PATTERNS[along.direction].replace("(p)", "(" + var + ")")
    depth: LiteralString = inner + "_depth"
    entries: LiteralString = inner + "_entries"
    found = (
        "COLLECT { MATCH path = SHORTEST 1 " + pattern.replace("(n:", "(" + inner + ":")
        + " WITH " + inner + ", length(path) AS " + depth
        + " WHERE " + inner + " <> " + var + " AND ($" + inner + "_maxDepth IS NULL OR "
        + depth + " <= $" + inner + "_maxDepth)"
        + " RETURN {entry: {model: " + inner + KINDS["Model"].projection + ", depth: " + depth
        + "}, sk: " + depth + ", tk: " + inner + ".slug} AS x ORDER BY x.sk ASC, x.tk ASC }"
    )  # fmt: skip
    return (
        "[" + entries + " IN [" + found + "] | {total: size(" + entries + "), rows: "
        + entries + "[0..$" + inner + "_limit]}][0]"
    )  # fmt: skip


def along_parameters(prefetch: Prefetch, var: str = "n") -> dict[str, int | None]:
    """The page sizes (first+1) and depths a statement's read-along pages and lineages take,
    by parameter name."""
    parameters: dict[str, int | None] = {}
    for index, (entry, nested) in enumerate(prefetch):
        inner = var + "_" + _position(index)
        if isinstance(entry, PageAlong | LineageAlong):
            parameters[inner + "_limit"] = entry.first + 1
        if isinstance(entry, LineageAlong):
            parameters[inner + "_maxDepth"] = entry.max_depth
        parameters.update(along_parameters(nested, inner))
    return parameters


def _build(kind_name: str, prefetch: Prefetch, row: Row) -> Any:
    """A node view from its projection, with what was read along attached: under each
    relationship's name its nodes, under each PageAlong its page."""
    node = KINDS[kind_name].build(row)
    if not prefetch:
        return node
    read = row["_with"]
    prefetched: dict[str | Along, Any] = {}
    for index, (entry, nested) in enumerate(prefetch):
        found = read[_position(index)]
        if isinstance(entry, PageAlong):
            build = _builder(RELATIONS[entry.relation].child, nested)
            prefetched[entry] = _page(
                found["rows"], entry.first, None, found["total"], entry.order, build
            )
        elif isinstance(entry, LineageAlong):
            prefetched[entry] = _lineage_page(found, entry.direction, entry.first, None)
        else:
            child = RELATIONS[entry].child
            prefetched[entry] = [_build(child, nested, item) for item in found]
    return replace(node, prefetched=prefetched)


def _builder(kind_name: str, prefetch: Prefetch) -> Callable[[Row], Any]:
    if not prefetch:
        return KINDS[kind_name].build
    return lambda row: _build(kind_name, prefetch, row)


# --------------------------------------------------------------------------- relationships


@dataclass(frozen=True, slots=True)
class _Relation:
    """A relationship field: from parent `p` to child `n` (fixed pattern text)."""

    parent: str
    pattern: LiteralString
    child: str


RELATIONS: Final[dict[str, _Relation]] = {
    # Organization
    "Organization.country": _Relation("Organization", "(p)-[:BASED_IN]->(n:Country)", "Country"),
    "Organization.parent": _Relation(
        "Organization", "(p)-[:PART_OF]->(n:Organization)", "Organization"
    ),
    "Organization.parts": _Relation(
        "Organization", "(p)<-[:PART_OF]-(n:Organization)", "Organization"
    ),
    "Organization.partners": _Relation(
        "Organization", "(p)-[:PARTNER_OF]-(n:Organization)", "Organization"
    ),
    "Organization.models": _Relation("Organization", "(p)-[:DEVELOPED]->(n:Model)", "Model"),
    "Organization.claims": _Relation("Organization", "(p)<-[:CLAIMED_BY]-(n:Claim)", "Claim"),
    "Organization.releases": _Relation(
        "Organization", "(p)<-[:ANNOUNCED_BY]-(n:Release)", "Release"
    ),
    "Organization.events": _Relation(
        "Organization", "(p)<-[:AFFECTED]-(n:MarketEvent)", "MarketEvent"
    ),
    # Country
    "Country.organizations": _Relation(
        "Country", "(p)<-[:BASED_IN]-(n:Organization)", "Organization"
    ),
    # Model
    "Model.developers": _Relation("Model", "(p)<-[:DEVELOPED]-(n:Organization)", "Organization"),
    "Model.claims": _Relation("Model", "(p)<-[:SUBJECT]-(n:Claim)", "Claim"),
    "Model.claimsAgainst": _Relation("Model", "(p)<-[:AGAINST]-(n:Claim)", "Claim"),
    "Model.results": _Relation("Model", "(p)<-[:OF]-(n:Result)", "Result"),
    "Model.releases": _Relation("Model", "(p)<-[:INTRODUCED]-(n:Release)", "Release"),
    "Model.derivedFrom": _Relation("Model", "(p)-[:DERIVED_FROM]->(n:Model)", "Model"),
    "Model.variantOf": _Relation("Model", "(p)-[:VARIANT_OF]->(n:Model)", "Model"),
    "Model.variants": _Relation("Model", "(p)<-[:VARIANT_OF]-(n:Model)", "Model"),
    "Model.events": _Relation("Model", "(p)<-[:ATTRIBUTED_TO]-(n:MarketEvent)", "MarketEvent"),
    # Release
    "Release.announcedBy": _Relation(
        "Release", "(p)-[:ANNOUNCED_BY]->(n:Organization)", "Organization"
    ),
    "Release.introduced": _Relation("Release", "(p)-[:INTRODUCED]->(n:Model)", "Model"),
    "Release.events": _Relation("Release", "(p)<-[:ATTRIBUTED_TO]-(n:MarketEvent)", "MarketEvent"),
    "Release.sources": _Relation("Release", "(p)-[:CITED_IN]->(n:Source)", "Source"),
    # Benchmark
    "Benchmark.claims": _Relation("Benchmark", "(p)<-[:ON]-(n:Claim)", "Claim"),
    "Benchmark.results": _Relation("Benchmark", "(p)<-[:ON]-(n:Result)", "Result"),
    # Claim
    "Claim.claimant": _Relation("Claim", "(p)-[:CLAIMED_BY]->(n:Organization)", "Organization"),
    "Claim.subject": _Relation("Claim", "(p)-[:SUBJECT]->(n:Model)", "Model"),
    "Claim.against": _Relation("Claim", "(p)-[:AGAINST]->(n:Model)", "Model"),
    "Claim.benchmark": _Relation("Claim", "(p)-[:ON]->(n:Benchmark)", "Benchmark"),
    "Claim.sources": _Relation("Claim", "(p)-[:CITED_IN]->(n:Source)", "Source"),
    # Result
    "Result.model": _Relation("Result", "(p)-[:OF]->(n:Model)", "Model"),
    "Result.benchmark": _Relation("Result", "(p)-[:ON]->(n:Benchmark)", "Benchmark"),
    "Result.sources": _Relation("Result", "(p)-[:CITED_IN]->(n:Source)", "Source"),
    # MarketEvent
    "MarketEvent.affected": _Relation(
        "MarketEvent", "(p)-[:AFFECTED]->(n:Organization)", "Organization"
    ),
    "MarketEvent.attributedToModels": _Relation(
        "MarketEvent", "(p)-[:ATTRIBUTED_TO]->(n:Model)", "Model"
    ),
    "MarketEvent.attributedToReleases": _Relation(
        "MarketEvent", "(p)-[:ATTRIBUTED_TO]->(n:Release)", "Release"
    ),
    "MarketEvent.sources": _Relation("MarketEvent", "(p)-[:CITED_IN]->(n:Source)", "Source"),
    # Source (what cites it)
    "Source.claims": _Relation("Source", "(p)<-[:CITED_IN]-(n:Claim)", "Claim"),
    "Source.results": _Relation("Source", "(p)<-[:CITED_IN]-(n:Result)", "Result"),
    "Source.releases": _Relation("Source", "(p)<-[:CITED_IN]-(n:Release)", "Release"),
    "Source.events": _Relation("Source", "(p)<-[:CITED_IN]-(n:MarketEvent)", "MarketEvent"),
}
"""Relationship field name -> fixed pattern: the only relationships reads traverse."""

CITED_KINDS: Final = ("Release", "Claim", "Result", "MarketEvent")


def _relation(name: str) -> _Relation:
    try:
        return RELATIONS[name]
    except KeyError:
        raise InvalidArgument(f"unknown relationship field {name!r}") from None


def _kind(name: str) -> _Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidArgument(f"unknown kind {name!r}") from None


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class PageInfo:
    """Where a page sits: whether more follow, and the cursors at its ends."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class Edge(Generic[T]):
    """One row of a page with the cursor that resumes after it (made when asked for: most
    queries select no cursor, and a nested query can hold hundreds of edges)."""

    node: T
    order: str
    sort_value: Any
    key: str

    @property
    def cursor(self) -> str:
        """The opaque cursor that resumes after this row."""
        return encode_cursor(self.order, self.sort_value, self.key)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A slice of a sorted list; `total_count` is None when it was not asked for."""

    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None

    @property
    def nodes(self) -> list[T]:
        """The rows without their cursors."""
        return [edge.node for edge in self.edges]


@dataclass(frozen=True, slots=True)
class PageAlong:
    """A connection read along with each parent in the parent's statement: its first `first`
    nodes in the ordering named `order` (no filter, no cursor), and how many there are in all
    (always: sorting them all to cut the page costs more than counting them, and one entry then
    serves every selection of the field with these arguments). Make one with page_along."""

    relation: str
    order: str
    first: int


def page_along(relation_name: str, request: PageRequest) -> PageAlong | None:
    """The PageAlong that reads what read_related_pages reads for `request` (checked as it
    checks it), or None for a request it cannot (a filter or a cursor)."""
    if request.after is not None or request.where is not None:
        return None
    relation = _relation(relation_name)
    check_first(request.first, relation_name.split(".")[-1])
    order_name, _ = _order(KINDS[relation.child], request.order)
    return PageAlong(relation_name, order_name, request.first)


@dataclass(frozen=True, slots=True)
class LineageAlong:
    """A model's lineage read along with it in its statement: the first `first` entries
    within `max_depth`, nearest first, and how many in all (no cursor). Make one with
    lineage_along."""

    direction: LineageDirection
    max_depth: int | None
    first: int


def lineage_along(direction: LineageDirection, max_depth: int | None, first: int) -> LineageAlong:
    """The LineageAlong that reads what read_lineage reads (checked as it checks them)."""
    _check_lineage(direction, max_depth, first)
    return LineageAlong(LineageDirection(direction), max_depth, first)


Along = PageAlong | LineageAlong
"""A paged field read along with its parent."""

Prefetch = tuple[tuple["str | Along", "Prefetch"], ...]
"""What to read along with each node in its statement: relationship fields (RELATIONS names),
connection pages (PageAlong) and lineages (LineageAlong, of models), each with what to read
along with its own nodes: e.g. (("Model.developers", (("Organization.country", ()),)),)."""

Prefetched = Mapping["str | Along", Any]
"""What a node came with: the nodes of each relationship (a list) by name, the page of each
PageAlong or LineageAlong by it."""

MAX_PREFETCH_DEPTH: Final = 3
"""How many levels of relationships one statement reads at most."""
MAX_PREFETCH_BRANCHES: Final = 16
"""How many relationships, pages and lineages one statement reads along at most, all levels
counted. Neo4j plans a statement in time that grows with its subqueries, faster than linearly:
on a cold plan cache (2 cores) 12 of them took 0.3 s, 37 1.2 s, 69 2.6 s, and a lookup of 404
(cost 12,811 of 50,000) planned past the 10 s transaction timeout, so it failed on every
request. A wider selection reads its shallower levels along and the rest per level."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page to read: size, resume point, ordering, filter, and whether to count all."""

    first: int = DEFAULT_PAGE_SIZE
    after: str | None = None
    order: str | None = None
    where: Any = None
    total: bool = True
    prefetch: Prefetch = ()


def check_first(first: int, connection: str = "this") -> None:
    """Refuse page sizes outside 0..100 the way GitHub's API does."""
    if first > MAX_PAGE_SIZE:
        raise InvalidArgument(
            f"Requesting {first} records on the `{connection}` connection exceeds the `first` "
            f"limit of {MAX_PAGE_SIZE} records.",
            argument="first",
        )
    if first < 0:
        raise InvalidArgument("`first` must not be negative.", argument="first")


def _json_value(value: Any) -> Any:
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def encode_cursor(order: str, sort_value: Any, key: str) -> str:
    """An opaque cursor: the ordering's name, the row's sort value and its natural key."""
    raw = orjson.dumps([order, _json_value(sort_value), key])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, order: str, value: str) -> tuple[Any, str]:
    """(sort value, key) of a cursor made for this ordering; InvalidArgument otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, sort_value, key = orjson.loads(raw)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise InvalidArgument(f"{cursor!r} is not a valid cursor", argument="after") from None
    if name != order or not isinstance(key, str):
        raise InvalidArgument(
            f"cursor {cursor!r} belongs to another ordering or list", argument="after"
        )
    try:
        if value == "date":
            sort_value = dt.date.fromisoformat(sort_value)
        elif value == "int":
            sort_value = int(sort_value)
        elif value == "float":
            sort_value = float(sort_value)
        elif not isinstance(sort_value, str):
            raise TypeError
    except (TypeError, ValueError):
        raise InvalidArgument(f"{cursor!r} is not a valid cursor", argument="after") from None
    return sort_value, key


def _page(
    rows: Sequence[Row],
    first: int,
    after: str | None,
    total: int | None,
    order: str,
    build: Callable[[Any], T],
    entry: str = "node",
    key: str = "key",
) -> Page[T]:
    """Turn up to first+1 sorted rows ({entry, sk, key}) into a page."""
    shown = rows[:first]
    edges = [Edge(build(row[entry]), order, row["sk"], row[key]) for row in shown]
    info = PageInfo(
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Page(edges, info, total)


def _where(kind: _Kind, where: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The names of the filters in use and their parameters."""
    if where is None:
        return (), {}
    if kind.where is None or not isinstance(where, kind.where):
        expected = kind.where.__name__ if kind.where else "nothing"
        raise InvalidArgument(f"a {kind.label} filter must be a {expected}", argument="where")
    names: list[str] = []
    params: dict[str, Any] = {}
    for item in fields(where):
        value = getattr(where, item.name)
        if value is None:
            continue
        names.append(item.name)
        params["f_" + item.name] = kind.filters[item.name].prepare(value)
    return tuple(names), params


def _order(kind: _Kind, order: str | None) -> tuple[str, _Order]:
    name = str(order) if order is not None else kind.default_order
    try:
        return name, kind.orders[name]
    except KeyError:
        raise InvalidArgument(
            f"{kind.label} lists cannot be ordered by {name!r}", argument="orderBy"
        ) from None


def _root_match(kind: _Kind, filters: tuple[str, ...]) -> tuple[LiteralString, tuple[str, ...]]:
    """The MATCH binding `n` to the nodes of a kind, and the filters left to test on them: from
    the node the first anchored filter names (a unique-index seek, then its relationships)
    when a filter has an anchor, else from the label."""
    anchored = [name for name in filters if kind.filters[name].anchor is not None]
    if not anchored:
        return "MATCH (n:" + kind.label + ")\n", filters
    anchor = kind.filters[anchored[0]].anchor or ""
    rest = tuple(name for name in filters if name != anchored[0])
    return "MATCH (n:" + kind.label + ")" + anchor + "\nWITH DISTINCT n\n", rest


@lru_cache(maxsize=1024)
def _page_statement(
    kind_name: str,
    relation_name: str | None,
    filters: tuple[str, ...],
    order_name: str,
    resume: bool,
    total: bool,
    prefetch: Prefetch = (),
) -> LiteralString:
    """One keyset page of a kind, at the root or under each of many parents (UNWIND $keys)."""
    kind = KINDS[kind_name]
    order = kind.orders[order_name]
    if relation_name is None:
        head: LiteralString = ""
        scope: LiteralString = "()"
        match, filters = _root_match(kind, filters)
    else:
        relation = RELATIONS[relation_name]
        parent = KINDS[relation.parent]
        head = (
            "UNWIND $keys AS key\nOPTIONAL MATCH (p:"
            + parent.label
            + " {"
            + parent.key
            + ": key})\n"
        )
        scope = "(p)"
        match = "MATCH " + relation.pattern + "\nWITH DISTINCT n\n"
    predicates = [kind.filters[name].predicate for name in filters]
    where: LiteralString = ("WHERE " + " AND ".join(predicates) + "\n") if predicates else ""
    direction: LiteralString = "DESC" if order.desc else "ASC"
    cursor: LiteralString = ""
    if resume:
        cursor = (
            "WHERE sk " + ("<" if order.desc else ">") + " $afterSk OR "
            "(sk = $afterSk AND n." + kind.key + " > $afterKey)\n"
        )
    page = (
        "CALL " + scope + " {\n" + match + where
        + "WITH n, " + order.expr + " AS sk\n" + cursor
        + "ORDER BY sk " + direction + ", n." + kind.key + " ASC\nLIMIT $limit\n"
        + "RETURN collect({node: " + _project(kind, "n", prefetch) + ", sk: sk, key: n." + kind.key
        + "}) AS rows\n}\n"
    )  # fmt: skip
    counted: LiteralString = ""
    if total:
        counted = "CALL " + scope + " {\n" + match + where + "RETURN count(n) AS total\n}\n"
    totalled: LiteralString = "total" if total else "null"
    if relation_name is None:
        return head + page + counted + "RETURN rows, " + totalled + " AS total"
    # One row for all parents: per-record overhead dwarfs the query itself for 1,000 parents.
    return (
        head + page + counted
        + "RETURN collect({key: key, rows: rows, total: " + totalled + "}) AS batches"
    )  # fmt: skip


def _prepare(
    kind: _Kind, request: PageRequest, connection: str
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """Validate a page request: (ordering name, filters in use, parameters)."""
    check_first(request.first, connection)
    filters, params = _where(kind, request.where)
    order_name, order = _order(kind, request.order)
    params["limit"] = request.first + 1
    if request.after is not None:
        params["afterSk"], params["afterKey"] = decode_cursor(
            request.after, order_name, order.value
        )
    return order_name, filters, params


async def read_page(graph: Graph, kind_name: str, request: PageRequest) -> Page[Any]:
    """A page of all nodes of a kind, filtered and sorted (one round trip)."""
    kind = _kind(kind_name)
    order_name, filters, params = _prepare(kind, request, kind_name)
    statement = _page_statement(
        kind_name,
        None,
        filters,
        order_name,
        request.after is not None,
        request.total,
        request.prefetch,
    )
    rows = await graph.read(statement, params | along_parameters(request.prefetch))
    row = rows[0]
    build = _builder(kind_name, request.prefetch)
    return _page(row["rows"], request.first, request.after, row["total"], order_name, build)


async def read_related_pages(
    graph: Graph, relation_name: str, keys: Sequence[str], request: PageRequest
) -> dict[str, Page[Any]]:
    """A page of one relationship field under each parent key (one round trip for all)."""
    relation = _relation(relation_name)
    kind = KINDS[relation.child]
    order_name, filters, params = _prepare(kind, request, relation_name.split(".")[-1])
    statement = _page_statement(
        relation.child,
        relation_name,
        filters,
        order_name,
        request.after is not None,
        request.total,
        request.prefetch,
    )
    params["keys"] = list(keys)
    rows = await graph.read(statement, params | along_parameters(request.prefetch))
    build = _builder(relation.child, request.prefetch)
    return {
        batch["key"]: _page(
            batch["rows"], request.first, request.after, batch["total"], order_name, build
        )
        for batch in rows[0]["batches"]
    }


@lru_cache(maxsize=1024)
def _related_statement(relation_name: str, prefetch: Prefetch = ()) -> LiteralString:
    relation = RELATIONS[relation_name]
    parent, child = KINDS[relation.parent], KINDS[relation.child]
    return (
        "UNWIND $keys AS key\nOPTIONAL MATCH (p:" + parent.label + " {" + parent.key + ": key})\n"
        "RETURN collect({key: key, nodes: COLLECT { MATCH " + relation.pattern + " WITH DISTINCT n "
        "RETURN " + _project(child, "n", prefetch) + " AS node ORDER BY n." + child.key
        + " }}) AS batches"
    )  # fmt: skip


async def read_related(
    graph: Graph, relation_name: str, keys: Sequence[str], prefetch: Prefetch = ()
) -> dict[str, list[Any]]:
    """All nodes of one relationship field under each parent key, by key (one round trip),
    each with the relationships `prefetch` names read along."""
    relation = _relation(relation_name)
    build = _builder(relation.child, prefetch)
    rows = await graph.read(
        _related_statement(relation_name, prefetch),
        {"keys": list(keys)} | along_parameters(prefetch),
    )
    return {batch["key"]: [build(node) for node in batch["nodes"]] for batch in rows[0]["batches"]}


@lru_cache(maxsize=16)
def _citations_statement(kind_name: str) -> LiteralString:
    kind = KINDS[kind_name]
    return (
        "UNWIND $keys AS key\nOPTIONAL MATCH (p:" + kind.label + " {" + kind.key + ": key})\n"
        "RETURN collect({key: key, citations: COLLECT { MATCH (p)-[c:CITED_IN]->(n:Source) "
        "RETURN {source: " + _project(KINDS["Source"], "n") + ", "
        "date: coalesce(c.date, c.madeOn, c.measuredOn), score: c.score, "
        "magnitude: c.magnitude} AS citation ORDER BY n.url }}) AS batches"
    )  # fmt: skip


def _citation(row: Row) -> Citation:
    return Citation(_source(row["source"]), _date(row["date"]), row["score"], row["magnitude"])


async def read_citations(
    graph: Graph, kind_name: str, keys: Sequence[str]
) -> dict[str, list[Citation]]:
    """Each fact's sources with the per-source date, score and magnitude (one round trip)."""
    if kind_name not in CITED_KINDS:
        raise InvalidArgument(f"{kind_name} nodes cite no sources")
    rows = await graph.read(_citations_statement(kind_name), {"keys": list(keys)})
    return {b["key"]: [_citation(c) for c in b["citations"]] for b in rows[0]["batches"]}


@lru_cache(maxsize=1024)
def _nodes_statement(kind_name: str, prefetch: Prefetch = ()) -> LiteralString:
    kind = KINDS[kind_name]
    return (
        "UNWIND $keys AS key MATCH (n:" + kind.label + " {" + kind.key + ": key}) "
        "RETURN collect({key: key, node: " + _project(kind, "n", prefetch) + "}) AS found"
    )


async def read_nodes(
    graph: Graph, kind_name: str, keys: Sequence[str], prefetch: Prefetch = ()
) -> dict[str, Any]:
    """Nodes of one kind by natural key (keys that match nothing are left out), each with the
    relationships `prefetch` names read along."""
    _kind(kind_name)
    build = _builder(kind_name, prefetch)
    rows = await graph.read(
        _nodes_statement(kind_name, prefetch), {"keys": list(keys)} | along_parameters(prefetch)
    )
    return {found["key"]: build(found["node"]) for found in rows[0]["found"]}


def normalise_key(kind_name: str, key: str) -> str:
    """The stored form of a natural key as a user may type it ("GPT-4o" -> "gpt-4o")."""
    kind = _kind(kind_name)
    if kind.key == "code":
        return _code(key)
    if kind.key == "url":
        return _source_key(key)
    return _slug(key)


def _source_key(url: str) -> str:
    """Lower-case an http(s) URL's scheme and host as writes do; other keys stay as given."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and url[len(scheme) : len(scheme) + 3] == "://":
        rest = url[len(scheme) + 3 + len(parts.netloc) :]
        return f"{scheme}://{parts.netloc.lower()}{rest}"
    if scheme == "urn":
        head, _, tail = url.partition(":")[2].partition(":")
        return f"urn:{head.lower()}:{tail}"
    return url


# --------------------------------------------------------------------------- analytic lists

# An analytic list is a COLLECT subquery yielding {entry, sk, tk} maps sorted by (sk, tk), with
# `found` saying whether the thing asked about exists; these tails page through it.
_TAIL_ASC: Final = """
RETURN found, size(entries) AS total,
  [x IN entries WHERE $afterTk IS NULL OR x.sk > $afterSk
     OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit] AS rows
"""
_TAIL_DESC: Final = """
RETURN found, size(entries) AS total,
  [x IN entries WHERE $afterTk IS NULL OR x.sk < $afterSk
     OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit] AS rows
"""


async def _analytic_page(
    graph: Graph,
    statement: LiteralString,
    params: dict[str, Any],
    *,
    name: str,
    value: str,
    first: int,
    after: str | None,
    build: Callable[[Row], T],
    missing: str | None = None,
) -> Page[T]:
    check_first(first, name)
    params["limit"] = first + 1
    params["afterSk"] = params["afterTk"] = None
    if after is not None:
        params["afterSk"], params["afterTk"] = decode_cursor(after, name, value)
    rows = await graph.read(statement, params)
    row = rows[0]
    if missing is not None and not row["found"]:
        raise NotFound(missing)
    return _page(row["rows"], first, after, row["total"], name, build, entry="entry", key="tk")


def _shaped(statement: LiteralString) -> LiteralString:
    """Replace `@Kind` after a variable with that kind's map projection (`m@Model`)."""
    for name in sorted(KINDS, key=len, reverse=True):
        statement = statement.replace("@" + name, KINDS[name].projection)
    return statement


# ---- models claimed to beat


@dataclass(frozen=True, slots=True)
class BeatClaim:
    """A claim that a model beat the one asked about (or one of its variants)."""

    claim: ClaimNode
    subject: ModelNode
    claimant: OrganizationNode
    beaten: list[ModelNode]
    against: list[ModelNode]
    benchmark: BenchmarkNode | None
    date: dt.date | None
    sources: list[SourceNode]

    @property
    def statement(self) -> str:
        """What was said, as recorded."""
        return self.claim.statement

    @property
    def score(self) -> float | None:
        """The score claimed, when the claim gives one."""
        return self.claim.score


_BEATEN: Final = _shaped(
    """
OPTIONAL MATCH (target:Model {slug: $model})
WITH target, target IS NOT NULL AS found,
     CASE WHEN target IS NULL THEN []
          WHEN $includeVariants
            THEN [target] + COLLECT { MATCH (v:Model)-[:VARIANT_OF]->+(target)
                                      WHERE v <> target RETURN DISTINCT v }
          ELSE [target] END AS targets
WITH found, targets, COLLECT {
  UNWIND targets AS t
  MATCH (c:Claim)-[:AGAINST]->(t)
  WHERE c.kind IN $kinds
    AND ($benchmark IS NULL OR EXISTS { (c)-[:ON]->(:Benchmark {slug: $benchmark}) })
    AND ($claimant IS NULL OR EXISTS { (c)-[:CLAIMED_BY]->(:Organization {slug: $claimant}) })
  WITH c, collect(DISTINCT t) AS beaten
  WITH c, beaten, coalesce(c.madeOn, COLLECT {
         MATCH (c)-[ci:CITED_IN]->(src:Source)
         WITH coalesce(ci.madeOn, src.publishedOn) AS d WHERE d IS NOT NULL
         RETURN d ORDER BY d LIMIT 1 }[0]) AS madeOn
  WHERE ($since IS NULL OR madeOn >= $since) AND ($until IS NULL OR madeOn <= $until)
  MATCH (c)-[:SUBJECT]->(s:Model), (c)-[:CLAIMED_BY]->(o:Organization)
  OPTIONAL MATCH (c)-[:ON]->(b:Benchmark)
  RETURN {entry: {claim: c@Claim, subject: s@Model, claimant: o@Organization,
                  benchmark: b@Benchmark, date: madeOn, beaten: [t IN beaten | t@Model],
                  against: COLLECT { MATCH (c)-[:AGAINST]->(m:Model)
                                     RETURN m@Model AS m ORDER BY m.slug },
                  sources: COLLECT { MATCH (c)-[:CITED_IN]->(src:Source)
                                     RETURN src@Source AS src ORDER BY src.url }},
          sk: coalesce(madeOn, date('0001-01-01')), tk: c.id} AS x
  ORDER BY x.sk DESC, x.tk ASC
} AS entries
"""
    + _TAIL_DESC
)


def _beat_claim(r: Row) -> BeatClaim:
    benchmark = r["benchmark"]
    return BeatClaim(
        claim=_claim(r["claim"]),
        subject=_model(r["subject"]),
        claimant=_organization(r["claimant"]),
        beaten=[_model(m) for m in r["beaten"]],
        against=[_model(m) for m in r["against"]],
        benchmark=None if benchmark is None else _benchmark(benchmark),
        date=_date(r["date"]),
        sources=[_source(s) for s in r["sources"]],
    )


async def models_claimed_to_beat(
    graph: Graph,
    model: str,
    *,
    include_variants: bool = False,
    benchmark: str | None = None,
    claimant: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kinds: Iterable[ClaimKind] = (ClaimKind.OUTPERFORMS,),
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Page[BeatClaim]:
    """Claims that some model beat `model` (and, if asked, any of its variants), newest first.

    A claim's date is its own, else the earliest date a source gives for it; dateless claims
    come last and drop out when `since` or `until` is given.
    """
    slug = _slug(model)
    params: dict[str, Any] = {
        "model": slug,
        "includeVariants": include_variants,
        "benchmark": None if benchmark is None else _slug(benchmark),
        "claimant": None if claimant is None else _slug(claimant),
        "since": since,
        "until": until,
        "kinds": _values(kinds),
    }
    return await _analytic_page(
        graph,
        _BEATEN,
        params,
        name="modelsClaimedToBeat",
        value="date",
        first=first,
        after=after,
        build=_beat_claim,
        missing=f"no model {slug!r}",
    )


# ---- events after a release


@dataclass(frozen=True, slots=True)
class EventAfterRelease:
    """A market event within some days of a model's release."""

    event: MarketEventNode
    released_on: dt.date
    days_after: int
    attributed: bool


_EVENTS_AFTER: Final = _shaped(
    """
OPTIONAL MATCH (m:Model {slug: $model})
WITH m, m IS NOT NULL AS found,
     coalesce(m.releasedOn, COLLECT {
       MATCH (m)<-[:INTRODUCED]-(r:Release) WHERE r.date IS NOT NULL
       RETURN r.date AS d ORDER BY d LIMIT 1 }[0]) AS released
WITH found, COLLECT {
  MATCH (e:MarketEvent)
  WHERE released IS NOT NULL AND e.date >= released
    AND e.date <= released + duration({days: $withinDays})
    AND ($kinds IS NULL OR e.kind IN $kinds)
  WITH e, released, (EXISTS { (e)-[:ATTRIBUTED_TO]->(m) }
       OR EXISTS { (e)-[:ATTRIBUTED_TO]->(:Release)-[:INTRODUCED]->(m) }) AS attributed
  WHERE attributed OR NOT $attributedOnly
  RETURN {entry: {event: e@MarketEvent, releasedOn: released, attributed: attributed,
                  daysAfter: duration.inDays(released, e.date).days},
          sk: e.date, tk: e.id} AS x
  ORDER BY x.sk ASC, x.tk ASC
} AS entries
"""
    + _TAIL_ASC
)


def _event_after(r: Row) -> EventAfterRelease:
    return EventAfterRelease(
        _event(r["event"]), r["releasedOn"].to_native(), r["daysAfter"], r["attributed"]
    )


async def events_after_release(
    graph: Graph,
    model: str,
    within_days: int = 30,
    *,
    attributed_only: bool = False,
    kinds: Iterable[EventKind] | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Page[EventAfterRelease]:
    """Market events from a model's release day to `within_days` after, in date order.

    The release day is the model's `releasedOn`, else its earliest dated release.
    """
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InvalidArgument(
            f"`withinDays` must be between 0 and {MAX_WITHIN_DAYS}", argument="withinDays"
        )
    slug = _slug(model)
    params: dict[str, Any] = {
        "model": slug,
        "withinDays": within_days,
        "attributedOnly": attributed_only,
        "kinds": None if kinds is None else _values(kinds),
    }
    return await _analytic_page(
        graph,
        _EVENTS_AFTER,
        params,
        name="eventsAfterRelease",
        value="date",
        first=first,
        after=after,
        build=_event_after,
        missing=f"no model {slug!r}",
    )


# ---- lineage


@dataclass(frozen=True, slots=True)
class LineageEntry:
    """A model derived from (or an ancestor of) another, `depth` DERIVED_FROM steps away."""

    model: ModelNode
    depth: int


class LineageDirection(StrEnum):
    """Which way along DERIVED_FROM to walk."""

    DESCENDANTS = "DESCENDANTS"
    ANCESTORS = "ANCESTORS"


def _lineage_statement(pattern: LiteralString) -> LiteralString:
    """Descendants or ancestors of each model in $keys, nearest (shortest path) first."""
    return _shaped(
        """
UNWIND $keys AS key
OPTIONAL MATCH (p:Model {slug: key})
WITH key, COLLECT {
  MATCH path = SHORTEST 1 """
        + pattern
        + """
  WITH n, length(path) AS depth
  WHERE n <> p AND ($maxDepth IS NULL OR depth <= $maxDepth)
  RETURN {entry: {model: n@Model, depth: depth}, sk: depth, tk: n.slug} AS x
  ORDER BY x.sk ASC, x.tk ASC
} AS entries
RETURN collect({key: key, total: size(entries),
  rows: [x IN entries WHERE $afterTk IS NULL OR x.sk > $afterSk
           OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit]}) AS batches
"""
    )


_LINEAGE_PATTERNS: Final[dict[LineageDirection, LiteralString]] = {
    LineageDirection.DESCENDANTS: "(p)<-[:DERIVED_FROM]-+(n:Model)",
    LineageDirection.ANCESTORS: "(p)-[:DERIVED_FROM]->+(n:Model)",
}
_LINEAGE: Final[dict[LineageDirection, LiteralString]] = {
    direction: _lineage_statement(pattern) for direction, pattern in _LINEAGE_PATTERNS.items()
}


def _lineage_entry(r: Row) -> LineageEntry:
    return LineageEntry(_model(r["model"]), r["depth"])


async def read_lineage(
    graph: Graph,
    keys: Sequence[str],
    direction: LineageDirection,
    *,
    max_depth: int | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> dict[str, Page[LineageEntry]]:
    """Each model's descendants or ancestors at any depth, nearest first (one round trip)."""
    name = _check_lineage(direction, max_depth, first)
    params: dict[str, Any] = {
        "keys": list(keys),
        "maxDepth": max_depth,
        "limit": first + 1,
        "afterSk": None,
        "afterTk": None,
    }
    if after is not None:
        params["afterSk"], params["afterTk"] = decode_cursor(after, name, "int")
    rows = await graph.read(_LINEAGE[LineageDirection(direction)], params)
    return {
        batch["key"]: _lineage_page(batch, direction, first, after) for batch in rows[0]["batches"]
    }


def _check_lineage(direction: LineageDirection, max_depth: int | None, first: int) -> str:
    """Refuse a lineage page read_lineage would refuse; the field's name (its cursors')."""
    name = _lineage_name(direction)
    check_first(first, name)
    if max_depth is not None and max_depth < 1:
        raise InvalidArgument("`maxDepth` must be at least 1", argument="maxDepth")
    return name


def _lineage_page(
    found: Row, direction: LineageDirection, first: int, after: str | None
) -> Page[LineageEntry]:
    """One model's lineage page from its {rows, total}."""
    name = _lineage_name(direction)
    return _page(found["rows"], first, after, found["total"], name, _lineage_entry, "entry", "tk")


def _lineage_name(direction: LineageDirection) -> str:
    """The lineage field's name, which its cursors carry."""
    return "derivedModels" if direction == LineageDirection.DESCENDANTS else "ancestors"


# ---- entity references (path, timeline)

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
        prefix + "code": key.upper(),
        prefix + "url": _source_key(key),
    }


# The subject of a timeline: an organization, else a model.
_RESOLVE_SUBJECT: Final = """COLLECT { CALL () {
  MATCH (n:Organization {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Organization'
  RETURN n, 0 AS rank
  UNION ALL
  MATCH (n:Model {slug: $r_slug}) WHERE $r_kind IS NULL OR $r_kind = 'Model' RETURN n, 1 AS rank
} RETURN n ORDER BY rank LIMIT 1 }[0]"""

_KEY_OF: Final = "coalesce(n.slug, n.id, n.code, n.url)"
_NAME_OF: Final = "coalesce(n.name, n.title, n.statement, n.description, n.url)"


# ---- shortest path


class RelationshipType(StrEnum):
    """The relationship types of the graph model, for restricting a path search."""

    BASED_IN = "BASED_IN"
    PART_OF = "PART_OF"
    PARTNER_OF = "PARTNER_OF"
    DEVELOPED = "DEVELOPED"
    DERIVED_FROM = "DERIVED_FROM"
    VARIANT_OF = "VARIANT_OF"
    ANNOUNCED_BY = "ANNOUNCED_BY"
    INTRODUCED = "INTRODUCED"
    CLAIMED_BY = "CLAIMED_BY"
    SUBJECT = "SUBJECT"
    AGAINST = "AGAINST"
    ON = "ON"
    OF = "OF"
    AFFECTED = "AFFECTED"
    ATTRIBUTED_TO = "ATTRIBUTED_TO"
    CITED_IN = "CITED_IN"


class Direction(StrEnum):
    """Which way a relationship points relative to the walk along a path."""

    OUTGOING = "OUTGOING"
    INCOMING = "INCOMING"


@dataclass(frozen=True, slots=True)
class PathNode:
    """A node on a path: its kind (label), natural key and display name."""

    kind: str
    key: str
    name: str | None


@dataclass(frozen=True, slots=True)
class PathStep:
    """One hop: the relationship crossed, its direction, and the node reached."""

    relationship: RelationshipType
    direction: Direction
    node: PathNode


@dataclass(frozen=True, slots=True)
class GraphPath:
    """A shortest path as typed steps from `start`."""

    start: PathNode
    steps: list[PathStep]

    @property
    def hops(self) -> int:
        """The number of relationships crossed."""
        return len(self.steps)

    @property
    def end(self) -> PathNode:
        """The node the path reaches."""
        return self.steps[-1].node if self.steps else self.start


@lru_cache(maxsize=512)
def _path_statement(hops: int, types: tuple[str, ...] | None) -> LiteralString:
    """The shortest-path statement for a hop bound and a set of relationship types (None: any).

    The types are written into the pattern (`-[:A|B]-{0,6}`), not filtered per relationship
    with a parameter: Neo4j then expands only those types, where a filter made it walk every
    relationship (CITED_IN fans out widely) and measured ~50x slower. Types and bounds come
    from fixed tables, so no caller text reaches the statement.
    """
    bound: LiteralString = _HOP_BOUNDS[hops]
    if types is None:
        walk: LiteralString = "SHORTEST 1 (a)-[]-{0," + bound + "}(b)"
    elif not types:
        walk = "SHORTEST 1 (a)(()-[]-() WHERE false){0," + bound + "}(b)"  # zero-length only
    else:
        walk = "SHORTEST 1 (a)-[:" + "|".join(_TYPE_NAMES[t] for t in types) + "]-{0," + bound
        walk += "}(b)"
    return (
        "WITH " + _RESOLVE.replace("$r_", "$a_") + " AS a,\n     "
        + _RESOLVE.replace("$r_", "$b_") + " AS b\n"
        "OPTIONAL MATCH p = " + walk + "\n"
        "RETURN a IS NOT NULL AS foundFrom, b IS NOT NULL AS foundTo,\n"
        "  CASE WHEN p IS NULL THEN null ELSE {\n"
        "    nodes: [n IN nodes(p) | {kind: labels(n)[0], key: " + _KEY_OF + ", name: "
        + _NAME_OF + "}],\n"
        "    rels: [i IN range(0, length(p) - 1) | {type: type(relationships(p)[i]), "
        "outgoing: startNode(relationships(p)[i]) = nodes(p)[i]}]\n"
        "  } END AS path"
    )  # fmt: skip


# Hop bounds are integers from this fixed table, so no caller text reaches the statement.
_HOP_BOUNDS: Final[dict[int, LiteralString]] = {
    1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6", 7: "7", 8: "8", 9: "9", 10: "10",
}  # fmt: skip
_TYPE_NAMES: Final[dict[str, LiteralString]] = {t.value: t.value for t in RelationshipType}


def _path_node(r: Row) -> PathNode:
    return PathNode(r["kind"], r["key"], r["name"])


async def shortest_path(
    graph: Graph,
    source: str,
    target: str,
    *,
    max_hops: int = 6,
    relationships: Iterable[RelationshipType] | None = None,
) -> GraphPath | None:
    """The shortest path between two entities, in either direction; None when none is that short.

    Entities are named "kind:key" ("model:deepseek-r1", "organization:nvidia") or by a plain
    key, tried as organization, model, benchmark, release, claim, result, event, country, source.
    """
    if max_hops not in _HOP_BOUNDS:
        raise InvalidArgument(
            f"`maxHops` must be between 1 and {MAX_PATH_HOPS}", argument="maxHops"
        )
    params = {**_ref_params(source, "a_"), **_ref_params(target, "b_")}
    types = None if relationships is None else tuple(sorted(set(_values(relationships))))
    unknown = [t for t in types or () if t not in _TYPE_NAMES]
    if unknown:
        raise InvalidArgument(
            f"unknown relationship type {shorten(unknown[0])!r}", argument="relationships"
        )
    rows = await graph.read(_path_statement(max_hops, types), params)
    row = rows[0]
    if not row["foundFrom"]:
        raise NotFound(f"nothing is named {source!r}")
    if not row["foundTo"]:
        raise NotFound(f"nothing is named {target!r}")
    path = row["path"]
    if path is None:
        return None
    nodes = [_path_node(n) for n in path["nodes"]]
    steps = [
        PathStep(
            RelationshipType(rel["type"]),
            Direction.OUTGOING if rel["outgoing"] else Direction.INCOMING,
            nodes[i + 1],
        )
        for i, rel in enumerate(path["rels"])
    ]
    return GraphPath(nodes[0], steps)


# ---- timeline


class TimelineKind(StrEnum):
    """What a timeline entry is."""

    RELEASE = "RELEASE"
    CLAIM = "CLAIM"
    RESULT = "RESULT"
    MARKET_EVENT = "MARKET_EVENT"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated (or undated, last) happening in an organization's or model's history."""

    kind: TimelineKind
    date: dt.date | None
    summary: str
    item: ReleaseNode | ClaimNode | ResultNode | MarketEventNode


_RESULT_SUMMARY: Final = (
    "coalesce(COLLECT { MATCH (n)-[:OF]->(x:Model) RETURN x.name }[0], '?') + ' scored ' + "
    "toString(n.score) + ' on ' + "
    "coalesce(COLLECT { MATCH (n)-[:ON]->(x:Benchmark) RETURN x.name }[0], '?')"
)


def _timeline_branch(
    pattern: LiteralString, kind: TimelineKind, date: LiteralString, key: LiteralString
) -> LiteralString:
    projection: LiteralString = {
        TimelineKind.RELEASE: KINDS["Release"].projection,
        TimelineKind.CLAIM: KINDS["Claim"].projection,
        TimelineKind.RESULT: KINDS["Result"].projection,
        TimelineKind.MARKET_EVENT: KINDS["MarketEvent"].projection,
    }[kind]
    summary: LiteralString = {
        TimelineKind.RELEASE: "n.title",
        TimelineKind.CLAIM: "n.statement",
        TimelineKind.RESULT: _RESULT_SUMMARY,
        TimelineKind.MARKET_EVENT: "n.description",
    }[kind]
    return (
        "    MATCH " + pattern + "\n    RETURN '" + kind.value + "' AS kind, n." + date
        + " AS d, n." + key + " AS key, n" + projection + " AS node, " + summary
        + " AS summary\n"
    )  # fmt: skip


_TIMELINE_BRANCHES: Final[tuple[LiteralString, ...]] = (
    _timeline_branch("(o)<-[:ANNOUNCED_BY]-(n:Release)", TimelineKind.RELEASE, "date", "slug"),
    _timeline_branch("(m)<-[:INTRODUCED]-(n:Release)", TimelineKind.RELEASE, "date", "slug"),
    _timeline_branch("(o)<-[:CLAIMED_BY]-(n:Claim)", TimelineKind.CLAIM, "madeOn", "id"),
    _timeline_branch("(m)<-[:SUBJECT|AGAINST]-(n:Claim)", TimelineKind.CLAIM, "madeOn", "id"),
    _timeline_branch(
        "(o)-[:DEVELOPED]->(:Model)<-[:OF]-(n:Result)", TimelineKind.RESULT, "measuredOn", "id"
    ),
    _timeline_branch("(m)<-[:OF]-(n:Result)", TimelineKind.RESULT, "measuredOn", "id"),
    _timeline_branch("(o)<-[:AFFECTED]-(n:MarketEvent)", TimelineKind.MARKET_EVENT, "date", "id"),
    _timeline_branch(
        "(o)-[:DEVELOPED]->(:Model)<-[:ATTRIBUTED_TO]-(n:MarketEvent)",
        TimelineKind.MARKET_EVENT,
        "date",
        "id",
    ),
    _timeline_branch(
        "(o)<-[:ANNOUNCED_BY]-(:Release)<-[:ATTRIBUTED_TO]-(n:MarketEvent)",
        TimelineKind.MARKET_EVENT,
        "date",
        "id",
    ),
    _timeline_branch(
        "(m)<-[:ATTRIBUTED_TO]-(n:MarketEvent)", TimelineKind.MARKET_EVENT, "date", "id"
    ),
    _timeline_branch(
        "(m)<-[:INTRODUCED]-(:Release)<-[:ATTRIBUTED_TO]-(n:MarketEvent)",
        TimelineKind.MARKET_EVENT,
        "date",
        "id",
    ),
)

_TIMELINE: Final = (
    "WITH " + _RESOLVE_SUBJECT + " AS subject\n"
    "WITH subject IS NOT NULL AS found,\n"
    "     CASE WHEN subject:Organization THEN subject END AS o,\n"
    "     CASE WHEN subject:Model THEN subject END AS m\n"
    "WITH found, COLLECT {\n  CALL (o, m) {\n"
    + "    UNION\n".join(_TIMELINE_BRANCHES)
    + "  }\n"
    "  WITH kind, d, key, node, summary\n"
    "  WHERE ($since IS NULL OR d >= $since) AND ($until IS NULL OR d <= $until)\n"
    "  RETURN {entry: {kind: kind, date: d, node: node, summary: summary},\n"
    "          sk: coalesce(d, date('9999-12-31')), tk: kind + ':' + key} AS x\n"
    "  ORDER BY x.sk ASC, x.tk ASC\n"
    "} AS entries\n"
    + _TAIL_ASC
)  # fmt: skip

_TIMELINE_BUILD: Final[dict[str, Callable[[Row], Any]]] = {
    "RELEASE": _release,
    "CLAIM": _claim,
    "RESULT": _result,
    "MARKET_EVENT": _event,
}


def _timeline_entry(r: Row) -> TimelineEntry:
    kind = r["kind"]
    return TimelineEntry(
        TimelineKind(kind), _date(r["date"]), r["summary"], _TIMELINE_BUILD[kind](r["node"])
    )


async def timeline(
    graph: Graph,
    subject: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Page[TimelineEntry]:
    """An organization's or model's releases, claims, results and events in date order.

    For an organization: what it announced, claimed, and was affected by, plus the results of
    and the events attributed to its models. Undated entries come last, and drop out when a
    date range is given. A plain slug names an organization first, else a model.
    """
    params = _ref_params(subject, "r_", allowed=("Organization", "Model"))
    params |= {"since": since, "until": until}
    return await _analytic_page(
        graph,
        _TIMELINE,
        params,
        name="timeline",
        value="date",
        first=first,
        after=after,
        build=_timeline_entry,
        missing=f"no organization or model {subject!r}",
    )


# ---- leaderboard


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    """A model's best result on a benchmark, and its rank (ties share a rank)."""

    rank: int
    model: ModelNode
    result: ResultNode

    @property
    def score(self) -> float:
        """The best score."""
        return self.result.score


_BOARD_TAIL: Final = """
WITH found, entries,
  [x IN entries WHERE $afterTk IS NULL OR x.sk < $afterSk
     OR (x.sk = $afterSk AND x.tk > $afterTk)][0..$limit] AS page
CALL (entries, page) {
  UNWIND page AS x
  WITH entries, x, x.m AS m, x.r AS best
  RETURN collect({sk: x.sk, tk: x.tk, entry: {model: m@Model, result: best@Result,
                  rank: size([y IN entries WHERE y.sk > x.sk]) + 1}}) AS rows
}
"""
_BEST_PER_MODEL: Final = """
  WITH m, r ORDER BY sign * r.score DESC, r.measuredOn ASC, r.id ASC
  WITH m, head(collect(r)) AS best
  RETURN {m: m, r: best, sk: sign * best.score, tk: m.slug} AS x
  ORDER BY x.sk DESC, x.tk ASC
"""
_LEADERBOARD: Final = _shaped(
    """
OPTIONAL MATCH (b:Benchmark {slug: $benchmark})
WITH b, b IS NOT NULL AS found,
     CASE WHEN coalesce(b.higherIsBetter, true) THEN 1.0 ELSE -1.0 END AS sign
WITH found, COLLECT {
  MATCH (b)<-[:ON]-(r:Result)-[:OF]->(m:Model)
  WHERE $asOf IS NULL OR r.measuredOn <= $asOf
"""
    + _BEST_PER_MODEL
    + "} AS entries"
    + _BOARD_TAIL
    + "RETURN found, size(entries) AS total, rows"
)
"""Every model's best result, for any page and the total. Entries keep node references and only
the page is projected: projecting every model with a result first made the statement linear in
projections, not just in comparisons."""

# The first page without a total needs only the models whose best result is good enough: walk
# the benchmark's results best score first (an ordered seek of result_benchmark_score) until
# $limit models are met; the worst of their best scores bounds the page, since every model on
# it has a result at least that good. Only the results within that bound are then ranked, so the
# statement reads about a page of results however many the benchmark has. (Should the walk not
# meet models in score order, the bound is only lower: more results read, the same answer.)
# One branch per direction of "better"; the other one seeks a null benchmark and reads nothing.
# The planner must seek: on a freshly created index it chose whole-index scans (ordered, then
# filtered), hence the SEEK hints; and a model's own results are reached through OF without the
# Result label (only results have OF), so no plan can scan a Result index for them either.
_BOUNDED: Final = """
  MATCH (r:Result) USING INDEX SEEK r:Result(benchmark, score)
  WHERE r.benchmark = CASE WHEN found AND sign {cmp} 0 THEN $benchmark END
    AND r.score IS NOT NULL
  WITH r ORDER BY r.benchmark {dir}, r.score {dir}
  WHERE $asOf IS NULL OR r.measuredOn <= $asOf
  MATCH (r)-[:OF]->(m:Model)
  WITH DISTINCT m LIMIT $limit
  CALL (m) {{
    UNWIND [(m)<-[:OF]-(r) WHERE r.benchmark = $benchmark
            AND ($asOf IS NULL OR r.measuredOn <= $asOf) | r.score] AS score
    RETURN {best}(score) AS best
  }}
  WITH {worst}(best) AS bound
  MATCH (r:Result) USING INDEX SEEK r:Result(benchmark, score)
  WHERE r.benchmark = $benchmark AND r.score {within} bound
    AND ($asOf IS NULL OR r.measuredOn <= $asOf)
  RETURN r
"""
_LEADERBOARD_TOP: Final = _shaped(
    """
OPTIONAL MATCH (b:Benchmark {slug: $benchmark})
WITH b IS NOT NULL AS found,
     CASE WHEN coalesce(b.higherIsBetter, true) THEN 1.0 ELSE -1.0 END AS sign
WITH found, sign, COLLECT {
  CALL (found, sign) {"""
    + _BOUNDED.format(cmp=">", dir="DESC", best="max", worst="min", within=">=")
    + "UNION ALL"
    + _BOUNDED.format(cmp="<", dir="ASC", best="min", worst="max", within="<=")
    + """  }
  MATCH (r)-[:OF]->(m:Model)
"""
    + _BEST_PER_MODEL
    + "} AS entries"
    + _BOARD_TAIL
    + "RETURN found, null AS total, rows"
)


def _leaderboard_entry(r: Row) -> LeaderboardEntry:
    return LeaderboardEntry(r["rank"], _model(r["model"]), _result(r["result"]))


async def leaderboard(
    graph: Graph,
    benchmark: str,
    *,
    as_of: dt.date | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
    count: bool = True,
) -> Page[LeaderboardEntry]:
    """Each model's best result on a benchmark measured by `as_of` (undated ones only without).

    Best respects the benchmark's higherIsBetter; ties are ranked alike and listed by slug.
    Without `count` the total is left out (None), and the first page then costs about a page
    of results rather than every result of the benchmark.
    """
    slug = _slug(benchmark)
    return await _analytic_page(
        graph,
        _LEADERBOARD if count or after is not None else _LEADERBOARD_TOP,
        {"benchmark": slug, "asOf": as_of},
        name="leaderboard",
        value="float",
        first=first,
        after=after,
        build=_leaderboard_entry,
        missing=f"no benchmark {slug!r}",
    )


# ---- aggregates


class CountBy(StrEnum):
    """What to group model counts by."""

    COUNTRY = "COUNTRY"
    ORGANIZATION = "ORGANIZATION"
    YEAR = "YEAR"


@dataclass(frozen=True, slots=True)
class Bucket:
    """One bar of a chart: a group's key (None for unknown), its label and its count."""

    key: str | None
    label: str | None
    count: int


_COUNT_GROUPS: Final[dict[CountBy, LiteralString]] = {
    CountBy.COUNTRY: """
OPTIONAL MATCH (n)<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->(g:Country)
WITH g.code AS key, g.name AS label, count(DISTINCT n) AS count
RETURN key, label, count ORDER BY count DESC, key ASC""",
    CountBy.ORGANIZATION: """
OPTIONAL MATCH (n)<-[:DEVELOPED]-(g:Organization)
WITH g.slug AS key, g.name AS label, count(DISTINCT n) AS count
RETURN key, label, count ORDER BY count DESC, key ASC""",
    CountBy.YEAR: """
WITH toString(n.releasedOn.year) AS key, count(n) AS count
RETURN key, key AS label, count ORDER BY key ASC""",
}


@lru_cache(maxsize=256)
def _count_statement(by: CountBy, filters: tuple[str, ...]) -> LiteralString:
    kind = KINDS["Model"]
    match, rest = _root_match(kind, filters)
    predicates = [kind.filters[name].predicate for name in rest]
    where: LiteralString = ("WHERE " + " AND ".join(predicates)) if predicates else ""
    return match + where + _COUNT_GROUPS[by]


async def model_counts(graph: Graph, by: CountBy, where: ModelWhere | None = None) -> list[Bucket]:
    """How many models per country, organization or release year (unknown as key None).

    A model developed by several organizations counts once for each of them (and each country).
    """
    filters, params = _where(KINDS["Model"], where)
    rows = await graph.read(_count_statement(CountBy(by), filters), params)
    buckets = [Bucket(r["key"], r["label"], r["count"]) for r in rows]
    if by is CountBy.YEAR:  # unknown years last
        buckets.sort(key=lambda b: (b.key is None, b.key or ""))
    return buckets


# ---- full-text search


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
_SEARCH: Final = _shaped(
    "CALL db.index.fulltext.queryNodes('entity_names', $query, {limit: $window}) "
    "YIELD node, score" + _SEARCH_RANK
)
_SEARCH_ALL: Final = _shaped(
    "CALL db.index.fulltext.queryNodes('entity_names', $query) YIELD node, score" + _SEARCH_RANK
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
