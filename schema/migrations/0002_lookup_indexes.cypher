// Indexes for the filters, sorts and date ranges the API runs.
CREATE RANGE INDEX organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE RANGE INDEX organization_kind IF NOT EXISTS FOR (n:Organization) ON (n.kind);
CREATE RANGE INDEX model_name IF NOT EXISTS FOR (n:Model) ON (n.name);
CREATE RANGE INDEX model_released_on IF NOT EXISTS FOR (n:Model) ON (n.releasedOn);
CREATE RANGE INDEX model_accessibility IF NOT EXISTS FOR (n:Model) ON (n.accessibility);
CREATE RANGE INDEX model_parameters IF NOT EXISTS FOR (n:Model) ON (n.parameters);
CREATE RANGE INDEX release_date IF NOT EXISTS FOR (n:Release) ON (n.date);
CREATE RANGE INDEX benchmark_name IF NOT EXISTS FOR (n:Benchmark) ON (n.name);
CREATE RANGE INDEX claim_made_on IF NOT EXISTS FOR (n:Claim) ON (n.madeOn);
CREATE RANGE INDEX claim_kind IF NOT EXISTS FOR (n:Claim) ON (n.kind);
CREATE RANGE INDEX result_measured_on IF NOT EXISTS FOR (n:Result) ON (n.measuredOn);
CREATE RANGE INDEX result_score IF NOT EXISTS FOR (n:Result) ON (n.score);
CREATE RANGE INDEX market_event_date IF NOT EXISTS FOR (n:MarketEvent) ON (n.date);
CREATE RANGE INDEX market_event_kind IF NOT EXISTS FOR (n:MarketEvent) ON (n.kind);
CREATE RANGE INDEX source_published_on IF NOT EXISTS FOR (n:Source) ON (n.publishedOn);
CREATE TEXT INDEX model_name_text IF NOT EXISTS FOR (n:Model) ON (n.name);
CREATE TEXT INDEX organization_name_text IF NOT EXISTS FOR (n:Organization) ON (n.name);
