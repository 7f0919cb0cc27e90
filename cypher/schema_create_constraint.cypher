// :params {}
// One schema node per graph: concurrent ingests storing a schema update it, never add a second.
CREATE CONSTRAINT atlas_schema_graph IF NOT EXISTS FOR (s:AtlasSchema) REQUIRE s.graph IS UNIQUE
