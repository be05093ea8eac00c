"""All Cypher lives in this package: reads, writes and migrations, each query once."""

from modelatlas.graph.core import Graph, Row, count_round_trips

__all__ = ["Graph", "Row", "count_round_trips"]
