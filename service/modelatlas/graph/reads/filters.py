"""`where` arguments: what each list is filtered by, and the fixed predicate each field becomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Final, LiteralString, get_type_hints

from modelatlas.domain import (
    DERIVED_PREFIX,
    Accessibility,
    ClaimKind,
    ClaimStatus,
    ClaimVerdict,
    EventKind,
    MeasuredBy,
    OrganizationKind,
    country_key,
    slugify,
)
from modelatlas.graph.reads.errors import InvalidArgument

if TYPE_CHECKING:
    from modelatlas.graph.reads.kinds import _Kind


def _text(value: Any) -> str:
    return str(value).lower()


def _slug(value: Any) -> str:
    try:
        return slugify(str(value))
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


def _code(value: Any) -> str:
    return country_key(str(value))


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


def _in(prop: LiteralString) -> _Filter:
    return _Filter("n." + prop + " IN $f_" + prop, _values)


def _by(condition: _Filter, description: str) -> Any:
    """A `where` field: unset by default, carrying its predicate and what it means (the GraphQL
    input's field and its description are generated from it, api/filters.py)."""
    return field(default=None, metadata={"filter": condition, "description": description})


_NAME: Final = "Case-insensitive substring of the name or of an alias."
_INCLUSIVE: Final = "Inclusive."
_ANY: Final = "Any of these."


@dataclass(frozen=True, slots=True)
class OrganizationWhere:
    """Which organizations to list; every field given must hold."""

    name_contains: str | None = _by(_NAME_CONTAINS, _NAME)
    country: str | None = _by(
        _linked("-[:BASED_IN]->(:Country {code: $f_country})", _code), "ISO code, e.g. CN."
    )
    kind: tuple[OrganizationKind, ...] | None = _by(_in("kind"), "Any of these kinds.")
    part_of: str | None = _by(
        _linked("-[:PART_OF]->(:Organization {slug: $f_part_of})", _slug),
        "Slug of the parent organization.",
    )


@dataclass(frozen=True, slots=True)
class CountryWhere:
    """Which countries to list."""

    name_contains: str | None = _by(
        _Filter("toLower(n.name) CONTAINS $f_name_contains", _text),
        "Case-insensitive substring of the name.",
    )


@dataclass(frozen=True, slots=True)
class ModelWhere:
    """Which models to list; every field given must hold."""

    name_contains: str | None = _by(_NAME_CONTAINS, _NAME)
    organization: str | None = _by(
        _linked("<-[:DEVELOPED]-(:Organization {slug: $f_organization})", _slug),
        "Slug of a developer.",
    )
    country: str | None = _by(
        _linked("<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->(:Country {code: $f_country})", _code),
        "ISO code of a developer's country.",
    )
    accessibility: tuple[Accessibility, ...] | None = _by(_in("accessibility"), _ANY)
    modality: str | None = _by(_Filter("$f_modality IN n.modalities", _text), "e.g. text, image.")
    released_from: dt.date | None = _by(_Filter("n.releasedOn >= $f_released_from"), _INCLUSIVE)
    released_to: dt.date | None = _by(_Filter("n.releasedOn <= $f_released_to"), _INCLUSIVE)
    derived_from: str | None = _by(
        _linked("-[:DERIVED_FROM]->(:Model {slug: $f_derived_from})", _slug),
        "Slug of a model it directly derives from.",
    )
    variant_of: str | None = _by(
        _linked("-[:VARIANT_OF]->(:Model {slug: $f_variant_of})", _slug),
        "Slug of the model it is a variant of.",
    )


@dataclass(frozen=True, slots=True)
class ReleaseWhere:
    """Which releases to list."""

    organization: str | None = _by(
        _linked("-[:ANNOUNCED_BY]->(:Organization {slug: $f_organization})", _slug),
        "Slug of the announcing organization.",
    )
    model: str | None = _by(
        _linked("-[:INTRODUCED]->(:Model {slug: $f_model})", _slug),
        "Slug of an introduced model.",
    )
    date_from: dt.date | None = _by(_Filter("n.date >= $f_date_from"), _INCLUSIVE)
    date_to: dt.date | None = _by(_Filter("n.date <= $f_date_to"), _INCLUSIVE)


@dataclass(frozen=True, slots=True)
class BenchmarkWhere:
    """Which benchmarks to list."""

    name_contains: str | None = _by(_NAME_CONTAINS, _NAME)
    category: str | None = _by(
        _Filter("toLower(n.category) CONTAINS $f_category", _text),
        "Case-insensitive substring of the category.",
    )


@dataclass(frozen=True, slots=True)
class ClaimWhere:
    """Which claims to list: by kind, claimant, subject, compared models and their countries,
    benchmark and date (claimantCountry: CN with againstDeveloperCountry: US finds Chinese
    organizations' claims against U.S. models)."""

    kind: tuple[ClaimKind, ...] | None = _by(_in("kind"), _ANY)
    status: tuple[ClaimStatus, ...] | None = _by(_in("status"), _ANY)
    verdict: tuple[ClaimVerdict, ...] | None = _by(
        _in("verdict"), "Any of these verdicts of independent results."
    )
    derived: bool | None = _by(
        _Filter("(n.id STARTS WITH '" + DERIVED_PREFIX + "') = $f_derived"),
        "true: derived from a report's table by the import; false: curated or written through "
        "the API.",
    )
    claimant: str | None = _by(
        _linked("-[:CLAIMED_BY]->(:Organization {slug: $f_claimant})", _slug),
        "Slug of the organization that made the claim.",
    )
    claimant_country: str | None = _by(
        _linked(
            "-[:CLAIMED_BY]->(:Organization)-[:BASED_IN]->(:Country {code: $f_claimant_country})",
            _code,
        ),
        "ISO code of the claimant's country.",
    )
    subject: str | None = _by(
        _linked("-[:SUBJECT]->(:Model {slug: $f_subject})", _slug),
        "Slug of the model the claim is about.",
    )
    subject_developer_country: str | None = _by(
        _linked(
            "-[:SUBJECT]->(:Model)<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->"
            "(:Country {code: $f_subject_developer_country})",
            _code,
        ),
        "ISO code of a country a developer of the subject is in.",
    )
    against: str | None = _by(
        _linked("-[:AGAINST]->(:Model {slug: $f_against})", _slug),
        "Slug of a model it compares against.",
    )
    against_developer_country: str | None = _by(
        _linked(
            "-[:AGAINST]->(:Model)<-[:DEVELOPED]-(:Organization)-[:BASED_IN]->"
            "(:Country {code: $f_against_developer_country})",
            _code,
        ),
        "ISO code of a country a developer of a compared model is in.",
    )
    benchmark: str | None = _by(
        _linked("-[:ON]->(:Benchmark {slug: $f_benchmark})", _slug), "Slug of the benchmark."
    )
    made_on_from: dt.date | None = _by(_Filter("n.madeOn >= $f_made_on_from"), _INCLUSIVE)
    made_on_to: dt.date | None = _by(_Filter("n.madeOn <= $f_made_on_to"), _INCLUSIVE)


@dataclass(frozen=True, slots=True)
class ResultWhere:
    """Which results to list."""

    model: str | None = _by(
        _linked("-[:OF]->(:Model {slug: $f_model})", _slug), "Slug of the model."
    )
    benchmark: str | None = _by(
        _linked("-[:ON]->(:Benchmark {slug: $f_benchmark})", _slug), "Slug of the benchmark."
    )
    evaluator: str | None = _by(
        _Filter("toLower(n.evaluator) CONTAINS $f_evaluator", _text),
        "Case-insensitive substring of the evaluator.",
    )
    measured_by: tuple[MeasuredBy, ...] | None = _by(
        _Filter("n.measuredBy IN $f_measured_by", _values), "Any of these measurers."
    )
    self_reported: bool | None = _by(
        _Filter("n.selfReported = $f_self_reported"),
        "true: the model's developer reported it; false: someone else measured it.",
    )
    measured_on_from: dt.date | None = _by(
        _Filter("n.measuredOn >= $f_measured_on_from"), _INCLUSIVE
    )
    measured_on_to: dt.date | None = _by(_Filter("n.measuredOn <= $f_measured_on_to"), _INCLUSIVE)


@dataclass(frozen=True, slots=True)
class MarketEventWhere:
    """Which market events to list."""

    kind: tuple[EventKind, ...] | None = _by(_in("kind"), _ANY)
    organization: str | None = _by(
        _linked("-[:AFFECTED]->(:Organization {slug: $f_organization})", _slug),
        "Slug of an affected organization.",
    )
    country: str | None = _by(
        _linked("-[:AFFECTED]->(:Organization)-[:BASED_IN]->(:Country {code: $f_country})", _code),
        "ISO code of an affected organization's country.",
    )
    model: str | None = _by(
        _Filter(
            "(EXISTS { (n)-[:ATTRIBUTED_TO]->(:Model {slug: $f_model}) } OR "
            "EXISTS { (n)-[:ATTRIBUTED_TO]->(:Release)-[:INTRODUCED]->"
            "(:Model {slug: $f_model}) })",
            _slug,
        ),
        "Slug of a model it is attributed to (directly or by release).",
    )
    date_from: dt.date | None = _by(_Filter("n.date >= $f_date_from"), _INCLUSIVE)
    date_to: dt.date | None = _by(_Filter("n.date <= $f_date_to"), _INCLUSIVE)


@dataclass(frozen=True, slots=True)
class SourceWhere:
    """Which sources to list."""

    publisher: str | None = _by(
        _Filter("toLower(n.publisher) CONTAINS $f_publisher", _text),
        "Case-insensitive substring of the publisher.",
    )
    title_contains: str | None = _by(
        _Filter("toLower(n.title) CONTAINS $f_title_contains", _text),
        "Case-insensitive substring of the title.",
    )
    published_from: dt.date | None = _by(_Filter("n.publishedOn >= $f_published_from"), _INCLUSIVE)
    published_to: dt.date | None = _by(_Filter("n.publishedOn <= $f_published_to"), _INCLUSIVE)


@dataclass(frozen=True, slots=True)
class WhereField:
    """One field of a *Where type, for the API to generate its input from: the Python type
    (resolved), what it means, and whether it takes an entity's key (a GraphQL ID)."""

    name: str
    annotation: Any
    description: str
    takes_key: bool


def _check_declared(where: type[Any]) -> None:
    """Every field of a *Where type must be declared with `_by` (it has nothing to run else)."""
    for item in fields(where):
        if "filter" not in item.metadata:
            raise TypeError(
                f"{where.__name__}.{item.name} is declared without _by(predicate, description)"
            )


def where_fields(where: type[Any]) -> tuple[WhereField, ...]:
    """The fields of a *Where type in declaration order (the one declaration of a filter)."""
    hints = get_type_hints(where)
    _check_declared(where)
    return tuple(
        WhereField(
            item.name,
            hints[item.name],
            item.metadata["description"],
            item.metadata["filter"].prepare is _slug,
        )
        for item in fields(where)
    )


def filters_of(where: type[Any] | None) -> Mapping[str, _Filter]:
    """Field name -> its predicate, for the kind table (kinds.py)."""
    if where is None:
        return {}
    _check_declared(where)
    return {item.name: item.metadata["filter"] for item in fields(where)}


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
