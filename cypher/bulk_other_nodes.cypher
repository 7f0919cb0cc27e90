// :params {}
// The nodes that are not entities (none has a relationship when a bulk load may run): read before
// the offline import replaces the store, written back after it (bulk_restore_nodes).
MATCH (n)
WHERE NOT n:Entity
RETURN labels(n) AS labels, properties(n) AS props
