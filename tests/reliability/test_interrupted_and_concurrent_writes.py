"""Writes survive being killed half way and being raced: the graph ends exactly as a clean run."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path
from subprocess import DEVNULL

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
