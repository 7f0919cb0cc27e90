// :params {type: 'concept', skip: 0, limit: 50}
// One page of the entities of one type, in name order (then id), with the exact number of entities
// of that type and each listed entity's degree. Entities merged away are left out, as /stats does.
MATCH (n:Entity {type: $type})
WHERE coalesce(n.status, 'active') <> 'merged'
WITH n
ORDER BY toLower(n.name), n.id
WITH collect(n) AS ranked
RETURN size(ranked) AS count, COLLECT {
  UNWIND ranked[$skip..$skip + $limit] AS n
  RETURN n {.id, .type, .name, .description, .status, degree: COUNT { (n)--() }}
} AS items
