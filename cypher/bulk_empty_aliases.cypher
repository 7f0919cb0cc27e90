// :params {batch: 10000}
// neo4j-admin import stores no property for an empty array field; the Bolt path stores an entity's
// empty alias list as []. Give every imported entity without aliases the same empty list, in
// transactions of `batch` rows (a million rows never make one transaction), in one pass over the
// entities. Run it as an auto-commit query (`:auto` in Browser), as CALL IN TRANSACTIONS requires.
MATCH (n:Entity)
WHERE n.aliases IS NULL
CALL (n) {
  SET n.aliases = []
} IN TRANSACTIONS OF $batch ROWS
RETURN count(n) AS filled
