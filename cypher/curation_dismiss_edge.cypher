// :params {a: 'concept:alignment-faking', b: 'concept:scheming', a_key: 'analogous_to>concept:scheming', b_key: 'analogous_to<concept:alignment-faking', a_before: null, b_before: null, seq: 1, decision: {id: 'example-dismiss-edge', kind: 'dismiss', entities: ['concept:alignment-faking', 'concept:scheming'], touched: ['concept:alignment-faking', 'concept:scheming'], source: 'concept:alignment-faking', target: 'concept:scheming', relation_type: 'analogous_to', who: 'example', why: 'example', undo: '{}'}}
// Dismiss one suggested edge: (a)-[type]->(b) is wrong, though the two may be related otherwise.
// The source's `dismissed_edges` gets 'type>b', the target's 'type<a' (suggestions skip those and
// the suggester learns from them), and the decision is recorded. $a_before/$b_before are the
// lists curation read; no row if they changed since.
MATCH (a:Entity {id: $a})
MATCH (b:Entity {id: $b})
WHERE a <> b
  AND (a.dismissed_edges IS NULL) = ($a_before IS NULL)
  AND coalesce(a.dismissed_edges, []) = coalesce($a_before, [])
  AND (b.dismissed_edges IS NULL) = ($b_before IS NULL)
  AND coalesce(b.dismissed_edges, []) = coalesce($b_before, [])
SET a.dismissed_edges = coalesce(a.dismissed_edges, []) + $a_key,
    b.dismissed_edges = coalesce(b.dismissed_edges, []) + $b_key
CREATE (d:Decision)
SET d = $decision, d.seq = $seq, d.at = datetime(), d.status = 'active'
RETURN d.id AS id
