"""Which Neo4j to talk to (a configured one, or the local server) and the one driver per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from neo4j import AsyncDriver, AsyncGraphDatabase, NotificationMinimumSeverity

from modelatlas.config import Settings
from modelatlas.db.local import LocalNeo4j, LocalNeo4jError


@dataclass(frozen=True)
class Neo4jTarget:
    """Where a Neo4j is and how to log in; `local` says the project started it."""

    uri: str
    user: str
    password: str
    database: str
    local: bool = False


def local_server(settings: Settings) -> LocalNeo4j:
    """The local instance the settings describe (not started)."""
    return LocalNeo4j(
        settings.local_neo4j_dir,
        settings.cache_dir,
        port=settings.local_bolt_port,
        heap=settings.local_heap,
        pagecache=settings.local_pagecache,
        start_timeout_s=settings.local_start_timeout_s,
    )


def configured_target(settings: Settings) -> Neo4jTarget | None:
    """The server named by NEO4J_URI, if set: then the project starts none of its own."""
    if not settings.neo4j_uri:
        return None
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
    return Neo4jTarget(settings.neo4j_uri, settings.neo4j_user, password, settings.neo4j_database)


def running_target(settings: Settings) -> Neo4jTarget | None:
    """NEO4J_URI's server, else the local server if it is running, else None."""
    configured = configured_target(settings)
    if configured is not None:
        return configured
    info = local_server(settings).info()
    if info is None:
        return None
    return Neo4jTarget(info.uri, info.user, info.password, "neo4j", local=True)


def require_target(settings: Settings) -> Neo4jTarget:
    """Like running_target, but says what to do when there is no server."""
    target = running_target(settings)
    if target is None:
        raise LocalNeo4jError(
            "No Neo4j is running: start the local one with `modelatlas neo4j start`, "
            "or set NEO4J_URI to a server you run (e.g. `docker compose up -d neo4j`)."
        )
    return target


@contextmanager
def neo4j_target(settings: Settings) -> Iterator[Neo4jTarget]:
    """A usable server for the duration of the block; a local one started here stops after."""
    target = running_target(settings)
    if target is not None:
        yield target
        return
    server = local_server(settings)
    info = server.start()
    try:
        yield Neo4jTarget(info.uri, info.user, info.password, "neo4j", local=True)
    finally:
        server.stop()


def make_driver(target: Neo4jTarget, settings: Settings) -> AsyncDriver:
    """The process's async driver: a sized pool, a fast connection timeout, and a short retry
    budget so requests fail fast (and the service recovers by itself) when Neo4j is down."""
    return AsyncGraphDatabase.driver(
        target.uri,
        auth=(target.user, target.password),
        max_connection_pool_size=settings.neo4j_pool_size,
        connection_timeout=settings.neo4j_connection_timeout_s,
        connection_acquisition_timeout=settings.neo4j_connection_timeout_s,
        max_transaction_retry_time=settings.neo4j_max_retry_time_s,
        # Server notifications (e.g. "property key does not exist" before any data) are
        # planner hints for humans at a console, not service log lines.
        notifications_min_severity=NotificationMinimumSeverity.OFF,
    )
