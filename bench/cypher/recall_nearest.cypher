// :params {id: 'concept:example', candidates: 40}
// The ids the vector index returns for one entity's embedding, nearest first.
MATCH (e:Entity {id: $id})
CALL db.index.vector.queryNodes('entity_embedding', $candidates, e.embedding)
YIELD node, score
RETURN collect(node.id) AS ids
