// :params {rows: [{source: 'thinker:evan-hubinger', rel_type: 'STUDIES', target: 'concept:alignment-faking', description: '', source_ref: null}]}
// Create or update typed relations; a relation is identified by (source, type, target).
// `rel_type` is the UPPER_SNAKE_CASE relationship type, taken from the validated schema.
UNWIND $rows AS row
MATCH (s:Entity {id: row.source})
MATCH (t:Entity {id: row.target})
OPTIONAL MATCH (s)-[old]->(t) WHERE type(old) = row.rel_type
WITH s, t, row, CASE
  WHEN old IS NULL THEN 'created'
  WHEN coalesce(old.description, '') = coalesce(row.description, '')
   AND coalesce(old.source_ref, '') = coalesce(row.source_ref, '') THEN 'unchanged'
  ELSE 'updated'
END AS outcome
MERGE (s)-[r:$(row.rel_type)]->(t)
SET r.description = row.description, r.source_ref = row.source_ref
RETURN outcome, count(*) AS count
