// :params {id: 'example-dismiss-edge', a_before: null, b_before: null, who: 'example', why: 'example'}
// Undo a dismissed edge: give both entities back the `dismissed_edges` lists they had before it
// (null removes the property) and mark the decision undone. No row (and no change) if the decision
// is not active. (Curation refuses an undo while a later decision touches the same entities.)
MATCH (d:Decision {id: $id, kind: 'dismiss', status: 'active'})
MATCH (a:Entity {id: d.source})
MATCH (b:Entity {id: d.target})
SET a.dismissed_edges = $a_before, b.dismissed_edges = $b_before
SET d.status = 'undone', d.undone_at = datetime(), d.undone_by = $who, d.undo_why = $why
RETURN d.id AS id
