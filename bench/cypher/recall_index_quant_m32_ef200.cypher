// :params {}
// The recall bench's vector index, configuration 'quant-m32-ef200' (Neo4j 5.26 defaults: quantisation on, m 16, ef_construction 100).
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS
FOR (n:Entity) ON n.embedding
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine', `vector.quantization.enabled`: true, `vector.hnsw.m`: 32, `vector.hnsw.ef_construction`: 200}}
