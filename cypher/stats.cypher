// :params {}
// Counts per entity type and per relation type. Entities merged away by curation are not counted:
// they stay in the graph only so that undo can restore them (their relations moved to the canonical).
RETURN
  COLLECT {
    MATCH (n:Entity)
    WHERE coalesce(n.status, 'active') <> 'merged'
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
