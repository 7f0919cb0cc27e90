// :params {q: 'alignment faking', limit: 20}
// Full-text search over names, aliases and descriptions ($q in Lucene syntax; the API escapes it).
CALL db.index.fulltext.queryNodes('entity_text', $q, {limit: $limit})
YIELD node, score
WHERE coalesce(node.status, 'active') <> 'merged'
RETURN node {.id, .type, .name, .description, .status} AS entity, score
ORDER BY score DESC, entity.id
