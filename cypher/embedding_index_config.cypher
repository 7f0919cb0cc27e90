// :params {}
// The vector index's configuration (dimensions, quantisation, HNSW m and ef_construction), to tell
// whether it fits the embedding model in use and the settings Atlas creates it with.
SHOW VECTOR INDEXES YIELD name, options
WHERE name = 'entity_embedding'
RETURN options.indexConfig AS config
