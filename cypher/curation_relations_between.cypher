// :params {a: 'concept:alignment-faking', b: 'paper:alignment-faking-in-large-language-models'}
// The typed relations joining two entities, in either direction (empty when they are unlinked).
MATCH (a:Entity {id: $a})-[r]-(b:Entity {id: $b})
RETURN startNode(r).id AS source, type(r) AS rel_type, endNode(r).id AS target,
       r.description AS description
ORDER BY rel_type, source
