"""Structured JSON logs: one line per request, and a request id echoed in `X-Request-Id`.

Each request gets an id (the client's `X-Request-Id` when it is sane, else a fresh one),
returned in the response header and attached to every log line written while it runs. When
it ends, one line says method, path, status, duration, GraphQL operation, client address,
key id (a prefix of the key's hash, never the key) and the error codes it answered with.
Secrets never reach a log: headers and bodies are not logged, and the JSON formatter masks
anything shaped like a bearer token, an API key or a password assignment all the same.

strawberry logs every GraphQL error at ERROR with a traceback, user errors included;
:class:`QuietSchema` logs them at DEBUG instead. Unexpected errors keep their traceback:
the ErrorCodes extension logs them, with a reference the client sees.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import perf_counter
from typing import Any, Final

import orjson
import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from graphql.utilities import get_operation_ast
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from modelatlas.api.auth import access_of
from modelatlas.api.errors import error_code
from modelatlas.config import Settings

REQUEST_ID_HEADER: Final = "x-request-id"
_REQUEST_ID_KEY: Final = REQUEST_ID_HEADER.encode("ascii")
_SANE_ID: Final = re.compile(r"[A-Za-z0-9._:=+/-]{1,128}")
_STATE_KEY: Final = "modelatlas.request"
_HANDLER_MARK: Final = "_modelatlas_json"

request_log = logging.getLogger("modelatlas.requests")
graphql_log = logging.getLogger("modelatlas.api.graphql")

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being served (None outside one); every log line carries it."""


@dataclass(slots=True)
class RequestRecord:
    """What the layers below the middleware learn about a request, for its log line."""

    request_id: str
    operation: str | None = None
    operation_type: str | None = None
    key_id: str | None = None
    error_codes: list[str] = field(default_factory=list)


def record_of(scope: Scope) -> RequestRecord | None:
    """The request's record, if the RequestLog middleware is in front of the app."""
    state = scope.get("state")
    found = state.get(_STATE_KEY) if isinstance(state, Mapping) else None
    return found if isinstance(found, RequestRecord) else None


def note_error_code(scope: Scope, code: str) -> None:
    """Add an error code to the request's log line (no-op without the middleware)."""
    record = record_of(scope)
    if record is not None and code not in record.error_codes:
        record.error_codes.append(code)


def note_operation(
    scope: Scope,
    name: str | None,
    kind: str | None,
    key_id: str | None,
    codes: list[str] | tuple[str, ...] = (),
) -> None:
    """Note a GraphQL operation's name, type, key id and error codes for the request's log
    line (no-op without the middleware)."""
    record = record_of(scope)
    if record is None:
        return
    record.operation, record.operation_type, record.key_id = name, kind, key_id
    for code in codes:
        if code not in record.error_codes:
            record.error_codes.append(code)


def new_request_id() -> str:
    """A fresh request id: a random UUID (version 4) as 32 hex digits, as `uuid4().hex`
    gives, without building the UUID object (a third of the cost, on every request)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return raw.hex()


def _set_header(message: Message, key: bytes, value: bytes) -> None:
    """Set a header of an `http.response.start` message, replacing any of the same name (as
    starlette's MutableHeaders does, without building one per response)."""
    headers = message["headers"] = list(message["headers"])
    found = [i for i, (name, _) in enumerate(headers) if name == key]
    for i in reversed(found[1:]):
        del headers[i]
    if found:
        headers[found[0]] = (key, value)
    else:
        headers.append((key, value))


def sane_request_id(value: str | None) -> str | None:
    """A client-supplied request id, if it is short and plain enough to echo and log."""
    if value is None:
        return None
    value = value.strip()
    return value if _SANE_ID.fullmatch(value) else None


class RequestLog:
    """ASGI middleware: a request id per request, echoed in X-Request-Id, and one JSON line
    per request when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app`."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request with an id, then log it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = None
        for name, value in scope.get("headers", ()):
            if name == _REQUEST_ID_KEY:
                supplied = sane_request_id(value.decode("latin-1"))
                break
        request_id = supplied or new_request_id()
        header_value = request_id.encode("latin-1")
        record = RequestRecord(request_id)
        scope.setdefault("state", {})[_STATE_KEY] = record
        token = current_request_id.set(request_id)
        status = 500
        started = perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                _set_header(message, _REQUEST_ID_KEY, header_value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _log_request(scope, record, status, perf_counter() - started)
            current_request_id.reset(token)


def _log_request(scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
    """Write the request's one line."""
    level = logging.ERROR if status >= 500 else logging.INFO
    if not request_log.isEnabledFor(level):
        return
    client = scope.get("client")
    fields: dict[str, Any] = {
        "event": "request",
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "operation": record.operation,
        "operation_type": record.operation_type,
        "request_id": record.request_id,
        "client": client[0] if client else None,
        "key_id": record.key_id,
        "error_codes": record.error_codes,
    }
    request_log.log(
        level,
        "%s %s %s %.1f ms",
        fields["method"],
        fields["path"],
        status,
        fields["duration_ms"],
        extra={"fields": fields},
    )


# --------------------------------------------------------------------------- GraphQL side


def _code_of(error: BaseException) -> str:
    """The code an error escaping the operation will be answered with."""
    extensions = getattr(error, "extensions", None)
    if isinstance(extensions, Mapping) and isinstance(extensions.get("code"), str):
        return str(extensions["code"])
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    return "INTERNAL_SERVER_ERROR"


class OperationLog(SchemaExtension):
    """Schema extension noting the operation, key id and error codes for the request's log
    line. List it before ErrorCodes, so it sees the codes ErrorCodes gave."""

    def on_operation(self) -> Iterator[None]:
        """Note the outcome once the operation (and ErrorCodes) is done."""
        try:
            yield
        except Exception as exc:
            self._note([_code_of(exc)])
            raise
        errors = getattr(self.execution_context.result, "errors", None) or []
        self._note([_code_of(e) for e in errors])

    def _note(self, codes: list[str]) -> None:
        """Fill the request's record, if there is one."""
        context = self.execution_context
        request = context.context.get("request") if isinstance(context.context, Mapping) else None
        scope = getattr(request, "scope", None)
        if isinstance(scope, dict):
            name, kind = _operation(context)
            note_operation(scope, name, kind, access_of(context.context).principal.key_id, codes)


def _operation(context: ExecutionContext) -> tuple[str | None, str | None]:
    """The operation's name (as sent, else from the document) and type, where known."""
    name = context.operation_name
    kind: str | None = None
    document = context.graphql_document
    if document is not None:
        operation = get_operation_ast(document, name)
        if operation is not None:
            kind = operation.operation.value
            if name is None and operation.name is not None:
                name = operation.name.value
    return (name if isinstance(name, str) else None), kind


class QuietSchema(strawberry.Schema):
    """strawberry's Schema logging GraphQL errors at DEBUG, without a traceback, through the
    service's logger (unexpected errors are logged with theirs by ErrorCodes)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log each error on one line at DEBUG."""
        if not graphql_log.isEnabledFor(logging.DEBUG):
            return
        for error in errors:
            original = error.original_error
            code = (
                (error.extensions or {}).get("code")
                or error_code(original)
                or type(original).__name__
            )
            where = ".".join(str(p) for p in error.path) if error.path else "(operation)"
            graphql_log.debug("GraphQL error %s at %s: %s", code, where, error.message)


# --------------------------------------------------------------------------- formatting

_REDACTIONS: Final = (
    (re.compile(r"(?i)\b(bearer|basic|token)(\s+)[^\s\"',;]+"), r"\1\2[redacted]"),
    (re.compile(r"ma_[A-Za-z0-9_\-]{16,}"), "ma_[redacted]"),
    (
        re.compile(r"(?i)(password|passwd|secret|credentials)([\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
        r"\1\2[redacted]",
    ),
)


_MARKERS: Final = ("bearer", "basic", "token", "ma_", "passw", "secret", "credentials")
"""A word each of `_REDACTIONS` needs: ASCII text with none of them (lower-cased) has
nothing to mask."""


def redact(text: str) -> str:
    """Mask anything shaped like a bearer token, an API key or a password assignment.

    Most lines (every request's) have nothing to mask; for ASCII text a look for the words
    the patterns need settles that at a third of the three substitutions' cost. Other text
    always goes through them (case-insensitive matching folds some non-ASCII letters to
    ASCII ones, e.g. the Kelvin sign to k)."""
    if text.isascii():
        lowered = text.lower()
        if not any(marker in lowered for marker in _MARKERS):
            return text
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's `fields`, the
    current request id, and the traceback if any (secrets masked)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as one line of JSON."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update(fields)
        request_id = current_request_id.get()
        if request_id is not None:
            entry.setdefault("request_id", request_id)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode("utf-8")


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time of each record (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the formatted record as one line."""
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def install_logging(settings: Settings) -> None:
    """Send the service's logs (the `modelatlas` logger) to stderr as JSON lines, once."""
    if settings.log_format == "none":
        return
    logger = logging.getLogger("modelatlas")
    level = logging.getLevelName(settings.log_level)
    handlers: list[logging.Handler] = [
        h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)
    ]
    if not handlers:
        made = _StderrHandler()
        made.setFormatter(JsonFormatter())
        setattr(made, _HANDLER_MARK, True)
        logger.addHandler(made)
        handlers = [made]
    for handler in handlers:
        handler.setLevel(level)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
