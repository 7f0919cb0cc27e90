// :params {}
// Entities that carry an embedding: a loader meant to write them all must have.
RETURN COUNT { MATCH (n:Entity) WHERE n.embedding IS NOT NULL } AS embedded
