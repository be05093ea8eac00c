// Facts drafted from articles wait for review as :Draft nodes, one per deterministic id (a
// hash of the article and the normalised fact), so re-ingesting an article merges onto the
// drafts it made and a rejected draft stays rejected. Drafts carry no domain label: the
// normal questions (claims, models, ...) never see them. Review lists them by status.
CREATE CONSTRAINT draft_id IF NOT EXISTS FOR (n:Draft) REQUIRE n.id IS UNIQUE;
CREATE RANGE INDEX draft_status IF NOT EXISTS FOR (n:Draft) ON (n.status, n.createdAt);
