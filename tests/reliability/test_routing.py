"""The service works through neo4j:// routing URIs, as it would against a cluster or Aura."""

from __future__ import annotations

import pytest
from neo4j import READ_ACCESS

from modelatlas.config import Settings
from modelatlas.db.connection import Neo4jTarget, make_driver
from modelatlas.domain import Dataset, Organization
from modelatlas.graph import Graph
from modelatlas.knowledge import KnowledgeGraph

pytestmark = pytest.mark.anyio


async def test_reads_and_writes_through_a_routing_uri(
    graph: Graph, neo4j: Neo4jTarget, test_settings: Settings
) -> None:
    routed = Neo4jTarget(
        neo4j.uri.replace("bolt://", "neo4j://"), neo4j.user, neo4j.password, neo4j.database
    )
    driver = make_driver(routed, test_settings)
    try:
        kg = KnowledgeGraph(Graph(driver, routed.database))
        report = await kg.upsert(Dataset(organizations=[Organization(name="Routed Lab")]))
        assert report.counts("Organization").created == 1
        rows = await kg.graph.read("MATCH (o:Organization {slug: 'routed-lab'}) RETURN o.name AS n")
        assert rows == [{"n": "Routed Lab"}]
        # The routing table names this server as a reader and a writer.
        async with driver.session(database=routed.database, default_access_mode=READ_ACCESS) as s:
            result = await s.run("RETURN 1 AS one")
            assert (await result.single())["one"] == 1  # type: ignore[index]
    finally:
        await driver.close()
