"""Explorer page times beside GraphQL's, on the bench graphs (synthetic 100k by default).

One `modelatlas serve` over a stored bench graph (bench/perf.py's store: loaded once, kept);
each explorer page is fetched over keep-alive HTTP on loopback by one client in a closed loop,
rotating through real keys sampled from the graph (bench/mix.py's Picks), after a warm-up; the
GraphQL lookup and leaderboard of the bench mix are timed the same way in the same run, so the
figures sit side by side. Every answer must be 200. Latency is measured at the client, so it is
the server's time plus the loopback hop (about 0.1 ms here). Target: page p50 < 50 ms.

    python bench/pages.py [--dataset synthetic-100k] [--seconds 5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import MIX, Picks, pick
from perf import closed_loop, dataset_server, plans, start_service

from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver

TARGET_P50_MS = 50.0
CLAIMS = "MATCH (c:Claim) WITH c ORDER BY c.id LIMIT 40 RETURN collect(c.id) AS ids"


def page_urls(picks: Picks, claims: list[str]) -> dict[str, Callable[[int], str]]:
    """Each page's URL for request i, rotating through the sampled keys."""

    def nth(items: list[str], i: int) -> str:
        return items[i % len(items)]

    return {
        "home": lambda i: "/",
        "search": lambda i: "/search?" + urlencode({"q": nth(picks.terms, i)}),
        "model": lambda i: "/models/" + quote(nth(picks.models, i), safe=""),
        "organization": lambda i: "/organizations/" + quote(nth(picks.organizations, i), safe=""),
        "benchmark": lambda i: "/benchmarks/" + quote(nth(picks.benchmarks, i), safe=""),
        "benchmark_as_of": lambda i: (
            "/benchmarks/" + quote(nth(picks.benchmarks, i), safe="") + "?as_of=" + picks.as_of
        ),
        "claim": lambda i: "/claims/" + quote(nth(claims, i), safe=""),
        "claims_contested": lambda i: "/claims?verdict=CONTESTED",
        "graph": lambda i: "/graph?" + urlencode({"node": "model:" + nth(picks.models, i)}),
        "path": lambda i: (
            "/path?"
            + urlencode(
                {
                    "source": "organization:" + picks.path_pairs[i % len(picks.path_pairs)][0],
                    "target": "organization:" + picks.path_pairs[i % len(picks.path_pairs)][1],
                }
            )
        ),
    }


async def sample_keys(target: Neo4jTarget) -> tuple[Picks, list[str]]:
    """The mix's picks and some claim ids, read from the graph."""
    driver = make_driver(target, Settings())
    try:
        picks = await pick(driver, target.database)
        records, _, _ = await driver.execute_query(CLAIMS, database_=target.database)
        return picks, list(records[0]["ids"])
    finally:
        await driver.close()


async def measure(
    base: str, picks: Picks, claims: list[str], seconds: float, warmup: float, rounds: int
) -> dict[str, list[list[float]]]:
    """Latencies per page and per GraphQL query, per round (pages and queries alternate)."""
    urls = page_urls(picks, claims)
    graphql = {q.name: q for q in MIX if q.name in ("lookup", "leaderboard", "search")}
    out: dict[str, list[list[float]]] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        def page_sender(url_of: Callable[[int], str]) -> Callable[[int], Awaitable[None]]:
            async def send(i: int) -> None:
                response = await client.get(url_of(i), headers={"Accept": "text/html"})
                if response.status_code != 200:
                    raise SystemExit(f"{url_of(i)}: HTTP {response.status_code}")

            return send

        def graphql_sender(name: str) -> Callable[[int], Awaitable[None]]:
            query = graphql[name]

            async def send(i: int) -> None:
                body = {"query": query.service, "variables": query.service_variables(picks, i)}
                response = await client.post("/graphql", json=body)
                if response.status_code != 200 or response.json().get("errors"):
                    raise SystemExit(f"graphql {name}: {response.text[:300]}")

            return send

        senders = {f"page {n}": page_sender(u) for n, u in urls.items()}
        senders |= {f"graphql {n}": graphql_sender(n) for n in graphql}
        for send in senders.values():  # every statement planned before timing
            for i in range(8):
                await send(i)
        for round_no in range(rounds):
            names = list(senders)
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                _, _, latencies = await closed_loop(senders[name], 1, warmup, seconds)
                out.setdefault(name, []).append(latencies)
                print(
                    f"  round {round_no + 1} {name:<24} p50 {statistics.median(latencies):7.2f} ms"
                    f"  n={len(latencies)}",
                    flush=True,
                )
    return out


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    """Measure, print the table, write bench/results-pages.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="synthetic-100k")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "results-pages.json")
    args = parser.parse_args()
    plan = next(p for p in plans(False, True) if p.name == args.dataset)
    started = time.monotonic()
    with dataset_server(plan) as (target, labels, _), tempfile.TemporaryDirectory() as tmp:
        picks, claims = asyncio.run(sample_keys(target))
        service = start_service(target, Path(tmp))
        try:
            base = service.url.removesuffix("/graphql")
            runs = asyncio.run(measure(base, picks, claims, args.seconds, args.warmup, args.rounds))
        finally:
            service.stop()
    rows: list[dict[str, Any]] = []
    for name, rounds in runs.items():
        every = [x for r in rounds for x in r]
        p50s = [statistics.median(r) for r in rounds]
        rows.append(
            {
                "what": name,
                "p50_ms": round(statistics.median(p50s), 2),
                "p99_ms": round(percentile(every, 99), 2),
                "requests": len(every),
            }
        )
    worst = max((r for r in rows if r["what"].startswith("page ")), key=lambda r: r["p50_ms"])
    print(f"\n{plan.name}: {labels.get('Claim', 0)} claims, {labels.get('Model', 0)} models")
    print(f"{'what':<26}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}")
    for r in rows:
        print(f"{r['what']:<26}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['requests']:>10}")
    verdict = "met" if worst["p50_ms"] < TARGET_P50_MS else "NOT met"
    print(
        f"slowest page p50: {worst['what']} {worst['p50_ms']:.2f} ms; "
        f"target < {TARGET_P50_MS:.0f} ms {verdict}; ratio to target "
        f"{worst['p50_ms'] / TARGET_P50_MS:.3f}"
    )
    report = {
        "dataset": plan.name,
        "labels": labels,
        "date": time.strftime("%Y-%m-%d"),
        "rounds": args.rounds,
        "seconds": args.seconds,
        "wall_seconds": round(time.monotonic() - started),
        "rows": rows,
        "slowest_page_p50_ms": worst["p50_ms"],
        "slowest_page_vs_target": round(worst["p50_ms"] / TARGET_P50_MS, 3),
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
