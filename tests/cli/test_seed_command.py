"""`modelatlas seed` and `stats`: validate everything first, report counts, repeat safely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelatlas.graph import Graph
from modelatlas.graph.admin import fingerprint
from support import CliRunner

pytestmark = pytest.mark.anyio


async def test_seed_twice_creates_nothing_the_second_time(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str]
) -> None:
    first = cli("seed", "--json", env=neo4j_env)
    assert first.returncode == 0, first.stderr
    created = json.loads(first.stdout)["kinds"]
    assert created["Claim"]["created"] > 0 and created["Model"]["created"] > 0
    after_first = await fingerprint(graph)

    second = cli("seed", "--json", env=neo4j_env)
    assert second.returncode == 0, second.stderr
    kinds = json.loads(second.stdout)["kinds"]
    assert all(c["created"] == 0 and c["updated"] == 0 for c in kinds.values())
    assert await fingerprint(graph) == after_first

    stats = cli("stats", "--json", env=neo4j_env)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout) == after_first.as_dict()


async def test_invalid_file_names_file_line_field_and_writes_nothing(
    cli: CliRunner, graph: Graph, neo4j_env: dict[str, str], tmp_path: Path
) -> None:
    assert cli("seed", env=neo4j_env).returncode == 0
    before = await fingerprint(graph)
    good = tmp_path / "a-good.yaml"
    good.write_text(
        "organizations:\n  - slug: brand-new-lab\n    name: Brand New Lab\n    country: FR\n"
    )
    bad = tmp_path / "b-bad.yaml"
    bad.write_text(
        "models:\n"
        "  - slug: fine-model\n"
        "    name: Fine model\n"
        "  - slug: broken-model\n"
        "    name: Broken model\n"
        "    parameters: -5\n"
    )
    proc = cli("seed", str(good), str(bad), env=neo4j_env)
    assert proc.returncode == 2
    assert "nothing was written" in proc.stderr
    assert "b-bad.yaml:6: models[1] (broken-model): parameters" in proc.stderr
    assert "parameters" in proc.stderr
    assert await fingerprint(graph) == before
    rows = await graph.read("MATCH (o:Organization {slug: 'brand-new-lab'}) RETURN o")
    assert rows == []
