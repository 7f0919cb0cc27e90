// :params {rows: [['concept:example', [0.1, 0.2, 0.3], 'x']]}
// Store embeddings (as float32 vectors) together with the hash of the text they were computed from,
// for entities whose content is unchanged. A row is a list: [id, embedding, embedding_hash].
UNWIND $rows AS row
MATCH (n:Entity {id: row[0]})
CALL db.create.setNodeVectorProperty(n, 'embedding', row[1])
SET n.embedding_hash = row[2]
RETURN count(n) AS written
