"""Why a read cannot be answered: a bad argument, or nothing to answer about."""

from __future__ import annotations


class ReadError(Exception):
    """A read that cannot be answered as asked; the class says which kind of failure it is, and
    api/errors.py turns it into the GraphQL error code and argument name a client sees."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        """Keep the message and, when one argument is to blame, its name as the read function
        spells it (``within_days``, ``order``), not as the GraphQL schema does."""
        super().__init__(message)
        self.argument = argument


class InvalidArgument(ReadError, ValueError):
    """An argument is out of range or malformed (a page size over 100, a foreign cursor)."""


class NotFound(ReadError, LookupError):
    """The entity a question is about does not exist."""
