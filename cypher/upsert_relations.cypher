// :params {rows: [{source: 'thinker:evan-hubinger', rel_type: 'STUDIES', target: 'concept:alignment-faking', description: '', source_ref: null}]}
// Create or update typed relations; a relation is identified by (source, type, target).
// `rel_type` is the UPPER_SNAKE_CASE relationship type, taken from the validated schema.
// An endpoint that curation merged away stands for the entity it was merged into: re-ingesting a
// duplicate's records never recreates its relations. Such a redirected relation is left alone when
// the two entities already share a relation of its type (the merge moved or folded it there), and
// dropped when the merge made it join the entity to itself. (Self-loops given as such were allowed
// by the schema's reflexive_relation_types when the records were validated.)
// An unchanged relation is not written at all: no MERGE, no lock on its two ends, no SET of the
// same values. A re-ingest of an unchanged graph then reads and writes nothing.
UNWIND $rows AS row
MATCH (given_source:Entity {id: row.source})
MATCH (given_target:Entity {id: row.target})
OPTIONAL MATCH (merged_source:Entity {id: given_source.merged_into})
OPTIONAL MATCH (merged_target:Entity {id: given_target.merged_into})
WITH row,
     coalesce(merged_source, given_source) AS s,
     coalesce(merged_target, given_target) AS t,
     merged_source IS NOT NULL OR merged_target IS NOT NULL AS redirected
WHERE s <> t OR NOT redirected
OPTIONAL MATCH (s)-[old]->(t) WHERE type(old) = row.rel_type
WITH s, t, row, old,
     redirected AND EXISTS { MATCH (s)-[kept]-(t) WHERE type(kept) = row.rel_type } AS kept
WITH s, t, row, kept, CASE
  WHEN kept THEN 'unchanged'
  WHEN old IS NULL THEN 'created'
  WHEN coalesce(old.description, '') = coalesce(row.description, '')
   AND coalesce(old.source_ref, '') = coalesce(row.source_ref, '') THEN 'unchanged'
  ELSE 'updated'
END AS outcome
CALL (s, t, row, outcome) {
  WITH s, t, row
  WHERE outcome <> 'unchanged'
  MERGE (s)-[r:$(row.rel_type)]->(t)
  SET r.description = row.description, r.source_ref = row.source_ref
}
RETURN outcome, count(*) AS count
