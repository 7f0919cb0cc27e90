// :params {rows: [['concept:example', 'Concept', {type: 'concept', name: 'Example', description: '', status: 'draft', aliases: [], url: null, properties_json: '{}', content_hash: 'x'}, [0.1, 0.2, 0.3], 'y']]}
// Create or update entities by id. A row is a list (it packs smaller and faster than a map):
// [id, label, props, embedding, embedding_hash]. `label` is the PascalCase type label, taken from
// the validated schema. The embedding (float32, as the vector index reads it) comes in the same
// statement when the embedded text changed, else it is null and the stored one stays. An entity
// merged into another by curation stays merged: re-ingesting it changes nothing.
UNWIND $rows AS row
MERGE (n:Entity {id: row[0]})
WITH n, row
WHERE coalesce(n.status, '') <> 'merged'
SET n:$(row[1])
SET n += row[2]
WITH n, row
CALL (n, row) {
  WITH n, row
  WHERE row[3] IS NOT NULL
  CALL db.create.setNodeVectorProperty(n, 'embedding', row[3])
  SET n.embedding_hash = row[4]
}
RETURN count(n) AS written
