"""GraphQL `where` inputs, generated from the read layer's *Where declarations (one source)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, get_args, get_origin

import strawberry

import modelatlas.api.enums  # noqa: F401 - registers the enums the inputs use
from modelatlas.graph import reads

W = TypeVar("W")
C = TypeVar("C")


def _graphql_type(item: reads.WhereField) -> Any:
    """An input field's type: optional, a tuple of choices as a list, an entity's key as an ID."""
    (inner,) = [arg for arg in get_args(item.annotation) if arg is not type(None)]
    if get_origin(inner) is tuple:
        inner = list[get_args(inner)[0]]  # type: ignore[misc]
    elif item.takes_key:
        inner = strawberry.ID
    return inner | None


def input_of(where: type[Any]) -> Callable[[type[C]], type[C]]:
    """Make the decorated (empty) class the GraphQL input of a *Where type: its fields, their
    order, types and descriptions and the input's description all come from that declaration."""

    def build(cls: type[C]) -> type[C]:
        annotations: dict[str, Any] = {}
        for item in reads.where_fields(where):
            annotations[item.name] = _graphql_type(item)
            setattr(cls, item.name, strawberry.field(default=None, description=item.description))
        cls.__annotations__ = annotations
        description = " ".join((where.__doc__ or "").split())
        return strawberry.input(description=description)(cls)

    return build


@input_of(reads.OrganizationWhere)
class OrganizationFilter:
    """The `where` of organization lists."""


@input_of(reads.CountryWhere)
class CountryFilter:
    """The `where` of country lists."""


@input_of(reads.ModelWhere)
class ModelFilter:
    """The `where` of model lists."""


@input_of(reads.ReleaseWhere)
class ReleaseFilter:
    """The `where` of release lists."""


@input_of(reads.BenchmarkWhere)
class BenchmarkFilter:
    """The `where` of benchmark lists."""


@input_of(reads.ClaimWhere)
class ClaimFilter:
    """The `where` of claim lists."""


@input_of(reads.ResultWhere)
class ResultFilter:
    """The `where` of result lists."""


@input_of(reads.MarketEventWhere)
class MarketEventFilter:
    """The `where` of market event lists."""


@input_of(reads.SourceWhere)
class SourceFilter:
    """The `where` of source lists."""


def to_where(target: type[W], value: Any) -> W | None:
    """The read layer's (hashable) filter for a GraphQL input: same field names, lists as tuples."""
    if value is None:
        return None
    converted = {}
    for field in dataclasses.fields(target):  # type: ignore[arg-type]
        item = getattr(value, field.name)
        converted[field.name] = tuple(item) if isinstance(item, list) else item
    return target(**converted)
