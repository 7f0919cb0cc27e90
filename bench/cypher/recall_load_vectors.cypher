// :params {rows: [{id: 'concept:example', embedding: [0.1, 0.2, 0.3]}]}
// The recall bench's graph: entities with an id, a type and a name (what `similar` shows), and a
// float32 embedding.
UNWIND $rows AS row
CREATE (n:Entity {id: row.id, type: 'concept', name: row.id})
WITH n, row
CALL db.create.setNodeVectorProperty(n, 'embedding', row.embedding)
RETURN count(n) AS written
