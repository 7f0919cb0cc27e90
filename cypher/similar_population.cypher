// :params {}
// How many entities the graph holds, from Neo4j's count store (no scan): `similar` asks the vector
// index for more candidates in a larger graph, since the index's search is as wide as that number.
MATCH (n:Entity)
RETURN count(n) AS entities
