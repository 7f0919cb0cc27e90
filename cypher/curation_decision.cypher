// :params {id: 'example-link'}
// One decision with what its undo needs, and the later decisions still in force that touch any of
// the same entities: those must be undone first, or undo would not restore the prior state.
MATCH (d:Decision {id: $id})
RETURN d {
  .id, .seq, .kind, .entities, .source, .target, .relation_type, .description, .who, .why,
  .status, .undone_by, .undo_why, .undo, at: toString(d.at), undone_at: toString(d.undone_at)
} AS decision,
COLLECT {
  MATCH (later:Decision {status: 'active'})
  WHERE later.seq > d.seq AND any(x IN later.touched WHERE x IN d.touched)
  RETURN later.id ORDER BY later.seq
} AS blocked_by
