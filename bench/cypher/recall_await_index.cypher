// :params {}
// Waits until the rebuilt vector index is online (its build time is what the bench reports).
CALL db.awaitIndex('entity_embedding', 3600)
