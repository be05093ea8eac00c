// The leaderboard's first page walks one benchmark's results best score first and stops after
// a page of models: a Result keeps its benchmark's slug, indexed with its score, so that walk
// is an ordered index seek instead of a sort of every result of the benchmark.
CREATE RANGE INDEX result_benchmark_score IF NOT EXISTS FOR (n:Result) ON (n.benchmark, n.score);
MATCH (r:Result)-[:ON]->(b:Benchmark)
WHERE r.benchmark IS NULL OR r.benchmark <> b.slug
CALL (r, b) { SET r.benchmark = b.slug } IN TRANSACTIONS OF 10000 ROWS;
