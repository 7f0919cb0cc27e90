// :params {}
// The typed edges the suggester learns from (merged entities' edges moved to their canonical).
MATCH (s:Entity)-[r]->(t:Entity)
RETURN s.id AS source, toLower(type(r)) AS type, t.id AS target
