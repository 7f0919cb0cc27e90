// :params {}
// The recall bench's vector index, configuration 'default' (Neo4j 5.26 defaults: quantisation on, m 16, ef_construction 100).
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS
FOR (n:Entity) ON n.embedding
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
