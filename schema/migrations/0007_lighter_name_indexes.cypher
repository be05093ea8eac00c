// Every write of a named model or organization paid for three Lucene indexes inside its
// commit (measured on 5.26: creating a Model with a name committed in ~11 ms, without the
// full-text index's part 1.9 ms; each TEXT index added 2-3 ms).
// The two TEXT indexes served no query: every name filter compares toLower(n.name), which
// no index answers, and name search uses the full-text index.
DROP INDEX model_name_text IF EXISTS;
DROP INDEX organization_name_text IF EXISTS;
// The full-text index is brought up to date just after each commit instead of inside it;
// a search first waits for the updates of writes already committed (graph/reads/name_search.py),
// so it still finds everything written before it.
DROP INDEX entity_names IF EXISTS;
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS
FOR (n:Organization|Model|Benchmark|Country)
ON EACH [n.name, n.aliases]
OPTIONS {indexConfig: {`fulltext.eventually_consistent`: true}};
CALL db.awaitIndexes(600);
