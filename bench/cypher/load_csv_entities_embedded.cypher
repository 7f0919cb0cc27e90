// :params {batch: 10000}
// LOAD CSV of the entities with their embeddings, the baseline for loaders that write them (Atlas
// writes every entity's vector): load_csv_entities.cypher, plus the float32 vector set as Atlas
// sets it and its hash, the vector index updated in the same transactions.
LOAD CSV WITH HEADERS FROM 'file:///entities.csv' AS row
CALL (row) {
  MERGE (n:Entity {id: row.id})
  SET n:$(row.label)
  SET n.type = row.type, n.name = row.name, n.description = row.description,
      n.status = row.status, n.url = row.url, n.properties_json = row.properties_json,
      n.content_hash = row.content_hash, n.embedding_hash = row.embedding_hash,
      n.aliases = CASE row.aliases WHEN '' THEN [] ELSE split(row.aliases, '|') END
  WITH n, row
  CALL db.create.setNodeVectorProperty(n, 'embedding', [x IN split(row.embedding, ';') | toFloat(x)])
} IN TRANSACTIONS OF $batch ROWS
