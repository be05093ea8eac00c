"""The one exception hierarchy: every error Model Atlas raises on purpose is a ModelAtlasError.

An embedding application catches a family rather than each module's class::

    ModelAtlasError
    ├── InvalidInput (ValueError)   a value given cannot be used as it is; nothing was done
    ├── NotFound (LookupError)      what a call names does not exist
    ├── Conflict                    another write changed what this one needed; nothing was done
    ├── Timeout                     a time limit ran out; nothing of the work was committed
    └── Unavailable (RuntimeError)  a server Model Atlas needs cannot be used now

The stdlib base in brackets stays, so ``except ValueError`` around a call still works. Each
module keeps its specific class (graph/reads' InvalidArgument, ingest's format errors, ...)
under one of these; a missing thing is always a NotFound. api/errors.py maps the families to
GraphQL codes, in one place. Nothing here knows of GraphQL or HTTP.
"""

from __future__ import annotations

__all__ = ["Conflict", "InvalidInput", "ModelAtlasError", "NotFound", "Timeout", "Unavailable"]


class ModelAtlasError(Exception):
    """Base of every error Model Atlas raises on purpose (its message is meant to be read)."""

    argument: str | None
    """When one argument of the call is to blame, its name as the Python API spells it
    (``within_days``, ``order``); api/errors.py reports it as the GraphQL schema spells it."""

    def __init__(self, *args: object, argument: str | None = None) -> None:
        """Keep the message (the exception's arguments) and the argument to blame, if any."""
        super().__init__(*args)
        self.argument = argument


class InvalidInput(ModelAtlasError, ValueError):
    """A value given to Model Atlas cannot be used as it is (out of range, malformed, naming
    what does not exist in a write, ...): nothing was read or written."""


class NotFound(ModelAtlasError, LookupError):
    """What a call names (the entity a question is about, the node to delete) does not exist."""

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        kind: str | None = None,
        key: str | None = None,
    ) -> None:
        """Keep the message and, when known, the argument naming it and the missing node's kind
        and natural key."""
        super().__init__(message, argument=argument)
        self.kind = kind
        self.key = key


class Conflict(ModelAtlasError):
    """Another write got in this one's way while it ran (a target deleted after the references
    were checked; locks held past the write's time budget); this write was rolled back."""


class Timeout(ModelAtlasError):
    """A time limit ran out before the work was done; nothing of it was committed."""

    seconds: float
    """The limit that ran out, in seconds."""


class Unavailable(ModelAtlasError, RuntimeError):
    """A server Model Atlas needs (Neo4j, a local server it manages) cannot be used now."""
