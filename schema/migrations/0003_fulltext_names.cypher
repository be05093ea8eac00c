// Full-text search over names and aliases of the entities people look up by name.
// `aliases` is a string list; Neo4j's full-text index reads each element.
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS
FOR (n:Organization|Model|Benchmark|Country)
ON EACH [n.name, n.aliases];
