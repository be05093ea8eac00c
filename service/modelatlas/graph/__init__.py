"""All Cypher lives in this package: reads, writes and migrations, each query once."""

from modelatlas.graph.core import Deadline, DeadlineExceeded, Graph, Row, count_round_trips

__all__ = ["Deadline", "DeadlineExceeded", "Graph", "Row", "count_round_trips"]
