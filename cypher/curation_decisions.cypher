// :params {entity: 'concept:alignment-faking', limit: 50}
// Decisions, newest first; with $entity, only those taken on that entity (as either side).
MATCH (d:Decision)
WHERE $entity IS NULL OR $entity IN d.entities
RETURN d {
  .id, .seq, .kind, .entities, .source, .target, .relation_type, .description, .who, .why,
  .status, .undone_by, .undo_why, at: toString(d.at), undone_at: toString(d.undone_at)
} AS decision
ORDER BY d.seq DESC
LIMIT $limit
