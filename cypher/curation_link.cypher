// :params {source: 'concept:alignment-faking', target: 'concept:scheming', rel_type: 'ASSOCIATED_WITH', description: 'Alignment faking is a form of scheming', seq: 1, decision: {id: 'example-link', kind: 'link', entities: ['concept:alignment-faking', 'concept:scheming'], touched: ['concept:alignment-faking', 'concept:scheming'], source: 'concept:alignment-faking', target: 'concept:scheming', relation_type: 'associated_with', description: 'Alignment faking is a form of scheming', who: 'example', why: 'example', undo: '{}'}}
// Link decision: create the typed relation (source)-[:rel_type]->(target) with its description and
// record the decision, in one transaction. `rel_type` is the Neo4j type from the validated schema.
// No row (and no change) when either entity is merged or the same relation already exists.
MATCH (s:Entity {id: $source})
MATCH (t:Entity {id: $target})
WHERE s <> t
  AND coalesce(s.status, '') <> 'merged'
  AND coalesce(t.status, '') <> 'merged'
  AND NOT EXISTS { MATCH (s)-[old]->(t) WHERE type(old) = $rel_type }
CREATE (s)-[r:$($rel_type)]->(t)
SET r.description = $description
CREATE (d:Decision)
SET d = $decision, d.seq = $seq, d.at = datetime(), d.status = 'active'
RETURN d.id AS id
