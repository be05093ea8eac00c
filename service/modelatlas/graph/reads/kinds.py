"""The allow-list statements are built from: each label's and relationship field's fixed text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, LiteralString

from modelatlas import graph_model
from modelatlas.domain import lookup_key
from modelatlas.graph.core import Row
from modelatlas.graph.reads.errors import InvalidArgument
from modelatlas.graph.reads.filters import (
    BenchmarkWhere,
    ClaimWhere,
    CountryWhere,
    MarketEventWhere,
    ModelWhere,
    OrganizationWhere,
    ReleaseWhere,
    ResultWhere,
    SourceWhere,
    _Filter,
    filters_of,
)
from modelatlas.graph.reads.nodes import (
    _benchmark,
    _claim,
    _country,
    _event,
    _model,
    _organization,
    _release,
    _result,
    _source,
)
from modelatlas.graph.reads.orders import _by_date, _by_name, _Order


@dataclass(frozen=True, slots=True)
class _Kind:
    """Everything the read layer knows about one node label (all fixed text)."""

    label: LiteralString
    key: LiteralString
    projection: LiteralString  # a map projection body, prefixed with a variable name
    build: Callable[[Row], Any]
    where: type[Any] | None  # a *Where dataclass: its fields declare the filters
    orders: Mapping[str, _Order]
    default_order: str
    filters: Mapping[str, _Filter] = field(init=False)  # from the *Where type's declaration

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", filters_of(self.where))


KINDS: Final[dict[str, _Kind]] = {
    "Organization": _Kind(
        "Organization",
        "slug",
        "{.slug, .name, .aliases, .kind, .website}",
        _organization,
        OrganizationWhere,
        _by_name(),
        "NAME_ASC",
    ),
    "Country": _Kind(
        "Country",
        "code",
        "{.code, .name}",
        _country,
        CountryWhere,
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
        _by_date("date", "DATE"),
        "DATE_DESC",
    ),
    "Benchmark": _Kind(
        "Benchmark",
        "slug",
        "{.slug, .name, .category, .metric, .higherIsBetter}",
        _benchmark,
        BenchmarkWhere,
        _by_name(),
        "NAME_ASC",
    ),
    "Claim": _Kind(
        "Claim",
        "id",
        "{.id, .kind, .statement, .score, .madeOn, .status, .againstScore, .verdict}",
        _claim,
        ClaimWhere,
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
        _by_date("date", "DATE"),
        "DATE_DESC",
    ),
    "Source": _Kind(
        "Source",
        "url",
        "{.url, .title, .publisher, .author, .publishedOn}",
        _source,
        SourceWhere,
        {**_by_date("publishedOn", "PUBLISHED_ON"), "URL_ASC": _Order("n.url", False, "text")},
        "PUBLISHED_ON_DESC",
    ),
}
"""Label -> what is read of it, how it is filtered and sorted (the allow-list)."""


# ---- relationships


@dataclass(frozen=True, slots=True)
class _Relation:
    """A relationship field: from parent `p` to child `n` (fixed pattern text)."""

    parent: str
    pattern: LiteralString
    child: str


def _arrow(relationship: graph_model.Relationship, outward: bool) -> LiteralString:
    """The relationship's fixed pattern text from `p`, read from the owner (`outward`) or back
    from the target, to `n`."""
    rel = "[:" + relationship.type + "]"
    if relationship.symmetric:
        return "-" + rel + "-"
    if outward != relationship.incoming:
        return "-" + rel + "->"
    return "<-" + rel + "-"


def _relations() -> dict[str, _Relation]:
    """Each relationship of the graph model as the owner's field and, if reads follow it back,
    the target's."""
    relations: dict[str, _Relation] = {}
    for r in graph_model.RELATIONSHIPS:
        relations[f"{r.owner}.{r.read_field}"] = _Relation(
            r.owner, "(p)" + _arrow(r, True) + "(n:" + r.target + ")", r.target
        )
        if r.reverse is not None:
            relations[f"{r.target}.{r.reverse}"] = _Relation(
                r.target, "(p)" + _arrow(r, False) + "(n:" + r.owner + ")", r.owner
            )
    return relations


RELATIONS: Final[dict[str, _Relation]] = _relations()
"""Relationship field name ("Model.developers") -> fixed pattern: the only relationships
reads traverse, from the graph model (`graph_model.RELATIONSHIPS`)."""

CITED_KINDS: Final = graph_model.CITED_KINDS


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


def _shaped(statement: LiteralString) -> LiteralString:
    """Replace `@Kind` after a variable with that kind's map projection (`m@Model`)."""
    for name in sorted(KINDS, key=len, reverse=True):
        statement = statement.replace("@" + name, KINDS[name].projection)
    return statement


# ---- natural keys


def normalise_key(kind_name: str, key: str) -> str:
    """The stored form of a natural key as a user may type it ("GPT-4o" -> "gpt-4o"), by the
    domain's normaliser of the kind's key type."""
    _kind(kind_name)
    try:
        return lookup_key(kind_name, key)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None
