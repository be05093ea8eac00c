"""The `modelatlas` command: run the local Neo4j, migrate, seed, import and serve."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, local_server, make_driver, neo4j_target
from modelatlas.db.local import NEO4J_VERSION, LocalNeo4jError
from modelatlas.domain import Dataset
from modelatlas.graph import Graph
from modelatlas.graph.admin import fingerprint
from modelatlas.graph.migrations import MigrationError, migrate
from modelatlas.graph.writes import WriteReport
from modelatlas.ingest import load_yaml_files
from modelatlas.ingest.default_graph import (
    LoadStep,
    load_default_graph,
    measure_provenance,
    resolution_report,
)
from modelatlas.ingest.epoch import EpochFormatError
from modelatlas.ingest.errors import SeedValidationError
from modelatlas.ingest.imports import (
    ImportOutcome,
    import_epoch_benchmarks,
    import_epoch_db,
    import_epoch_models,
    import_lmarena,
)
from modelatlas.ingest.lmarena import LMArenaFormatError
from modelatlas.ingest.snapshot import SnapshotError
from modelatlas.knowledge import KnowledgeGraph, UnknownReferencesError
from modelatlas.resources import resource_dir

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


def _print_report(report: WriteReport, *, as_json: bool, title: str) -> None:
    """Per-kind created / updated / unchanged, as a table or as JSON."""
    if as_json:
        print(json.dumps({"kinds": report.as_dict()}))
        return
    table = Table(title=title)
    for column in ("kind", "created", "updated", "unchanged"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, counts in report.kinds.items():
        table.add_row(kind, str(counts.created), str(counts.updated), str(counts.unchanged))
    out.print(table)


def _write(dataset: Dataset, *, as_json: bool) -> WriteReport:
    """Upsert a validated dataset with a progress bar when long and on a terminal."""
    show = not as_json and out.is_terminal and sum(1 for _ in dataset.records()) > 2000
    with Progress(console=out, transient=True, disable=not show) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(kind: str, done: int, total: int) -> None:
            if kind not in tasks:
                tasks[kind] = bar.add_task(kind, total=total)
            bar.update(tasks[kind], completed=done)

        async def work(graph: Graph) -> WriteReport:
            return await KnowledgeGraph(graph).upsert(dataset, progress=progress)

        return with_graph(Settings(), work)


@app.command("seed")
def seed(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="YAML files or folders (default: the packaged curated seed)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Validate every record of every file, then write them; a second run creates nothing."""
    try:
        dataset = load_yaml_files(paths or [resource_dir("seed")])
    except SeedValidationError as exc:
        raise fail(f"nothing was written.\n{exc}", code=2) from exc
    try:
        report = _write(dataset, as_json=as_json)
    except (LocalNeo4jError, UnknownReferencesError, ValueError) as exc:
        raise fail(str(exc), code=2) from exc
    _print_report(report, as_json=as_json, title="seed")


import_app = typer.Typer(
    help="Import real datasets (Epoch AI, CC BY 4.0; LMArena, Apache-2.0); rerunning an import "
    "creates nothing new.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


def _run_import(
    importer: Callable[[KnowledgeGraph, Path], Awaitable[ImportOutcome]],
    path: Path,
    *,
    as_json: bool,
) -> None:
    """Run one importer, then print what was skipped and what was written."""

    async def work(graph: Graph) -> ImportOutcome:
        return await importer(KnowledgeGraph(graph), path)

    try:
        outcome = with_graph(Settings(), work)
    except (
        LocalNeo4jError,
        EpochFormatError,
        LMArenaFormatError,
        UnknownReferencesError,
        OSError,
    ) as exc:
        raise fail(str(exc), code=2) from exc
    report = outcome.report
    if as_json:
        summary = {
            "rowsRead": report.rows_read,
            "rowsUsed": report.rows_used,
            "skipped": dict(report.skipped),
            "examples": {k: list(v) for k, v in report.examples.items()},
            "unmappedCountries": dict(report.unmapped_countries),
            "skippedFiles": dict(report.skipped_files),
            "existingModels": report.existing_models,
            "unresolvedBaseModels": list(report.unresolved),
            "derivationsLinked": outcome.derivations_linked,
            "kinds": outcome.written.as_dict(),
        }
        print(json.dumps(summary))
        return
    for line in report.lines():
        out.print(line, highlight=False)
    _print_report(outcome.written, as_json=False, title=f"import {path.name}")


@import_app.command("epoch-models")
def import_epoch_models_cmd(
    path: Annotated[Path, typer.Argument(help="A Notable / Frontier / Large-scale models CSV.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Organizations, countries, models, releases, lineage and sources from an Epoch CSV."""
    _run_import(import_epoch_models, path, as_json=as_json)


@import_app.command("epoch-benchmarks")
def import_epoch_benchmarks_cmd(
    directory: Annotated[Path, typer.Argument(help="The Benchmarking Hub folder of CSVs.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """A Benchmark per file and a cited Result per row, from Epoch's Benchmarking Hub."""
    _run_import(import_epoch_benchmarks, directory, as_json=as_json)


@import_app.command("epoch-db")
def import_epoch_db_cmd(
    directory: Annotated[
        Path, typer.Argument(help="Epoch's 2025-04 relational export (benchmarks_runs etc.).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """A cited Result per run of Epoch's 2025-04 export, models named by its version table."""
    _run_import(import_epoch_db, directory, as_json=as_json)


@import_app.command("lmarena")
def import_lmarena_cmd(
    directory: Annotated[Path, typer.Argument(help="The LMArena leaderboard folder of CSVs.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """MT-Bench, MMLU and Arena-Hard-Auto results from LMArena's leaderboard files."""
    _run_import(import_lmarena, directory, as_json=as_json)


ingest_app = typer.Typer(
    help="Ingest documents as drafts held for review (see `modelatlas review`).",
    no_args_is_help=True,
)
app.add_typer(ingest_app, name="ingest")
review_app = typer.Typer(
    help="Review drafted facts: list them, accept them into the graph, reject or edit them.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")


def _read_article(path: str) -> str:
    """The article's text from a file, an http(s) URL, or standard input for "-"."""
    if path == "-":
        return sys.stdin.read()
    if path.lower().startswith(("http://", "https://")):
        from modelatlas.ingest.article_text import FetchError, fetch_article

        try:
            return asyncio.run(fetch_article(path))  # the user's own network is theirs to read
        except FetchError as exc:
            raise fail(str(exc), code=2) from exc
    file = Path(path)
    if not file.is_file():
        raise fail(f"no such file: {path}", code=2)
    try:
        return file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc}", code=2) from exc


def _date_option(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option, refused with exit 2 otherwise."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option}: expected a date as YYYY-MM-DD, got {value!r}", code=2) from None


def _review(work: Callable[[KnowledgeGraph], Awaitable[T]]) -> T:
    """Run review work on the graph; a draft that cannot be reviewed exits 2 with why."""
    from modelatlas.ingest.drafts import DraftError, DraftNotFound

    async def run(graph: Graph) -> T:
        return await work(KnowledgeGraph(graph))

    try:
        return with_graph(Settings(), run)
    except (DraftError, DraftNotFound, LocalNeo4jError) as exc:
        raise fail(str(exc), code=2) from exc


@ingest_app.command("article")
def ingest_article_cmd(
    path: Annotated[
        str, typer.Argument(help='A text or HTML file, an http(s) URL, or "-" for standard input.')
    ],
    published_on: Annotated[
        str | None,
        typer.Option(help="The article's date (YYYY-MM-DD); relative dates are read against it."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="The article's title.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Who published it.")] = None,
    author: Annotated[str | None, typer.Option(help="Who wrote it.")] = None,
    url: Annotated[
        str | None,
        typer.Option(help="Its address, the Source's key (default: a urn from its text)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Store an article as a Source and its facts as drafts for review (repeatable)."""
    from pydantic import ValidationError

    from modelatlas.ingest.drafts import IngestReport, ingest_article

    date = _date_option(published_on, "--published-on")
    raw = _read_article(path)
    if url is None and path.lower().startswith(("http://", "https://")):
        url = path

    async def work(kg: KnowledgeGraph) -> IngestReport:
        return await ingest_article(
            kg, raw, published_on=date, url=url, title=title, publisher=publisher, author=author
        )

    try:
        report = _review(work)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(f"the article's details are not valid: {problems}", code=2) from exc
    if as_json:
        print(json.dumps(report.as_dict()))
        return
    created = ", ".join(f"{kind} {n}" for kind, n in sorted(report.created.items())) or "nothing"
    out.print(f"source {report.source}", highlight=False)
    out.print(f"drafted: {created}", highlight=False)
    pending = report.existing.get("PENDING", 0)
    reviewed = sum(n for status, n in report.existing.items() if status != "PENDING")
    if pending or reviewed:
        out.print(f"already drafted: {pending} pending, {reviewed} already reviewed")


@review_app.command("list")
def review_list(
    status: Annotated[
        str | None, typer.Option(help="PENDING, ACCEPTED or REJECTED (default: all).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only the drafts of this Source.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The drafts, oldest first, with the sentence each came from."""
    from modelatlas.graph.drafts import STATUSES, DraftRow, list_drafts

    wanted = status.strip().upper() if status else None
    if wanted is not None and wanted not in STATUSES:
        raise fail(f"--status: expected one of {', '.join(STATUSES)}, got {status!r}", code=2)

    async def work(kg: KnowledgeGraph) -> list[DraftRow]:
        return await list_drafts(kg.graph, status=wanted, source=source)

    drafts = _review(work)
    if as_json:
        rows = [
            {
                "id": d.id,
                "kind": d.kind,
                "status": d.status,
                "confidence": d.confidence,
                "record": json.loads(d.record),
                "sentence": d.sentence,
                "source": d.source,
            }
            for d in drafts
        ]
        print(json.dumps(rows))
        return
    table = Table(title=f"{len(drafts)} drafts")
    for column in ("id", "kind", "status", "confidence", "record", "sentence"):
        table.add_column(column)
    for d in drafts:
        record = json.loads(d.record)
        key = record.get("id") or record.get("slug") or ""
        table.add_row(d.id, d.kind, d.status, f"{d.confidence:.2f}", key, d.sentence[:100])
    out.print(table)


@review_app.command("accept")
def review_accept(draft_id: Annotated[str, typer.Argument(help="The draft's id.")]) -> None:
    """Turn a pending draft into a fact, with the new entities it needs."""
    from modelatlas.ingest.drafts import accept

    async def work(kg: KnowledgeGraph) -> list[str]:
        return await accept(kg, draft_id)

    accepted = _review(work)
    out.print(f"accepted {', '.join(accepted)}", highlight=False)


@review_app.command("reject")
def review_reject(draft_id: Annotated[str, typer.Argument(help="The draft's id.")]) -> None:
    """Reject a pending draft; it is kept, so ingesting the article again does not revive it."""
    from modelatlas.ingest.drafts import reject

    async def work(kg: KnowledgeGraph) -> None:
        await reject(kg, draft_id)

    _review(work)
    out.print(f"rejected {draft_id}", highlight=False)


@review_app.command("edit")
def review_edit(
    draft_id: Annotated[str, typer.Argument(help="The draft's id.")],
    changes: Annotated[
        list[str],
        typer.Option("--set", help="FIELD=VALUE (VALUE read as YAML: [a, b] is a list)."),
    ],
) -> None:
    """Change fields of a pending draft's record; refused if the record would not validate."""
    from modelatlas.ingest.drafts import DraftError, edit, parse_changes

    pairs: list[tuple[str, str]] = []
    for change in changes:
        name, sep, value = change.partition("=")
        if not sep or not name.strip():
            raise fail(f"--set: expected FIELD=VALUE, got {change!r}", code=2)
        pairs.append((name, value))
    try:
        parsed = parse_changes(pairs)
    except DraftError as exc:
        raise fail(f"--set: {exc}", code=2) from exc

    async def work(kg: KnowledgeGraph) -> None:
        await edit(kg, draft_id, parsed)

    _review(work)
    out.print(f"edited {draft_id}", highlight=False)


@app.command("keygen")
def keygen(
    role: Annotated[str, typer.Option(help="The key's role: reader, editor or admin.")] = "editor",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Make a random API key: give the key to the client, put its hash in MODELATLAS_API_KEYS."""
    from modelatlas.api.auth import Role, new_key

    try:
        chosen = Role(role.strip().lower())
    except ValueError as exc:
        raise fail(f"unknown role {role!r}; use reader, editor or admin", code=2) from exc
    key, entry = new_key(chosen)
    if as_json:
        print(json.dumps({"role": chosen.value, "key": key, "entry": entry}))
        return
    out.print(
        f"API key ({chosen.value}; shown once, only its hash is stored): {key}",
        highlight=False,
        soft_wrap=True,
    )
    out.print("Add this entry to MODELATLAS_API_KEYS (comma-separated entries):", highlight=False)
    out.print(f"MODELATLAS_API_KEYS={entry}", highlight=False, soft_wrap=True)


@app.command("stats")
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    resolution: Annotated[
        bool,
        typer.Option(
            "--resolution",
            help="How imported models and report owners were matched, and what was not.",
        ),
    ] = False,
) -> None:
    """The graph's fingerprint: counts per label and relationship type, and a checksum."""
    if resolution:
        try:
            matched = with_graph(Settings(), lambda g: resolution_report(KnowledgeGraph(g)))
        except LocalNeo4jError as exc:
            raise fail(str(exc)) from exc
        if as_json:
            print(json.dumps(matched.as_dict()))
        else:
            for line in matched.lines():
                out.print(line, highlight=False, soft_wrap=True)
        return
    try:
        result = with_graph(Settings(), fingerprint)
    except LocalNeo4jError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print(json.dumps(result.as_dict()))
        return
    table = Table(title=f"checksum {result.checksum}")
    table.add_column("label / relationship")
    table.add_column("count", justify="right")
    for name, count in {**result.labels, **result.relationships}.items():
        table.add_row(name, str(count))
    out.print(table)


def _load_default(settings: Settings, *, force: bool) -> list[LoadStep]:
    """Load the curated seed and the packaged snapshot, one progress line per dataset."""

    def started(name: str, number: int, total: int) -> None:
        out.print(f"[{number}/{total}] {name} ...", highlight=False)

    def finished(step: LoadStep) -> None:
        if step.written is None:
            out.print("      unchanged since the last load, skipped", highlight=False)
            return
        rows = (
            f"{step.report.rows_used} of {step.report.rows_read} rows used, " if step.report else ""
        )
        out.print(
            f"      {rows}{step.written.created} created, {step.written.updated} updated "
            f"in {step.seconds:.1f}s",
            highlight=False,
        )
        if step.report is not None:
            for line in step.report.resolution_lines():
                out.print(f"      {line.strip()}", highlight=False, soft_wrap=True)

    async def work(graph: Graph) -> list[LoadStep]:
        kg = KnowledgeGraph(graph)
        steps = await load_default_graph(kg, force=force, on_step=started, on_done=finished)
        out.print(
            "Who measured each result, claims in report tables, verdicts ...", highlight=False
        )
        derived = await measure_provenance(kg)
        lines = derived.lines()
        for line in lines[:2] + lines[-3:]:
            out.print(f"      {line}", highlight=False)
        out.print(f"      {derived.provenance.changed} results reclassified", highlight=False)
        return steps

    try:
        return with_graph(settings, work)
    except (
        SnapshotError,
        EpochFormatError,
        LMArenaFormatError,
        UnknownReferencesError,
        OSError,
    ) as exc:
        raise fail(str(exc), code=2) from exc


@app.command("load")
def load(
    force: Annotated[
        bool,
        typer.Option(help="Import every dataset again, even if unchanged."),
    ] = False,
) -> None:
    """Load the default graph: curated seed + the packaged snapshot of Epoch AI and LMArena data."""
    try:
        with_graph(Settings(), migrate)
    except (LocalNeo4jError, MigrationError) as exc:
        raise fail(str(exc)) from exc
    _load_default(Settings(), force=force)


@app.command("update")
def update(
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            envvar="MODELATLAS_UPDATE_URL",
            help="A mirror of https://epoch.ai/data/ holding the same file names.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Fetch Epoch AI's current data files, verify them all, import them, report what changed."""
    from modelatlas.ingest import update as live

    base = source or live.DEFAULT_BASE
    say: Callable[[str], None] = (
        (lambda _: None) if as_json else (lambda text: out.print(text, highlight=False))
    )
    started = time.perf_counter()
    try:
        with live.fetched_updates(base, on_fetch=lambda url: say(f"fetching {url} ...")) as got:
            say(f"verified {len(got)} datasets in {time.perf_counter() - started:.1f}s")
            with_graph(Settings(), migrate)

            async def work(graph: Graph) -> live.UpdateReport:
                return await live.import_updates(
                    KnowledgeGraph(graph), got, source=base, on_step=lambda n: say(f"{n} ...")
                )

            report = with_graph(Settings(), work)
    except (live.UpdateError, SnapshotError) as exc:
        raise fail(f"{exc}\nnothing was imported; the graph is unchanged.", code=2) from exc
    except (LocalNeo4jError, MigrationError) as exc:
        raise fail(str(exc)) from exc
    except (EpochFormatError, UnknownReferencesError, OSError) as exc:
        raise fail(str(exc), code=2) from exc
    if as_json:
        print(
            json.dumps(
                {**report.as_dict(), "totalSeconds": round(time.perf_counter() - started, 3)}
            )
        )
        return
    for line in report.lines():
        out.print(line, highlight=False, soft_wrap=True)
    out.print(f"update done in {time.perf_counter() - started:.1f}s", highlight=False)


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
            _load_default(settings, force=False)
            application = create_app(settings)
            if settings.gc_tuning:
                tune_gc()
            bind_host, bind_port = host or settings.host, port or settings.port
            out.print(f"Serving GraphQL on http://{bind_host}:{bind_port}/graphql")
            # The app writes one JSON line per request itself; uvicorn's access log would repeat it.
            uvicorn.run(
                application, host=bind_host, port=bind_port, log_level="info", access_log=False
            )
    except LocalNeo4jError as exc:
        raise fail(str(exc)) from exc


GC_THRESHOLD = (20_000, 50, 100)
"""Young-generation sweeps every 20,000 allocations: a request allocates thousands of short-lived
objects, and at CPython's default of 700 the collector ran several times per request."""


def tune_gc() -> None:
    """Freeze what startup built and space the collector's sweeps, for a long-running server."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


@app.command("export-schema")
def export_schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the SDL to this file (e.g. schema/schema.graphql)."
        ),
    ] = None,
) -> None:
    """Print or write the GraphQL schema (SDL) the service serves."""
    from modelatlas.api.schema import sdl

    text = sdl()
    if output is None:
        print(text, end="")
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"Wrote the GraphQL schema to {output}")


def main() -> None:
    """Console-script entry point."""
    app()
