"""Validated input records for the graph, so bad data is rejected before anything is written.

Each node kind of the graph model (see docs/design.md) has one frozen pydantic model here,
keyed by its natural key. Field names are snake_case in Python and camelCase outside
(YAML, GraphQL); both spellings are accepted on input. Relationships are given as the
natural keys of the records they point to, and :meth:`Dataset.check_references` reports
the ones that resolve to nothing in the same batch.
"""

import datetime as dt
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Final, Self, TypeVar, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType

from modelatlas import graph_model
from modelatlas.countries import COUNTRY_NAMES, country_code, country_name

__all__ = [
    "COMPARATIVE_CLAIM_KINDS",
    "DERIVED_PREFIX",
    "MAX_LIST_ITEMS",
    "MAX_NAME_LENGTH",
    "MAX_QUOTED",
    "MAX_RECORDS",
    "MAX_SLUG_LENGTH",
    "MAX_TEXT_LENGTH",
    "RECORD_TYPES",
    "Accessibility",
    "Benchmark",
    "Claim",
    "ClaimKind",
    "ClaimStatus",
    "ClaimVerdict",
    "Country",
    "CountryCode",
    "Dataset",
    "EventKind",
    "IsoDate",
    "MarketEvent",
    "Model",
    "Organization",
    "OrganizationKind",
    "PastDate",
    "Record",
    "ReferenceProblem",
    "Release",
    "Result",
    "Slug",
    "Source",
    "SourceUrl",
    "WebUrl",
    "country_key",
    "lookup_key",
    "shorten",
    "slugify",
    "source_key",
    "validate_key",
]

MAX_SLUG_LENGTH: Final = 200
MAX_NAME_LENGTH: Final = 300
MAX_TITLE_LENGTH: Final = 1000
MAX_TEXT_LENGTH: Final = 5000
MAX_URL_LENGTH: Final = 2000
MAX_LIST_ITEMS: Final = 1000
MAX_RECORDS: Final = 100_000
MAX_QUOTED: Final = 80
"""Characters of an input value an error message repeats at most (then an ellipsis)."""
_MAX_INT64: Final = 2**63 - 1  # Neo4j stores integers as signed 64-bit
_T = TypeVar("_T")


def shorten(value: Any, limit: int = MAX_QUOTED) -> str:
    """An input value as an error message may quote it: at most `limit` characters, then "…",
    so a megabyte of input never comes back in a message."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------- slugs

_NOT_SLUG = re.compile(r"[^a-z0-9.]+")
_IS_SLUG = re.compile(r"[a-z0-9]+(?:(?:\.|-(?!-))+[a-z0-9]+)*")
"""What slugify leaves as it is (the usual input: a key already written as a slug)."""


def slugify(text: str) -> str:
    """Turn a display name into the stable natural key that nodes are merged on."""
    if _IS_SLUG.fullmatch(text):
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    slug = _NOT_SLUG.sub("-", plain).strip("-.")
    if not slug:
        raise ValueError(f"{shorten(text)!r} has no letters or digits to make a slug from")
    return slug


def _to_slug(value: str) -> str:
    """Normalise a key through slugify, so "GPT-4o" and "gpt-4o" name the same node."""
    try:
        slug = slugify(value)
    except ValueError:
        raise PydanticCustomError(
            "slug_empty",
            "'{value}' has no letters or digits to make a slug from",
            {"value": shorten(value)},
        ) from None
    if len(slug) > MAX_SLUG_LENGTH:
        raise PydanticCustomError(
            "slug_too_long", "slug is longer than {limit} characters", {"limit": MAX_SLUG_LENGTH}
        )
    return slug


Slug = Annotated[str, StringConstraints(max_length=4 * MAX_SLUG_LENGTH), AfterValidator(_to_slug)]
"""A natural key: any string, normalised through :func:`slugify`, at most 200 characters."""

# --------------------------------------------------------------------------- dates

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """Refuse numbers and timestamps, which pydantic would read as seconds since 1970."""
    if isinstance(value, bool | int | float):
        raise PydanticCustomError("date_type", "expected a date as YYYY-MM-DD, got a number")
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        raise PydanticCustomError(
            "date_format", "expected a date as YYYY-MM-DD, got '{value}'", {"value": shorten(value)}
        )
    return value


def _not_in_future(value: dt.date) -> dt.date:
    """Reject dates after today for things that have already happened."""
    if value > dt.date.today():
        raise PydanticCustomError(
            "date_in_future", "date {date} is in the future", {"date": value.isoformat()}
        )
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]
"""A calendar date, given as a date or an ISO ``YYYY-MM-DD`` string."""

PastDate = Annotated[IsoDate, AfterValidator(_not_in_future)]
"""A date of something that happened, so not after today."""

# --------------------------------------------------------------------------- numbers


def _not_bool(value: Any) -> Any:
    """Refuse booleans, which pydantic would otherwise read as 0 or 1."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "expected a number, got a boolean")
    return value


def _whole_number(value: Any) -> Any:
    """Accept 405000000000.0 or "3.8e+25" for integers, but only when they are integral."""
    value = _not_bool(value)
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise PydanticCustomError(
            "int_from_float", "{value} is not a whole number", {"value": shorten(value)}
        )
    if isinstance(value, str):
        try:
            number = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            raise PydanticCustomError(
                "int_parsing", "'{value}' is not a number", {"value": shorten(value)}
            ) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise PydanticCustomError(
                "int_from_float", "'{value}' is not a whole number", {"value": shorten(value)}
            )
        if number.adjusted() > 18:  # check before int() builds a huge number
            raise PydanticCustomError(
                "int_too_large", "'{value}' is too large", {"value": shorten(value)}
            )
        return int(number)
    return value


NonNegativeInt = Annotated[int, BeforeValidator(_whole_number), Field(ge=0, le=_MAX_INT64)]
"""A count such as a parameter number: whole, not negative, and fits Neo4j's integers."""

FiniteFloat = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
"""A finite number that may be negative, such as a stock move in percent."""

NonNegativeFloat = Annotated[FiniteFloat, Field(ge=0)]
"""A finite number that is not negative, such as a score or a FLOP count."""

# --------------------------------------------------------------------------- text and urls

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH)
]
"""A display name or another short label."""

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_LENGTH)
]
"""A document or announcement title."""

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_LENGTH)
]
"""A statement or description."""


_PLAIN_URL = re.compile(r"https?://[a-z0-9.-]+(?:/\S*)?")


def _lowered(value: str, scheme: str, netloc: str) -> str:
    """An http(s) URL with its scheme and host lower-cased, the rest kept as written."""
    rest = value[len(scheme) + 3 + len(netloc) :]
    return f"{scheme}://{netloc.lower()}{rest}"


def _http_url(value: str) -> str:
    """Accept only absolute http(s) URLs, lower-casing the scheme and host so keys compare."""
    if _PLAIN_URL.fullmatch(value):
        return value  # already lower-case, no port, user or query before the path
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    try:
        valid = (
            scheme in ("http", "https")
            and value[len(scheme) : len(scheme) + 3] == "://"
            and bool(parts.hostname)
            and not any(ch.isspace() for ch in value)
        )
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        valid = False
    if not valid:
        raise PydanticCustomError(
            "url", "'{value}' is not an http(s) URL", {"value": shorten(value)}
        )
    return _lowered(value, scheme, parts.netloc)


_URN = re.compile(r"urn:(?P<nid>[a-z0-9][a-z0-9-]{0,31}):(?P<nss>\S+)", re.IGNORECASE)


def _urn(match: re.Match[str]) -> str:
    """A urn: name with "urn" and its namespace lower-cased, the name kept as written."""
    return f"urn:{match.group('nid').lower()}:{match.group('nss')}"


def _source_url(value: str) -> str:
    """Accept an http(s) URL, or a ``urn:`` name for sources without a web address."""
    match = _URN.fullmatch(value)
    if match:
        return _urn(match)
    if value[:4].lower() == "urn:":
        raise PydanticCustomError(
            "urn",
            "'{value}' is not a valid urn:<namespace>:<name> identifier",
            {"value": shorten(value)},
        )
    try:
        return _http_url(value)
    except PydanticCustomError:
        raise PydanticCustomError(
            "source_url",
            "'{value}' is neither an http(s) URL nor a urn: identifier",
            {"value": shorten(value)},
        ) from None


def source_key(value: str) -> str:
    """A Source key as a lookup types it, in its stored form (as `SourceUrl` normalises it); a
    text that is no valid key is kept as typed, so it finds nothing rather than failing."""
    text = value.strip()
    match = _URN.fullmatch(text)
    if match:
        return _urn(match)
    if _PLAIN_URL.fullmatch(text):
        return text
    try:
        parts = urlsplit(text)
    except ValueError:  # a malformed [IPv6] host
        return text
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and text[len(scheme) : len(scheme) + 3] == "://":
        return _lowered(text, scheme, parts.netloc)
    return text


WebUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_URL_LENGTH),
    AfterValidator(_http_url),
]
"""An absolute http(s) URL kept as written, apart from the case of scheme and host."""

SourceUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_URL_LENGTH),
    AfterValidator(_source_url),
]
"""The natural key of a Source: an http(s) URL or a ``urn:`` identifier."""


def country_key(value: str) -> str:
    """A country code as a lookup types it, in its stored form (`CountryCode` also checks it)."""
    return value.strip().upper()


def _iso_country(value: str) -> str:
    """Accept only assigned ISO 3166-1 alpha-2 codes, suggesting one for a known name."""
    code = country_key(value)
    if code in COUNTRY_NAMES:
        return code
    guess = country_code(value)
    hint = f" (did you mean {guess}?)" if guess else ""
    raise PydanticCustomError(
        "country_code",
        "'{value}' is not an ISO 3166-1 alpha-2 country code{hint}",
        {"value": shorten(value), "hint": hint},
    )


CountryCode = Annotated[str, StringConstraints(max_length=100), AfterValidator(_iso_country)]
"""An ISO 3166-1 alpha-2 code such as "CN", upper-cased."""


def _unique(items: list[_T]) -> list[_T]:
    """Drop repeated entries but keep the first order, so repeats never double an edge."""
    return list(dict.fromkeys(items))


def _modality(value: str) -> str:
    """Lower-case modalities so "Text" and "text" are one value."""
    return value.casefold()


SlugList = Annotated[list[Slug], Field(max_length=MAX_LIST_ITEMS), AfterValidator(_unique)]
"""References to other records by natural key, without repeats."""

SourceList = Annotated[list[SourceUrl], Field(max_length=MAX_LIST_ITEMS), AfterValidator(_unique)]
"""References to Source records by URL, without repeats."""

NameList = Annotated[list[Name], Field(max_length=MAX_LIST_ITEMS), AfterValidator(_unique)]
"""Alternative names, without repeats."""

ModalityList = Annotated[
    list[Annotated[Name, AfterValidator(_modality)]],
    Field(max_length=MAX_LIST_ITEMS),
    AfterValidator(_unique),
]
"""Input/output modalities such as "text" or "image", lower-cased."""

# --------------------------------------------------------------------------- enums


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

# --------------------------------------------------------------------------- records


class _Input(BaseModel):
    """Shared configuration: frozen, strict about unknown fields, camelCase or snake_case."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )


class Record(_Input):
    """A node of the graph, identified by the natural key named in ``KEY_FIELD``."""

    KIND: ClassVar[str]
    KEY_FIELD: ClassVar[str]
    """The key property of the kind, from the graph model (`graph_model.NODE_KINDS`)."""
    REFERENCES: ClassVar[dict[str, str]] = {}
    """Field name -> kind of record it points to, for reference checks; from the graph model
    (`graph_model.references`)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Take a node kind's key and references from the one declaration of the graph model."""
        super().__pydantic_init_subclass__(**kwargs)
        if "KIND" in vars(cls):
            cls.KEY_FIELD = graph_model.NODE_KINDS[cls.KIND].key
            cls.REFERENCES = graph_model.references(cls.KIND)

    @property
    def key(self) -> str:
        """The natural key, whatever the kind calls it (slug, id, url or code)."""
        return str(getattr(self, self.KEY_FIELD))

    def references(self) -> Iterator[tuple[str, str, str]]:
        """Yield (field name, target kind, key) for every outgoing reference of this record."""
        for field_name, target in self.REFERENCES.items():
            value = getattr(self, field_name)
            for key in value if isinstance(value, list) else [value]:
                if key is not None:
                    yield field_name, target, key


class _NamedRecord(Record):
    """A record whose slug can be left out and is then derived from its name."""

    @model_validator(mode="wrap")
    @classmethod
    def _derive_slug(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Fill in the slug from the name, so YAML need not repeat it. When the name cannot
        give one (blank, or no letters or digits), that is the name's error, not a missing
        slug's: the errors name `name` (and every other field that is wrong too)."""
        if not (
            isinstance(data, dict)
            and data.get("slug") is None
            and isinstance(data.get("name"), str)
        ):
            return handler(data)
        try:
            slug = slugify(data["name"])
        except ValueError:
            return _without_a_slug(data, handler)
        return handler({**data, "slug": slug})


def _without_a_slug(data: dict[str, Any], handler: Callable[[Any], _T]) -> _T:
    """Validate a named record whose name gives no slug, reporting that on `name`."""
    try:
        return handler(data)  # fails: the slug is missing
    except ValidationError as exc:
        errors = [e for e in exc.errors() if tuple(e["loc"]) != ("slug",)]
        if not any(tuple(e["loc"]) == ("name",) for e in errors):
            errors.insert(
                0,
                {
                    "type": "slug_empty",
                    "loc": ("name",),
                    "msg": f"'{shorten(data['name'])}' has no letters or digits to make a slug "
                    "from; give a slug",
                    "input": data["name"],
                },
            )
        raise ValidationError.from_exception_data(exc.title, _details(errors)) from None


_KNOWN_ERROR_TYPES: Final = frozenset(get_args(ErrorType))


def _details(errors: list[Any]) -> list[InitErrorDetails]:
    """pydantic's reported errors as the details to raise them again."""
    details: list[InitErrorDetails] = []
    for error in errors:
        kind = error["type"]
        detail = InitErrorDetails(
            type=kind if kind in _KNOWN_ERROR_TYPES else PydanticCustomError(kind, error["msg"]),
            loc=tuple(error["loc"]),
            input=error.get("input"),
        )
        if kind in _KNOWN_ERROR_TYPES and "ctx" in error:
            detail["ctx"] = error["ctx"]
        details.append(detail)
    return details


class _CitedRecord(Record):
    """A fact that must name the sources it comes from; a fact without a source is not stored."""

    sources: SourceList = Field(default_factory=list, validate_default=True)

    @field_validator("sources")
    @classmethod
    def _require_sources(cls, value: list[str]) -> list[str]:
        """Refuse a fact that cites nothing, naming the kind in the message."""
        if not value:
            raise PydanticCustomError(
                "sources_missing", "a {kind} must cite at least one source", {"kind": cls.KIND}
            )
        return value


def _require_some(value: list[str], kind: str, what: str) -> list[str]:
    """Refuse an empty list where the graph model needs at least one edge."""
    if not value:
        raise PydanticCustomError(
            "list_empty", "a {kind} must name at least one {what}", {"kind": kind, "what": what}
        )
    return value


class Source(Record):
    """Where a fact comes from: a web page, paper or other document."""

    KIND: ClassVar[str] = "Source"

    url: SourceUrl
    title: Title | None = None
    publisher: Name | None = None
    author: Name | None = None
    published_on: PastDate | None = None


class Country(Record):
    """A country organizations are based in, keyed by ISO code."""

    KIND: ClassVar[str] = "Country"

    code: CountryCode
    name: Name | None = Field(default=None, validate_default=True)

    @field_validator("name")
    @classmethod
    def _default_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Take the ISO short name when none is given."""
        if value is None and isinstance(info.data.get("code"), str):
            return country_name(info.data["code"])
        return value


class Organization(_NamedRecord):
    """A company, lab, university or agency that builds, announces or is affected by AI."""

    KIND: ClassVar[str] = "Organization"

    slug: Slug
    name: Name
    aliases: NameList = Field(default_factory=list)
    kind: OrganizationKind | None = None
    website: WebUrl | None = None
    country: CountryCode | None = None
    part_of: Slug | None = None
    partners: SlugList = Field(default_factory=list)

    @field_validator("part_of")
    @classmethod
    def _not_part_of_itself(cls, value: str | None, info: ValidationInfo) -> str | None:
        """An organization cannot contain itself."""
        if value is not None and value == info.data.get("slug"):
            raise PydanticCustomError("self_reference", "an organization cannot be part of itself")
        return value

    @field_validator("partners")
    @classmethod
    def _not_own_partner(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """An organization cannot partner with itself."""
        if info.data.get("slug") in value:
            raise PydanticCustomError("self_reference", "an organization cannot partner itself")
        return value


class Model(_NamedRecord):
    """An AI model, with the facts that identify and size it."""

    KIND: ClassVar[str] = "Model"

    slug: Slug
    name: Name
    aliases: NameList = Field(default_factory=list)
    developers: SlugList = Field(default_factory=list)
    parameters: NonNegativeInt | None = None
    training_compute_flop: NonNegativeFloat | None = None
    modalities: ModalityList = Field(default_factory=list)
    accessibility: Accessibility | None = None
    released_on: PastDate | None = None
    derived_from: SlugList = Field(default_factory=list)
    variant_of: Slug | None = None

    @field_validator("derived_from")
    @classmethod
    def _not_derived_from_itself(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """A model cannot be its own ancestor."""
        if info.data.get("slug") in value:
            raise PydanticCustomError("self_reference", "a model cannot be derived from itself")
        return value

    @field_validator("variant_of")
    @classmethod
    def _not_variant_of_itself(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A model cannot be a variant of itself."""
        if value is not None and value == info.data.get("slug"):
            raise PydanticCustomError("self_reference", "a model cannot be a variant of itself")
        return value


class Release(_CitedRecord):
    """One announcement that introduced one or more models."""

    KIND: ClassVar[str] = "Release"

    slug: Slug
    title: Title
    date: PastDate | None = None
    channel: Name | None = None
    announced_by: SlugList = Field(default_factory=list, validate_default=True)
    introduced: SlugList = Field(default_factory=list, validate_default=True)

    @field_validator("announced_by")
    @classmethod
    def _someone_announced(cls, value: list[str]) -> list[str]:
        """A release is always somebody's announcement."""
        return _require_some(value, cls.KIND, "announcing organization in announcedBy")

    @field_validator("introduced")
    @classmethod
    def _something_introduced(cls, value: list[str]) -> list[str]:
        """A release always introduces at least one model."""
        return _require_some(value, cls.KIND, "model in introduced")


class Benchmark(_NamedRecord):
    """A test that models are scored on."""

    KIND: ClassVar[str] = "Benchmark"

    slug: Slug
    name: Name
    category: Name | None = None
    metric: Name | None = None
    higher_is_better: bool = True


class Claim(_CitedRecord):
    """What a party said about a model, kept apart from what was measured."""

    KIND: ClassVar[str] = "Claim"

    id: Slug
    kind: ClaimKind
    statement: Text
    claimed_by: Slug
    subject: Slug
    against: SlugList = Field(default_factory=list, validate_default=True)
    benchmark: Slug | None = None
    score: NonNegativeFloat | None = Field(default=None, validate_default=True)
    against_score: NonNegativeFloat | None = Field(default=None, validate_default=True)
    made_on: PastDate | None = None
    status: ClaimStatus = ClaimStatus.ASSERTED

    @field_validator("against")
    @classmethod
    def _compared_with_something(cls, value: list[str], info: ValidationInfo) -> list[str]:
        """A comparison needs another model, and a model is never compared with itself."""
        kind = info.data.get("kind")
        if kind in COMPARATIVE_CLAIM_KINDS and not value:
            raise PydanticCustomError(
                "against_missing",
                "claims of kind {kind} must name at least one model in against",
                {"kind": str(kind)},
            )
        subject = info.data.get("subject")
        if subject is not None and subject in value:
            raise PydanticCustomError(
                "self_reference",
                "the subject '{subject}' cannot also be in against",
                {"subject": shorten(subject)},
            )
        return value

    @field_validator("score", "against_score")
    @classmethod
    def _score_needs_benchmark(cls, value: float | None, info: ValidationInfo) -> float | None:
        """A score means nothing without the benchmark it was on."""
        if value is not None and info.data.get("benchmark") is None and "benchmark" in info.data:
            raise PydanticCustomError("benchmark_missing", "a score needs a benchmark")
        return value


class Result(_CitedRecord):
    """A measured score of a model on a benchmark."""

    KIND: ClassVar[str] = "Result"

    id: Slug
    model: Slug
    benchmark: Slug
    score: NonNegativeFloat
    measured_on: PastDate | None = None
    evaluator: Name | None = None


class MarketEvent(_CitedRecord):
    """Something that happened in the market, such as a stock move, tied to organizations."""

    KIND: ClassVar[str] = "MarketEvent"

    id: Slug
    kind: EventKind
    date: PastDate
    description: Text
    magnitude: FiniteFloat | None = None
    unit: Name | None = Field(default=None, validate_default=True)
    affected: SlugList = Field(default_factory=list, validate_default=True)
    attributed_to_models: SlugList = Field(default_factory=list)
    attributed_to_releases: SlugList = Field(default_factory=list)

    @field_validator("unit")
    @classmethod
    def _magnitude_has_unit(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A magnitude without a unit (percent? dollars?) cannot be read."""
        if value is None and info.data.get("magnitude") is not None:
            raise PydanticCustomError("unit_missing", "a magnitude needs a unit")
        return value

    @field_validator("affected")
    @classmethod
    def _someone_affected(cls, value: list[str]) -> list[str]:
        """An event is recorded for the organizations it affected."""
        return _require_some(value, cls.KIND, "affected organization in affected")


RECORD_TYPES: Final[dict[str, type[Record]]] = {
    "sources": Source,
    "countries": Country,
    "organizations": Organization,
    "models": Model,
    "releases": Release,
    "benchmarks": Benchmark,
    "claims": Claim,
    "results": Result,
    "marketEvents": MarketEvent,
}
"""Dataset key (as written in YAML) -> record type, in an order that writes targets first."""

_KEY_TYPES: Final[dict[graph_model.KeyType, Any]] = {
    graph_model.KeyType.SLUG: Slug,
    graph_model.KeyType.CODE: CountryCode,
    graph_model.KeyType.URL: SourceUrl,
}
"""The validated type of each key type: what a record's key field is."""

_LOOKUPS: Final[dict[graph_model.KeyType, Callable[[str], str]]] = {
    graph_model.KeyType.SLUG: slugify,
    graph_model.KeyType.CODE: country_key,
    graph_model.KeyType.URL: source_key,
}
"""The lenient normaliser of each key type: a lookup's key in its stored form."""


def _key_type(kind: str) -> graph_model.KeyType:
    try:
        return graph_model.NODE_KINDS[kind].key_type
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}") from None


def lookup_key(kind: str, key: str) -> str:
    """The stored form of a natural key as a user may type it ("GPT-4o" -> "gpt-4o"), to find
    a node; raises ValueError only when a slug has no letters or digits (or for an unknown kind)."""
    return _LOOKUPS[_key_type(kind)](key)


@functools.cache
def _key_adapter(key_type: graph_model.KeyType) -> TypeAdapter[str]:
    adapter: TypeAdapter[str] = TypeAdapter(_KEY_TYPES[key_type])
    return adapter


def validate_key(kind: str, key: str) -> str:
    """A natural key validated and normalised exactly as a record's key field is, so a delete
    names the node an upsert of the same text wrote; raises ValidationError when invalid."""
    return _key_adapter(_key_type(kind)).validate_python(key)


_ATTRIBUTE_OF: Final[dict[str, str]] = {key: key for key in RECORD_TYPES} | {
    "marketEvents": "market_events"
}


@dataclass(frozen=True, slots=True)
class ReferenceProblem:
    """A reference from one record to a key that no record of the target kind defines."""

    kind: str
    record: str
    field: str
    missing: str
    target: str

    def __str__(self) -> str:
        """Read as one line, e.g. "Claim 'x': against: no Model 'gpt-5' is defined"."""
        where = f"{self.kind} {shorten(self.record)!r}: {self.field}"
        return f"{where}: no {self.target} {shorten(self.missing)!r} is defined"


class Dataset(_Input):
    """A batch of records that is validated, checked and written together."""

    sources: list[Source] = Field(default_factory=list, max_length=MAX_RECORDS)
    countries: list[Country] = Field(default_factory=list, max_length=MAX_RECORDS)
    organizations: list[Organization] = Field(default_factory=list, max_length=MAX_RECORDS)
    models: list[Model] = Field(default_factory=list, max_length=MAX_RECORDS)
    releases: list[Release] = Field(default_factory=list, max_length=MAX_RECORDS)
    benchmarks: list[Benchmark] = Field(default_factory=list, max_length=MAX_RECORDS)
    claims: list[Claim] = Field(default_factory=list, max_length=MAX_RECORDS)
    results: list[Result] = Field(default_factory=list, max_length=MAX_RECORDS)
    market_events: list[MarketEvent] = Field(default_factory=list, max_length=MAX_RECORDS)

    def collection(self, name: str) -> list[Record]:
        """The records stored under a YAML key such as "marketEvents"."""
        records: list[Record] = getattr(self, _ATTRIBUTE_OF[name])
        return records

    def records(self) -> Iterator[Record]:
        """Every record, targets before the records that point to them."""
        for name in RECORD_TYPES:
            yield from self.collection(name)

    def keys(self) -> dict[str, set[str]]:
        """The natural keys defined in this dataset, per kind."""
        defined: dict[str, set[str]] = {cls.KIND: set() for cls in RECORD_TYPES.values()}
        for record in self.records():
            defined[record.KIND].add(record.key)
        return defined

    def duplicate_keys(self) -> list[tuple[str, str]]:
        """(kind, key) pairs defined more than once, which would merge into one node."""
        counts = Counter((record.KIND, record.key) for record in self.records())
        return [pair for pair, count in counts.items() if count > 1]

    def check_references(self) -> list[ReferenceProblem]:
        """References that point to nothing defined here; the graph may still hold them.

        ``Organization.country`` is not checked: Country nodes come from the ISO table.
        """
        defined = self.keys()
        problems: list[ReferenceProblem] = []
        for record in self.records():
            fields = type(record).model_fields
            for field_name, target, key in record.references():
                if key not in defined[target]:
                    external = fields[field_name].alias or field_name
                    problems.append(
                        ReferenceProblem(record.KIND, record.key, external, key, target)
                    )
        return problems

    def merge(self, other: "Dataset") -> "Dataset":
        """Both datasets' records in one, this one's first; duplicates are kept to be reported."""
        merged = {
            attribute: [*getattr(self, attribute), *getattr(other, attribute)]
            for attribute in _ATTRIBUTE_OF.values()
        }
        return Dataset.model_validate(merged)
