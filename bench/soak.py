"""Soak: many concurrent clients mixing reads and authenticated writes against the real service,
to show it stays correct and steady under load: no 5xx, no lost write, bounded latency and RSS.

A throw-away local Neo4j and the service (`modelatlas serve`, which migrates and seeds) run on
loopback; after a short light warm-up (a cold JVM compiles its query plans), N clients loop for
the given time over lookups, modelsClaimedToBeat, search and lists, and upserts of new
entities (each read back at once with its bookmark). Afterwards every acknowledged write is
looked up in Neo4j. Exit status 1 on any 5xx, transport error, lost write, GraphQL error
other than the ones a client is told to expect under load (RATE_LIMITED), or a p99 over its
target (writes 1 s, reads 500 ms by default).

With `--import-during`, `modelatlas import epoch-models` runs while the clients do, on a copy
of Epoch's notable-models file with every model renamed (so it writes about a thousand new
models, releases and their links onto the default graph instead of changing nothing). It must
exit 0, and once the soak's own writes are deleted the graph's fingerprint must equal that of
a quiet run: a second throw-away Neo4j, the same default graph, the same import, no load.
The p99s of such a run are reported, not held to their targets (the import shares the cores).

    python bench/soak.py [--seconds 120] [--clients 32] [--writes 0.2] [--warmup 20]
        [--write-p99-ms 1000] [--read-p99-ms 500] [--import-during]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from neo4j import GraphDatabase

from modelatlas.api.auth import Role, new_key
from modelatlas.config import Settings
from modelatlas.db.local import LocalNeo4j, free_port

KEY, ENTRY = new_key(Role.EDITOR)
AUTH = {"authorization": f"Bearer {KEY}"}
SOURCE = "https://example.org/soak"

READS: dict[str, str] = {
    "ModelLookup": """query ModelLookup($slug: ID!) {
      model(slug: $slug) { slug name parameters releasedOn developers { slug name country { code } }
        claims(first: 5) { totalCount edges { node { id statement } } } }
    }""",
    "ClaimedToBeat": """query ClaimedToBeat($slug: ID!) {
      modelsClaimedToBeat(model: $slug, includeVariants: true, first: 10) {
        totalCount edges { node { statement date subject { slug } claimant { slug }
          benchmark { slug } sources { url } } }
      }
    }""",
    "Search": """query Search($text: String!) {
      search(text: $text, first: 10) { kind key name score }
    }""",
    "ModelList": """query ModelList($order: ModelOrder!) {
      models(first: 20, orderBy: $order) { totalCount pageInfo { endCursor hasNextPage }
        edges { node { slug name developers { slug } } } }
    }""",
    "ChineseClaimsOnUS": """query ChineseClaimsOnUS {
      claims(where: {claimantCountry: "CN", againstDeveloperCountry: "US"}, first: 20) {
        totalCount edges { node { id statement claimant { slug } against { slug } } }
      }
    }""",
    "OrganizationList": """query OrganizationList {
      organizations(first: 20) { totalCount edges { node { slug name models(first: 5) {
        totalCount } } } }
    }""",
}
UPSERT_MODEL = """mutation UpsertModel($input: ModelInput!) {
  upsertModel(input: $input) { key created bookmark }
}"""
UPSERT_DATASET = """mutation UpsertDataset($input: DatasetInput!) {
  upsertDataset(input: $input) { keys created bookmark }
}"""
READ_BACK = """query ReadBack($slug: ID!) { model(slug: $slug) { slug } }"""
EXPECTED_UNDER_LOAD = frozenset({"RATE_LIMITED"})
"""GraphQL error codes a client is told to expect when the service is busy (and to retry)."""
SEARCH_TERMS = ["gpt", "deepseek", "qwen 2.5", "llama", "openai", "china", "claude", "r1", "moon"]


@dataclass
class Tally:
    """Everything the clients saw, for the report."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(operation, GraphQL error code) -> how many answers carried it."""
    transport_errors: Counter[str] = field(default_factory=Counter)
    acknowledged: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    refused_writes: int = 0
    read_your_write_misses: int = 0

    def record(self, operation: str, took: float, response: httpx.Response) -> dict[str, Any]:
        """Note one answer and return its JSON body ({} when it has none)."""
        self.latencies[operation].append(took)
        self.statuses[response.status_code] += 1
        try:
            body: dict[str, Any] = response.json()
        except ValueError:
            return {}
        for error in body.get("errors") or []:
            self.codes[operation, str((error.get("extensions") or {}).get("code"))] += 1
        return body

    def codes_by_operation(self) -> dict[str, dict[str, int]]:
        """Every error code seen, per operation."""
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for (operation, code), n in sorted(self.codes.items()):
            found[operation][code] = n
        return dict(found)

    def unexpected_codes(self) -> dict[str, dict[str, int]]:
        """Per operation, the error codes no client should see under load, with counts."""
        found = {
            operation: {c: n for c, n in codes.items() if c not in EXPECTED_UNDER_LOAD}
            for operation, codes in self.codes_by_operation().items()
        }
        return {operation: codes for operation, codes in found.items() if codes}

    def unexpected_count(self) -> int:
        """How many errors no client should see under load."""
        return sum(n for codes in self.unexpected_codes().values() for n in codes.values())


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(rest.split()[0])
    return found


async def client_loop(
    number: int,
    base_url: str,
    deadline: float,
    writes: float,
    models: list[str],
    organizations: list[str],
    tally: Tally,
) -> None:
    """One client: its own connection, looping over a weighted mix until the deadline."""
    rng = random.Random(number)
    serial = itertools.count()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:

        async def post(
            operation: str, query: str, variables: dict[str, Any], headers: dict[str, str]
        ) -> dict[str, Any] | None:
            started = time.perf_counter()
            try:
                response = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables, "operationName": operation},
                    headers=headers,
                )
            except httpx.TransportError as exc:
                tally.transport_errors[type(exc).__name__] += 1
                return None
            return tally.record(operation, time.perf_counter() - started, response)

        while time.monotonic() < deadline:
            if rng.random() < writes:
                await write(number, next(serial), rng, post, models, organizations, tally)
                continue
            operation = rng.choice(list(READS))
            variables: dict[str, Any] = {}
            if operation in ("ModelLookup", "ClaimedToBeat"):
                variables = {"slug": rng.choice(models)}
            elif operation == "Search":
                variables = {"text": rng.choice(SEARCH_TERMS)}
            elif operation == "ModelList":
                variables = {"order": rng.choice(["NAME_ASC", "RELEASED_ON_DESC"])}
            await post(operation, READS[operation], variables, {})


async def write(
    number: int,
    serial: int,
    rng: random.Random,
    post: Any,
    models: list[str],
    organizations: list[str],
    tally: Tally,
) -> None:
    """Upsert a new model (or a new source, organization, model and claim together), then read
    it back at once with the bookmark the mutation returned."""
    slug = f"soak-{number}-{serial}"
    if rng.random() < 0.7:
        model = {
            "slug": slug,
            "name": f"Soak {number}-{serial}",
            "developers": [rng.choice(organizations)],
            "parameters": float(rng.randrange(1, 1000) * 10**9),
            "releasedOn": "2025-01-01",
            "derivedFrom": [rng.choice(models)],
        }
        body = await post("UpsertModel", UPSERT_MODEL, {"input": model}, AUTH)
        payload = (body or {}).get("data") or {}
        done = payload.get("upsertModel")
        keys = {"Model": [slug]} if done and done["created"] else {}
    else:
        lab = f"soak-lab-{number}-{serial}"
        url = f"{SOURCE}/{number}/{serial}"
        dataset = {
            "sources": [{"url": url, "title": f"Soak {number}-{serial}"}],
            "organizations": [
                {"slug": lab, "name": f"Soak Lab {number}-{serial}", "country": "FR"}
            ],
            "models": [{"slug": slug, "name": f"Soak {number}-{serial}", "developers": [lab]}],
            "claims": [
                {
                    "id": f"claim-{slug}",
                    "kind": "OUTPERFORMS",
                    "statement": f"{slug} beats the field",
                    "claimedBy": lab,
                    "subject": slug,
                    "against": [rng.choice(models)],
                    "sources": [url],
                }
            ],
        }
        body = await post("UpsertDataset", UPSERT_DATASET, {"input": dataset}, AUTH)
        payload = (body or {}).get("data") or {}
        done = payload.get("upsertDataset")
        keys = (
            {"Source": [url], "Organization": [lab], "Model": [slug], "Claim": [f"claim-{slug}"]}
            if done and done["created"] == 4
            else {}
        )
    if not keys:
        tally.refused_writes += 1
        return
    for label, values in keys.items():
        tally.acknowledged[label].update(values)
    assert done is not None
    back = await post(
        "ReadBack", READ_BACK, {"slug": slug}, {"modelatlas-bookmark": done["bookmark"]}
    )
    if not ((back or {}).get("data") or {}).get("model"):
        tally.read_your_write_misses += 1


def lost_writes(
    uri: str, user: str, password: str, acknowledged: dict[str, set[str]]
) -> dict[str, list[str]]:
    """Acknowledged keys that Neo4j does not hold, per label."""
    key_of = {"Source": "url", "Organization": "slug", "Model": "slug", "Claim": "id"}
    lost: dict[str, list[str]] = {}
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        for label, keys in acknowledged.items():
            records, _, _ = driver.execute_query(
                f"UNWIND $keys AS k OPTIONAL MATCH (n:{label} {{{key_of[label]}: k}}) "
                "WITH k, n WHERE n IS NULL RETURN collect(k) AS missing",
                keys=sorted(keys),
            )
            if records[0]["missing"]:
                lost[label] = records[0]["missing"]
    return lost


def scrape(base_url: str) -> dict[str, float]:
    """A few service-side figures from /metrics: Neo4j calls and time, in flight."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    figures: dict[str, float] = defaultdict(float)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in (
                "modelatlas_neo4j_query_duration_seconds_sum",
                "modelatlas_neo4j_query_duration_seconds_count",
                "modelatlas_neo4j_queries_in_flight",
            ):
                figures[sample.name] += sample.value
            if sample.name == "modelatlas_neo4j_query_errors_total":
                figures["neo4j_query_errors"] += sample.value
    return dict(figures)


REPO = Path(__file__).resolve().parents[1]
NOTABLE = REPO.parent / "shared" / "data" / "epoch-notable-ai-models" / "notable_ai_models.csv"
RENAMED = "Soakimport "
"""The prefix the import's copy of the notable-models file gives every model name."""


def renamed_models(folder: Path) -> Path:
    """A copy of Epoch's notable-models file with every model renamed, so its import writes."""
    import csv

    if not NOTABLE.exists():
        raise SystemExit(f"--import-during needs {NOTABLE} (the shared data folder)")
    target = folder / "renamed_notable_models.csv"
    with NOTABLE.open(newline="", encoding="utf-8") as src:
        reader = csv.DictReader(src)
        with target.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
            writer.writeheader()
            for row in reader:
                if row.get("Model"):
                    row["Model"] = RENAMED + row["Model"]
                writer.writerow(row)
    return target


def neo4j_env(info: Any, folder: Path) -> dict[str, str]:
    """The environment of a `modelatlas` command against the given Neo4j."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MODELATLAS_"))}
    env.update(
        NEO4J_URI=info.uri,
        NEO4J_USER=info.user,
        NEO4J_PASSWORD=info.password,
        MODELATLAS_DATA_DIR=str(folder / "data"),
    )
    return env


def modelatlas(env: dict[str, str], folder: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start a `modelatlas` command, its output to a log file named after it."""
    log = (folder / f"{args[0]}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "modelatlas", *args],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def fingerprint(env: dict[str, str], folder: Path) -> dict[str, Any]:
    """`modelatlas stats --json` of the graph the environment names."""
    done = subprocess.run(
        [sys.executable, "-m", "modelatlas", "stats", "--json"],
        env=env,
        cwd=folder,
        capture_output=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def delete_soak_writes(uri: str, user: str, password: str) -> int:
    """Delete every node the soak's clients wrote (their keys are the soak's own)."""
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (n) WHERE (n:Model AND n.slug STARTS WITH 'soak-') "
            "OR (n:Organization AND n.slug STARTS WITH 'soak-lab-') "
            "OR (n:Claim AND n.id STARTS WITH 'claim-soak-') "
            "OR (n:Source AND n.url STARTS WITH $source) "
            "DETACH DELETE n RETURN count(*) AS n",
            source=SOURCE,
        )
        return int(records[0]["n"])


def quiet_import(folder: Path, csv_file: Path) -> tuple[dict[str, Any], float]:
    """The reference: a fresh Neo4j, the default graph, the same import with no load; its
    fingerprint and the import's seconds."""
    home = folder / "neo4j"
    (home / "run").mkdir(parents=True)
    (home / "run" / "password").write_text(secrets.token_hex(16))
    (home / "run" / "password").chmod(0o600)
    server = LocalNeo4j(home, Settings().cache_dir, heap="1g", pagecache="512m")
    try:
        env = neo4j_env(server.start(), folder)
        if modelatlas(env, folder, "load").wait() != 0:
            raise SystemExit(f"the quiet run's load failed; see {folder / 'load.log'}")
        started = time.monotonic()
        if modelatlas(env, folder, "import", "epoch-models", str(csv_file)).wait() != 0:
            raise SystemExit(f"the quiet import failed; see {folder / 'import.log'}")
        return fingerprint(env, folder), time.monotonic() - started
    finally:
        server.stop()


def start_service(info: Any, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`modelatlas serve` on a free loopback port against the given Neo4j, with an editor key
    and the rate limits off (all clients share one address)."""
    port = free_port()
    env = neo4j_env(info, folder)
    env.update(
        MODELATLAS_API_KEYS=ENTRY,
        MODELATLAS_RATE_LIMIT_PER_KEY="0",
        MODELATLAS_RATE_LIMIT_PER_ADDRESS="0",
    )
    proc = modelatlas(env, folder, "serve", "--host", "127.0.0.1", "--port", str(port))
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the service exited; see {folder / 'serve.log'}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                return proc, base_url
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the service did not become ready within 180 s")


def seed_keys(base_url: str) -> tuple[list[str], list[str]]:
    """The seeded models and organizations, for reads and references."""
    query = "{ models(first: 100) { edges { node { slug } } } "
    query += "organizations(first: 100) { edges { node { slug } } } }"
    data = httpx.post(f"{base_url}/graphql", json={"query": query}, timeout=30).json()["data"]
    models = [e["node"]["slug"] for e in data["models"]["edges"]]
    organizations = [e["node"]["slug"] for e in data["organizations"]["edges"]]
    return models, organizations


def report(
    args: argparse.Namespace,
    tally: Tally,
    elapsed: float,
    rss: dict[str, dict[str, int]],
    lost: dict[str, list[str]],
    service: dict[str, float],
) -> dict[str, Any]:
    """Print the figures and return them as data."""
    everything = [t for values in tally.latencies.values() for t in values]
    reads = [t for op, values in tally.latencies.items() if op in READS for t in values]
    writes = [t for op in ("UpsertModel", "UpsertDataset") for t in tally.latencies.get(op, [])]
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    acknowledged = sum(len(keys) for keys in tally.acknowledged.values())

    def ms(values: list[float], q: float) -> float:
        return round(percentile(values, q) * 1000, 1)

    figures: dict[str, Any] = {
        "seconds": round(elapsed, 1),
        "clients": args.clients,
        "requests": len(everything),
        "throughput_rps": round(len(everything) / elapsed, 1),
        "status": dict(sorted(tally.statuses.items())),
        "server_errors_5xx": server_errors,
        "transport_errors": dict(tally.transport_errors),
        "graphql_error_codes": tally.codes_by_operation(),
        "unexpected_error_codes": tally.unexpected_codes(),
        "latency_ms": {
            name: {"p50": ms(v, 50), "p90": ms(v, 90), "p99": ms(v, 99), "max": ms(v, 100)}
            for name, v in (("all", everything), ("reads", reads), ("writes", writes))
        },
        "per_operation_p99_ms": {op: ms(v, 99) for op, v in sorted(tally.latencies.items())},
        "targets_ms": {"writes_p99": args.write_p99_ms, "reads_p99": args.read_p99_ms},
        "writes_acknowledged_nodes": acknowledged,
        "writes_refused": tally.refused_writes,
        "read_your_write_misses": tally.read_your_write_misses,
        "lost_writes": sum(len(v) for v in lost.values()),
        "rss_mib": {
            who: {k: round(v / 1024, 1) for k, v in values.items()} for who, values in rss.items()
        },
        "service_neo4j": {
            "calls": int(service.get("modelatlas_neo4j_query_duration_seconds_count", 0)),
            "mean_ms": round(
                1000
                * service.get("modelatlas_neo4j_query_duration_seconds_sum", 0)
                / max(1, service.get("modelatlas_neo4j_query_duration_seconds_count", 0)),
                2,
            ),
            "errors": int(service.get("neo4j_query_errors", 0)),
            "in_flight_after": int(service.get("modelatlas_neo4j_queries_in_flight", 0)),
        },
    }
    lat = figures["latency_ms"]
    print(f"\nsoak: {args.clients} clients for {figures['seconds']} s on loopback")
    print(f"  requests        {figures['requests']}  ({figures['throughput_rps']} req/s)")
    print(f"  HTTP status     {figures['status']}   5xx: {server_errors}")
    print(f"  transport errs  {figures['transport_errors'] or 0}")
    print(f"  GraphQL errors  {figures['graphql_error_codes'] or 0}")
    print(f"  unexpected      {figures['unexpected_error_codes'] or 0}")
    for name in ("all", "reads", "writes"):
        row = lat[name]
        print(
            f"  latency {name:<7} p50 {row['p50']} ms  p90 {row['p90']} ms  "
            f"p99 {row['p99']} ms  max {row['max']} ms"
        )
    print(f"  p99 by operation {figures['per_operation_p99_ms']}")
    for name, target in (("writes", args.write_p99_ms), ("reads", args.read_p99_ms)):
        p99 = lat[name]["p99"]
        verdict = "ok" if p99 <= target else "OVER TARGET"
        print(f"  {name} p99 vs target  {p99} ms / {target:g} ms = {p99 / target:.3f}  {verdict}")
    print(
        f"  writes          {acknowledged} nodes acknowledged, {tally.refused_writes} refused, "
        f"{figures['lost_writes']} lost, {tally.read_your_write_misses} read-your-write misses"
    )
    for who, values in figures["rss_mib"].items():
        print(f"  RSS {who:<11} {values} MiB")
    print(f"  service Neo4j   {figures['service_neo4j']}")
    return figures


async def run_clients(
    base_url: str,
    clients: range,
    seconds: float,
    writes: float,
    models: list[str],
    orgs: list[str],
) -> tuple[Tally, float]:
    """Run the numbered clients (numbers keep their new keys apart) for the given time."""
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(client_loop(n, base_url, deadline, writes, models, orgs, tally) for n in clients)
    )
    return tally, time.monotonic() - started


def main() -> None:
    """Parse flags, run the soak, print figures, exit 1 on any 5xx or lost write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="How long the load runs.")
    parser.add_argument("--clients", type=int, default=32, help="Concurrent clients.")
    parser.add_argument("--writes", type=float, default=0.2, help="Share of writes (0..1).")
    parser.add_argument(
        "--warmup",
        type=float,
        default=20.0,
        help="Seconds of light load first (4 clients, not in the figures) so a cold JVM "
        "compiles its query plans before it is measured; its writes are checked too.",
    )
    parser.add_argument(
        "--write-p99-ms", type=float, default=1000.0, help="Target for the writes' p99."
    )
    parser.add_argument(
        "--read-p99-ms", type=float, default=500.0, help="Target for the reads' p99."
    )
    parser.add_argument(
        "--import-during",
        action="store_true",
        help="Also run an import while the clients do, and compare the graph it leaves with "
        "a quiet run's.",
    )
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="modelatlas-soak-"))
    home = folder / "neo4j"
    # A password neo4j-admin cannot take for an option (a generated one may start with "-").
    (home / "run").mkdir(parents=True)
    (home / "run" / "password").write_text(secrets.token_hex(16))
    (home / "run" / "password").chmod(0o600)
    server = LocalNeo4j(home, Settings().cache_dir, heap="1g", pagecache="512m")
    proc: subprocess.Popen[bytes] | None = None
    try:
        print("starting a local Neo4j and the service (migrate, seed)...", flush=True)
        info = server.start()
        proc, base_url = start_service(info, folder)
        models, organizations = seed_keys(base_url)
        rss = {"service start": rss_kib(proc.pid), "neo4j start": rss_kib(info.pid)}
        print(
            f"seeded: {len(models)} models, {len(organizations)} organizations; "
            f"warm-up {args.warmup:.0f} s...",
            flush=True,
        )
        warm, warm_elapsed = asyncio.run(
            run_clients(
                base_url, range(1000, 1004), args.warmup, args.writes, models, organizations
            )
        )
        warm_all = [t for values in warm.latencies.values() for t in values]
        warm_5xx = sum(n for status, n in warm.statuses.items() if status >= 500)
        print(
            f"warm-up: {len(warm_all)} requests ({len(warm_all) / warm_elapsed:.1f} req/s), "
            f"p99 {percentile(warm_all, 99) * 1000:.0f} ms, 5xx {warm_5xx}, "
            f"errors {warm.codes_by_operation() or 0}; load: {args.clients} clients for "
            f"{args.seconds:.0f} s...",
            flush=True,
        )
        rss["service warm"] = rss_kib(proc.pid)
        importing: subprocess.Popen[bytes] | None = None
        if args.import_during:
            csv_file = renamed_models(folder)
            import_started = time.monotonic()
            importing = modelatlas(
                neo4j_env(info, folder), folder, "import", "epoch-models", str(csv_file)
            )
            import_ended: list[float] = []

            def note_end(proc: subprocess.Popen[bytes]) -> None:
                proc.wait()
                import_ended.append(time.monotonic())

            watcher = threading.Thread(target=note_end, args=(importing,))
            watcher.start()
        tally, elapsed = asyncio.run(
            run_clients(
                base_url, range(args.clients), args.seconds, args.writes, models, organizations
            )
        )
        if importing is not None:
            watcher.join()
            import_code = importing.wait()
            import_seconds = import_ended[0] - import_started
        rss["service end"] = rss_kib(proc.pid)
        rss["neo4j end"] = rss_kib(info.pid)
        service = scrape(base_url)
        acknowledged = {
            label: tally.acknowledged[label] | warm.acknowledged[label]
            for label in set(tally.acknowledged) | set(warm.acknowledged)
        }
        lost = lost_writes(info.uri, info.user, info.password, acknowledged)
        figures = report(args, tally, elapsed, rss, lost, service)
        figures["warmup"] = {
            "seconds": round(warm_elapsed, 1),
            "requests": len(warm_all),
            "server_errors_5xx": warm_5xx,
            "transport_errors": dict(warm.transport_errors),
            "writes_acknowledged_nodes": sum(len(v) for v in warm.acknowledged.values()),
        }
        latency = figures["latency_ms"]
        held = not args.import_during  # with an import sharing the cores, p99s are reported only
        imported: dict[str, Any] = {}
        if importing is not None:
            deleted = delete_soak_writes(info.uri, info.user, info.password)
            loaded = fingerprint(neo4j_env(info, folder), folder)
            print("quiet run: a fresh Neo4j, the default graph, the same import...", flush=True)
            quiet, quiet_seconds = quiet_import(folder / "quiet", csv_file)
            imported = {
                "exit_code": import_code,
                "seconds_under_load": round(import_seconds, 1),
                "seconds_quiet": round(quiet_seconds, 1),
                "soak_nodes_deleted": deleted,
                "fingerprint_under_load": loaded,
                "fingerprint_quiet": quiet,
                "fingerprints_equal": loaded == quiet,
            }
            figures["import_during"] = imported
            print(
                f"  import          exit {import_code}, {import_seconds:.1f} s under load "
                f"({quiet_seconds:.1f} s quiet); after deleting the soak's {deleted} nodes the "
                f"fingerprint {'equals' if loaded == quiet else 'DIFFERS FROM'} the quiet run's "
                f"({loaded.get('checksum', loaded)})"
            )
            if loaded != quiet:
                print(f"  under load: {json.dumps(loaded)}\n  quiet:      {json.dumps(quiet)}")
        failures = {
            "5xx": figures["server_errors_5xx"] + warm_5xx,
            "lost writes": figures["lost_writes"],
            "transport errors": sum(tally.transport_errors.values())
            + sum(warm.transport_errors.values()),
            "unexpected GraphQL errors": tally.unexpected_count() + warm.unexpected_count(),
            "writes p99 over target": held and latency["writes"]["p99"] > args.write_p99_ms,
            "reads p99 over target": held and latency["reads"]["p99"] > args.read_p99_ms,
            "import failed": bool(imported) and imported["exit_code"] != 0,
            "import fingerprint differs": bool(imported) and not imported["fingerprints_equal"],
        }
        failed = {name: n for name, n in failures.items() if n}
        figures["failures"] = failed
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
        if lost:
            print(f"LOST: {json.dumps(lost)[:2000]}")
        if failed:
            print(f"soak: FAILED ({', '.join(f'{k}: {v}' for k, v in failed.items())})")
        else:
            held_text = "p99s at target" if held else "the import whole and equal to a quiet run's"
            print(f"soak: OK (no 5xx, no lost write, no unexpected GraphQL error, {held_text})")
        code = 1 if failed else 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
