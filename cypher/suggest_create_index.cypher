// :params {}
// Stored suggestions are read by the entity they belong to.
CREATE INDEX suggestion_entity IF NOT EXISTS FOR (s:Suggestion) ON (s.entity)
