"""The database the suite talks to is a real Neo4j 5.26, with the project's schema applied."""

from __future__ import annotations

import pytest

from modelatlas.db.local import NEO4J_VERSION
from modelatlas.graph import Graph
from modelatlas.graph.admin import server_components

pytestmark = pytest.mark.anyio


async def test_server_is_neo4j_5_26(graph: Graph) -> None:
    rows = await graph.read(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
    )
    assert rows[0]["name"] == "Neo4j Kernel"
    assert rows[0]["versions"][0].startswith("5.26.")
    name, version, _ = await server_components(graph)
    assert (name, version) == ("Neo4j Kernel", NEO4J_VERSION) or version.startswith("5.26.")


async def test_writes_and_reads_round_trip(graph: Graph) -> None:
    await graph.write("CREATE (:Probe {n: $n})", {"n": 41})
    rows = await graph.read("MATCH (p:Probe) RETURN p.n + 1 AS answer")
    assert rows == [{"answer": 42}]
