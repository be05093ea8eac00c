"""`orderBy` arguments: how each list sorts, and the fixed sort expression each ordering becomes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final, LiteralString

from modelatlas.graph.reads.errors import InvalidArgument

if TYPE_CHECKING:
    from modelatlas.graph.reads.kinds import _Kind


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


def _order(kind: _Kind, order: str | None) -> tuple[str, _Order]:
    name = str(order) if order is not None else kind.default_order
    try:
        return name, kind.orders[name]
    except KeyError:
        raise InvalidArgument(
            f"{kind.label} lists cannot be ordered by {name!r}", argument="order"
        ) from None
