// :params {id: 'example-dismiss', a_before: null, b_before: null, who: 'example', why: 'example'}
// Undo a dismissal: give both entities back the `dismissed` lists they had before it (null removes
// the property) and mark the decision undone. No row (and no change) if the decision is not
// active or a later active decision touches its entities.
MATCH (d:Decision {id: $id, kind: 'dismiss', status: 'active'})
WHERE NOT EXISTS {
  MATCH (later:Decision {status: 'active'})
  WHERE later.seq > d.seq AND any(x IN later.touched WHERE x IN d.touched)
}
MATCH (a:Entity {id: d.source})
MATCH (b:Entity {id: d.target})
SET a.dismissed = $a_before, b.dismissed = $b_before
SET d.status = 'undone', d.undone_at = datetime(), d.undone_by = $who, d.undo_why = $why
RETURN d {
  .id, .seq, .kind, .entities, .source, .target, .relation_type, .description, .who, .why,
  .status, .undone_by, .undo_why, at: toString(d.at), undone_at: toString(d.undone_at)
} AS decision
