"""Prometheus metrics at /metrics: GraphQL requests and latency per operation, errors by code,
Neo4j query time, in-flight queries, pool use and writes retried over locks, so an operator can
see load, contention and failures.

Each app gets its own :class:`CollectorRegistry` (several apps in one process, as in tests,
never collide). A pure ASGI middleware measures every request: it reads the operation name
from the request body the app receives anyway, and the error codes from the JSON the app
sends, so every refusal (bad JSON, 401, 413, 429...) is counted, not only executed
operations. Client-chosen operation names are capped in number so labels stay bounded.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from neo4j import AsyncDriver
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    ProcessCollector,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelatlas.api.compiled import CompiledReads, Fallback
from modelatlas.graph.core import observe_queries, sessions_in_use

MAX_OPERATION_NAMES: Final = 200
"""Distinct operation labels kept per app; later new names are counted as "other"."""
_MAX_CAPTURE: Final = 4 * 1024 * 1024
"""Request or response bytes kept to read names and codes; larger bodies go unlabelled."""

_LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_QUERY_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
_NAME: Final = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_CODE: Final = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
# The first operation definition of a document: `query Name`, `mutation Name(...)`, ...
_DEFINITION: Final = re.compile(
    r"(?:^|[\s},])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?"
)
_ROUTES: Final = frozenset({"/healthz", "/readyz", "/metrics"})


class Metrics:
    """The service's metrics in one registry, plus the hooks that feed them."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        """Create every metric in `registry` (a fresh one by default)."""
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "modelatlas_graphql_requests",
            "GraphQL requests by operation name, operation type and HTTP status.",
            ["operation", "type", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "modelatlas_graphql_request_duration_seconds",
            "GraphQL request latency (until the response is sent) by operation.",
            ["operation", "type"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "modelatlas_graphql_errors",
            "GraphQL errors in responses by operation and extensions.code.",
            ["operation", "code"],
            registry=self.registry,
        )
        self.http = Counter(
            "modelatlas_http_requests",
            "HTTP requests other than GraphQL by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.query_time = Histogram(
            "modelatlas_neo4j_query_duration_seconds",
            "Time in Neo4j calls (read, write, transaction, autocommit), retries included.",
            ["kind"],
            buckets=_QUERY_BUCKETS,
            registry=self.registry,
        )
        self.query_errors = Counter(
            "modelatlas_neo4j_query_errors",
            "Neo4j calls that raised, by kind and exception class.",
            ["kind", "error"],
            registry=self.registry,
        )
        self.write_retries = Counter(
            "modelatlas_write_retries",
            "Writes run again because other transactions' locks stopped them (a lock held "
            "past the transaction's timeout, a deadlock), by Neo4j status code.",
            ["code"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "modelatlas_neo4j_queries_in_flight",
            "Neo4j calls started and not yet finished.",
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self._operations: set[str] = set()

    # -- the Graph hook (see modelatlas.graph.core.observe_queries) ------------------------
    def query_started(self) -> None:
        """A Neo4j call began."""
        self.in_flight.inc()

    def query_finished(self, kind: str, seconds: float, error: BaseException | None) -> None:
        """A Neo4j call ended after `seconds`, with `error` if it raised."""
        self.in_flight.dec()
        self.query_time.labels(kind).observe(seconds)
        if error is not None:
            self.query_errors.labels(kind, type(error).__name__).inc()

    def write_retried(self, code: str) -> None:
        """A write stopped over locks is being tried again (`code` is one of the few lock
        codes graph.core.LOCK_CODES lists, so the label stays bounded)."""
        self.write_retries.labels(code).inc()

    # -- labels ----------------------------------------------------------------------------
    def operation_label(self, name: str | None) -> str:
        """The label for an operation name: bounded in length, count and alphabet."""
        if not name:
            return "anonymous"
        if name in self._operations:
            return name
        if not _NAME.fullmatch(name):
            return "invalid"
        if len(self._operations) >= MAX_OPERATION_NAMES:
            return "other"
        self._operations.add(name)
        return name

    def watch_pool(self, driver: AsyncDriver, max_size: int) -> None:
        """Report the driver's pool size limit and the connections the Graphs over it use."""
        self.registry.register(_PoolCollector(driver, max_size))

    def watch_compiled_reads(self, compiled: CompiledReads | None) -> None:
        """Report how many requests compiled reads answered and how many plans fell back to
        strawberry, by reason (zeros when they are off), so a plan that stopped answering
        shows."""
        self.registry.register(_CompiledCollector(compiled))


def operation_of(payload: Any) -> tuple[str | None, str]:
    """(operation name, operation type) of a GraphQL request payload, as cheaply as possible.

    The client's `operationName` wins; otherwise the first operation definition's name. The
    type is "query" for the `{ ... }` shorthand and "unknown" when the document says nothing.
    """
    if isinstance(payload, list):
        return "batch", "unknown"
    if not isinstance(payload, dict):
        return None, "unknown"
    given = payload.get("operationName")
    query = payload.get("query")
    if not isinstance(query, str):
        return (given if isinstance(given, str) else None), "unknown"
    name = given if isinstance(given, str) and given else None
    if name is not None:
        named = re.search(
            r"(?:^|[\s},])(query|mutation|subscription)\s+" + re.escape(name) + r"\b", query
        )
        if named:
            return name, named.group(1)
    found = _DEFINITION.search(query)
    if found:
        return name or found.group(2), found.group(1)
    return name, "query" if query.lstrip().startswith("{") else "unknown"


def error_codes(body: bytes) -> list[str]:
    """The `extensions.code` of each error in a JSON response body ("NONE" when missing)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return []
    codes = []
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        codes.append(code if isinstance(code, str) and _CODE.fullmatch(code) else "NONE")
    return codes


class MetricsMiddleware:
    """ASGI middleware that times and counts every request and lets Graph report its queries."""

    def __init__(self, app: ASGIApp, metrics: Metrics, graphql_path: str = "/graphql") -> None:
        """Wrap `app`; GraphQL requests are those to `graphql_path`."""
        self.app = app
        self.metrics = metrics
        self.graphql_path = graphql_path.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with the query observer set, then record it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", "")).rstrip("/") or "/"
        started = time.perf_counter()
        exchange = _Exchange(receive, send, graphql=path == self.graphql_path)
        try:
            with observe_queries(self.metrics):
                await self.app(scope, exchange.receive, exchange.send)
        finally:
            elapsed = time.perf_counter() - started
            if exchange.graphql:
                self._record_graphql(scope, exchange, elapsed)
            else:
                route = path if path in _ROUTES else "other"
                self.metrics.http.labels(route, str(exchange.status)).inc()

    def _record_graphql(self, scope: Scope, exchange: _Exchange, elapsed: float) -> None:
        payload: Any = None
        if scope.get("method") == "GET":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            payload = {k: v[0] for k, v in query.items()}
        elif exchange.request_body is not None:
            try:
                payload = orjson.loads(exchange.request_body)
            except orjson.JSONDecodeError:
                payload = None
        name, kind = operation_of(payload)
        operation = self.metrics.operation_label(name)
        self.metrics.requests.labels(operation, kind, str(exchange.status)).inc()
        self.metrics.latency.labels(operation, kind).observe(elapsed)
        body = exchange.response_body()
        if body is not None and b'"errors"' in body:
            for code in error_codes(body):
                self.metrics.errors.labels(operation, code).inc()


class _Exchange:
    """Wraps receive and send to keep the request body and the response status and body."""

    def __init__(self, receive: Receive, send: Send, *, graphql: bool) -> None:
        self._receive = receive
        self._send = send
        self.graphql = graphql
        self.status = 500  # if the app raises before answering, the server answers 500
        self._request: list[bytes] | None = [] if graphql else None
        self._request_size = 0
        self._response: list[bytes] | None = None
        self._response_size = 0

    @property
    def request_body(self) -> bytes | None:
        """The request body as received, or None when not kept (too large, or not GraphQL)."""
        return b"".join(self._request) if self._request is not None else None

    def response_body(self) -> bytes | None:
        """The JSON response body, or None when not kept."""
        return b"".join(self._response) if self._response is not None else None

    async def receive(self) -> Message:
        message = await self._receive()
        if self._request is not None and message["type"] == "http.request":
            chunk = message.get("body", b"")
            self._request_size += len(chunk)
            if self._request_size > _MAX_CAPTURE:
                self._request = None
            else:
                self._request.append(chunk)
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            if self.graphql:
                headers = dict(message.get("headers") or [])
                if b"json" in headers.get(b"content-type", b""):
                    self._response = []
        elif message["type"] == "http.response.body" and self._response is not None:
            chunk = message.get("body", b"")
            self._response_size += len(chunk)
            if self._response_size > _MAX_CAPTURE:
                self._response = None
            else:
                self._response.append(chunk)
        await self._send(message)


class _PoolCollector(Collector):
    """The pool's size limit, and the connections the service's Graphs hold from it.

    The driver keeps its pool private, so the in-use count is Graph's own: each Graph call
    runs in one session, which holds one pooled connection while it works
    (`modelatlas.graph.core.sessions_in_use`). Idle connections are not visible that way.
    """

    def __init__(self, driver: AsyncDriver, max_size: int) -> None:
        self._driver = driver
        self._max_size = max_size

    def collect(self) -> Iterable[Metric]:
        """Yield the pool gauges."""
        yield GaugeMetricFamily(
            "modelatlas_neo4j_pool_max_size",
            "The Neo4j driver's connection pool limit per server.",
            value=self._max_size,
        )
        family = GaugeMetricFamily(
            "modelatlas_neo4j_pool_connections",
            "Neo4j driver connections held by the service's open sessions, by state "
            "(in_use only: the driver does not show its idle connections).",
            labels=["state"],
        )
        family.add_metric(["in_use"], sessions_in_use(self._driver))
        yield family

    def describe(self) -> Iterable[Metric]:
        """Nothing to describe up front (avoids calling collect at registration)."""
        return []


class _CompiledCollector(Collector):
    """The counts kept by the endpoint's CompiledReads (api/compiled.py), read at scrape time."""

    def __init__(self, compiled: CompiledReads | None) -> None:
        self._compiled = compiled

    def collect(self) -> Iterable[Metric]:
        """Yield the answered and fallback counters."""
        compiled = self._compiled
        yield CounterMetricFamily(
            "modelatlas_compiled_reads_answered",
            "GraphQL requests answered by a compiled plan instead of strawberry's execution.",
            value=compiled.answered if compiled is not None else 0,
        )
        family = CounterMetricFamily(
            "modelatlas_compiled_reads_fallbacks",
            "Planned documents answered by strawberry after all, by reason (gave_up, "
            "read_failed; plan_error and compile_error are bugs, also logged).",
            labels=["reason"],
        )
        for reason in Fallback:
            family.add_metric([reason.value], compiled.fallbacks[reason] if compiled else 0)
        yield family

    def describe(self) -> Iterable[Metric]:
        """Nothing to describe up front."""
        return []


def metrics_router(metrics: Metrics) -> APIRouter:
    """GET /metrics in the Prometheus (or OpenMetrics, when asked) text format."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        """The registry's current samples."""
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(metrics.registry), media_type=content_type)

    return router
