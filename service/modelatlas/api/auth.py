"""API keys and roles: who may read, write and delete, decided per request and per operation.

Keys are random tokens given to clients once; the service stores only their SHA-256 hashes
(``MODELATLAS_API_KEYS="editor:<hex>,admin:<hex>"``) and compares digests in constant time.
Keys carry 256 bits of entropy, so a fast hash is enough: there is nothing to brute-force.
Reads are public unless ``MODELATLAS_REQUIRE_KEY_FOR_READS`` is set; mutations always need a
key, upserts the editor role and deletes the admin role. Keys never reach a log: only a short
prefix of their hash (`key_id`) identifies a key in logs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from modelatlas.api.errors import UNAUTHENTICATED, Forbidden, Unauthenticated
from modelatlas.config import Settings

KEY_PREFIX: Final = "ma_"
ACCESS: Final = "access"
"""The GraphQL context entry that holds the request's :class:`Access`."""


class Role(StrEnum):
    """What a key may do; each role includes the ones below it."""

    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """Whether this role includes the needed one."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


def hash_key(key: str) -> str:
    """The hex SHA-256 of a key, as stored in the settings."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key(role: Role) -> tuple[str, str]:
    """A fresh random key and its settings entry (`role:sha256hex`)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, f"{role.value}:{hash_key(key)}"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: anonymous (no role), a key's role, or a rejected key."""

    role: Role | None = None
    key_id: str | None = None
    rejected: bool = False


ANONYMOUS: Final = Principal()


class KeyRing:
    """The configured key hashes, able to tell which role a presented key has."""

    def __init__(self, entries: Iterable[str]) -> None:
        """Parse `role:sha256hex` entries (already checked by the settings)."""
        self._keys: list[tuple[bytes, Role, str]] = []
        for entry in entries:
            role, _, digest = entry.strip().lower().partition(":")
            self._keys.append((bytes.fromhex(digest), Role(role), digest[:12]))

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """The keys configured in MODELATLAS_API_KEYS."""
        return cls(settings.api_keys)

    def __len__(self) -> int:
        """How many keys are configured."""
        return len(self._keys)

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal for an `Authorization` header value (absent means anonymous)."""
        if authorization is None or not authorization.strip():
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return Principal(rejected=True)
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        found: Principal | None = None
        for stored, role, key_id in self._keys:  # no early exit: same work for every key
            if hmac.compare_digest(stored, digest) and found is None:
                found = Principal(role, key_id)
        return found or Principal(rejected=True)


@dataclass(frozen=True, slots=True)
class Access:
    """A request's principal and the service's read policy, kept in the GraphQL context."""

    principal: Principal = ANONYMOUS
    reads_require_key: bool = False


def access_from_headers(
    headers: Mapping[str, str], keys: KeyRing, *, reads_require_key: bool
) -> Access:
    """The Access for one HTTP request's headers."""
    return Access(keys.authenticate(headers.get("authorization")), reads_require_key)


def access_of(context: Any) -> Access:
    """The request's Access; a context without one (e.g. direct schema execution) is anonymous."""
    found = context.get(ACCESS) if isinstance(context, Mapping) else getattr(context, ACCESS, None)
    return found if isinstance(found, Access) else Access()


def require_role(info: Info[Any, Any], needed: Role) -> Principal:
    """Raise UNAUTHENTICATED without a valid key and FORBIDDEN when its role is too low."""
    principal = access_of(info.context).principal
    if principal.rejected:
        raise Unauthenticated("the API key is not valid")
    if principal.role is None:
        raise Unauthenticated(
            f"this operation needs an API key with the {needed.value} role: "
            "send `Authorization: Bearer <key>`"
        )
    if not principal.role.allows(needed):
        raise Forbidden(
            f"this operation needs the {needed.value} role; the key has the "
            f"{principal.role.value} role",
            requiredRole=needed.value,
        )
    return principal


def refusal(access: Access, operation: OperationType) -> str | None:
    """Why a request's operation is refused before it runs (an invalid key, a mutation without
    a key, a read without a key when reads need one), or None when it may run."""
    principal = access.principal
    if principal.rejected:
        return "the API key is not valid"
    if principal.role is None:
        if operation is OperationType.MUTATION:
            return "mutations need an API key: send `Authorization: Bearer <key>`"
        if access.reads_require_key:
            return "this service needs an API key: send `Authorization: Bearer <key>`"
    return None


class AccessControl(SchemaExtension):
    """Schema extension refusing a whole operation before validation when it cannot be allowed:
    an invalid key, a mutation without a key, or a read without a key when reads need one."""

    def on_validate(self) -> Iterator[None]:
        """Check once the operation type is known, before any field runs."""
        context = self.execution_context
        message = refusal(access_of(context.context), context.operation_type)
        if message is not None:
            # Set before validation runs, so it is skipped and the operation never executes.
            context.pre_execution_errors = [
                GraphQLError(message, extensions={"code": UNAUTHENTICATED})
            ]
        yield
