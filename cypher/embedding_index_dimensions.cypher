// :params {}
// The vector index's dimension, to tell whether it fits the embedding model in use.
SHOW VECTOR INDEXES YIELD name, options
WHERE name = 'entity_embedding'
RETURN options.indexConfig['vector.dimensions'] AS dimensions
