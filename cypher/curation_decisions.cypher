// :params {entity: 'concept:alignment-faking', limit: 50}
// Decision ids, newest first; with $entity, only those taken on that entity (as either side).
// curation_decision.cypher shows them.
MATCH (d:Decision)
WHERE $entity IS NULL OR $entity IN d.entities
RETURN d.id AS id
ORDER BY d.seq DESC
LIMIT $limit
