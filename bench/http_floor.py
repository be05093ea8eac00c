"""How much of the lookup's distance to the raw-driver floor is HTTP itself, measured.

The service over HTTP pays for an HTTP hop and a second process that the floor's in-process
driver call does not. This runs, in one Neo4j and one run, alternating: the floor; the
service; a bare ASGI app under the same uvicorn stack answering a constant (the HTTP hop
alone); and a bare ASGI app that runs the floor's own Cypher through the same driver and
returns its rows as JSON (the least any HTTP service over this driver can cost). That last app
is also `make bench`'s `bare-http` contender (bench/perf.py starts this module's `app` with
`perf.start_bare`), which `lookup_p50_vs_bare_http` divides the service's lookup by.

It also runs the floor's own call after the client has idled for a while (`--gaps`, ms): a
client behind an HTTP hop sends its next statement after such a gap, the in-process floor
back to back. On this project's 2-vCPU VM the same call is slower after a gap (2026-12-04,
100k: 0.46 ms back to back, 0.50 after 0.1 ms, 0.61 after 0.3 ms, 0.95 after 1 ms; spinning
through the gap instead of sleeping keeps it at 0.49-0.50): a vCPU that halts pays to wake.

    python bench/http_floor.py [--dataset synthetic-100k] [--rounds 5] [--seconds 3] [--settle 10]

Prints p50 per contender (median over rounds), its ratio to the floor, server CPU per request
and each round's p50: the ratios swing with how fast the machine is that minute. This script
is not part of `make bench` (its figures go to docs/performance.md, not results.json).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import orjson
import perf
from loadgen import Pool
from mix import MIX, pick
from neo4j import READ_ACCESS, AsyncDriver

from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver

LOOKUP = next(q for q in MIX if q.name == "lookup")
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
SendEvent = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_driver: AsyncDriver | None = None


async def app(scope: Scope, receive: Receive, send: SendEvent) -> None:
    """The bare ASGI app: BARE_MODE=const answers a constant, anything else the floor's lookup."""
    global _driver
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                target = Neo4jTarget(
                    os.environ["NEO4J_URI"],
                    os.environ["NEO4J_USER"],
                    os.environ["NEO4J_PASSWORD"],
                    os.environ["NEO4J_DATABASE"],
                )
                _driver = make_driver(target, Settings(NEO4J_POOL_SIZE=64))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _driver is not None:
                    await _driver.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    slug = orjson.loads(body)["variables"]["slug"]
    if os.environ.get("BARE_MODE") == "const" or _driver is None:
        out = orjson.dumps({"data": {"model": {"slug": slug}}})
    else:
        database = os.environ["NEO4J_DATABASE"]
        async with _driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            result = await session.run(LOOKUP.cypher, {"slug": slug})
            rows = [record.data() async for record in result]
        out = orjson.dumps({"data": {"model": rows[0]["model"] if rows else None}})
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(out))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": out})


async def after_gap(send: perf.Send, gap_ms: float, seconds: float) -> list[float]:
    """The floor's call, timed alone, each after the client slept `gap_ms` (blocking, so the
    process idles as a server waiting for its next request does)."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < stop:
        time.sleep(gap_ms / 1000)  # noqa: ASYNC251 -- blocking on purpose: the process idles
        began = time.perf_counter()
        await send(i)
        latencies.append((time.perf_counter() - began) * 1000)
        i += 1
    return latencies


async def measure(
    target: Neo4jTarget,
    servers: dict[str, perf.Server],
    rounds: int,
    seconds: float,
    settle: float,
    gaps: list[float],
) -> None:
    """Alternate the contenders at concurrency 1; print medians over rounds."""
    driver = make_driver(target, Settings(NEO4J_POOL_SIZE=64))
    client = Pool(timeout_s=60)
    try:
        picks = await pick(driver, target.database)

        def sender(name: str) -> perf.Send:
            if name == "floor":
                return perf.driver_sender(driver, target.database, [LOOKUP], picks)
            return perf.http_sender(client, servers[name].url, [LOOKUP], picks, "service")

        gapped = [f"floor-gap-{gap:g}ms" for gap in gaps]
        names = ["floor", *gapped, *servers]
        for name in [
            "floor",
            *servers,
        ]:  # every code path and statement warm, then load to settle the JIT
            send = sender(name)
            for i in range(200):
                await send(i)
            await perf.closed_loop(send, 4, 0.0, settle)
        p50: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for round_no in range(rounds):
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                if name in gapped:
                    gap = gaps[gapped.index(name)]
                    p50[name].append(
                        statistics.median(await after_gap(sender("floor"), gap, seconds))
                    )
                    continue
                pid = servers[name].proc.pid if name in servers else None
                before = perf.cpu_seconds(pid) if pid else 0.0
                count, _, latencies = await perf.closed_loop(sender(name), 1, 0.5, seconds)
                if pid:
                    spent = perf.cpu_seconds(pid) - before
                    cpu[name].append(spent / count * 1000 * seconds / (seconds + 0.5))
                p50[name].append(statistics.median(latencies))
        floor = statistics.median(p50["floor"])
        for name in names:
            median = statistics.median(p50[name])
            used = f"{statistics.median(cpu[name]):5.2f}" if cpu[name] else "    -"
            rounds_text = " ".join(f"{x:.2f}" for x in p50[name])
            print(
                f"{name:12s} p50 {median:6.3f} ms  x{median / floor:5.2f} floor  "
                f"server CPU {used} ms/req  rounds [{rounds_text}]",
                flush=True,
            )
    finally:
        client.close()
        await driver.close()


def main() -> None:
    """Start the dataset's Neo4j and the contenders, measure, stop everything."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="synthetic-100k")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--settle", type=float, default=10.0, help="seconds of load first")
    parser.add_argument(
        "--gaps", default="0.1,0.3,1", help="ms the client idles before the floor's call"
    )
    args = parser.parse_args()
    found = [p for p in perf.plans(False, True) if p.name == args.dataset]
    if not found:
        raise SystemExit(f"unknown dataset {args.dataset!r}")
    with perf.dataset_server(found[0]) as (target, _, _), tempfile.TemporaryDirectory() as tmp:
        servers: dict[str, perf.Server] = {}
        try:
            servers["service"] = perf.start_service(target, Path(tmp))
            servers["bare-const"] = perf.start_bare(target, Path(tmp), "const")
            servers["bare-driver"] = perf.start_bare(target, Path(tmp), "driver")
            gaps = [float(g) for g in args.gaps.split(",") if g]
            asyncio.run(measure(target, servers, args.rounds, args.seconds, args.settle, gaps))
        finally:
            for server in servers.values():
                server.stop()


if __name__ == "__main__":
    main()
