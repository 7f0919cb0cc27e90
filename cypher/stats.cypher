// :params {}
// Counts per entity type and per relation type, and the totals.
RETURN
  COLLECT {
    MATCH (n:Entity)
    WITH n.type AS type, count(*) AS count
    ORDER BY type
    RETURN {type: type, count: count}
  } AS entity_types,
  COLLECT {
    MATCH (:Entity)-[r]->(:Entity)
    WITH toLower(type(r)) AS type, count(*) AS count
    ORDER BY type
    RETURN {type: type, count: count}
  } AS relation_types
