"""The FastAPI app factory and the GraphQL router other FastAPI apps can mount."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from neo4j import AsyncDriver
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from starlette.middleware.cors import CORSMiddleware

from modelatlas.api.auth import ACCESS, KeyRing, access_from_headers
from modelatlas.api.compiled import COMPILED, CompiledReads
from modelatlas.api.http import (
    BOOKMARK_HEADER,
    GraphQLHTTP,
    GraphQLPath,
    graph_for_request,
    graphql_http_router,
)
from modelatlas.api.limits import LIMITS, BodySizeLimit, QueryLimits
from modelatlas.api.metrics import Metrics, MetricsMiddleware, metrics_router
from modelatlas.api.mutations import MAX_BATCH
from modelatlas.api.ratelimit import RateLimit, buckets
from modelatlas.api.requestlog import RequestLog, install_logging
from modelatlas.api.review import FETCH_PRIVATE
from modelatlas.api.schema import schema
from modelatlas.config import Settings
from modelatlas.db.connection import make_driver, require_target
from modelatlas.graph import Graph
from modelatlas.graph.migrations import migrate, pending_migrations
from modelatlas.web import explorer_router, html_not_found

log = logging.getLogger("modelatlas.api")


def graphql_router(
    graph: Graph, *, graphiql: bool = True, settings: Settings | None = None
) -> APIRouter:
    """A GraphQL router bound to one graph; mount it in any FastAPI app at any path.

    `settings` gives the API keys and access policy (default: from the environment).
    """
    endpoint, _ = _graphql_endpoint(graph, graphiql, settings or Settings())
    return graphql_http_router(endpoint)


def _graphql_endpoint(
    graph: Graph, graphiql: bool, settings: Settings
) -> tuple[GraphQLHTTP, CompiledReads | None]:
    """The GraphQL endpoint over one graph, with the settings' keys, limits and timeouts, and
    its compiled reads (None when MODELATLAS_COMPILED_READS is off)."""
    keys = KeyRing.from_settings(settings)
    limits = QueryLimits.from_settings(settings)
    compiled = CompiledReads(schema) if settings.compiled_reads else None

    def context(request: Request) -> dict[str, Any]:
        return {
            "request": request,
            "graph": graph_for_request(
                graph, request.headers, timeout_s=settings.request_timeout_s
            ),
            ACCESS: access_from_headers(
                request.headers, keys, reads_require_key=settings.require_key_for_reads
            ),
            MAX_BATCH: settings.max_mutation_batch,
            LIMITS: limits,
            FETCH_PRIVATE: settings.article_fetch_private,
            COMPILED: compiled,
        }

    return GraphQLHTTP(schema, context, graphiql=graphiql), compiled


async def _migrate_until_done(graph: Graph) -> None:
    """Apply migrations at start; if Neo4j is not up yet, keep trying in the background."""
    delay = 0.5
    while True:
        try:
            await migrate(graph)
            return
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            log.warning("migrations deferred, Neo4j unavailable: %s", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def create_app(settings: Settings | None = None, *, driver: AsyncDriver | None = None) -> FastAPI:
    """Build the service: GraphQL at /graphql, /healthz, /readyz and /metrics; migrates at
    start."""
    settings = settings or Settings()
    owns_driver = driver is None
    database = settings.neo4j_database
    if driver is None:
        target = require_target(settings)
        driver = make_driver(target, settings)
        database = target.database
    graph = Graph(
        driver,
        database,
        timeout=settings.query_timeout_s,
        read_retry_s=settings.neo4j_max_retry_time_s,
    )
    install_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_migrate_until_done(graph))
        app.state.migrations = task
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            if owns_driver:
                await graph.driver.close()

    app = FastAPI(title="Model Atlas", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.graph = graph
    app.state.settings = settings
    graphiql = settings.graphiql and not settings.is_production
    endpoint, compiled = _graphql_endpoint(graph, graphiql, settings)
    app.state.compiled_reads = compiled
    app.include_router(graphql_http_router(endpoint), prefix="/graphql")
    app.include_router(_health_router(graph))
    app.include_router(explorer_router(graph, settings=settings))
    html_not_found(app)
    app.add_middleware(GraphQLPath, endpoint=endpoint, path="/graphql")  # inside the guards
    _add_guards(app, settings)
    if settings.metrics:
        metrics = Metrics()
        metrics.watch_pool(driver, settings.neo4j_pool_size)
        metrics.watch_compiled_reads(compiled)
        app.state.metrics = metrics
        app.include_router(metrics_router(metrics))
        app.add_middleware(MetricsMiddleware, metrics=metrics)  # outermost: sees every answer
    return app


def _add_guards(app: FastAPI, settings: Settings) -> None:
    """Body size limit, rate limits, CORS and the request log, innermost first (the request
    log sees every refusal, and refusals carry CORS headers so browsers can read them)."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimit,
        keys=KeyRing.from_settings(settings),
        per_key=buckets(settings.rate_limit_per_key, settings.rate_limit_per_key_burst),
        per_address=buckets(settings.rate_limit_per_address, settings.rate_limit_per_address_burst),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept",
                "X-Request-Id",
                BOOKMARK_HEADER,
            ],
            expose_headers=["X-Request-Id", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestLog)


def _health_router(graph: Graph) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is alive (says nothing about Neo4j)."""
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Neo4j answers and every migration is applied; 503 otherwise."""
        try:
            await graph.ping()  # one attempt, no retries: a probe must answer fast
            pending = await pending_migrations(graph)
        except (Neo4jError, ServiceUnavailable, SessionExpired, OSError) as exc:
            return JSONResponse(
                {"status": "unavailable", "reason": f"Neo4j unreachable: {type(exc).__name__}"},
                status_code=503,
            )
        if pending:
            names = [f"{m.version:04d}_{m.name}" for m in pending]
            return JSONResponse(
                {"status": "unavailable", "reason": "migrations pending", "pending": names},
                status_code=503,
            )
        return JSONResponse({"status": "ready"})

    return router
