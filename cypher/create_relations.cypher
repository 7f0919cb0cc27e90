// :params {rows: [{source: 'thinker:evan-hubinger', rel_type: 'STUDIES', target: 'concept:alignment-faking', description: '', source_ref: null}]}
// Relations between entities that the same ingest has just created. No stored relation can join
// them yet, and curation cannot have merged them, so none of upsert_relations' checks apply.
// MERGE, not CREATE, so that two ingests of the same new records at once still write each relation
// once. `rel_type` is the UPPER_SNAKE_CASE relationship type, taken from the validated schema.
// Replanned for every batch: the store grows from empty during an import, and a plan cached while
// it held no relationship scans all of them for every row (Neo4j keeps a cached plan >= 10 s).
CYPHER replan=force
UNWIND $rows AS row
MATCH (s:Entity {id: row.source})
MATCH (t:Entity {id: row.target})
MERGE (s)-[r:$(row.rel_type)]->(t)
SET r.description = row.description, r.source_ref = row.source_ref
RETURN count(r) AS created
