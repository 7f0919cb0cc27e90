// :params {rows: [['thinker:evan-hubinger', 'STUDIES', 'concept:alignment-faking', '', null]]}
// Relations between entities that the same ingest has just created. A row is a list (it packs
// smaller and faster than a map): [source, rel_type, target, description, source_ref].
// No stored relation can join them yet, and curation cannot have merged them, so none of
// upsert_relations' checks apply.
// MERGE, not CREATE, so that two ingests of the same new records at once still write each relation
// once. `rel_type` is the UPPER_SNAKE_CASE relationship type, taken from the validated schema.
// Replanned for every batch: the store grows from empty during an import, and a plan cached while
// it held no relationship scans all of them for every row (Neo4j keeps a cached plan >= 10 s).
CYPHER replan=force
UNWIND $rows AS row
MATCH (s:Entity {id: row[0]})
MATCH (t:Entity {id: row[2]})
MERGE (s)-[r:$(row[1])]->(t)
SET r.description = row[3], r.source_ref = row[4]
RETURN count(r) AS created
