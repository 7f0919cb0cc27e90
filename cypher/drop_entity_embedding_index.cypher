// :params {}
// Drops the vector index so that create_entity_embedding_index.cypher builds it again for a model
// of another dimension.
DROP INDEX entity_embedding IF EXISTS
