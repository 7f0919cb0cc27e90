// :params {id: 'example-merge', duplicate: 'concept:scheming', canonical: 'concept:alignment-faking', creates: [], updates: [], relations: [], repoint: [], aliases_before: [], status_before: 'active', merged_into_before: null, who: 'example', why: 'example'}
// Undo a merge with what the decision recorded: delete the relations it created on the canonical,
// give the relations it folded into their former properties, recreate every relation of the
// duplicate as it was (also those to the canonical, dropped to avoid a self-loop), point entities
// merged into the duplicate back at it, restore the canonical's aliases and the duplicate's status.
// No row (and no change) if the decision is not active, a later active decision touches the same
// entities, or a relation the merge created is missing.
MATCH (d:Decision {id: $id, kind: 'merge', status: 'active'})
WHERE NOT EXISTS {
  MATCH (later:Decision {status: 'active'})
  WHERE later.seq > d.seq AND any(x IN later.touched WHERE x IN d.touched)
}
MATCH (dup:Entity {id: $duplicate})
MATCH (can:Entity {id: $canonical})
CALL () {
  UNWIND $creates AS row
  OPTIONAL MATCH (s:Entity {id: row.source})-[r]->(t:Entity {id: row.target})
  WHERE type(r) = row.rel_type
  RETURN count(r) = size($creates) AS created_present
}
WITH d, dup, can
WHERE created_present
CALL () {
  UNWIND $creates AS row
  MATCH (s:Entity {id: row.source})-[r]->(t:Entity {id: row.target})
  WHERE type(r) = row.rel_type
  DELETE r
}
CALL () {
  UNWIND $updates AS row
  MATCH (s:Entity {id: row.source})-[r]->(t:Entity {id: row.target})
  WHERE type(r) = row.rel_type
  SET r = row.props_before
}
CALL () {
  UNWIND $relations AS row
  MATCH (s:Entity {id: row.source})
  MATCH (t:Entity {id: row.target})
  CREATE (s)-[r:$(row.rel_type)]->(t)
  SET r = row.props
}
CALL () {
  UNWIND $repoint AS id
  MATCH (x:Entity {id: id})
  SET x.merged_into = $duplicate
}
SET can.aliases = $aliases_before, dup.status = $status_before, dup.merged_into = $merged_into_before
SET d.status = 'undone', d.undone_at = datetime(), d.undone_by = $who, d.undo_why = $why
RETURN d {
  .id, .seq, .kind, .entities, .source, .target, .relation_type, .description, .who, .why,
  .status, .undone_by, .undo_why, at: toString(d.at), undone_at: toString(d.undone_at)
} AS decision
