"""Every GraphQL error carries `extensions.code`, and unexpected ones never show their detail.

Resolvers raise :class:`ApiError` subclasses (or a ``GraphQLError`` with a code) for errors the
client should read; any other Model Atlas error gets its code here from its family in
modelatlas.errors (:data:`FAMILY_CODES`, the one mapping), and the argument it blames its
GraphQL name (:func:`error_extensions`). The :class:`ErrorCodes` schema extension then gives
every error in a response a code: parse and validation failures, variable coercion, an
unavailable Neo4j, a request past its deadline, and everything else, which is logged with its
traceback and answered as "Internal server error". A value quoted in a
message (a cursor, a name, a field the client sent) is cut to ``MAX_QUOTED`` characters, so a
huge input never comes back whole.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final

from graphql import GraphQLError, GraphQLSyntaxError
from neo4j.exceptions import Neo4jError
from pydantic import ValidationError
from strawberry.extensions import SchemaExtension
from strawberry.utils.str_converters import to_camel_case

from modelatlas import errors
from modelatlas.domain import MAX_QUOTED, shorten
from modelatlas.graph.core import LOCK_CODES, UNAVAILABLE

log = logging.getLogger("modelatlas.api.errors")

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
TIMEOUT = "TIMEOUT"
WRITE_CONFLICT = "WRITE_CONFLICT"

INTERNAL_MESSAGE = "Internal server error"
UNAVAILABLE_MESSAGE = "The database is unavailable; try again shortly"
CONFLICT_MESSAGE = (
    "Other writes held the records this one needs for longer than it could wait; nothing "
    "was written. Retry after a moment"
)
RETRY_AFTER_S = 1
"""The retry hint a WRITE_CONFLICT carries (seconds)."""


def neo4j_codes(original: BaseException | None) -> list[str]:
    """The Neo4j status codes of an error and of its cause (a Neo4j error re-raised as
    another), so a caller can tell what the server stopped a transaction for."""
    return [
        candidate.code
        for candidate in (original, getattr(original, "__cause__", None))
        if isinstance(candidate, Neo4jError) and isinstance(candidate.code, str)
    ]


def _lock_conflict(original: BaseException | None) -> bool:
    """Whether Neo4j stopped the transaction over locks (its retries were spent: a
    graph.core.WriteConflict is raised from the last attempt's Neo4j error)."""
    return any(code in LOCK_CODES for code in neo4j_codes(original))


class ApiError(errors.ModelAtlasError):
    """An error meant for the client: its message is shown and its extensions are kept."""

    code: ClassVar[str] = BAD_USER_INPUT

    def __init__(self, message: str, **extensions: Any) -> None:
        """Carry the message and the extra extensions (field, ...) next to the code."""
        super().__init__(message)
        self.message = message
        # graphql-core copies an original error's `extensions` dict into the GraphQLError.
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInput(ApiError, errors.InvalidInput):
    """The request's arguments are wrong; `field` names where (e.g. "input.parameters")."""

    code = BAD_USER_INPUT


class NotFound(ApiError, errors.NotFound):
    """The record the request names does not exist."""

    code = NOT_FOUND


class Unauthenticated(ApiError):
    """No valid API key was presented where one is needed."""

    code = UNAUTHENTICATED


class Forbidden(ApiError):
    """The presented API key's role may not do this."""

    code = FORBIDDEN


class ServiceUnavailableError(ApiError, errors.Unavailable):
    """Neo4j cannot be reached now; the client may retry."""

    code = SERVICE_UNAVAILABLE


FAMILY_CODES: Final[tuple[tuple[type[errors.ModelAtlasError], str], ...]] = (
    (errors.NotFound, NOT_FOUND),
    (errors.InvalidInput, BAD_USER_INPUT),
    (errors.Timeout, TIMEOUT),
    (errors.Unavailable, SERVICE_UNAVAILABLE),
)
"""The GraphQL code of each family of modelatlas.errors (first match). A Conflict, and an error
of no family (a MigrationError), is not the client's to read: it is masked as internal."""

_ARGUMENTS: Final = {"order": "orderBy"}
"""Python arguments whose GraphQL name is not their name in camelCase."""


def error_code(error: BaseException | None) -> str | None:
    """The code of a Model Atlas error: an ApiError's own, else its family's; None for any
    other error, or one of a family the client is not told about."""
    if isinstance(error, ApiError):
        return error.code
    for family, code in FAMILY_CODES:
        if isinstance(error, family):
            return code
    return None


def error_extensions(error: errors.ModelAtlasError) -> dict[str, Any]:
    """What GraphQL reports next to a Model Atlas error's message: its code and, when one
    argument is to blame, that argument as the schema names it (`within_days` -> `withinDays`)."""
    found: dict[str, Any] = {"code": error_code(error)}
    if error.argument is not None:
        found["argument"] = _ARGUMENTS.get(error.argument) or to_camel_case(error.argument)
    return found


def field_path(loc: Sequence[int | str], root: str = "input") -> str:
    """Render a pydantic error location as a GraphQL argument path, e.g. input[2].sources."""
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def bad_input_from_validation(
    error: ValidationError, root: str = "input", *, drop: int = 0
) -> BadUserInput:
    """Turn pydantic's errors into one BAD_USER_INPUT naming every offending field.

    ``drop`` leaves out leading location parts that are not in the GraphQL argument (such as
    the Dataset collection a single record was validated in).
    """
    problems = [
        {"field": field_path(e["loc"][drop:], root), "message": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_input=False, include_context=False)
    ]
    shown = "; ".join(
        f"{p['field']}: {p['message']}" if p["field"] else str(p["message"]) for p in problems[:10]
    )
    more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return BadUserInput(
        f"invalid input, nothing written: {shown}{more}",
        field=problems[0]["field"] if problems else root,
        problems=problems,
    )


# graphql-core 3.3's variable coercion messages, e.g. "Variable '$input' has invalid value at
# .models[1].parameters: ..." and "... to include required field 'sources', found: ...".
_VARIABLE = re.compile(r"^Variable ['\"]\$(?P<var>\w+)['\"]")
_VARIABLE_AT = re.compile(r"^Variable ['\"]\$\w+['\"] has invalid value at (?P<at>[.\[][^:\s]*):")
_MISSING_FIELD = re.compile(r"to include required field ['\"](?P<name>\w+)['\"]")


def _caused_by_strawberry(error: BaseException) -> bool:
    """Whether an exception was raised by strawberry itself (its argument checks, e.g. relay's
    `first` limit), which are meant for the client, rather than by our code or a library."""
    tb = error.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_globals.get("__name__", "")
        tb = tb.tb_next
    return isinstance(last, str) and last.startswith("strawberry.")


def _with(
    error: GraphQLError,
    code: str,
    message: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> GraphQLError:
    """A copy of the error with a code (and optionally another message); no original error kept
    when the message is replaced, so no detail can leak through a formatter."""
    replaced = message is not None
    return GraphQLError(
        message if message is not None else error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None if replaced else error.original_error,
        extensions={**(error.extensions or {}), **(extra or {}), "code": code},
    )


def classify(error: GraphQLError, *, validation: frozenset[int] = frozenset()) -> GraphQLError:
    """The error as the client should see it: with a code, and masked unless meant for it.

    ``validation`` holds the ids of the errors the validation phase produced.
    """
    original = error.original_error
    if isinstance(original, ApiError):
        return _with(error, original.code, extra=original.extensions)
    if isinstance(original, errors.ModelAtlasError) and error_code(original) is not None:
        return _family_error(error, original)
    if error.extensions and "code" in error.extensions:
        return error
    if isinstance(error, GraphQLSyntaxError):
        return _with(error, GRAPHQL_PARSE_FAILED)
    if id(error) in validation:
        return _with(error, GRAPHQL_VALIDATION_FAILED)
    if _lock_conflict(original):
        log.warning("write conflict at %s: %s", _where(error), getattr(original, "code", ""))
        return _with(
            error,
            WRITE_CONFLICT,
            CONFLICT_MESSAGE,
            {"retryable": True, "retryAfterSeconds": RETRY_AFTER_S},
        )
    if isinstance(original, UNAVAILABLE) or isinstance(
        getattr(original, "__cause__", None), UNAVAILABLE
    ):
        log.warning("Neo4j unavailable at %s: %s", _where(error), type(original).__name__)
        return _with(error, SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
    if isinstance(original, ValidationError):
        # Raised by a resolver that validated an argument itself: the location is all we know.
        bad = bad_input_from_validation(original, root="")
        extra = {k: v for k, v in bad.extensions.items() if v != ""}
        return _with(error, BAD_USER_INPUT, bad.message.replace(", nothing written", ""), extra)
    if original is None or isinstance(original, GraphQLError):
        if error.path is None:
            # Raised before execution: variable coercion, a disallowed operation, ...
            return _with(error, BAD_USER_INPUT, extra=_variable_field(error.message))
        return _with(error, BAD_USER_INPUT)  # a GraphQLError raised on purpose by a resolver
    if isinstance(original, ValueError | TypeError) and _caused_by_strawberry(original):
        return _with(error, BAD_USER_INPUT)
    reference = uuid.uuid4().hex[:12]
    log.error(
        "internal error %s at %s",
        reference,
        _where(error),
        exc_info=(type(original), original, original.__traceback__),
    )
    return _with(error, INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, {"reference": reference})


def _family_error(error: GraphQLError, original: errors.ModelAtlasError) -> GraphQLError:
    """The error as its family's code says: a timeout with its limit, an unavailable server
    masked (its detail is for the log), anything else with its message and argument."""
    if isinstance(original, errors.Timeout):
        return deadline_error(error, original.seconds)
    if isinstance(original, errors.Unavailable):
        log.warning("unavailable at %s: %s", _where(error), type(original).__name__)
        return _with(error, SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE)
    return _with(error, str(error_code(original)), extra=error_extensions(original))


def deadline_error(error: GraphQLError, seconds: float) -> GraphQLError:
    """TIMEOUT for a field whose request ran out of its overall time (the request timeout)."""
    return _with(
        error,
        TIMEOUT,
        f"The request ran longer than the {seconds:g} s limit for a whole request and was "
        "stopped (a write not yet committed was rolled back); ask for less (a smaller `first`, "
        "fewer nested connections)",
        {"timeoutSeconds": seconds, "scope": "request"},
    )


def shorten_quoted(message: str, limit: int = MAX_QUOTED) -> str:
    """The message with every quoted value ('...' or "...") longer than `limit` characters cut
    to `limit` and an ellipsis. Linear in the message's length, whatever it holds."""
    if len(message) <= limit + 2:
        return message
    parts: list[str] = []
    unclosed: set[str] = set()  # quote characters with no closing quote further on
    copied = 0  # message[:copied] is in parts
    at = 0
    while (found := _QUOTE.search(message, at)) is not None:
        start = found.start()
        char = message[start]
        if char not in unclosed and (start == 0 or not _word(message[start - 1])):
            close = _closing_quote(message, char, start + 1)
            if close >= 0:
                parts += [message[copied:start], char, shorten(message[start + 1 : close], limit)]
                parts.append(char)
                copied = at = close + 1
                continue
            unclosed.add(char)
        at = start + 1
    parts.append(message[copied:])
    return "".join(parts)


_QUOTE: Final = re.compile("['\"]")


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _closing_quote(message: str, quote: str, start: int) -> int:
    """Where the quoted value opened before `start` closes: the next unescaped `quote` not
    followed by a letter or digit (so "it's" inside the value does not end it); -1 if none."""
    at = start
    while True:
        at = message.find(quote, at)
        if at < 0:
            return -1
        escaped = message[at - 1] == "\\" and at > start
        if not escaped and (at + 1 == len(message) or not _word(message[at + 1])):
            return at
        at += 1


def shortened(error: GraphQLError) -> GraphQLError:
    """The error with long quoted values in its message (and its problems' messages) cut."""
    message = shorten_quoted(error.message)
    extensions = error.extensions or {}
    problems = extensions.get("problems")
    new_problems = problems
    if isinstance(problems, list):
        new_problems = [
            {**p, "message": shorten_quoted(p["message"])}
            if isinstance(p, dict) and isinstance(p.get("message"), str)
            else p
            for p in problems
        ]
    if message == error.message and new_problems == problems:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**extensions, "problems": new_problems} if problems is not None else extensions,
    )


def _variable_field(message: str) -> dict[str, str]:
    """The argument path graphql-core names in a variable coercion message, if any."""
    match = _VARIABLE.match(message)
    if not match:
        return {}
    path = match.group("var")
    at = _VARIABLE_AT.match(message)
    if at:
        path += at.group("at")
    missing = _MISSING_FIELD.search(message)
    if missing:
        path += f".{missing.group('name')}"
    return {"field": path}


def _where(error: GraphQLError) -> str:
    """The response path of an error, for logs."""
    return ".".join(str(p) for p in error.path) if error.path else "(operation)"


class ErrorCodes(SchemaExtension):
    """Schema extension giving each error of a result its `extensions.code` (and masking)."""

    def __init__(self) -> None:
        """Start with no validation errors seen."""
        self._validation: frozenset[int] = frozenset()

    def on_validate(self) -> Iterator[None]:
        """Remember which errors validation produced, to tell them from execution errors."""
        yield
        self._validation = frozenset(
            id(e) for e in self.execution_context.pre_execution_errors or []
        )

    def on_operation(self) -> Iterator[None]:
        """Rewrite the finished result's errors in place."""
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [_safely_classified(e, self._validation) for e in errors]


def _safely_classified(error: GraphQLError, validation: frozenset[int]) -> GraphQLError:
    """classify() with long quoted values cut, but a bug in it still yields a masked error
    rather than a crash."""
    try:
        return shortened(classify(error, validation=validation))
    except Exception:
        log.exception("could not classify a GraphQL error")
        return _with(error, INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE)
