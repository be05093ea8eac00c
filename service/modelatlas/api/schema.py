"""The GraphQL schema: strawberry types over the graph layer."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from modelatlas import __version__
from modelatlas.graph import Graph


@strawberry.type(description="What this service is and which Neo4j it talks to.")
class About:
    """Version information, useful to check a deployment."""

    service_version: str
    neo4j_version: str
    neo4j_edition: str


def graph_of(info: Info[Any, Any]) -> Graph:
    """The request's graph (from the GraphQL context)."""
    graph: Graph = info.context["graph"]
    return graph


@strawberry.type
class Query:
    """Entry points for reading the knowledge graph."""

    @strawberry.field(description="The service's and the database's versions.")
    async def about(self, info: Info[Any, Any]) -> About:
        from modelatlas.graph.admin import server_components

        _name, version, edition = await server_components(graph_of(info))
        return About(service_version=__version__, neo4j_version=version, neo4j_edition=edition)


schema = strawberry.Schema(query=Query)
