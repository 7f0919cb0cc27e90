// :params {batch: 10000}
// Neo4j's own LOAD CSV: the baseline Atlas's ingest is measured against. The same entities, with
// the same properties and labels, merged by id (idempotent, like Atlas) from the server's import
// folder, in transactions of $batch rows.
LOAD CSV WITH HEADERS FROM 'file:///entities.csv' AS row
CALL (row) {
  MERGE (n:Entity {id: row.id})
  SET n:$(row.label)
  SET n.type = row.type, n.name = row.name, n.description = row.description,
      n.status = row.status, n.url = row.url, n.properties_json = row.properties_json,
      n.content_hash = row.content_hash,
      n.aliases = CASE row.aliases WHEN '' THEN [] ELSE split(row.aliases, '|') END
} IN TRANSACTIONS OF $batch ROWS
