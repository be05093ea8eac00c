"""The closed vocabularies of the records, read case-insensitively so input need not shout."""

import re
from enum import StrEnum
from typing import Final, Self


class _UpperSnakeEnum(StrEnum):
    """A string enum whose inputs match case-insensitively, with "-" or " " for "_"."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        """Find the member for a differently-cased or -spelled input, else fail."""
        if isinstance(value, str):
            wanted = re.sub(r"[\s-]+", "_", value.strip()).upper()
            for member in cls:
                if member.value == wanted:
                    return member
        return None


class OrganizationKind(_UpperSnakeEnum):
    """What sort of body an organization is, to tell labs from companies and states."""

    COMPANY = "COMPANY"
    ACADEMIA = "ACADEMIA"
    GOVERNMENT = "GOVERNMENT"
    RESEARCH_COLLECTIVE = "RESEARCH_COLLECTIVE"
    NONPROFIT = "NONPROFIT"
    OTHER = "OTHER"


class Accessibility(_UpperSnakeEnum):
    """How a model can be used, to tell open weights from API-only and unreleased models."""

    OPEN_WEIGHTS = "OPEN_WEIGHTS"
    OPEN_WEIGHTS_RESTRICTED = "OPEN_WEIGHTS_RESTRICTED"
    API = "API"
    HOSTED = "HOSTED"
    UNRELEASED = "UNRELEASED"
    UNKNOWN = "UNKNOWN"


class ClaimKind(_UpperSnakeEnum):
    """What a claim asserts, so comparative claims can be queried by type."""

    OUTPERFORMS = "OUTPERFORMS"
    MATCHES = "MATCHES"
    STATE_OF_THE_ART = "STATE_OF_THE_ART"
    CHEAPER_THAN = "CHEAPER_THAN"
    FASTER_THAN = "FASTER_THAN"
    OTHER = "OTHER"


class ClaimStatus(_UpperSnakeEnum):
    """How far a claim stands up, from merely asserted to retracted."""

    ASSERTED = "ASSERTED"
    SUPPORTED = "SUPPORTED"
    DISPUTED = "DISPUTED"
    RETRACTED = "RETRACTED"


class ClaimVerdict(_UpperSnakeEnum):
    """What independent results say of a comparative claim, so claims can be weighed."""

    SUPPORTED = "SUPPORTED"
    """Independent results put the subject ahead of every compared model."""
    CONTESTED = "CONTESTED"
    """Independent results put a compared model ahead of the subject."""
    UNVERIFIED = "UNVERIFIED"
    """No independent result on one side (or a tie, or a kind results cannot test)."""


class MeasuredBy(_UpperSnakeEnum):
    """Who measured a result, so self-reported scores can be told from independent ones."""

    DEVELOPER = "DEVELOPER"
    """The model's own developer: its technical report, model card or announcement."""
    EPOCH_AI = "EPOCH_AI"
    """Epoch AI's own evaluation runs."""
    LEADERBOARD = "LEADERBOARD"
    """A public leaderboard or benchmark maintainer (LMArena, HELM, Aider, ...)."""
    THIRD_PARTY = "THIRD_PARTY"
    """Another organization's report, measuring a model it did not develop."""
    UNKNOWN = "UNKNOWN"
    """No source, or a report whose owner could not be resolved from the graph."""


class EventKind(_UpperSnakeEnum):
    """What happened in the market, so events can be filtered by type."""

    STOCK_MOVE = "STOCK_MOVE"
    APP_STORE_RANK = "APP_STORE_RANK"
    FUNDING = "FUNDING"
    ACQUISITION = "ACQUISITION"
    PARTNERSHIP = "PARTNERSHIP"
    PRODUCT_LAUNCH = "PRODUCT_LAUNCH"
    PRICE_CHANGE = "PRICE_CHANGE"
    REGULATION = "REGULATION"
    OTHER = "OTHER"


COMPARATIVE_CLAIM_KINDS: Final = frozenset(
    {ClaimKind.OUTPERFORMS, ClaimKind.MATCHES, ClaimKind.CHEAPER_THAN, ClaimKind.FASTER_THAN}
)
DERIVED_PREFIX: Final = "derived-"
"""Id prefix of the claims the provenance pass derives from report tables (never curated)."""
