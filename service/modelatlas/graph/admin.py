"""Server facts and whole-graph maintenance queries."""

from __future__ import annotations

from modelatlas.graph.core import Graph


async def server_components(graph: Graph) -> tuple[str, str, str]:
    """(name, version, edition) of the Neo4j server, from dbms.components()."""
    rows = await graph.read(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN name, versions[0] AS version, edition"
    )
    row = rows[0]
    return str(row["name"]), str(row["version"]), str(row["edition"])


async def clear_data(graph: Graph) -> None:
    """Delete every node but the migration records, in batches (tests and `reset`)."""
    await graph.autocommit(
        "MATCH (n) WHERE NOT n:_Migration "
        "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
    )
