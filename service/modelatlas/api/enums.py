"""Every Python enum the GraphQL schema exposes, registered with strawberry once, here.

The domain's and the read layer's enums are plain StrEnums; registering one marks the class
itself, so two modules registering it made its GraphQL definition depend on import order.
Modules that use these enums in GraphQL types import this one (`api/filters.py`, `types.py`,
`mutations.py`); enums the API defines itself (`api/review.py`) are decorated where defined.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

import strawberry

from modelatlas.domain import (
    Accessibility,
    ClaimKind,
    ClaimStatus,
    ClaimVerdict,
    EventKind,
    MeasuredBy,
    OrganizationKind,
)
from modelatlas.graph import reads
from modelatlas.graph.reads import (
    CountBy,
    Direction,
    RelationshipType,
    SearchKind,
    TimelineKind,
)

__all__ = ["ENUMS"]

ENUMS: Final[dict[type[Enum], tuple[str | None, str]]] = {
    # The domain's
    OrganizationKind: (None, "What sort of body an organization is."),
    Accessibility: (None, "How a model can be used."),
    ClaimKind: (None, "What a claim asserts."),
    ClaimStatus: (None, "How far a claim stands up."),
    ClaimVerdict: (None, "What independent results say of a comparative claim."),
    EventKind: (None, "What happened in the market."),
    MeasuredBy: (None, "Who measured a result."),
    # The read layer's orderings (their names are kept)
    reads.OrganizationOrder: (None, "Sorts organizations."),
    reads.CountryOrder: (None, "Sorts countries."),
    reads.ModelOrder: (None, "Sorts models; unknown dates and sizes come last either way."),
    reads.ReleaseOrder: (None, "Sorts releases; undated ones come last."),
    reads.BenchmarkOrder: (None, "Sorts benchmarks."),
    reads.ClaimOrder: (None, "Sorts claims; undated ones come last either way."),
    reads.ResultOrder: (None, "Sorts results."),
    reads.MarketEventOrder: (None, "Sorts market events."),
    reads.SourceOrder: (None, "Sorts sources."),
    # The read layer's other choices
    TimelineKind: (None, "What a timeline entry is."),
    CountBy: ("ModelCountBy", "How to group model counts."),
    SearchKind: (None, "Kinds that search covers."),
    RelationshipType: (None, "A relationship type of the graph."),
    Direction: ("PathDirection", "Which way a relationship points."),
}
"""Enum -> (GraphQL name if not the class's, description)."""

for _enum, (_name, _description) in ENUMS.items():
    strawberry.enum(_enum, name=_name, description=_description)
