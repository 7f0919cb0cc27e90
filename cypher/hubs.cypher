// :params {min_degree: 2000, count: 128}
// The $count entities with the most relationships, from $min_degree on, largest first: the hubs
// whose page neighbourhoods the API reads ahead after the graph changes (graph/hub_refresh.py).
MATCH (n:Entity)
WITH n, COUNT { (n)--() } AS degree
WHERE degree >= $min_degree
RETURN n.id AS id, degree
ORDER BY degree DESC, id
LIMIT $count
