// :params {id: 'example-merge', duplicate: 'concept:scheming', canonical: 'concept:alignment-faking', creates: [], updates: [], relations: [], repoint: [], dismissals: [], aliases_before: [], status_before: 'active', merged_into_before: null, who: 'example', why: 'example'}
// Undo a merge with what the decision recorded: delete the relations it created on the canonical,
// give the relations it folded into their former properties, recreate every relation of the
// duplicate as it was (also those to the canonical, dropped to avoid a self-loop), point entities
// merged into the duplicate back at it, restore the canonical's aliases and the duplicate's status.
// The dismissals it carried over go back to the lists they were. No row (and no change) if the
// decision is not active or a relation the merge created is missing. (Curation refuses an undo
// while a later decision touches the same entities.)
MATCH (d:Decision {id: $id, kind: 'merge', status: 'active'})
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
CALL () {
  UNWIND $dismissals AS row
  MATCH (x:Entity {id: row.id})
  SET x.dismissed = row.before
}
SET can.aliases = $aliases_before, dup.status = $status_before, dup.merged_into = $merged_into_before
SET d.status = 'undone', d.undone_at = datetime(), d.undone_by = $who, d.undo_why = $why
RETURN d.id AS id
