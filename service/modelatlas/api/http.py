"""GraphQL over HTTP (graphql.github.io/graphql-over-http) for the strawberry schema, as one
plain route.

The route parses the request, runs `schema.execute` (so strawberry's extensions, caches and
error handling all apply) and answers with an orjson body. It is a plain route rather than
strawberry's FastAPI router because that router's dependency solving and request adapters
cost more per request than the GraphQL work of a small query (docs/performance.md), and
because the spec's behaviour is then in one place: the `application/graphql-response+json`
media type when the client accepts it, 400 for request errors (unparsable or invalid
documents, bad variables) under that media type, no `data` entry when execution never
started, 405 for a mutation sent with GET, 401 with `WWW-Authenticate` when the request is
refused for want of a valid key, and JSON bodies with a code for every refused request.
The service answers it ahead of FastAPI's routing (`GraphQLPath`); embedders mount the router.
Browsers get the project's own GraphiQL page, whose React and GraphiQL files are vendored and
served by the router itself under `<mount>/ide/`, so the IDE works with no network but this
server's and under a strict Content-Security-Policy.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any, Final

import orjson
from fastapi import APIRouter
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from modelatlas.api.errors import UNAUTHENTICATED, classify, shortened
from modelatlas.errors import ModelAtlasError
from modelatlas.graph import Graph
from modelatlas.graph.bookmarks import InvalidBookmarkError, decode_bookmarks
from modelatlas.web.assets import STATIC_DIR
from modelatlas.web.headers import StaticAssets, secure_headers

JSON: Final = "application/json"
GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
BOOKMARK_HEADER: Final = "modelatlas-bookmark"
"""Request header carrying a bookmark a mutation returned, for reads that must see it."""

_VIA_GET: Final = frozenset({OperationType.QUERY})
_VIA_POST: Final = frozenset(
    {OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION}
)

IDE_PATH: Final = "/ide"
"""Where, under the endpoint's own path, the router serves the GraphiQL page's files."""
GRAPHIQL_PAGE: Final = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")
GRAPHIQL_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The GraphiQL page's CSP, the tightest that works in Chromium: the explorer's, except fonts
may be data: URIs (graphiql.min.css inlines its fonts so; with font-src 'self' they are blocked).
style-src 'self' suffices: React and CodeMirror set styles through the CSSOM, which CSP allows."""

ContextGetter = Callable[[Request], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]


class Refused(ModelAtlasError):
    """A request refused before GraphQL ran: its status and the reason told to the client."""

    def __init__(self, status: int, reason: str, headers: Mapping[str, str] | None = None):
        """Note the status, reason and any extra headers."""
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = dict(headers or {})


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


def _json(text: str | bytes, what: str) -> Any:
    """Parse JSON, refusing with 400 (and saying so when the bytes are not even UTF-8)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        if isinstance(text, bytes):
            try:
                text.decode()
            except UnicodeDecodeError:
                raise Refused(400, f"The {what} is not valid UTF-8.") from None
        raise Refused(400, f"Unable to parse {what} as JSON") from None


_PARAMETER_TYPES: Final[dict[str, tuple[type, str]]] = {
    "query": (str, "a string"),
    "variables": (dict, "an object"),
    "extensions": (dict, "an object"),
    "operationName": (str, "a string"),
}
"""Each GraphQL request parameter's JSON type, as the spec has it (null is always allowed)."""


def _params(data: Any) -> dict[str, Any]:
    """The GraphQL request parameters of a parsed body, each of the type the spec allows."""
    if isinstance(data, list):
        raise Refused(400, "Batching is not enabled")
    if not isinstance(data, dict):
        raise Refused(400, "The request body must be a JSON object.")
    for name, (kind, article) in _PARAMETER_TYPES.items():
        value = data.get(name)
        if value is not None and not isinstance(value, kind):
            raise Refused(
                400, f"The GraphQL operation's `{name}` must be {article} or null, if provided."
            )
    return data


class GraphQLHTTP:
    """The GraphQL endpoint: GET (queries only) and POST with a JSON body, GraphiQL for
    browsers when enabled."""

    def __init__(
        self,
        schema: BaseSchema,
        context: ContextGetter,
        *,
        graphiql: bool,
    ) -> None:
        """Serve `schema`; `context` builds each request's context (sync or async)."""
        self.schema = schema
        self.context = context
        self.graphiql = graphiql

    async def __call__(self, request: Request) -> Response:
        """Answer one request; every refusal is a GraphQL-shaped JSON error."""
        media = negotiate(request.headers.get("accept"))
        try:
            return await self._answer(request, media)
        except Refused as exc:
            body = {"errors": [{"message": exc.reason, "extensions": {"code": _code(exc.status)}}]}
            return _response(body, exc.status, media, exc.headers)

    async def _answer(self, request: Request, media: str) -> Response:
        if request.method == "GET":
            query_params = request.query_params
            if "query" not in query_params and _wants_html(request.headers.get("accept", "")):
                if not self.graphiql:
                    raise Refused(404, "Not Found")
                return graphiql_page(request)
            data: dict[str, Any] = dict(query_params)
            for name in ("variables", "extensions"):
                if data.get(name):
                    data[name] = _json(data[name], f"`{name}` parameter")
                elif name in data:
                    data[name] = None
            allowed = _VIA_GET
        else:
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != JSON:
                raise Refused(400, "Unsupported content type")
            data = _json(await request.body(), "request body")
            allowed = _VIA_POST
        params = _params(data)
        token = request.headers.get(BOOKMARK_HEADER)
        if token:
            try:
                decode_bookmarks(token)
            except InvalidBookmarkError as exc:
                raise Refused(400, f"{BOOKMARK_HEADER}: {exc}") from None
        context = self.context(request)
        if inspect.isawaitable(context):
            context = await context
        try:
            result = await self.schema.execute(
                params.get("query"),
                variable_values=params.get("variables"),
                context_value=context,
                operation_name=params.get("operationName"),
                allowed_operation_types=allowed,
                operation_extensions=params.get("extensions"),
            )
        except CannotGetOperationTypeError as exc:
            raise Refused(400, exc.as_http_error_reason()) from None
        except InvalidOperationTypeError as exc:  # a mutation sent with GET
            reason = exc.as_http_error_reason(request.method)
            raise Refused(405, reason, {"allow": "POST"}) from None
        except MissingQueryError:
            raise Refused(400, "No GraphQL query found in the request") from None
        return _result_response(result, media)


def graphiql_page(request: Request) -> Response:
    """The GraphiQL page for the endpoint at the request's path, its files and its endpoint
    named from that path, so it works wherever the router is mounted."""
    root_path, path = request.scope.get("root_path", ""), request.scope["path"]
    mount = (path if path.startswith(root_path) else root_path + path).rstrip("/")
    page = GRAPHIQL_PAGE.replace("{{assets}}", escape(mount + IDE_PATH)).replace(
        "{{endpoint}}", escape(mount or "/")
    )
    return secure_headers(HTMLResponse(page), policy=GRAPHIQL_POLICY)


def _wants_html(accept: str) -> bool:
    """A browser asking for the page (as strawberry decides it)."""
    return "text/html" in accept or "*/*" in accept


def _code(status: int) -> str:
    return {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "BAD_REQUEST")


def _result_response(result: ExecutionResult, media: str) -> Response:
    """The execution result as the spec has it.

    Errors raised by an extension's parsing hook (strawberry's ParserCache raises syntax
    errors there) skip the ErrorCodes extension, so any error still without a code gets one
    here, and every message has its long quoted values cut (a 1 MB field name in a syntax or
    validation error does not come back whole). `data` is left out when execution never
    started.
    """
    body: dict[str, Any] = {"data": result.data}
    headers: dict[str, str] = {}
    status = 200
    if result.errors:
        errors: list[GraphQLError] = [
            shortened(e if "code" in (e.extensions or {}) else classify(e)) for e in result.errors
        ]
        result.errors = errors
        body["errors"] = [e.formatted for e in errors]
        outcome = _outcome(result)
        if outcome != "ok":
            del body["data"]
        if outcome == "unauthenticated":
            status = 401
            headers["www-authenticate"] = 'Bearer realm="modelatlas"'
        elif outcome == "request_error" and media == GRAPHQL_RESPONSE_JSON:
            status = 400
    if result.extensions:
        body["extensions"] = result.extensions
    return _response(body, status, media, headers)


def _response(body: Any, status: int, media: str, headers: Mapping[str, str]) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        headers=dict(headers),
        media_type=f"{media}; charset=utf-8",
    )


class GraphQLPath:
    """ASGI middleware answering GET and POST at one path straight from the endpoint, ahead
    of the app's routing: FastAPI's route handling (router match, request handler, exception
    wrappers) cost ~0.6 ms CPU per request, a tenth of a lookup. Other methods and paths go on
    to the app, whose router holds the same endpoint (405 with Allow, redirects)."""

    def __init__(self, app: ASGIApp, endpoint: GraphQLHTTP, path: str) -> None:
        """Serve `endpoint` at `path` in front of `app`."""
        self.app = app
        self.endpoint = endpoint
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer GraphQL requests at the path; pass everything else on."""
        if (
            scope["type"] == "http"
            and scope["path"] == self.path
            and scope["method"] in _DIRECT_METHODS
        ):
            response = await self.endpoint(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


_DIRECT_METHODS: Final = frozenset({"GET", "POST"})


def graphql_http_router(endpoint: GraphQLHTTP) -> APIRouter:
    """A router with the endpoint at its root, to include at any prefix, and GraphiQL's files
    under `ide/` when GraphiQL is on."""
    router = APIRouter()
    router.add_api_route(
        "", endpoint, methods=["GET", "POST"], include_in_schema=False, response_class=Response
    )
    if endpoint.graphiql:
        router.mount(IDE_PATH, StaticAssets(directory=STATIC_DIR), name="graphiql-assets")
    return router


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
        return request_graph  # refused by GraphQLHTTP before anything executes
