// :params {q: 'name:"alignment faking"^4 OR (alignment faking)', candidates: 50}
// Full-text candidates for search: $q in Lucene syntax, built by graph/search.py from escaped
// words (names and aliases boosted, the last word also as a prefix). Merged entities are left out.
CALL db.index.fulltext.queryNodes('entity_text', $q, {limit: $candidates})
YIELD node, score
WHERE coalesce(node.status, 'active') <> 'merged'
RETURN node {.id, .type, .name, .description, .status, aliases: coalesce(node.aliases, [])} AS entity,
       score
ORDER BY score DESC, entity.id
