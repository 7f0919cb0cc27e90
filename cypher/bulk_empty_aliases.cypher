// :params {batch: 10000}
// neo4j-admin import stores no property for an empty array field; the Bolt path stores an entity's
// empty alias list as []. Give up to `batch` imported entities without aliases the same empty list
// (run again until it returns 0, so that a million rows never make one transaction).
MATCH (n:Entity)
WHERE n.aliases IS NULL
WITH n LIMIT $batch
SET n.aliases = []
RETURN count(n) AS filled
