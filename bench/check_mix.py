"""Check that the mix's three dialects do the same work: the same answers from all contenders.

Uses NEO4J_URI's server if set (it is seeded: curated data plus a small synthetic set), else
starts a throw-away local Neo4j. Then starts our service (`modelatlas serve`) and the
@neo4j/graphql peer (`node bench/peer/server.mjs`, after `npm ci` if bench/peer has no
node_modules) on loopback, samples the picks, and for every query of bench/mix.py and several
request numbers compares the service's answer with the peer's and with the floor's
(hand-written Cypher on the Python driver), after removing the service's connection wrappers
(`edges { node }`), numbers compared as numbers and dates as ISO text. Prints a diff for any
difference and exits 1; stops everything it started.

    python bench/check_mix.py [--claims 2000] [--requests 6]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
import neo4j

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import MIX, PATH_RELATIONSHIPS, MixQuery, Picks, pick
from perf import Server, _env, start_peer, start_service
from synthetic import Synthetic

from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, configured_target, local_server, make_driver
from modelatlas.db.local import LocalNeo4j
from modelatlas.domain import Dataset
from modelatlas.graph import Graph
from modelatlas.knowledge import KnowledgeGraph

Rows = list[dict[str, Any]]


# --------------------------------------------------------------------------- processes


def modelatlas(target: Neo4jTarget, folder: Path, *args: str) -> None:
    """Run a `modelatlas` command against the target (output shown only when it fails)."""
    done = subprocess.run(
        [sys.executable, "-m", "modelatlas", *args],
        env=_env(target) | {"MODELATLAS_DATA_DIR": str(folder / "data")},
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"modelatlas {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


@contextmanager
def neo4j_server(folder: Path) -> Iterator[Neo4jTarget]:
    """NEO4J_URI's server, else a throw-away local one that is stopped afterwards."""
    configured = configured_target(Settings())
    if configured is not None:
        print(f"using NEO4J_URI's server at {configured.uri}", flush=True)
        yield configured
        return
    settings = Settings(
        MODELATLAS_DATA_DIR=folder / "data",
        MODELATLAS_NEO4J_HEAP="768m",
        MODELATLAS_NEO4J_PAGECACHE="256m",
    )
    server: LocalNeo4j = local_server(settings)
    print("starting a throw-away local Neo4j...", flush=True)
    info = server.start()
    try:
        yield Neo4jTarget(info.uri, info.user, info.password, "neo4j", local=True)
    finally:
        server.stop()


# --------------------------------------------------------------------------- data


async def load_synthetic(target: Neo4jTarget, claims: int) -> dict[str, dict[str, int]]:
    """The seeded synthetic graph of bench/synthetic.py, through the validated upsert."""
    driver = make_driver(target, Settings())
    try:
        rows = {name: list(items) for name, items in Synthetic(claims).collections().items()}
        report = await KnowledgeGraph(Graph(driver, target.database)).upsert(
            Dataset.model_validate(rows)
        )
    finally:
        await driver.close()
    return report.as_dict()


# --------------------------------------------------------------------------- answers


def plain(value: Any) -> Any:
    """JSON-like values compared by meaning: dates as ISO text, every number as a float."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, neo4j.time.Date | dt.date):
        return value.isoformat()
    return value


def unwrap(value: Any) -> Any:
    """Connections as plain lists: `{edges: [{node, cursor}]}` becomes the list of nodes."""
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "edges" in value and isinstance(value["edges"], list):
        nodes = [unwrap(edge["node"]) for edge in value["edges"]]
        if set(value) == {"edges"}:
            return nodes
        return {k: nodes if k == "edges" else unwrap(v) for k, v in value.items()}
    return {k: unwrap(v) for k, v in value.items()}


def _first(rows: Rows, column: str) -> Any:
    return rows[0][column] if rows else None


# How each query's floor rows become the service's answer, field names included.
FLOOR_SHAPES: Final[dict[str, Callable[[Rows], dict[str, Any]]]] = {
    "lookup": lambda rows: {"model": _first(rows, "model")},
    "models_page": lambda rows: {
        "models": {
            "totalCount": _first(rows, "totalCount") or 0,
            "pageInfo": {"hasNextPage": bool(_first(rows, "hasNextPage"))},
            "edges": _first(rows, "models") or [],
        }
    },
    "claimed_to_beat": lambda rows: {"modelsClaimedToBeat": rows},
    "nested": lambda rows: {"organizations": [row["organization"] for row in rows]},
    "lineage": lambda rows: {"model": _first(rows, "model")},
    "path": lambda rows: {"path": rows[0] if rows else None},
    "leaderboard": lambda rows: {"leaderboard": rows},
    "search": lambda rows: {"search": rows},
}

# The peer answers a lookup by slug with a list (of at most one).
PEER_SINGLE: Final = {"lookup": "model", "lineage": "model"}


async def ask_graphql(
    client: httpx.AsyncClient, server: Server, document: str, variables: dict[str, Any]
) -> Any:
    """POST one GraphQL request; the data, or an error text for any error."""
    answer = await client.post(server.url, json={"query": document, "variables": variables})
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}: {answer.text[:500]}"
    if answer.status_code != 200 or body.get("errors"):
        return f"HTTP {answer.status_code}: {json.dumps(body.get('errors'))[:1500]}"
    return body["data"]


async def ask_floor(driver: neo4j.AsyncDriver, database: str, cypher: str, params: Any) -> Rows:
    """The floor's rows, as the harness runs it: one read session, records into dicts."""
    async with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as s:
        result = await s.run(cypher, params)
        return [record.data() async for record in result]


@dataclass
class Answers:
    """One request's answers, normalised (or an error text)."""

    service: Any
    peer: Any
    floor: Any


async def answers(
    query: MixQuery,
    picks: Picks,
    i: int,
    client: httpx.AsyncClient,
    servers: dict[str, Server],
    driver: neo4j.AsyncDriver,
    database: str,
) -> Answers:
    """Request i of a query from all three contenders, normalised to the service's shape."""
    service = await ask_graphql(
        client, servers["service"], query.service, query.service_variables(picks, i)
    )
    peer = await ask_graphql(client, servers["peer"], query.peer, query.peer_variables(picks, i))
    floor: Any
    try:
        rows = await ask_floor(driver, database, query.cypher, query.cypher_parameters(picks, i))
    except neo4j.exceptions.Neo4jError as exc:
        floor = f"Neo4j error: {exc}"
    else:
        floor = plain(FLOOR_SHAPES[query.name](rows))
    if not isinstance(service, str):
        service = plain(unwrap(service))
    if not isinstance(peer, str):
        peer = plain(unwrap(peer))
        single = PEER_SINGLE.get(query.name)
        if single is not None:
            found = peer.get(single) or []
            peer[single] = found[0] if found else None
    return Answers(service, peer, floor)


KEYS: Final = {
    "Organization": "slug",
    "Model": "slug",
    "Release": "slug",
    "Benchmark": "slug",
    "Claim": "id",
    "Result": "id",
    "MarketEvent": "id",
    "Country": "code",
    "Source": "url",
}
"""Label -> natural key property (the allow-list the hop check builds its Cypher from)."""


async def alternative_path(
    driver: neo4j.AsyncDriver, database: str, service: Any, other: Any
) -> bool:
    """Whether `other` is another shortest path: the same length and ends, every hop real.

    Several paths may be shortest; which one Neo4j returns depends on the pattern's shape, so
    the floor's typed expansion may find another than the service's filtered one. Each of its
    hops is looked up in the graph: that relationship, of an allowed type, in that direction.
    """
    if not (isinstance(service, dict) and isinstance(other, dict)):
        return False
    mine, theirs = service.get("path"), other.get("path")
    if not (isinstance(mine, dict) and isinstance(theirs, dict)):
        return False
    if any(mine.get(k) != theirs.get(k) for k in ("hops", "start", "end")):
        return False
    steps = theirs.get("steps") or []
    nodes = [theirs["start"]] + [step["node"] for step in steps]
    if len(steps) != theirs["hops"] or {k: nodes[-1][k] for k in ("kind", "key")} != theirs["end"]:
        return False
    for here, step, there in zip(nodes, steps, nodes[1:], strict=False):
        kinds, rel = (here["kind"], there["kind"]), step["relationship"]
        if any(kind not in KEYS for kind in kinds) or rel not in PATH_RELATIONSHIPS:
            return False
        arrow = f"-[:{rel}]->" if step["direction"] == "OUTGOING" else f"<-[:{rel}]-"
        a, b = (f"{kind} {{{KEYS[kind]}: ${var}}}" for kind, var in zip(kinds, "ab", strict=True))
        statement = f"MATCH (a:{a}), (b:{b}) RETURN EXISTS {{ (a){arrow}(b) }} AS hop"
        records, _, _ = await driver.execute_query(
            statement, {"a": here["key"], "b": there["key"]}, database_=database
        )
        if not (records and records[0]["hop"]):
            return False
    return True


def diff(left: Any, right: Any, names: tuple[str, str]) -> str:
    """A unified diff of two answers as indented JSON."""
    texts = [
        json.dumps(x, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
        if not isinstance(x, str)
        else [x]
        for x in (left, right)
    ]
    lines = difflib.unified_diff(texts[0], texts[1], names[0], names[1], lineterm="", n=2)
    return "\n".join(lines)


def substance(answer: Any) -> int:
    """How many values an answer holds (0 for an empty list or null everywhere)."""
    if isinstance(answer, dict):
        return sum(substance(v) for v in answer.values())
    if isinstance(answer, list):
        return sum(substance(v) for v in answer)
    return 0 if answer is None else 1


async def check(
    picks: Picks, servers: dict[str, Server], target: Neo4jTarget, requests: int
) -> list[str]:
    """Every query of the mix for request numbers 0..requests-1; the failures found."""
    failures: list[str] = []
    driver = make_driver(target, Settings())
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            for query in MIX:
                values: list[int] = []
                differ = alternatives = 0
                for i in range(requests):
                    got = await answers(query, picks, i, client, servers, driver, target.database)
                    for name, other in (("peer", got.peer), ("floor", got.floor)):
                        if not isinstance(got.service, str) and other == got.service:
                            continue
                        if query.name == "path" and await alternative_path(
                            driver, target.database, got.service, other
                        ):
                            alternatives += 1
                            print(f"{query.name} #{i}: the {name} found another path as short")
                        else:
                            differ += 1
                            failures.append(f"{query.name} #{i}: service and {name} differ")
                            variables = json.dumps(query.service_variables(picks, i))
                            print(f"\n{query.name} #{i} {variables}: service and {name} differ:")
                            print(diff(got.service, other, ("service", name)) + "\n")
                    values.append(substance(got.service))
                if not any(values):
                    failures.append(f"{query.name}: every answer was empty, so nothing was shown")
                verdict = "DIFFER" if differ else "agree"
                if alternatives:
                    verdict += f" ({alternatives} equally short alternative paths)"
                print(
                    f"{query.name:16} {requests} requests x 3 contenders: {verdict}; values "
                    f"per answer: {' '.join(map(str, values))}",
                    flush=True,
                )
    finally:
        await driver.close()
    return failures


# --------------------------------------------------------------------------- main


def main() -> None:
    """Seed, start the contenders, compare every query's answers; exit 1 on any difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--claims", type=int, default=2000, help="Size of the synthetic set.")
    parser.add_argument("--requests", type=int, default=6, help="Request numbers per query.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="modelatlas-check-mix-"))
    servers: dict[str, Server] = {}
    try:
        with neo4j_server(folder) as target:
            print("migrate, seed the curated data, load the synthetic set...", flush=True)
            modelatlas(target, folder, "migrate")
            modelatlas(target, folder, "seed")
            loaded = asyncio.run(load_synthetic(target, args.claims))
            print(f"synthetic ({args.claims} claims): {json.dumps(loaded)}", flush=True)
            print("starting the service and the peer...", flush=True)
            servers["service"] = start_service(target, folder, MODELATLAS_ENV="production")
            servers["peer"] = start_peer(target, folder)
            picks = asyncio.run(_picks(target))
            print(
                f"picks: {len(picks.models)} models, {len(picks.beaten)} beaten, "
                f"{len(picks.lineage)} with lineage, {len(picks.organizations)} organizations, "
                f"{len(picks.benchmarks)} benchmarks, {len(picks.path_pairs)} path pairs, "
                f"{len(picks.terms)} terms, as of {picks.as_of}",
                flush=True,
            )
            failures = asyncio.run(check(picks, servers, target, args.requests))
            for server in servers.values():
                server.stop()
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if failures:
        print(f"\ncheck_mix: FAILED ({len(failures)}):")
        for failure in failures:
            print(f"  {failure}")
        raise SystemExit(1)
    print(f"\ncheck_mix: OK, service, peer and floor agree on all {len(MIX)} queries")


async def _picks(target: Neo4jTarget) -> Picks:
    driver = make_driver(target, Settings())
    try:
        return await pick(driver, target.database)
    finally:
        await driver.close()


if __name__ == "__main__":
    main()
