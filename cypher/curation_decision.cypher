// :params {ids: ['example-link']}
// Decisions by id, in the order asked, as every curation answer shows them; with what an undo
// needs: the record of the prior state (`undo`), the entities it touched, and the later decisions
// still in force that touch any of the same entities (`blocked_by`: undo those first, or the
// prior state could not be restored).
UNWIND range(0, size($ids) - 1) AS position
MATCH (d:Decision {id: $ids[position]})
RETURN d {
  .id, .seq, .kind, .entities, .source, .target, .relation_type, .description, .who, .why,
  .status, .undone_by, .undo_why, at: toString(d.at), undone_at: toString(d.undone_at)
} AS decision,
d.undo AS undo,
d.touched AS touched,
COLLECT {
  MATCH (later:Decision {status: 'active'})
  WHERE later.seq > d.seq AND any(x IN later.touched WHERE x IN d.touched)
  RETURN later.id ORDER BY later.seq
} AS blocked_by
ORDER BY position
