"""GraphQL `where` inputs and `orderBy` enums, mirroring the read layer's filter dataclasses."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, TypeVar

import strawberry

import modelatlas.api.enums  # noqa: F401 - registers the enums the inputs use
from modelatlas.domain import (
    Accessibility,
    ClaimKind,
    ClaimStatus,
    ClaimVerdict,
    EventKind,
    MeasuredBy,
    OrganizationKind,
)

W = TypeVar("W")

_NAME = "Case-insensitive substring of the name or of an alias."


@strawberry.input(description="Which organizations to list; every field given must hold.")
class OrganizationFilter:
    """Mirrors reads.OrganizationWhere."""

    name_contains: str | None = strawberry.field(default=None, description=_NAME)
    country: str | None = strawberry.field(default=None, description="ISO code, e.g. CN.")
    kind: list[OrganizationKind] | None = strawberry.field(
        default=None, description="Any of these kinds."
    )
    part_of: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of the parent organization."
    )


@strawberry.input(description="Which countries to list.")
class CountryFilter:
    """Mirrors reads.CountryWhere."""

    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name."
    )


@strawberry.input(description="Which models to list; every field given must hold.")
class ModelFilter:
    """Mirrors reads.ModelWhere."""

    name_contains: str | None = strawberry.field(default=None, description=_NAME)
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of a developer."
    )
    country: str | None = strawberry.field(
        default=None, description="ISO code of a developer's country."
    )
    accessibility: list[Accessibility] | None = strawberry.field(
        default=None, description="Any of these."
    )
    modality: str | None = strawberry.field(default=None, description="e.g. text, image.")
    released_from: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    released_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    derived_from: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of a model it directly derives from."
    )
    variant_of: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of the model it is a variant of."
    )


@strawberry.input(description="Which releases to list.")
class ReleaseFilter:
    """Mirrors reads.ReleaseWhere."""

    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of the announcing organization."
    )
    model: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of an introduced model."
    )
    date_from: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    date_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")


@strawberry.input(description="Which benchmarks to list.")
class BenchmarkFilter:
    """Mirrors reads.BenchmarkWhere."""

    name_contains: str | None = strawberry.field(default=None, description=_NAME)
    category: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the category."
    )


@strawberry.input(
    description="Which claims to list: by kind, claimant, subject, compared models and their "
    "countries, benchmark and date (claimantCountry: CN with againstDeveloperCountry: US finds "
    "Chinese organizations' claims against U.S. models)."
)
class ClaimFilter:
    """Mirrors reads.ClaimWhere."""

    kind: list[ClaimKind] | None = strawberry.field(default=None, description="Any of these.")
    status: list[ClaimStatus] | None = strawberry.field(default=None, description="Any of these.")
    verdict: list[ClaimVerdict] | None = strawberry.field(
        default=None, description="Any of these verdicts of independent results."
    )
    derived: bool | None = strawberry.field(
        default=None,
        description="true: derived from a report's table by the import; false: curated or "
        "written through the API.",
    )
    claimant: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of the organization that made the claim."
    )
    claimant_country: str | None = strawberry.field(
        default=None, description="ISO code of the claimant's country."
    )
    subject: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of the model the claim is about."
    )
    subject_developer_country: str | None = strawberry.field(
        default=None, description="ISO code of a country a developer of the subject is in."
    )
    against: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of a model it compares against."
    )
    against_developer_country: str | None = strawberry.field(
        default=None,
        description="ISO code of a country a developer of a compared model is in.",
    )
    benchmark: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of the benchmark."
    )
    made_on_from: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    made_on_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")


@strawberry.input(description="Which results to list.")
class ResultFilter:
    """Mirrors reads.ResultWhere."""

    model: strawberry.ID | None = strawberry.field(default=None, description="Slug of the model.")
    benchmark: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of the benchmark."
    )
    evaluator: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the evaluator."
    )
    measured_by: list[MeasuredBy] | None = strawberry.field(
        default=None, description="Any of these measurers."
    )
    self_reported: bool | None = strawberry.field(
        default=None,
        description="true: the model's developer reported it; false: someone else measured it.",
    )
    measured_on_from: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    measured_on_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")


@strawberry.input(description="Which market events to list.")
class MarketEventFilter:
    """Mirrors reads.MarketEventWhere."""

    kind: list[EventKind] | None = strawberry.field(default=None, description="Any of these.")
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of an affected organization."
    )
    country: str | None = strawberry.field(
        default=None, description="ISO code of an affected organization's country."
    )
    model: strawberry.ID | None = strawberry.field(
        default=None, description="Slug of a model it is attributed to (directly or by release)."
    )
    date_from: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    date_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")


@strawberry.input(description="Which sources to list.")
class SourceFilter:
    """Mirrors reads.SourceWhere."""

    publisher: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the publisher."
    )
    title_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the title."
    )
    published_from: dt.date | None = strawberry.field(default=None, description="Inclusive.")
    published_to: dt.date | None = strawberry.field(default=None, description="Inclusive.")


def to_where(target: type[W], value: Any) -> W | None:
    """The read layer's (hashable) filter for a GraphQL input: same field names, lists as tuples."""
    if value is None:
        return None
    converted = {}
    for field in dataclasses.fields(target):  # type: ignore[arg-type]
        item = getattr(value, field.name)
        converted[field.name] = tuple(item) if isinstance(item, list) else item
    return target(**converted)
