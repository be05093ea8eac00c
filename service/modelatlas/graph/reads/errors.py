"""Why a read cannot be answered: a bad argument, or nothing to answer about."""

from __future__ import annotations

from typing import Any, ClassVar


class ReadError(Exception):
    """A read that cannot be answered as asked; ``extensions`` carries a GraphQL error code."""

    code: ClassVar[str] = "BAD_USER_INPUT"

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        """Keep the message and, when one argument is to blame, its name."""
        super().__init__(message)
        self.argument = argument

    @property
    def extensions(self) -> dict[str, Any]:
        """What GraphQL reports next to the message (graphql-core copies this attribute)."""
        found: dict[str, Any] = {"code": self.code}
        if self.argument is not None:
            found["argument"] = self.argument
        return found


class InvalidArgument(ReadError, ValueError):
    """An argument is out of range or malformed (a page size over 100, a foreign cursor)."""


class NotFound(ReadError, LookupError):
    """The entity a question is about does not exist."""

    code: ClassVar[str] = "NOT_FOUND"
