// :params {type: null, status: null, after: '', limit: 50}
// Entities in id order, filtered by type and status; keyset pagination: pass the last id seen as
// $after. Returns one row more than $limit so the caller knows whether another page exists.
MATCH (n:Entity)
WHERE n.id > $after
  AND ($type IS NULL OR n.type = $type)
  AND ($status IS NULL OR n.status = $status)
RETURN n {.id, .type, .name, .description, .status} AS entity
ORDER BY n.id
LIMIT $limit + 1
