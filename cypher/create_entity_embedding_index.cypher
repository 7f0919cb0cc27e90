// :params {}
// Vector index over the all-MiniLM-L6-v2 embeddings (384 dimensions), cosine similarity.
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS
FOR (n:Entity) ON n.embedding
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
