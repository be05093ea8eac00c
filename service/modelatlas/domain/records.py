"""The records: one frozen pydantic model per node kind, and the lookups of their natural keys."""

import functools
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Final, Self, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
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
from modelatlas.countries import country_name
from modelatlas.domain.enums import (
    COMPARATIVE_CLAIM_KINDS,
    Accessibility,
    ClaimKind,
    ClaimStatus,
    EventKind,
    OrganizationKind,
)
from modelatlas.domain.values import (
    CountryCode,
    FiniteFloat,
    ModalityList,
    Name,
    NameList,
    NonNegativeFloat,
    NonNegativeInt,
    PastDate,
    Slug,
    SlugList,
    SourceList,
    SourceUrl,
    Text,
    Title,
    WebUrl,
    country_key,
    shorten,
    slugify,
    source_key,
)

_T = TypeVar("_T")


class Input(BaseModel):
    """Shared configuration: frozen, strict about unknown fields, camelCase or snake_case."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )


class Record(Input):
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
