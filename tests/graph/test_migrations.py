"""Migrations create the schema the design names, and applying them again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelatlas.domain import Benchmark, Dataset, Model, Organization, Result, Source
from modelatlas.graph import Graph
from modelatlas.graph.migrations import MigrationError, load_migrations, migrate
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio

NATURAL_KEYS = {
    ("Organization", "slug"),
    ("Country", "code"),
    ("Model", "slug"),
    ("Release", "slug"),
    ("Benchmark", "slug"),
    ("Claim", "id"),
    ("Result", "id"),
    ("MarketEvent", "id"),
    ("Source", "url"),
}


async def _schema(graph: Graph) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    constraints = await graph.read(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
        "RETURN name, type, labelsOrTypes, properties ORDER BY name"
    )
    indexes = await graph.read(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state "
        "RETURN name, type, labelsOrTypes, properties, state ORDER BY name"
    )
    as_tuples = lambda rows: [tuple(map(str, r.values())) for r in rows]  # noqa: E731
    return as_tuples(constraints), as_tuples(indexes)


async def test_every_natural_key_is_unique_constrained(graph: Graph) -> None:
    rows = await graph.read(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes[0] AS label, properties[0] AS key"
    )
    assert {(r["label"], r["key"]) for r in rows} >= NATURAL_KEYS


async def test_fulltext_index_covers_names_and_aliases(graph: Graph) -> None:
    rows = await graph.read(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties "
        "WHERE name = 'entity_names' RETURN labelsOrTypes, properties"
    )
    assert rows and {"Model", "Organization"} <= set(rows[0]["labelsOrTypes"])
    assert set(rows[0]["properties"]) == {"name", "aliases"}


async def test_second_migrate_changes_nothing(graph: Graph) -> None:
    await migrate(graph)  # the session already migrated; make sure every file is applied
    before = await _schema(graph)
    applied = await migrate(graph)
    after = await _schema(graph)
    assert applied == []
    assert before == after
    recorded = await graph.read("MATCH (m:_Migration) RETURN count(m) AS n")
    assert recorded[0]["n"] == len(load_migrations())


async def test_edited_applied_migration_is_refused(graph: Graph, tmp_path: Path) -> None:
    first = sorted((Path(__file__).parents[2] / "schema" / "migrations").glob("0001_*.cypher"))[0]
    (tmp_path / first.name).write_text(first.read_text() + "\n// edited\nRETURN 1;\n")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await migrate(graph, tmp_path)


def test_migration_files_are_well_formed() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == sorted({m.version for m in migrations})
    for m in migrations:
        assert m.statements, m.name
        creates = [s for s in m.statements if s.upper().startswith("CREATE")]
        assert all("IF NOT EXISTS" in s for s in creates), m.name


async def test_results_written_before_0004_get_their_benchmark(graph: Graph) -> None:
    """The backfill gives results of an older graph the benchmark slug the bounded leaderboard
    seeks by, and running it again changes nothing."""
    await KnowledgeGraph(graph).upsert(
        Dataset(
            sources=[Source(url="https://example.org/a")],
            organizations=[Organization(name="Lab")],
            models=[Model(name="M", developers=["lab"])],
            benchmarks=[Benchmark(name="B")],
            results=[
                Result(
                    id="r", model="m", benchmark="b", score=1.0, sources=["https://example.org/a"]
                )
            ],
        )
    )
    await graph.write("MATCH (r:Result) REMOVE r.benchmark")  # as written before 0004
    kg = KnowledgeGraph(graph)
    assert (await kg.leaderboard("b", count=False)).nodes == []
    backfill = next(m for m in load_migrations() if m.name == "result_benchmark").statements[-1]
    for _ in range(2):
        await graph.autocommit(backfill)  # type: ignore[arg-type]
        rows = await graph.read("MATCH (r:Result) RETURN r.benchmark AS b")
        assert rows == [{"b": "b"}]
    assert [e.result.id for e in (await kg.leaderboard("b", count=False)).nodes] == ["r"]
