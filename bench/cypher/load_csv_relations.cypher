// :params {batch: 10000}
// Neo4j's own LOAD CSV of the same relations as Atlas's ingest, merged by (source, type, target).
LOAD CSV WITH HEADERS FROM 'file:///relations.csv' AS row
CALL (row) {
  MATCH (s:Entity {id: row.source})
  MATCH (t:Entity {id: row.target})
  MERGE (s)-[r:$(row.rel_type)]->(t)
  SET r.description = row.description
} IN TRANSACTIONS OF $batch ROWS
