// :params {rows: [{id: 'concept:example', embedding: [0.1, 0.2, 0.3], embedding_hash: 'x'}]}
// Store embeddings (as float32 vectors) together with the hash of the text they were computed from.
UNWIND $rows AS row
MATCH (n:Entity {id: row.id})
CALL db.create.setNodeVectorProperty(n, 'embedding', row.embedding)
SET n.embedding_hash = row.embedding_hash
RETURN count(n) AS written
