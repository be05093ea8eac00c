// One node per natural key (DESIGN.md graph model). Uniqueness constraints also give the
// index every slug/id/url lookup uses.
CREATE CONSTRAINT organization_slug IF NOT EXISTS FOR (n:Organization) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT country_code IF NOT EXISTS FOR (n:Country) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT model_slug IF NOT EXISTS FOR (n:Model) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT release_slug IF NOT EXISTS FOR (n:Release) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT benchmark_slug IF NOT EXISTS FOR (n:Benchmark) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (n:Claim) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT result_id IF NOT EXISTS FOR (n:Result) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT market_event_id IF NOT EXISTS FOR (n:MarketEvent) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT source_url IF NOT EXISTS FOR (n:Source) REQUIRE n.url IS UNIQUE;
