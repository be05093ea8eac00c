// The claims-vs-measurements list filters claims by verdict (CONTESTED by default): an index
// seek on the few contested claims instead of a scan of every claim ordered by date.
CREATE RANGE INDEX claim_verdict IF NOT EXISTS FOR (n:Claim) ON (n.verdict);
