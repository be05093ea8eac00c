"""Value types of the records: how each kind of input value is normalised, checked and limited.

The `Annotated` types here (keys, dates, numbers, text, URLs, country codes, lists) carry the
validators the record fields share, and the lenient key normalisers (`slugify`, `source_key`,
`country_key`) let a lookup find what validation stored.
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from modelatlas.countries import COUNTRY_NAMES, country_code

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
