// :params {dimensions: 384, quantization: true, m: 16, ef_construction: 100}
// Vector index over the entity embeddings, cosine similarity; `dimensions` is the embedding
// model's (384 for the default all-MiniLM-L6-v2). Quantisation and the HNSW graph's `m` and
// `ef_construction` are Atlas's choice, by measurement (ingest/vector_index.py).
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS
FOR (n:Entity) ON n.embedding
OPTIONS {indexConfig: {
  `vector.dimensions`: $dimensions,
  `vector.similarity_function`: 'cosine',
  `vector.quantization.enabled`: $quantization,
  `vector.hnsw.m`: $m,
  `vector.hnsw.ef_construction`: $ef_construction
}}
