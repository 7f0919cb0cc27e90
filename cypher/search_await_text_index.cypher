// :params {seconds: 300}
// Waits until the (re)built full-text index is online: until then it answers no query.
CALL db.awaitIndex('entity_text', $seconds)
