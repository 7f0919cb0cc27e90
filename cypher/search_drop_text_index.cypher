// :params {}
// Drops the full-text index so that create_entity_text_index.cypher builds it again with its settings.
DROP INDEX entity_text IF EXISTS
