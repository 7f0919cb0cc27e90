// :params {after: '', limit: 5000}
// One page (keyset on id) of the entities that can form candidate pairs: embedded and not merged.
// The embeddings are read as stored (float32), so the pairwise cosine is computed outside Neo4j.
MATCH (n:Entity)
WHERE n.id > $after
  AND n.embedding IS NOT NULL
  AND coalesce(n.status, 'active') <> 'merged'
RETURN n.id AS id, n.type AS type, n.name AS name, n.aliases AS aliases,
       n.description AS description, n.status AS status, n.embedding AS embedding
ORDER BY n.id
LIMIT $limit
