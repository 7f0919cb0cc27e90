// :params {after: '', limit: 10000}
// One page (keyset on id) of every embedded entity's vector: what the vector index holds, read
// into the API's exact scan (graph/vector_scan.py).
MATCH (n:Entity)
WHERE n.id > $after AND n.embedding IS NOT NULL
RETURN n.id AS id, n.embedding AS embedding
ORDER BY n.id
LIMIT $limit
