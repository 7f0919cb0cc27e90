// :params {ids: ['concept:alignment-faking']}
// What the database already holds for these ids: to tell created from updated from unchanged and
// to embed only entities whose text changed.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.status AS status, n.content_hash AS content_hash,
       n.embedding_hash AS embedding_hash, n.embedding IS NOT NULL AS has_embedding
