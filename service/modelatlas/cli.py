"""The `modelatlas` command: run the local Neo4j, migrate, seed, import and serve."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, local_server, make_driver, neo4j_target
from modelatlas.db.local import NEO4J_VERSION, LocalNeo4jError
from modelatlas.graph import Graph
from modelatlas.graph.migrations import MigrationError, migrate

T = TypeVar("T")

app = typer.Typer(
    help="Model Atlas: a knowledge graph of the AI industry, in Neo4j, served as GraphQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(
    help=f"The local Neo4j {NEO4J_VERSION} the project provisions and runs (unless NEO4J_URI "
    "is set).",
    no_args_is_help=True,
)
app.add_typer(neo4j_app, name="neo4j")

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error the user can act on and return the exit to raise."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def with_graph(settings: Settings, work: Callable[[Graph], Awaitable[T]]) -> T:
    """Run async work against the configured or local Neo4j (started for the call if needed)."""

    async def run(target: Neo4jTarget) -> T:
        driver = make_driver(target, settings)
        try:
            return await work(Graph(driver, target.database))
        finally:
            await driver.close()

    with neo4j_target(settings) as target:
        return asyncio.run(run(target))


@neo4j_app.command("provision")
def neo4j_provision(
    force: Annotated[bool, typer.Option(help="Download again even if cached.")] = False,
) -> None:
    """Download the Neo4j server jars from Maven Central into the cache (once)."""
    server = local_server(Settings())
    try:
        seconds = server.distribution.provision(force=force, quiet=False)
    except LocalNeo4jError as exc:
        raise fail(str(exc)) from exc
    where = server.distribution.root
    out.print(
        f"Neo4j {NEO4J_VERSION} ready in {where}" + (f" ({seconds:.1f} s)" if seconds else "")
    )


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local Neo4j in the background and wait until Bolt answers."""
    settings = Settings()
    if settings.neo4j_uri:
        raise fail(f"NEO4J_URI is set ({settings.neo4j_uri}); no local Neo4j is started.")
    server = local_server(settings)
    started = time.monotonic()
    try:
        info = server.start(quiet=False)
    except LocalNeo4jError as exc:
        raise fail(str(exc)) from exc
    out.print(
        f"Neo4j {NEO4J_VERSION} running at {info.uri} (pid {info.pid}, data in {info.home}) "
        f"after {time.monotonic() - started:.1f} s"
    )


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j (SIGTERM, then wait)."""
    stopped = local_server(Settings()).stop()
    out.print("Neo4j stopped." if stopped else "The local Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j runs, and where; exits 3 when it does not."""
    settings = Settings()
    if settings.neo4j_uri:
        out.print(f"NEO4J_URI is set: using {settings.neo4j_uri}; no local Neo4j is managed.")
        return
    info = local_server(settings).info()
    if info is None:
        out.print("The local Neo4j is not running.")
        raise typer.Exit(3)
    out.print(f"Neo4j {info.version} running at {info.uri} (pid {info.pid}, data in {info.home})")


@app.command("migrate")
def migrate_cmd() -> None:
    """Apply the schema migrations not yet applied (a second run changes nothing)."""
    try:
        applied = with_graph(Settings(), migrate)
    except (LocalNeo4jError, MigrationError) as exc:
        raise fail(str(exc)) from exc
    if applied:
        for m in applied:
            out.print(f"applied {m.version:04d}_{m.name} ({len(m.statements)} statements)")
    else:
        out.print("Schema up to date; nothing to apply.")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve GraphQL at /graphql; starts the local Neo4j first unless NEO4J_URI is set."""
    import uvicorn

    from modelatlas.api import create_app

    settings = Settings()
    try:
        with neo4j_target(settings) as target:
            if target.local:
                out.print(f"Using the local Neo4j at {target.uri}")
            with_graph(settings, migrate)
            application = create_app(settings)
            bind_host, bind_port = host or settings.host, port or settings.port
            out.print(f"Serving GraphQL on http://{bind_host}:{bind_port}/graphql")
            uvicorn.run(application, host=bind_host, port=bind_port, log_level="info")
    except LocalNeo4jError as exc:
        raise fail(str(exc)) from exc


def main() -> None:
    """Console-script entry point."""
    app()
