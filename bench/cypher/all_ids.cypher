// :params {}
// Every entity id, to sample from.
MATCH (n:Entity)
RETURN n.id AS id
ORDER BY id
