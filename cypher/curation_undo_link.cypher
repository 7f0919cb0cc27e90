// :params {id: 'example-link', rel_type: 'ASSOCIATED_WITH', who: 'example', why: 'example'}
// Undo a link: delete the relation it created and mark the decision undone. No row (and no change)
// if the decision is not active, a later active decision touches its entities, or the relation
// is gone.
MATCH (d:Decision {id: $id, kind: 'link', status: 'active'})
WHERE NOT EXISTS {
  MATCH (later:Decision {status: 'active'})
  WHERE later.seq > d.seq AND any(x IN later.touched WHERE x IN d.touched)
}
MATCH (s:Entity {id: d.source})-[r]->(t:Entity {id: d.target})
WHERE type(r) = $rel_type
WITH d, r
LIMIT 1
DELETE r
SET d.status = 'undone', d.undone_at = datetime(), d.undone_by = $who, d.undo_why = $why
RETURN d {
  .id, .seq, .kind, .entities, .source, .target, .relation_type, .description, .who, .why,
  .status, .undone_by, .undo_why, at: toString(d.at), undone_at: toString(d.undone_at)
} AS decision
