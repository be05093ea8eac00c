"""Performance harness: the service side by side with the raw driver, a bare HTTP app and
@neo4j/graphql.

For each dataset a local Neo4j is started on a stored copy of the loaded graph (loaded once,
kept under ~/.cache/modelatlas/bench, keyed by the generator and the schema), then the
contenders answer the fixed query mix of bench/mix.py in the same run, alternating:

- service: `modelatlas serve` (one process) over HTTP on loopback;
- peer:    @neo4j/graphql v7 on graphql-yoga (one Node process), installed into bench/peer;
- floor:   the same questions as hand-written Cypher through the async Python driver, no HTTP;
- bare-http: bench/http_floor.py's bare ASGI app under the same uvicorn stack as the service,
           sending the floor's Cypher through the same driver and returning its rows as JSON
           (the least any HTTP service over this driver can cost; the lookup on the main
           dataset only).

The load generator (bench/loadgen.py) is a closed loop of N concurrent clients, one keep-alive
HTTP/1.1 connection each, for a bounded time after a warm-up that is not counted. Every answer
is checked (HTTP 200, no GraphQL errors); one error fails the run. Output: bench/RESULTS.md and
bench/results.json.

    python bench/perf.py [--quick | --large] [--seconds 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from neo4j import READ_ACCESS, AsyncDriver

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_speed import import_csvs, migrate_target
from loadgen import Pool, TransportError
from mix import MIX, MixQuery, Picks, pick
from synthetic import Synthetic

from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.db.local import NEO4J_VERSION, LocalNeo4j, free_port
from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data, fingerprint
from modelatlas.graph.migrations import migrate
from modelatlas.ingest.imports import import_epoch_benchmarks, import_epoch_models
from modelatlas.ingest.yaml_files import load_yaml_files
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEER = BENCH / "peer"
SHARED = REPO.parent / "shared" / "data"
NOTABLE = SHARED / "epoch-notable-ai-models" / "notable_ai_models.csv"
HUB = SHARED / "epoch-benchmarking-hub"
STORE = Path(os.environ.get("MODELATLAS_BENCH_STORE", Path.home() / ".cache/modelatlas/bench"))
CONTENDERS = ("service", "peer", "floor")
BARE = "bare-http"  # the bare HTTP floor, run for the plan's `bare` queries beside its contenders
MIX_NAME = "mix"
WARM_REQUESTS = 8  # per query and contender, before the first timed run on a dataset


# -- datasets ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatasetPlan:
    """A dataset and what is measured on it."""

    name: str
    claims: int | None  # None: the curated seed plus the real Epoch data
    contenders: tuple[str, ...]
    concurrency: tuple[int, ...]
    mix: bool  # run the whole mix at c16 as well
    growth: bool  # part of the 10k -> largest cost-growth series
    main: bool = False  # the dataset the headline ratios come from
    bare: tuple[str, ...] = ()  # queries the bare HTTP floor also answers (bench/http_floor.py)

    def __post_init__(self) -> None:
        if set(self.bare) - {"lookup"}:
            raise ValueError("the bare HTTP floor (bench/http_floor.py) answers the lookup only")


LOOKUP = ("lookup",)


def plans(quick: bool, large: bool) -> list[DatasetPlan]:
    """Which datasets, contenders and concurrencies a run covers. The bare HTTP floor runs the
    lookup on the main dataset (c1 and c16), beside the other contenders."""
    if quick:
        return [
            DatasetPlan(
                "synthetic-10k", 10_000, CONTENDERS, (1, 16), True, True, main=True, bare=LOOKUP
            ),
            DatasetPlan("synthetic-30k", 30_000, ("service", "floor"), (1,), False, True),
        ]
    out = [
        DatasetPlan("seed+epoch", None, CONTENDERS, (1,), True, False),
        DatasetPlan("synthetic-10k", 10_000, ("service", "floor"), (1,), False, True),
        DatasetPlan(
            "synthetic-100k", 100_000, CONTENDERS, (1, 16), True, True, main=True, bare=LOOKUP
        ),
    ]
    if large:
        out.append(DatasetPlan("synthetic-1m", 1_000_000, ("service", "floor"), (1,), False, True))
    return out


def store_key(plan: DatasetPlan) -> str:
    """A stored graph is reused while the generator and the seed are the same; its schema is
    brought up to date by the project's migrations when it is started (`dataset_server`), as a
    deployed database's is, rather than by loading it again (the 1M graph takes ~40 minutes)."""
    digest = hashlib.sha256()
    for path in sorted([BENCH / "synthetic.py", *resource_dir("seed").glob("*.yaml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    if plan.claims is None:
        for path in [NOTABLE, *sorted(HUB.glob("*.csv"))]:
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return f"{plan.name}-{digest.hexdigest()[:12]}"


async def load(target: Neo4jTarget, plan: DatasetPlan, scratch: Path) -> dict[str, int]:
    """Empty the graph and load the dataset with the project's own importer."""
    driver = make_driver(target, Settings())
    graph = Graph(driver, target.database)
    try:
        await migrate(graph)
        await clear_data(graph)
        kg = KnowledgeGraph(graph)
        await kg.upsert(load_yaml_files([resource_dir("seed")]))
        if plan.claims is None:
            await import_epoch_models(kg, NOTABLE)
            await import_epoch_benchmarks(kg, HUB)
        else:
            Synthetic(plan.claims).write_csvs(scratch / "synthetic")
            await import_csvs(target, scratch / "synthetic")
        return (await fingerprint(graph)).labels
    finally:
        await driver.close()


@contextmanager
def dataset_server(plan: DatasetPlan) -> Iterator[tuple[Neo4jTarget, dict[str, int], float]]:
    """A local Neo4j on the stored dataset (loading it first if needed); stopped on exit."""
    home = STORE / store_key(plan)
    marker = home / "loaded.json"
    heap, pagecache = ("3g", "3g") if (plan.claims or 0) >= 1_000_000 else ("2g", "1g")
    server = LocalNeo4j(home, Settings().cache_dir, heap=heap, pagecache=pagecache)
    info = server.start()
    target = Neo4jTarget(info.uri, info.user, info.password, "neo4j", local=True)
    try:
        load_seconds = 0.0
        if not marker.exists():
            print(f"[{plan.name}] loading the dataset (kept in {home} for next runs)", flush=True)
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as scratch:
                labels = asyncio.run(load(target, plan, Path(scratch)))
            load_seconds = time.perf_counter() - started
            marker.write_text(json.dumps({"labels": labels, "load_seconds": load_seconds}))
        else:
            asyncio.run(migrate_target(target))
        labels = json.loads(marker.read_text())["labels"]
        yield target, labels, load_seconds
    finally:
        server.stop()


def prune_store(keep: set[str]) -> None:
    """Stored graphs of older generator or seed versions are removed (they are gigabytes)."""
    if not STORE.exists():
        return
    for child in STORE.iterdir():
        prefix = child.name.rsplit("-", 1)[0]
        if (
            child.is_dir()
            and child.name not in keep
            and prefix in {k.rsplit("-", 1)[0] for k in keep}
        ):
            shutil.rmtree(child, ignore_errors=True)


# -- contender processes --------------------------------------------------------------------
def _env(target: Neo4jTarget) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MODELATLAS_"))}
    env.update(
        NEO4J_URI=target.uri,
        NEO4J_USER=target.user,
        NEO4J_PASSWORD=target.password,
        NEO4J_DATABASE=target.database,
    )
    return env


@dataclass
class Server:
    """A contender's server process and where it answers."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _wait_ready(
    server: Server, log: Path, probe: Callable[[], bool], within: float = 180.0
) -> Server:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SystemExit(
                f"{server.name} exited at start; see {log}:\n{log.read_text()[-2000:]}"
            )
        try:
            if probe():
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.stop()
    raise SystemExit(f"{server.name} was not ready within {within:.0f} s; see {log}")


def start_service(target: Neo4jTarget, folder: Path, **settings: str) -> Server:
    """`modelatlas serve` as deployed (one process), rate limits off: all clients share one
    address. `settings` are further environment variables (e.g. MODELATLAS_ENV)."""
    port = free_port()
    env = _env(target)
    env.update(
        MODELATLAS_DATA_DIR=str(folder / "service-data"),
        MODELATLAS_RATE_LIMIT_PER_KEY="0",
        MODELATLAS_RATE_LIMIT_PER_ADDRESS="0",
        **settings,
    )
    log = folder / "service.log"
    cmd = [sys.executable, "-m", "modelatlas", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    server = Server("service", proc, f"http://127.0.0.1:{port}/graphql")
    ready = f"http://127.0.0.1:{port}/readyz"
    # `serve` re-weighs the whole graph before it is ready (who measured each result, derived
    # claims, every verdict): ~120 s on the 1M graph on a quiet 2-core machine, more on a busy one.
    started = time.monotonic()
    _wait_ready(server, log, lambda: httpx.get(ready, timeout=5).status_code == 200, within=900)
    print(f"  service ready in {time.monotonic() - started:.1f} s", flush=True)
    return server


def start_bare(target: Neo4jTarget, folder: Path, mode: str = "driver") -> Server:
    """bench/http_floor.py's bare ASGI app under uvicorn as the service runs it (uvloop,
    httptools, no access log). `mode` "driver" answers the lookup with the floor's Cypher through
    the driver, "const" a constant (the HTTP hop alone)."""
    port = free_port()
    env = _env(target)
    env.update(BARE_MODE=mode, PYTHONPATH=os.pathsep.join([str(BENCH), *sys.path]))
    cmd = [sys.executable, "-m", "uvicorn", "http_floor:app", "--port", str(port)]
    cmd += ["--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
    log = folder / f"bare-{mode}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=BENCH, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"bare-{mode}", proc, f"http://127.0.0.1:{port}/")
    probe = {"variables": {"slug": "none"}}
    return _wait_ready(
        server, log, lambda: httpx.post(server.url, json=probe, timeout=5).status_code == 200
    )


def install_peer() -> None:
    """`npm ci` into bench/peer when its node_modules is missing or older than the lock file."""
    modules = PEER / "node_modules"
    lock = PEER / "package-lock.json"
    if modules.exists() and modules.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("installing the peer (npm ci in bench/peer)", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)
    modules.touch()


def start_peer(target: Neo4jTarget, folder: Path) -> Server:
    """The @neo4j/graphql peer, one Node process, production mode."""
    install_peer()
    port = free_port()
    env = _env(target)
    env.update(PORT=str(port), NODE_ENV="production")
    log = folder / "peer.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["node", str(PEER / "server.mjs")], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server("peer", proc, f"http://127.0.0.1:{port}/graphql")

    def probe() -> bool:
        answer = httpx.post(server.url, json={"query": "{ __typename }"}, timeout=5)
        return answer.status_code == 200

    return _wait_ready(server, log, probe)


def rss_mib(pid: int) -> float:
    """Resident memory of a process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the load generator ---------------------------------------------------------------------
Send = Callable[[int], Awaitable[None]]


@dataclass
class Sample:
    """One measured run of one query (or the mix) on one contender at one concurrency."""

    dataset: str
    query: str
    contender: str
    concurrency: int
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    server_cpu_s: float | None = None

    @property
    def throughput(self) -> float:
        """Answered requests per second in the measured window."""
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        """Latency percentile, ms (nearest rank)."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


async def closed_loop(
    send: Send, concurrency: int, warmup_s: float, seconds: float
) -> tuple[int, float, list[float]]:
    """N clients each send, await the answer, send again; only the window after warm-up counts."""
    counter = iter(range(10**12))
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + warmup_s
    stop = start + seconds

    async def client() -> None:
        while True:
            began = loop.time()
            if began >= stop:
                return
            await send(next(counter))
            ended = loop.time()
            if start <= ended <= stop:  # completions in the window (a slow one still counts)
                latencies.append((ended - began) * 1000)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return len(latencies), seconds, latencies


class GraphQLError(RuntimeError):
    """A contender answered with an error: the run is invalid."""


def http_sender(pool: Pool, url: str, queries: list[MixQuery], picks: Picks, dialect: str) -> Send:
    """POST the query (rotating through `queries`) with its variables; fail on any error. The
    peer gets its own dialect; the service and the bare HTTP floor the service's body (the bare
    app reads the variables and runs the floor's Cypher)."""

    async def send(i: int) -> None:
        query = queries[i % len(queries)]
        n = i // len(queries)
        if dialect == "peer":
            body = {"query": query.peer, "variables": query.peer_variables(picks, n)}
        else:
            body = {"query": query.service, "variables": query.service_variables(picks, n)}
        try:
            status, content = await pool.connection(url).post_json(orjson.dumps(body))
        except TransportError as exc:  # name the contender and query that failed
            raise GraphQLError(f"{dialect} {query.name}: {exc}") from exc
        if status != 200:
            raise GraphQLError(f"{dialect} {query.name}: HTTP {status}: {content[:500]!r}")
        payload = orjson.loads(content)
        if payload.get("errors"):
            raise GraphQLError(f"{dialect} {query.name}: {str(payload['errors'])[:500]}")

    return send


def driver_sender(
    driver: AsyncDriver, database: str, queries: list[MixQuery], picks: Picks
) -> Send:
    """The floor: the hand-written Cypher in a read transaction, records read into dicts."""

    async def send(i: int) -> None:
        query = queries[i % len(queries)]
        params = query.cypher_parameters(picks, i // len(queries))
        async with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            result = await session.run(query.cypher, params)
            [record.data() async for record in result]

    return send


# -- one dataset ----------------------------------------------------------------------------
async def measure_dataset(
    plan: DatasetPlan,
    target: Neo4jTarget,
    servers: dict[str, Server],
    args: argparse.Namespace,
    round_no: int,
) -> list[Sample]:
    """Every query (and the mix) on every contender of the plan, alternating contenders."""
    driver = make_driver(target, Settings(NEO4J_POOL_SIZE=64))
    samples: list[Sample] = []
    try:
        picks = await pick(driver, target.database)
        units: list[tuple[str, list[MixQuery], tuple[int, ...]]] = [
            (q.name, [q], plan.concurrency) for q in MIX
        ]
        if plan.mix:
            units.append((MIX_NAME, list(MIX), (16,)))
        client = Pool(timeout_s=60)

        def sender(contender: str, queries: list[MixQuery]) -> Send:
            if contender == "floor":
                return driver_sender(driver, target.database, queries, picks)
            return http_sender(client, servers[contender].url, queries, picks, contender)

        bare = [q for q in MIX if q.name in plan.bare]
        try:
            if round_no == 0:  # every statement planned and every code path warm before timing
                for contender in plan.contenders:
                    for query in MIX:
                        send = sender(contender, [query])
                        for i in range(WARM_REQUESTS):
                            await send(i)
                for query in bare:
                    send = sender(BARE, [query])
                    for i in range(WARM_REQUESTS):
                        await send(i)
                # A freshly started Neo4j answers ~2x slower for its first ~15 s of load (JIT):
                # without this, whichever contender ran first on a dataset was measured cold.
                for contender in plan.contenders:
                    await closed_loop(sender(contender, list(MIX)), 4, 0.0, args.settle)
                if bare:  # the bare app's own code paths warm too
                    await closed_loop(sender(BARE, bare), 4, 0.0, args.settle)
            for index, (name, queries, concurrencies) in enumerate(units):
                contenders = plan.contenders + ((BARE,) if name in plan.bare else ())
                shift = (index + round_no) % len(contenders)
                order = contenders[shift:] + contenders[:shift]
                for contender in order:
                    for concurrency in concurrencies:
                        send = sender(contender, queries)
                        pid = None if contender == "floor" else servers[contender].proc.pid
                        cpu_before = cpu_seconds(pid) if pid else 0.0
                        cpu_at = time.perf_counter()
                        n, seconds, lat = await closed_loop(
                            send, concurrency, args.warmup, args.seconds
                        )
                        spent = time.perf_counter() - cpu_at
                        cpu = (cpu_seconds(pid) - cpu_before) * seconds / spent if pid else None
                        sample = Sample(
                            plan.name, name, contender, concurrency, n, seconds, lat, cpu
                        )
                        samples.append(sample)
                        print(_sample_line(sample), flush=True)
        finally:
            client.close()
    finally:
        await driver.close()
    return samples


async def rss_run(
    server: Server, target: Neo4jTarget, seconds: float, warmup: float
) -> dict[str, Any]:
    """The mix at c16 for `seconds` on the service, RSS sampled every 5 s after warm-up."""
    driver = make_driver(target, Settings())
    try:
        picks = await pick(driver, target.database)
    finally:
        await driver.close()
    readings: list[tuple[float, float]] = []
    client = Pool(timeout_s=60)
    try:
        send = http_sender(client, server.url, list(MIX), picks, "service")

        async def sample_rss() -> None:
            await asyncio.sleep(warmup)
            began = time.monotonic()
            while time.monotonic() - began <= seconds:
                readings.append((time.monotonic() - began, rss_mib(server.proc.pid)))
                await asyncio.sleep(5)

        watcher = asyncio.create_task(sample_rss())
        n, _, lat = await closed_loop(send, 16, warmup, seconds)
        await watcher
    finally:
        client.close()
    start, end = readings[0][1], readings[-1][1]
    return {
        "seconds": seconds,
        "requests": n,
        "p50_ms": statistics.median(lat),
        "rss_start_mib": start,
        "rss_end_mib": end,
        "rss_max_mib": max(r for _, r in readings),
        "growth": end / start - 1,
        "readings": [[round(t, 1), round(r, 1)] for t, r in readings],
    }


# -- report ---------------------------------------------------------------------------------
def _sample_line(s: Sample) -> str:
    cpu = (
        f", server CPU {1000 * s.server_cpu_s / max(1, s.requests):.2f} ms/req"
        if s.server_cpu_s
        else ""
    )
    return (
        f"  {s.dataset:<15} {s.query:<16} {s.contender:<9} c{s.concurrency:<3} "
        f"{s.throughput:8.1f} req/s  p50 {s.percentile(50):7.2f}  p95 {s.percentile(95):7.2f}  "
        f"p99 {s.percentile(99):7.2f} ms{cpu}"
    )


def summarise(samples: list[Sample]) -> list[dict[str, Any]]:
    """One object per dataset, query, contender and concurrency: medians over rounds."""
    groups: dict[tuple[str, str, str, int], list[Sample]] = {}
    for s in samples:
        groups.setdefault((s.dataset, s.query, s.contender, s.concurrency), []).append(s)
    rows = []
    for (dataset, query, contender, concurrency), group in groups.items():
        cpu = [s.server_cpu_s / s.requests for s in group if s.server_cpu_s and s.requests]
        rows.append(
            {
                "dataset": dataset,
                "query": query,
                "contender": contender,
                "concurrency": concurrency,
                "rounds": len(group),
                "requests": sum(s.requests for s in group),
                "throughput_rps": round(statistics.median(s.throughput for s in group), 2),
                "p50_ms": round(statistics.median(s.percentile(50) for s in group), 3),
                "p95_ms": round(statistics.median(s.percentile(95) for s in group), 3),
                "p99_ms": round(statistics.median(s.percentile(99) for s in group), 3),
                "server_cpu_ms_per_request": round(1000 * statistics.median(cpu), 3)
                if cpu
                else None,
            }
        )
    return rows


def _find(rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    for row in rows:
        if all(row[k] == v for k, v in match.items()):
            return row
    raise KeyError(f"no result for {match}")


TARGETS = {
    "mix_throughput_vs_peer_c16": ">= 1.2",
    "lookup_p50_vs_bare_http": "<= 1.15",
    "max_overhead_growth_10k_to_1m": "<= 1.2",
    "rss_growth_5min": "<= 0.10",
    "import_vs_load_csv": ">= 0.5",
}
"""The headline ratios and their targets (bench/RESULTS.md shows both; docs/performance.md
says what each measures)."""


def _p50(rows: list[dict[str, Any]], dataset: str, query: str, contender: str) -> float:
    return float(
        _find(rows, dataset=dataset, query=query, contender=contender, concurrency=1)["p50_ms"]
    )


def growth_per_query(
    rows: list[dict[str, Any]], small: str, large: str
) -> dict[str, dict[str, float]]:
    """Per query, the c1 p50 growth from `small` to `large` of the service and of the floor, and
    the service's divided by the floor's: the growth of what the service adds to the
    database's own work (a query whose statement itself costs more on a larger graph grows
    for every client of the database)."""
    out = {}
    for q in MIX:
        service = _p50(rows, large, q.name, "service") / _p50(rows, small, q.name, "service")
        floor = _p50(rows, large, q.name, "floor") / _p50(rows, small, q.name, "floor")
        out[q.name] = {"service": service, "floor": floor, "overhead": service / floor}
    return out


def ratios(
    rows: list[dict[str, Any]], datasets: list[DatasetPlan], rss: dict[str, Any], imports: float
) -> tuple[dict[str, float], dict[str, Any]]:
    """The five headline ratios (`TARGETS`), plus how each was computed."""
    main = next(p for p in datasets if p.main).name
    growth = [p for p in datasets if p.growth]
    small, large = growth[0].name, growth[-1].name
    per_query = growth_per_query(rows, small, large)
    out = {
        "mix_throughput_vs_peer_c16": _find(
            rows, dataset=main, query=MIX_NAME, contender="service", concurrency=16
        )["throughput_rps"]
        / _find(rows, dataset=main, query=MIX_NAME, contender="peer", concurrency=16)[
            "throughput_rps"
        ],
        "lookup_p50_vs_bare_http": _p50(rows, main, "lookup", "service")
        / _p50(rows, main, "lookup", BARE),
        "max_overhead_growth_10k_to_1m": max(g["overhead"] for g in per_query.values()),
        "rss_growth_5min": rss["growth"],
        "import_vs_load_csv": imports,
    }
    how = {
        "main_dataset": main,
        "growth_from": small,
        "growth_to": large,
        "growth_per_query": {k: round(g["service"], 3) for k, g in per_query.items()},
        "floor_growth_per_query": {k: round(g["floor"], 3) for k, g in per_query.items()},
        "overhead_growth_per_query": {k: round(g["overhead"], 3) for k, g in per_query.items()},
        "lookup_p50_vs_driver": round(
            _p50(rows, main, "lookup", "service") / _p50(rows, main, "lookup", "floor"), 3
        ),
        "rss_run_seconds": rss["seconds"],
    }
    return {k: round(v, 3) for k, v in out.items()}, how


def per_query_ratios(rows: list[dict[str, Any]], dataset: str) -> list[dict[str, Any]]:
    """Service vs peer throughput, service vs floor p50 and, where it ran, service vs bare HTTP
    floor p50, per query, on one dataset."""
    out = []
    for name in [q.name for q in MIX] + [MIX_NAME]:
        entry: dict[str, Any] = {"query": name}
        for c in (1, 16):
            try:
                svc = _find(rows, dataset=dataset, query=name, contender="service", concurrency=c)
            except KeyError:
                continue
            for other, key, metric in (
                ("peer", "throughput_vs_peer", "throughput_rps"),
                ("floor", "p50_vs_floor", "p50_ms"),
                (BARE, "p50_vs_bare_http", "p50_ms"),
            ):
                try:
                    row = _find(rows, dataset=dataset, query=name, contender=other, concurrency=c)
                except KeyError:
                    continue
                entry[f"{key}_c{c}"] = round(svc[metric] / row[metric], 3)
        out.append(entry)
    return out


def versions() -> dict[str, str]:
    """What ran: Python, Node, Neo4j and the key libraries."""
    from importlib.metadata import version

    out = {"python": platform.python_version(), "neo4j-server": NEO4J_VERSION}
    for dist in ("strawberry-graphql", "fastapi", "uvicorn", "neo4j", "neo4j-rust-ext", "orjson"):
        out[dist] = version(dist)
    out["node"] = subprocess.run(
        ["node", "--version"], capture_output=True, text=True
    ).stdout.strip()
    lock = json.loads((PEER / "package-lock.json").read_text())
    for dep in ("@neo4j/graphql", "graphql-yoga", "neo4j-driver", "graphql"):
        out[dep] = lock.get("packages", {}).get(f"node_modules/{dep}", {}).get("version", "?")
    return out


def machine() -> str:
    """CPU model and count, memory."""
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        ln.split()[1]
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal")
    )
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} x {cpu}, {int(mem) // 1024 // 1024} GiB RAM, {system}"


def write_markdown(path: Path, report: dict[str, Any]) -> None:
    """bench/RESULTS.md: what ran, the ratios, and every figure."""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/perf.py` ({report['mode']}) on {report['date']}.",
        "",
        f"- Machine: {report['machine']}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        f"- Runs: {report['rounds']} round(s), {report['warmup_s']} s warm-up + "
        f"{report['seconds']} s measured per query, contender and concurrency, after "
        f"{report['settle_s']} s of the whole mix on each contender per dataset (a freshly "
        "started Neo4j runs ~2x slower for its first ~15 s of load); contenders alternate; "
        "medians over rounds.",
        "",
        "## Datasets",
        "",
        "| dataset | nodes | load seconds (first run) |",
        "|---|---|---|",
    ]
    for name, d in report["datasets"].items():
        nodes = ", ".join(f"{k} {v}" for k, v in sorted(d["labels"].items()))
        lines.append(f"| {name} | {nodes} | {d['load_seconds']:.0f} |")
    lines += ["", "## Ratios", "", "| ratio | value | target |", "|---|---|---|"]
    for key, value in report["ratios"].items():
        lines.append(f"| `{key}` | {value} | {TARGETS[key]} |")
    how = report["ratios_how"]
    lines += [
        "",
        f"Ratios on `{how['main_dataset']}`: `lookup_p50_vs_bare_http` is the service's lookup "
        f"p50 at c1 over the bare HTTP floor's ({BARE}: bench/http_floor.py's bare uvicorn app "
        "sending the floor's Cypher through the same driver), same run; the service over the "
        f"in-process driver floor is {how['lookup_p50_vs_driver']} (`p50_vs_floor` below). "
        f"Growth from `{how['growth_from']}` to `{how['growth_to']}` (c1 p50, table below): "
        "`max_overhead_growth_10k_to_1m` is the largest of the service's growth over the "
        f"floor's. RSS over {how['rss_run_seconds']} s of the mix at c16 "
        f"({report['rss']['rss_start_mib']:.1f} -> {report['rss']['rss_end_mib']:.1f} MiB, "
        f"max {report['rss']['rss_max_mib']:.1f}); import ratio from bench/import_speed.py.",
        "",
        f"## Growth from {how['growth_from']} to {how['growth_to']}",
        "",
        "| query | service p50 growth | floor p50 growth | service / floor growth |",
        "|---|---|---|---|",
    ]
    for name, value in how["growth_per_query"].items():
        lines.append(
            f"| {name} | {value} | {how['floor_growth_per_query'][name]} | "
            f"{how['overhead_growth_per_query'][name]} |"
        )
    lines += [
        "",
        "## Per query on the main dataset",
        "",
        "| query | service/peer throughput c1 | c16 | service/floor p50 c1 | c16 "
        f"| service/{BARE} p50 c1 | c16 |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in report["per_query"]:
        cells = [
            str(e.get(k, ""))
            for k in (
                "throughput_vs_peer_c1",
                "throughput_vs_peer_c16",
                "p50_vs_floor_c1",
                "p50_vs_floor_c16",
                "p50_vs_bare_http_c1",
                "p50_vs_bare_http_c16",
            )
        ]
        lines.append(f"| {e['query']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## All figures",
        "",
        "| dataset | query | contender | c | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        lines.append(
            f"| {r['dataset']} | {r['query']} | {r['contender']} | {r['concurrency']} | "
            f"{r['throughput_rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['server_cpu_ms_per_request'] or ''} |"
        )
    path.write_text("\n".join(lines) + "\n" + kept_sections(path))


KEPT_SECTION = "\n## Soak\n"
"""Where RESULTS.md's sections written from other benches' runs begin (bench/soak.py's, by hand
from its JSON): a rewrite keeps them, from this heading to the end."""


def kept_sections(path: Path) -> str:
    """The part of the existing RESULTS.md a rewrite keeps ("" when there is none)."""
    old = path.read_text() if path.exists() else ""
    start = old.find(KEPT_SECTION)
    return "" if start < 0 else old[start:]


def import_ratio(quick: bool) -> float:
    """Run bench/import_speed.py (reduced when quick) and return its importer/LOAD CSV ratio."""
    out = BENCH / ("results-import-quick.json" if quick else "results-import.json")
    claims = "10000" if quick else "100000"
    rounds = "1" if quick else "2"
    cmd = [
        sys.executable,
        str(BENCH / "import_speed.py"),
        "--claims",
        claims,
        "--rounds",
        rounds,
        "--json",
        str(out),
    ]
    subprocess.run(cmd, check=True)
    return float(json.loads(out.read_text())["import_vs_load_csv"])


def main() -> None:
    """Measure every planned dataset, then write bench/results.json and bench/RESULTS.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small datasets, short runs (< 5 min)")
    mode.add_argument("--large", action="store_true", help="add the 1M-claim dataset")
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds per run")
    parser.add_argument(
        "--settle",
        type=float,
        default=None,
        help="seconds of the whole mix on each contender before a dataset's first timed run",
    )
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--rss-seconds", type=float, default=None)
    parser.add_argument("--skip-import", action="store_true", help="reuse the last import figures")
    parser.add_argument("--out", type=Path, default=BENCH)
    parser.add_argument("--only", help="comma-separated dataset names to measure (default: all)")
    args = parser.parse_args()
    args.seconds = args.seconds or (1.2 if args.quick else 5.0)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 1.0)
    args.settle = args.settle if args.settle is not None else (2.0 if args.quick else 10.0)
    args.rounds = args.rounds or (1 if args.quick else 2)
    args.rss_seconds = args.rss_seconds or (10.0 if args.quick else 300.0)
    datasets = plans(args.quick, args.large)
    if args.only:
        datasets = [p for p in datasets if p.name in args.only.split(",")]
    prune_store({store_key(p) for p in datasets})
    started = time.monotonic()
    samples: list[Sample] = []
    info: dict[str, Any] = {}
    rss: dict[str, Any] = {}
    for plan in datasets:
        if plan.claims is None and not NOTABLE.exists():
            print(f"[{plan.name}] skipped: {SHARED} is absent", flush=True)
            continue
        with (
            dataset_server(plan) as (target, labels, load_seconds),
            tempfile.TemporaryDirectory() as tmp,
        ):
            info[plan.name] = {"labels": labels, "load_seconds": load_seconds}
            folder = Path(tmp)
            servers: dict[str, Server] = {}
            try:
                servers["service"] = start_service(target, folder)
                if "peer" in plan.contenders:
                    servers["peer"] = start_peer(target, folder)
                if plan.bare:
                    servers[BARE] = start_bare(target, folder)
                for round_no in range(args.rounds):
                    print(f"[{plan.name}] round {round_no + 1}/{args.rounds}", flush=True)
                    samples += asyncio.run(measure_dataset(plan, target, servers, args, round_no))
                if plan.main:
                    print(
                        f"[{plan.name}] service RSS over {args.rss_seconds:.0f} s at c16",
                        flush=True,
                    )
                    rss = asyncio.run(
                        rss_run(servers["service"], target, args.rss_seconds, args.warmup)
                    )
                    print(
                        f"  RSS {rss['rss_start_mib']:.1f} -> {rss['rss_end_mib']:.1f} MiB "
                        f"({rss['growth']:+.1%})"
                    )
            finally:
                for server in servers.values():
                    server.stop()
    imports = (
        float(json.loads((BENCH / "results-import.json").read_text())["import_vs_load_csv"])
        if args.skip_import
        else import_ratio(args.quick)
    )
    rows = summarise(samples)
    measured = [p for p in datasets if p.name in info]
    if not any(p.main for p in measured):  # e.g. --only synthetic-10k,synthetic-1m
        partial = args.out / "results-partial.json"
        partial.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"no headline ratios without the main dataset; the rows are in {partial}")
        return
    top, how = ratios(rows, measured, rss, imports)
    main_name = how["main_dataset"]
    report = {
        "mode": "quick" if args.quick else ("large" if args.large else "full"),
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "versions": versions(),
        "rounds": args.rounds,
        "seconds": args.seconds,
        "warmup_s": args.warmup,
        "settle_s": args.settle,
        "wall_seconds": round(time.monotonic() - started),
        "datasets": info,
        "ratios": top,
        "ratios_how": how,
        "per_query": per_query_ratios(rows, main_name),
        "rss": rss,
        "results": rows,
    }
    (args.out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    write_markdown(args.out / "RESULTS.md", report)
    print(json.dumps({"ratios": top, **how}, indent=2))


if __name__ == "__main__":
    main()
