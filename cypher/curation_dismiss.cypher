// :params {a: 'concept:alignment-faking', b: 'concept:scheming', a_before: null, b_before: null, seq: 1, decision: {id: 'example-dismiss', kind: 'dismiss', entities: ['concept:alignment-faking', 'concept:scheming'], touched: ['concept:alignment-faking', 'concept:scheming'], source: 'concept:alignment-faking', target: 'concept:scheming', who: 'example', why: 'example', undo: '{}'}}
// Dismiss decision: the pair is not related. Each entity's `dismissed` list gets the other's id
// (similar.cypher and candidates_unlinked.cypher skip those), and the decision is recorded.
// $a_before/$b_before are the lists curation read (null: no list); no row if they changed since
// or the two are now related.
MATCH (a:Entity {id: $a})
MATCH (b:Entity {id: $b})
WHERE a <> b
  AND NOT EXISTS { (a)--(b) }
  AND (a.dismissed IS NULL) = ($a_before IS NULL)
  AND coalesce(a.dismissed, []) = coalesce($a_before, [])
  AND (b.dismissed IS NULL) = ($b_before IS NULL)
  AND coalesce(b.dismissed, []) = coalesce($b_before, [])
SET a.dismissed = coalesce(a.dismissed, []) + b.id,
    b.dismissed = coalesce(b.dismissed, []) + a.id
CREATE (d:Decision)
SET d = $decision, d.seq = $seq, d.at = datetime(), d.status = 'active'
RETURN d.id AS id
