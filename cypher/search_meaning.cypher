// :params {vector: [i IN range(1, 384) | 0.05], candidates: 50}
// Search by meaning: the entities whose embedding is nearest the query's ($vector, embedded with
// the model of the stored embeddings). The score is the vector index's cosine score, (1 + cos) / 2.
// The example vector is a constant direction; `atlas search --json` prints no vector, so embed a
// query in a notebook (ingest.embedding.MiniLMEmbedder) to try a real one.
CALL db.index.vector.queryNodes('entity_embedding', $candidates, $vector)
YIELD node, score
WHERE coalesce(node.status, 'active') <> 'merged'
RETURN node {.id, .type, .name, .description, .status, aliases: coalesce(node.aliases, [])} AS entity,
       score
ORDER BY score DESC, entity.id
