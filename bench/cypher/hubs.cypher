// :params {count: 20}
// The $count entities with the most relationships.
MATCH (n:Entity)
WITH n, COUNT { (n)--() } AS degree
ORDER BY degree DESC, n.id
LIMIT $count
RETURN n.id AS id, degree
