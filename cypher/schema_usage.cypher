// :params {entity_types: ['paper', 'thinker', 'concept'], rel_types: ['STUDIES', 'INTRODUCES']}
// How many entities and relations have a type outside the given lists ($rel_types in Neo4j's
// UPPER_SNAKE_CASE): a schema that drops a type still in use is refused with these counts.
// Entities merged away by curation count too: undoing the merge would bring them back.
RETURN
  COLLECT {
    MATCH (n:Entity)
    WHERE NOT n.type IN $entity_types
    WITH n.type AS type, count(*) AS count
    ORDER BY type
    RETURN {type: type, count: count}
  } AS entities,
  COLLECT {
    MATCH (:Entity)-[r]->(:Entity)
    WHERE NOT type(r) IN $rel_types
    WITH toLower(type(r)) AS type, count(*) AS count
    ORDER BY type
    RETURN {type: type, count: count}
  } AS relations
