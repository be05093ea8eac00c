"""The graph model, declared once: node kinds, their natural keys, and the relationships.

Everything else is derived from this declaration, so adding a kind or a relationship touches
one place: the domain's reference checks (`Record.KEY_FIELD`, `Record.REFERENCES`), the write
path's tables and statements (`graph/write_statements.py`: `EDGES`, `RELATION_FIELDS`,
`LINK_FIELDS`, `CITED_VALUES`, the same-kind links and the snapshots), the relationships reads
follow (`graph/reads/kinds.py` `RELATIONS`) and what a delete must not orphan
(`graph/deletes.py` `_NEEDED_BY`). It is plain
data, no Cypher and no domain import: the graph layer turns it into fixed statement text, and the
domain owns how each key type is normalised (`domain.lookup_key`, `domain.validate_key`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, LiteralString

from pydantic.alias_generators import to_camel

__all__ = [
    "CITED_KINDS",
    "KINDS",
    "NODE_KINDS",
    "RELATIONSHIPS",
    "KeyType",
    "Need",
    "NodeKind",
    "Relationship",
    "owned_by",
    "references",
]


class KeyType(StrEnum):
    """How a kind's natural key is normalised (the domain holds the normaliser of each)."""

    SLUG = "slug"
    """Any name, normalised through `domain.slugify`."""
    CODE = "code"
    """An ISO 3166-1 alpha-2 country code, upper-cased."""
    URL = "url"
    """An http(s) URL (scheme and host lower-cased) or a `urn:` name."""


@dataclass(frozen=True, slots=True)
class NodeKind:
    """One node label and the property its uniqueness constraint keys it on."""

    label: LiteralString
    key: LiteralString
    key_type: KeyType


class Need(StrEnum):
    """How much a record needs the targets of one of its relationships (what deletes protect)."""

    NONE = "none"
    """Optional: the relationship simply goes with a deleted target."""
    ONE = "one"
    """The record names exactly one target and is invalid without it."""
    SOME = "some"
    """The record is invalid without at least one target of this field."""


@dataclass(frozen=True, slots=True)
class Relationship:
    """A relationship a record owns: its `field` names the targets by natural key.

    The arrow goes from the owner to the target, or from the target to the owner when
    `incoming` (an organization DEVELOPED a model, named by the model's `developers`).
    """

    owner: LiteralString
    field: LiteralString
    """The owning record's field (snake_case; camelCase as `alias`)."""
    type: LiteralString
    target: LiteralString
    many: bool
    """Whether the field is a list of keys (else one key, or none)."""
    incoming: bool = False
    symmetric: bool = False
    """Read in both directions as one field on the owner (partners)."""
    checked: bool = True
    """Whether a dataset must define (or the graph hold) the targets; Country nodes come from
    the ISO table instead, and the write creates a missing one."""
    need: Need = Need.NONE
    need_when: LiteralString | None = None
    """A condition on the owner under which `need` holds: "comparative" (a comparative claim
    needs what it is compared with), "scored" (a claim with a score needs its benchmark)."""
    read_as: LiteralString | None = None
    """The owner's GraphQL field when it is not the record field's camelCase name."""
    reverse: LiteralString | None = None
    """The target's GraphQL field listing the owners, if reads follow the relationship back."""
    carries: tuple[LiteralString, ...] = ()
    """The owner's values (camelCase) each target vouches for, kept on the relationship (what
    every source of a fact says on its CITED_IN)."""

    @property
    def alias(self) -> str:
        """The field's camelCase name, as in YAML, GraphQL inputs and write rows."""
        return to_camel(self.field)

    @property
    def read_field(self) -> str:
        """The owner's GraphQL field that follows this relationship."""
        return self.read_as or self.alias

    @property
    def same_kind(self) -> bool:
        """Whether it links two nodes of one kind (written once every node of the kind is)."""
        return self.owner == self.target


NODE_KINDS: Final[dict[str, NodeKind]] = {
    kind.label: kind
    for kind in (
        NodeKind("Source", "url", KeyType.URL),
        NodeKind("Country", "code", KeyType.CODE),
        NodeKind("Organization", "slug", KeyType.SLUG),
        NodeKind("Model", "slug", KeyType.SLUG),
        NodeKind("Release", "slug", KeyType.SLUG),
        NodeKind("Benchmark", "slug", KeyType.SLUG),
        NodeKind("Claim", "id", KeyType.SLUG),
        NodeKind("Result", "id", KeyType.SLUG),
        NodeKind("MarketEvent", "id", KeyType.SLUG),
    )
}
"""Label -> node kind, targets of relationships before the records that point to them."""


def _cited(owner: LiteralString, reverse: LiteralString, *carries: LiteralString) -> Relationship:
    """A fact's CITED_IN relationships: every fact needs at least one source, and each source
    keeps what it says of the fact's `carries` values."""
    return Relationship(
        owner,
        "sources",
        "CITED_IN",
        "Source",
        many=True,
        need=Need.SOME,
        reverse=reverse,
        carries=carries,
    )


RELATIONSHIPS: Final[tuple[Relationship, ...]] = (
    # Organization
    Relationship(
        "Organization",
        "country",
        "BASED_IN",
        "Country",
        many=False,
        checked=False,
        reverse="organizations",
    ),
    Relationship(
        "Organization",
        "part_of",
        "PART_OF",
        "Organization",
        many=False,
        read_as="parent",
        reverse="parts",
    ),
    Relationship(
        "Organization", "partners", "PARTNER_OF", "Organization", many=True, symmetric=True
    ),
    # Model
    Relationship(
        "Model",
        "developers",
        "DEVELOPED",
        "Organization",
        many=True,
        incoming=True,
        reverse="models",
    ),
    Relationship("Model", "derived_from", "DERIVED_FROM", "Model", many=True),
    Relationship("Model", "variant_of", "VARIANT_OF", "Model", many=False, reverse="variants"),
    # Release
    Relationship(
        "Release",
        "announced_by",
        "ANNOUNCED_BY",
        "Organization",
        many=True,
        need=Need.SOME,
        reverse="releases",
    ),
    Relationship(
        "Release",
        "introduced",
        "INTRODUCED",
        "Model",
        many=True,
        need=Need.SOME,
        reverse="releases",
    ),
    _cited("Release", "releases", "date"),
    # Claim
    Relationship(
        "Claim",
        "claimed_by",
        "CLAIMED_BY",
        "Organization",
        many=False,
        need=Need.ONE,
        read_as="claimant",
        reverse="claims",
    ),
    Relationship(
        "Claim", "subject", "SUBJECT", "Model", many=False, need=Need.ONE, reverse="claims"
    ),
    Relationship(
        "Claim",
        "against",
        "AGAINST",
        "Model",
        many=True,
        need=Need.SOME,
        need_when="comparative",
        reverse="claimsAgainst",
    ),
    Relationship(
        "Claim",
        "benchmark",
        "ON",
        "Benchmark",
        many=False,
        need=Need.ONE,
        need_when="scored",
        reverse="claims",
    ),
    _cited("Claim", "claims", "madeOn", "score"),
    # Result
    Relationship("Result", "model", "OF", "Model", many=False, need=Need.ONE, reverse="results"),
    Relationship(
        "Result", "benchmark", "ON", "Benchmark", many=False, need=Need.ONE, reverse="results"
    ),
    _cited("Result", "results", "score", "measuredOn"),
    # MarketEvent
    Relationship(
        "MarketEvent",
        "affected",
        "AFFECTED",
        "Organization",
        many=True,
        need=Need.SOME,
        reverse="events",
    ),
    Relationship(
        "MarketEvent",
        "attributed_to_models",
        "ATTRIBUTED_TO",
        "Model",
        many=True,
        reverse="events",
    ),
    Relationship(
        "MarketEvent",
        "attributed_to_releases",
        "ATTRIBUTED_TO",
        "Release",
        many=True,
        reverse="events",
    ),
    _cited("MarketEvent", "events", "date", "magnitude"),
)
"""Every relationship, grouped by owner in the order the owner's fields are written."""

KINDS: Final = tuple(NODE_KINDS)
"""Every node label."""

CITED_KINDS: Final = tuple(
    dict.fromkeys(r.owner for r in RELATIONSHIPS if r.type == "CITED_IN" and r.need != Need.NONE)
)
"""The kinds of fact that must cite sources (and keep what each source says on CITED_IN)."""


def owned_by(kind: str) -> Iterator[Relationship]:
    """The relationships records of `kind` own, in field order."""
    return (r for r in RELATIONSHIPS if r.owner == kind)


def references(kind: str) -> dict[str, str]:
    """Field -> target kind of the references a dataset must resolve, for `Record.REFERENCES`."""
    return {r.field: r.target for r in owned_by(kind) if r.checked}
