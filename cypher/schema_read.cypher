// :params {}
// The graph's schema, as `atlas ingest` stored it from schema.yaml: entity types in display order,
// relation types, each with its description ('' when none) in the parallel list, and the relation
// types that may join an entity to itself. No row when no schema was stored yet.
MATCH (s:AtlasSchema {graph: 'atlas'})
RETURN s {
  .entity_types, .entity_descriptions,
  .relation_types, .relation_descriptions,
  .reflexive_relation_types
} AS schema
