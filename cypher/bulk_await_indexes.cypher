// :params {}
// Wait until the indexes created after a bulk load are online (search and similar use them).
CALL db.awaitIndexes(3600)
