// :params {dimensions: 384}
// Vector index over the entity embeddings, cosine similarity; `dimensions` is the embedding
// model's (384 for the default all-MiniLM-L6-v2).
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS
FOR (n:Entity) ON n.embedding
OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}
