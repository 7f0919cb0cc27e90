// :params {id: 'concept:alignment-faking'}
// One entity with its own degree (number of typed relationships).
MATCH (e:Entity {id: $id})
RETURN e {
  .id, .type, .name, .description, .status, .aliases, .url, .properties_json, .merged_into,
  degree: COUNT { (e)--() },
  has_embedding: e.embedding IS NOT NULL
} AS entity
