// :params {id: 'example-link', rel_type: 'ASSOCIATED_WITH', who: 'example', why: 'example'}
// Undo a link: delete the relation it created and mark the decision undone. No row (and no change)
// if the decision is not active or the relation is gone. (Curation refuses an undo while a later
// decision touches the same entities.)
MATCH (d:Decision {id: $id, kind: 'link', status: 'active'})
MATCH (s:Entity {id: d.source})-[r]->(t:Entity {id: d.target})
WHERE type(r) = $rel_type
WITH d, r
LIMIT 1
DELETE r
SET d.status = 'undone', d.undone_at = datetime(), d.undone_by = $who, d.undo_why = $why
RETURN d.id AS id
