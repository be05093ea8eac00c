"""Driver lifecycle and the local Neo4j manager: the only place that knows how to reach Neo4j."""
