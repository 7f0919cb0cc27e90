// :params {duplicate: 'concept:scheming', canonical: 'concept:alignment-faking', degree: 0, status_before: 'active', aliases_before: [], aliases: ['Scheming'], creates: [], updates: [], repoint: [], dismissals: [], seq: 1, decision: {id: 'example-merge', kind: 'merge', entities: ['concept:scheming', 'concept:alignment-faking'], touched: ['concept:scheming', 'concept:alignment-faking'], source: 'concept:scheming', target: 'concept:alignment-faking', who: 'example', why: 'example', undo: '{}'}}
// Merge decision, planned by curation/planner.py from curation_merge_plan.cypher, applied in one
// transaction: the duplicate's relations are deleted, $creates made on the canonical, $updates
// (relations the duplicate's folded into) given their new properties, entities merged into the
// duplicate repointed at the canonical, the duplicate's dismissals carried over ($dismissals:
// each entity's new `dismissed` list); the duplicate becomes status 'merged' with merged_into.
// The guards compare the graph with what the plan read: no row (and no change) if it moved since.
MATCH (dup:Entity {id: $duplicate})
MATCH (can:Entity {id: $canonical})
WHERE dup <> can
  AND coalesce(dup.status, '') <> 'merged'
  AND coalesce(can.status, '') <> 'merged'
  AND coalesce(dup.status, '') = coalesce($status_before, '')
  AND COUNT { (dup)--() } = $degree
  AND (can.aliases IS NULL) = ($aliases_before IS NULL)
  AND coalesce(can.aliases, []) = coalesce($aliases_before, [])
CALL () {
  UNWIND $updates AS row
  OPTIONAL MATCH (s:Entity {id: row.source})-[r]->(t:Entity {id: row.target})
  WHERE type(r) = row.rel_type AND properties(r) = row.props_before
  RETURN count(r) = size($updates) AS updates_unchanged
}
WITH dup, can
WHERE updates_unchanged
CALL (dup) {
  MATCH (dup)-[r]-()
  DELETE r
}
CALL () {
  UNWIND $creates AS row
  MATCH (s:Entity {id: row.source})
  MATCH (t:Entity {id: row.target})
  CREATE (s)-[r:$(row.rel_type)]->(t)
  SET r = row.props
}
CALL () {
  UNWIND $updates AS row
  MATCH (s:Entity {id: row.source})-[r]->(t:Entity {id: row.target})
  WHERE type(r) = row.rel_type
  SET r = row.props
}
CALL () {
  UNWIND $repoint AS id
  MATCH (x:Entity {id: id})
  SET x.merged_into = $canonical
}
CALL () {
  UNWIND $dismissals AS row
  MATCH (x:Entity {id: row.id})
  SET x.dismissed = row.after
}
SET can.aliases = $aliases, dup.status = 'merged', dup.merged_into = $canonical
CREATE (d:Decision)
SET d = $decision, d.seq = $seq, d.at = datetime(), d.status = 'active'
RETURN d.id AS id
