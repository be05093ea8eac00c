"""Writes survive being killed half way and being raced: the graph ends exactly as a clean run."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path
from subprocess import DEVNULL
from typing import Any

import pytest
import yaml

from modelatlas.domain import Claim, Dataset, Model, Organization, Source
from modelatlas.graph import Graph
from modelatlas.graph.admin import clear_data, fingerprint
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

MODELS = 6_000


def _big_seed(folder: Path) -> Path:
    """A seed file large enough that writing it takes several batches and seconds."""
    data = {
        "sources": [{"url": "https://example.org/big", "title": "Big"}],
        "organizations": [
            {"slug": f"lab-{i}", "name": f"Lab {i}", "country": "US"} for i in range(50)
        ],
        "models": [
            {
                "slug": f"m-{i}",
                "name": f"M {i}",
                "developers": [f"lab-{i % 50}"],
                **({"derivedFrom": [f"m-{i - 1}"]} if i % 7 else {}),
            }
            for i in range(MODELS)
        ],
        "claims": [
            {
                "id": f"c-{i}",
                "kind": "OUTPERFORMS",
                "statement": "better",
                "claimedBy": f"lab-{i % 50}",
                "subject": f"m-{i}",
                "against": [f"m-{(i + 1) % MODELS}"],
                "sources": ["https://example.org/big"],
            }
            for i in range(0, MODELS, 2)
        ],
    }
    path = folder / "big.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


async def test_seed_killed_half_way_then_rerun_equals_a_clean_run(
    graph: Graph, neo4j_env: dict[str, str], tmp_path: Path
) -> None:
    seed = _big_seed(tmp_path)
    args = ["-m", "modelatlas", "seed", str(seed), "--json"]

    async def seed_run() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, *args, env=neo4j_env, stdout=DEVNULL, stderr=DEVNULL
        )

    clean = await seed_run()
    assert await clean.wait() == 0
    expected = await fingerprint(graph)
    await clear_data(graph)

    killed = await seed_run()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and killed.returncode is None:
        rows = await graph.read("MATCH (m:Model) RETURN count(m) AS n")
        if rows[0]["n"] >= 2000:  # at least one committed batch of models, far from done
            break
        await asyncio.sleep(0.05)
    assert killed.returncode is None, "the seed finished before it could be interrupted"
    killed.send_signal(signal.SIGKILL)
    await killed.wait()
    partial = await fingerprint(graph)
    assert partial != expected and 0 < partial.labels.get("Model", 0) < MODELS

    rerun = await seed_run()
    assert await rerun.wait() == 0
    assert await fingerprint(graph) == expected


async def test_concurrent_upserts_of_the_same_entities_make_one_node_each(graph: Graph) -> None:
    kg = KnowledgeGraph(graph)
    base = Dataset(
        sources=[Source(url="https://example.org/race", title="Race")],
        organizations=[Organization(slug="racer", name="Racer", country="FR")],
        models=[
            Model(slug="fast", name="Fast", developers=["racer"]),
            Model(slug="slow", name="Slow", developers=["racer"]),
        ],
    )

    def claims(i: int) -> Dataset:
        # Every writer upserts the same organization, models and an overlapping set of claims.
        return base.model_copy(
            update={
                "claims": [
                    Claim(
                        id=f"race-{j}",
                        kind="OUTPERFORMS",
                        statement="fast beats slow",
                        claimed_by="racer",
                        subject="fast",
                        against=["slow"],
                        sources=["https://example.org/race"],
                    )
                    for j in range(i % 4, i % 4 + 3)
                ]
            }
        )

    outcomes = await asyncio.gather(
        *(kg.upsert(claims(i)) for i in range(16)), return_exceptions=True
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []
    counts = await graph.read(
        "MATCH (n) WHERE n:Organization OR n:Model OR n:Claim OR n:Source OR n:Country "
        "RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label"
    )
    assert {r["label"]: r["n"] for r in counts} == {
        "Claim": 6,
        "Country": 1,
        "Model": 2,
        "Organization": 1,
        "Source": 1,
    }
    edges = await graph.read("MATCH (c:Claim)-[r]->() RETURN c.id AS id, count(r) AS n ORDER BY id")
    # CLAIMED_BY, SUBJECT, AGAINST, CITED_IN: one each, never duplicated by the race.
    assert all(r["n"] == 4 for r in edges) and len(edges) == 6


async def test_a_write_stuck_behind_another_gets_a_retryable_conflict(
    make_client: Any, neo4j: Any
) -> None:
    """Two writers on one key, the first held open: the second is stopped while it waits for
    the lock, answers WRITE_CONFLICT with a retry hint (never INTERNAL_SERVER_ERROR) and
    writes nothing; once the first commits, the same request succeeds."""
    from neo4j import AsyncGraphDatabase

    from modelatlas.api.auth import Role, new_key

    key, entry = new_key(Role.EDITOR)
    editor = {"authorization": f"Bearer {key}"}
    mutation = """mutation($b: BenchmarkInput!) { upsertBenchmark(input: $b) { key updated } }"""
    variables = {"b": {"slug": "held", "name": "Held (renamed)", "metric": "accuracy"}}
    async with make_client(api_keys=[entry], query_timeout_s=1.5) as client:
        created = await client.post(
            "/graphql",
            json={"query": mutation, "variables": {"b": {"slug": "held", "name": "Held"}}},
            headers=editor,
        )
        assert created.json().get("errors") is None, created.json()
        async with (
            AsyncGraphDatabase.driver(neo4j.uri, auth=(neo4j.user, neo4j.password)) as driver,
            driver.session(database=neo4j.database) as session,
        ):
            holder = await session.begin_transaction()
            await holder.run("MATCH (b:Benchmark {slug: 'held'}) SET b.holder = true")
            response = await client.post(
                "/graphql", json={"query": mutation, "variables": variables}, headers=editor
            )
            await holder.rollback()
        body = response.json()
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "WRITE_CONFLICT", error
        assert error["extensions"]["retryable"] is True
        assert error["extensions"]["retryAfterSeconds"] >= 1
        assert "nothing was written" in error["message"]
        read = await client.post(
            "/graphql", json={"query": '{ benchmark(slug: "held") { name metric } }'}
        )
        assert read.json()["data"]["benchmark"] == {"name": "Held", "metric": None}
        retried = await client.post(
            "/graphql", json={"query": mutation, "variables": variables}, headers=editor
        )
        assert retried.json()["data"]["upsertBenchmark"]["updated"] is True
