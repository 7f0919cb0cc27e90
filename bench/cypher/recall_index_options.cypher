// :params {}
// The vector index's configuration as Neo4j reports it.
SHOW INDEXES YIELD name, options, state, populationPercent
WHERE name = 'entity_embedding'
RETURN options.indexConfig AS config, state, populationPercent
