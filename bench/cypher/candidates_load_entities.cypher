// :params {rows: [{id: 'concept:example', type: 'concept', name: 'Example', embedding: [0.1, 0.2, 0.3]}]}
// The candidates bench's graph: entities with what a candidate pair shows, and a float32 embedding.
UNWIND $rows AS row
CREATE (n:Entity {id: row.id, type: row.type, name: row.name, description: '', status: 'active'})
WITH n, row
CALL db.create.setNodeVectorProperty(n, 'embedding', row.embedding)
RETURN count(n) AS written
