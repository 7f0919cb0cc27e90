// :params {after: '', batch: 10000}
// Entity embeddings in id order, a page at a time (for the exact brute-force similarity).
MATCH (n:Entity)
WHERE n.id > $after AND n.embedding IS NOT NULL AND coalesce(n.status, 'active') <> 'merged'
RETURN n.id AS id, n.embedding AS embedding
ORDER BY n.id
LIMIT $batch
