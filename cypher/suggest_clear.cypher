// :params {batch: 10000}
// Removes one batch of stored suggestions (the previous fit's); run until it returns 0.
MATCH (s:Suggestion)
WITH s LIMIT $batch
DETACH DELETE s
RETURN count(*) AS removed
