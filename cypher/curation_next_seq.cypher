// :params {}
// The number of the next decision. Incrementing the one counter node locks it until the
// transaction commits, so concurrent decisions get distinct numbers, in the order they commit.
// The counter starts from the highest number already taken (decisions made before it existed).
CALL () {
  MATCH (d:Decision)
  RETURN coalesce(max(d.seq), 0) AS highest
}
MERGE (c:CurationCounter {id: 'decision_seq'})
  ON CREATE SET c.last = highest
SET c.last = c.last + 1
RETURN c.last AS seq
