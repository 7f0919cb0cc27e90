// :params {after: '', limit: 5000}
// What the suggester learns from, one page of entities in id order (keyset: pass the last id as
// $after): names, aliases and description, type, status, embedding, and the entities curation dismissed them with.
MATCH (n:Entity)
WHERE n.id > $after
RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.description AS description, n.type AS type,
       n.status AS status,
       n.embedding AS embedding, n.dismissed AS dismissed, n.dismissed_edges AS dismissed_edges
ORDER BY n.id
LIMIT $limit
