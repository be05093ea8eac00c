"""GraphQL over HTTP as the spec (graphql.github.io/graphql-over-http) has it, on strawberry.

strawberry's FastAPI router always answers `application/json` with status 200 and plain-text
errors. This router adds what the spec and its `graphql-http` audit ask for: the
`application/graphql-response+json` media type when the client accepts it, 400 for request
errors (unparsable or invalid documents, bad variables) under that media type, no `data`
entry when execution never started, 405 for a mutation sent with GET, 401 with
`WWW-Authenticate` when the request is refused for want of a valid key, and JSON bodies
with a code for every refused request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from modelatlas.api.errors import UNAUTHENTICATED, classify, shortened
from modelatlas.graph import Graph
from modelatlas.graph.bookmarks import InvalidBookmarkError, decode_bookmarks

JSON: Final = "application/json"
GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
_OUTCOME: Final = "graphql_outcome"
BOOKMARK_HEADER: Final = "modelatlas-bookmark"
"""Request header carrying a bookmark a mutation returned, for reads that must see it."""


def negotiate(accept: str | None) -> str:
    """The response media type for an Accept header: graphql-response+json only when named."""
    if not accept or not accept.strip():
        return JSON
    best: dict[str, float] = {JSON: 0.0, GRAPHQL_RESPONSE_JSON: 0.0}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        media = media.lower()
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media == GRAPHQL_RESPONSE_JSON:
            best[GRAPHQL_RESPONSE_JSON] = max(best[GRAPHQL_RESPONSE_JSON], quality)
        elif media in (JSON, "application/*", "*/*"):
            best[JSON] = max(best[JSON], quality)
    if best[GRAPHQL_RESPONSE_JSON] > 0 and best[GRAPHQL_RESPONSE_JSON] >= best[JSON]:
        return GRAPHQL_RESPONSE_JSON
    return JSON


def _outcome(result: ExecutionResult) -> str:
    """How the request went, for its status: ok, request_error (never executed) or
    unauthenticated (refused for want of a valid key)."""
    errors = result.errors or []
    if result.data is not None or not errors or any(e.path is not None for e in errors):
        return "ok"
    codes = {(e.extensions or {}).get("code") for e in errors}
    return "unauthenticated" if UNAUTHENTICATED in codes else "request_error"


class GraphQLHTTPRouter(GraphQLRouter[Any, Any]):
    """strawberry's GraphQLRouter with the GraphQL-over-HTTP media types and status codes."""

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Also refuse what strawberry lets through: a body that is not UTF-8 or is JSON but not
        an object (both answered with a 500 otherwise), and a non-string operationName."""
        try:
            data = await super().parse_http_body(request)
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not valid UTF-8.") from None
        except AttributeError:  # strawberry calls data.get() on whatever JSON value it parsed
            raise HTTPException(400, "The request body must be a JSON object.") from None
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null."
                )
        return data

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Leave out `data` when execution never started, and note the outcome for the status.

        Errors raised by an extension's parsing hook (strawberry's ParserCache raises syntax
        errors there) skip the ErrorCodes extension, so any error still without a code gets
        one here, and every message has its long quoted values cut (a 1 MB field name in a
        syntax or validation error does not come back whole).
        """
        if result.errors:
            result.errors = [
                shortened(e if "code" in (e.extensions or {}) else classify(e))
                for e in result.errors
            ]
        response = await super().process_result(request, result)
        outcome = _outcome(result)
        if outcome != "ok":
            response.pop("data", None)
        setattr(request.state, _OUTCOME, outcome)
        return response

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Any = UNSET,
        root_value: Any = UNSET,
    ) -> Response | WebSocket:
        """Run the request, then set the media type and status code the spec asks for."""
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        media = negotiate(request.headers.get("accept"))
        token = request.headers.get(BOOKMARK_HEADER)
        if token:
            try:
                decode_bookmarks(token)
            except InvalidBookmarkError as exc:
                return _refusal(HTTPException(400, f"{BOOKMARK_HEADER}: {exc}"), media)
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as exc:
            return _refusal(exc, media)
        if not response.headers.get("content-type", "").startswith(JSON):
            return response  # GraphiQL's page or a stream
        outcome = getattr(request.state, _OUTCOME, "ok")
        if outcome == "unauthenticated":
            response.status_code = 401
            response.headers["www-authenticate"] = 'Bearer realm="modelatlas"'
        elif outcome == "request_error" and media == GRAPHQL_RESPONSE_JSON:
            response.status_code = 400
        response.headers["content-type"] = f"{media}; charset=utf-8"
        return response


def _refusal(exc: HTTPException, media: str) -> Response:
    """A request refused before GraphQL ran, as a GraphQL-shaped JSON error."""
    status, headers = exc.status_code, {}
    if isinstance(exc.__cause__, InvalidOperationTypeError):
        status, headers = 405, {"allow": "POST"}  # a mutation sent with GET
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "BAD_REQUEST")
    body = json.dumps({"errors": [{"message": exc.reason, "extensions": {"code": code}}]})
    return Response(body, status_code=status, headers=headers, media_type=f"{media}; charset=utf-8")


def graph_for_request(
    graph: Graph, headers: Mapping[str, str], *, timeout_s: float | None = None
) -> Graph:
    """The graph one request works on: bounded to `timeout_s` from now in all (every Neo4j
    transaction of the request is cut to the time left, and none starts or commits after it),
    and chained after the client's bookmark when it sent one."""
    request_graph = graph.with_deadline(timeout_s) if timeout_s else graph
    token = headers.get(BOOKMARK_HEADER)
    if not token:
        return request_graph
    try:
        return request_graph.with_bookmarks(decode_bookmarks(token))
    except InvalidBookmarkError:
        return request_graph  # refused by GraphQLHTTPRouter.run before anything executes
