// :params {entity_types: ['paper', 'concept'], entity_descriptions: ['A publication', ''], relation_types: ['introduces'], relation_descriptions: ['paper -> concept it defines'], reflexive_relation_types: []}
// Make these the graph's types (atlas ingest, from schema.yaml or an importer's dataset types).
// Only lists: a Neo4j property cannot hold a map, so descriptions run parallel to the types.
MERGE (s:AtlasSchema {graph: 'atlas'})
SET s.entity_types = $entity_types,
    s.entity_descriptions = $entity_descriptions,
    s.relation_types = $relation_types,
    s.relation_descriptions = $relation_descriptions,
    s.reflexive_relation_types = $reflexive_relation_types
RETURN s.graph AS graph
